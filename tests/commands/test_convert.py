"""`ocppscope convert` as a user runs it: every output form, slices and exit codes."""

import csv
import json
import sys

import pytest

from app.cli import main
from tests.factories import DOWN, START, UP, make_message, write_session
from tests.net.peers import run as run_peers
from tests.session import pcaps

EVCC = ('[ocpp  ] TRACE 2024/07/29 22:03:40 recv CP1: [2,"1","Heartbeat",{}]\n'
        '[ocpp  ] TRACE 2024/07/29 22:03:41 send CP1: [3,"1",{"currentTime":"bad"}]\n'
        '[ocpp  ] TRACE 2024/07/29 22:03:50 recv CP2: [2,"2","Heartbeat",{}]\n')


def convert(capsys, *args):
    code = main(["convert", *map(str, args)])
    return code, capsys.readouterr()


def log(tmp_path, text=EVCC):
    path = tmp_path / "evcc.log"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_log_becomes_a_session_that_validate_reads(tmp_path, capsys):
    out = tmp_path / "out.jsonl"
    code, _ = convert(capsys, log(tmp_path), out)
    assert code == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0])["source_format"] == "evcc OCPP traces"
    assert [json.loads(line)["station"] for line in lines[1:]] == ["CP1", "CP1", "CP2"]
    assert main(["validate", str(out)]) == 1  # the bad currentTime


def test_trace_csv_and_html_outputs(tmp_path, capsys):
    source = log(tmp_path)
    convert(capsys, source, tmp_path / "t.ndjson")
    trace = [json.loads(line) for line in (tmp_path / "t.ndjson").read_text().splitlines()]
    assert trace[0]["message"] == [2, "1", "Heartbeat", {}]
    assert trace[0]["direction"] == "station_to_csms" and trace[0]["timestamp"]
    convert(capsys, source, tmp_path / "t.csv")
    with (tmp_path / "t.csv").open(newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert [row["valid"] for row in rows] == ["yes", "no", "yes"]
    convert(capsys, source, tmp_path / "r.html")
    report = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "Per station" in report and "Per action" in report and "Per finding" in report
    assert "schema.date-time" in report and "<script" not in report and "http" not in report


def test_station_and_time_select_a_slice(tmp_path, capsys):
    out = tmp_path / "s.ndjson"
    code, _ = convert(capsys, log(tmp_path), out, "--station", "CP1", "--from", "1")
    assert code == 0
    assert [json.loads(line)["raw"][:2] for line in out.read_text().splitlines()] == ["[3"]


@pytest.mark.parametrize(("bounds", "kept"), [
    (["--from", "2024-07-29T22:03:41", "--to", "2024-07-30T00:03:41+02:00"], ["[3"]),
    (["--from", "2024-07-29"], ["[2", "[3", "[2"]),
    (["--from", "2024-07-30"], []),
    (["--to", "1"], ["[2", "[3"]),
    (["--from", "2024-07-29 22:03:45", "--to", "10"], ["[2"]),
])
def test_from_and_to_read_every_moment_form(tmp_path, capsys, bounds, kept):
    out = tmp_path / "s.ndjson"
    code, _ = convert(capsys, log(tmp_path), out, *bounds)
    assert code == 0
    assert [json.loads(line)["raw"][:2] for line in out.read_text().splitlines()] == kept


@pytest.mark.parametrize(("bounds", "line"), [
    (["--from", "yesterday"], "--from 'yesterday': not a moment; give an RFC 3339 date-time"),
    (["--to", "22:03:41"], "--to '22:03:41': not a moment; give an RFC 3339 date-time"),
    (["--to", "2024-07-29T22:03:41+25:00"], "--to '2024-07-29T22:03:41+25:00': no such day "
                                            "or time in the calendar"),
])
def test_a_bad_moment_is_refused_in_one_line_before_reading(tmp_path, capsys, bounds, line):
    code, captured = convert(capsys, tmp_path / "absent.log", tmp_path / "o.jsonl", *bounds)
    assert code == 2 and captured.err.startswith(f"ocppscope convert: {line}")
    assert captured.err.count("\n") == 1 and "(2024-05-01: midnight UTC)" in captured.err


def test_skipped_lines_exit_1_with_notes(tmp_path, capsys):
    code, captured = convert(capsys, log(tmp_path, EVCC + "charger connected\n"),
                             tmp_path / "o.jsonl")
    assert code == 1 and "line 4: no OCPP frame, skipped" in captured.err


def test_unusable_input_exits_2_in_one_line(tmp_path, capsys):
    garbage = tmp_path / "g.bin"
    garbage.write_bytes(b"\x00\x01binary")
    code, captured = convert(capsys, garbage, tmp_path / "o.jsonl")
    assert code == 2 and captured.err.count("\n") == 1 and "binary data" in captured.err
    code, captured = convert(capsys, log(tmp_path), tmp_path / "o.txt")
    assert code == 2 and "--format" in captured.err


def test_time_slices_of_an_input_without_times_are_refused(tmp_path, capsys):
    frames = tmp_path / "f.txt"
    frames.write_text('[2,"1","Heartbeat",{}]\n')
    code, captured = convert(capsys, frames, tmp_path / "o.jsonl", "--from", "0")
    assert code == 2 and "has no times" in captured.err


def test_a_filter_expression_keeps_what_it_selects_verdicts_included(tmp_path, capsys):
    out = tmp_path / "f.ndjson"
    code, _ = convert(capsys, log(tmp_path), out, "--filter", '!valid || station == "CP2"')
    assert code == 0
    kept = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(line["station"], line["raw"][:2]) for line in kept] == [("CP1", "[3"),
                                                                    ("CP2", "[2")]
    # an answer matches on its CALL's action
    code, _ = convert(capsys, log(tmp_path), out, "--filter",
                      'action == "Heartbeat" && type == RESULT')
    assert [json.loads(line)["raw"][:2] for line in out.read_text().splitlines()] == ["[3"]


def test_a_broken_filter_is_one_line_naming_its_column(tmp_path, capsys):
    code, captured = convert(capsys, log(tmp_path), tmp_path / "x.ndjson", "--filter",
                             "action ==")
    assert code == 2
    # one sentence, then the expression with a caret under the column
    assert captured.err.startswith("ocppscope convert: --filter: column 10: expected a value")
    assert captured.err.rstrip().endswith("^")
    assert not (tmp_path / "x.ndjson").exists()


def test_a_session_is_judged_and_converted_with_the_answer_timeout_it_was_recorded_with(
        tmp_path, capsys):
    """Recorded with a 10 s timeout, a Heartbeat answered 15 s later timed out: its CSV
    row says so, as the session opened in the window does, and a session written from it
    keeps the timeout."""
    records = [make_message(1, [2, "h1", "Heartbeat", {}], direction=UP, time=START),
               make_message(2, [3, "h1", {"currentTime": "2024-01-01T00:00:00Z"}],
                            direction=DOWN, time=START + 15)]
    source = write_session(tmp_path / "ten.jsonl", records, answer_timeout=10.0)
    assert convert(capsys, source, tmp_path / "t.csv")[0] == 0
    with (tmp_path / "t.csv").open(newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert rows[0]["findings"] == ("protocol.answer-timeout: Heartbeat got no answer "
                                   "within 10 s")
    assert rows[1]["findings"] == ""
    convert(capsys, source, tmp_path / "again.jsonl")
    header = json.loads((tmp_path / "again.jsonl").read_text().splitlines()[0])
    assert header["answer_timeout"] == 10.0


def damaged_session(tmp_path):
    """A session whose third record line is not JSON (a bad sector, a hand edit)."""
    path = write_session(tmp_path / "s.jsonl", [
        make_message(seq, [2, str(seq), "Heartbeat", {}]) for seq in range(1, 4)])
    lines = path.read_text().splitlines(keepends=True)
    lines[2] = '{"seq": 2, "garbled\n'
    path.write_text("".join(lines))
    return path


def test_a_session_with_a_damaged_line_converts_the_rest_and_exits_1(tmp_path, capsys):
    code, captured = convert(capsys, damaged_session(tmp_path), tmp_path / "o.jsonl")
    assert code == 1
    assert "line 3: skipped, not a valid record" in captured.err
    assert "2 records written" in captured.err


def test_a_session_whose_joined_parts_are_renumbered_still_exits_0(tmp_path, capsys):
    path = write_session(tmp_path / "s.jsonl", [
        make_message(seq, [2, str(seq), "Heartbeat", {}]) for seq in (1, 2, 1, 2)])
    code, captured = convert(capsys, path, tmp_path / "o.jsonl")
    assert code == 0 and "seq 1 does not follow 2" in captured.err


def test_one_record_is_counted_in_the_singular(tmp_path, capsys):
    code, captured = convert(capsys, log(tmp_path, EVCC.splitlines(keepends=True)[0]),
                             tmp_path / "o.jsonl")
    assert code == 0 and "; 1 record written to" in captured.err


def test_a_capture_of_another_ocpp_version_is_told_and_exits_0(tmp_path, capsys):
    legacy = run_peers(pcaps.ocpp16_exchange())
    path = tmp_path / "legacy.pcap"
    path.write_bytes(pcaps.pcap_file(pcaps.frames(pcaps.tcp_packets(legacy.sent))))
    code, captured = convert(capsys, path, tmp_path / "o.jsonl")
    assert "speaks ocpp1.6" in captured.err
    assert code == 0


def test_an_output_whose_folder_does_not_exist_is_refused_before_reading(tmp_path, capsys,
                                                                         monkeypatch):
    from app.commands import convert as command

    monkeypatch.setattr(command, "import_path", lambda _: pytest.fail("read the input"))
    out = tmp_path / "missing" / "o.jsonl"
    code, captured = convert(capsys, log(tmp_path), out)
    assert code == 2
    assert captured.err == (f"ocppscope convert: {out}: cannot write (its folder "
                            f"'{out.parent}' does not exist)\n")


def test_a_closed_standard_input_is_one_line_and_exit_2(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", None)  # started with <&-
    code, (_, err) = convert(capsys, "-", tmp_path / "out.jsonl")
    assert code == 2 and err == "ocppscope convert: -: standard input is closed\n"


@pytest.mark.parametrize("under", [(), ("deeper",)], ids=["its folder", "a folder above"])
def test_an_output_under_a_file_is_refused_as_not_a_folder(tmp_path, capsys, under):
    a_file = tmp_path / "notes.txt"
    a_file.write_text("not a folder")
    out = a_file.joinpath(*under, "o.jsonl")
    code, captured = convert(capsys, log(tmp_path), out)
    assert code == 2
    assert captured.err == (f"ocppscope convert: {out}: cannot write ('{a_file}' is not a "
                            "folder)\n")
