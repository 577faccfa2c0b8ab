"""`ocppscope validate` as a user runs it: output, --json lines and exit codes."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import build_parser, main
from app.ocpp.conversation import Direction
from app.session.message import RecordKind, frame_message, gap_record
from app.session.sessionfile import SessionWriter, make_header
from tests.factories import make_message, write_session
from tests.net.peers import run as run_peers
from tests.session import pcaps

EXAMPLE = Path(__file__).parents[2] / "resources" / "examples" / "mixed-frames.txt"
BOOT = ('[2,"b1","BootNotification",{"reason":"PowerUp",'
        '"chargingStation":{"model":"M","vendorName":"V"}}]')
BOOT_BAD_RESULT = '[3,"b1",{"currentTime":"2024-01-01T00:00:00Z","interval":300,"status":"ok"}]'


def run(capsys, *args):
    code = main(["validate", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def test_mixed_file_reports_each_problem_and_exits_1(capsys):
    code, out, _ = run(capsys, EXAMPLE)
    assert code == 1
    assert "line 2  CALLRESULT BootNotification" in out
    assert "schema.enum  status: 'accepted'" in out
    assert "schema.date-time  timestamp:" in out
    assert "line 7  malformed frame" in out and "frame.not-json" in out
    assert "protocol.unmatched-result" in out
    assert "'StopTransaction' is an OCPP 1.6 action" in out
    assert out.strip().endswith("11 messages: 5 valid (1 with warnings), 5 invalid, 1 malformed")


def test_json_output_has_one_object_per_message(capsys):
    code, out, _ = run(capsys, "--json", EXAMPLE)
    assert code == 1
    lines = [line for line in map(json.loads, out.splitlines()) if line["kind"] == "message"]
    assert len(lines) == 11
    assert [line["index"] for line in lines] == list(range(11))
    first, second = lines[0], lines[1]
    assert first == {**first, "action": "BootNotification", "message_type": "CALL",
                     "message_id": "19223201", "valid": True, "findings": [],
                     "checked": True, "direction": "station_to_csms"}
    assert second["action"] == "BootNotification"
    assert second["message_type"] == "CALLRESULT" and second["valid"] is False
    assert second["findings"] == [{
        "severity": "error", "code": "schema.enum", "path": "status",
        "message": second["findings"][0]["message"]}]
    malformed = lines[6]
    assert malformed["message_type"] is None and malformed["valid"] is False


def test_all_valid_exits_0(tmp_path, capsys):
    path = tmp_path / "ok.txt"
    path.write_text(BOOT + "\n" + BOOT_BAD_RESULT.replace('"ok"', '"Accepted"') + "\n")
    code, out, _ = run(capsys, path)
    assert code == 0
    assert "2 messages: 2 valid, 0 invalid, 0 malformed" in out


def test_json_list_of_frames_pairs_results_with_earlier_calls(tmp_path, capsys):
    path = tmp_path / "frames.json"
    path.write_text(json.dumps([json.loads(BOOT), json.loads(BOOT_BAD_RESULT)], indent=2))
    code, out, _ = run(capsys, path)
    assert code == 1
    assert "[1]  CALLRESULT BootNotification id=b1" in out
    assert "'ok' is not one of Accepted, Pending, Rejected" in out


def test_a_stray_entry_in_a_json_list_is_one_malformed_frame(tmp_path, capsys):
    path = tmp_path / "frames.json"
    path.write_text('[[2,"1","Heartbeat",{}], {"oops":1}, '
                    '[3,"1",{"currentTime":"2024-01-01T00:00:00Z"}]]')
    code, out, _ = run(capsys, path)
    assert code == 1
    assert "[1]  malformed frame" in out and "frame.not-array" in out
    assert "3 messages: 2 valid, 0 invalid, 1 malformed" in out


def test_single_frame_json_file(tmp_path, capsys):
    path = tmp_path / "one.json"
    path.write_text(json.dumps(json.loads(BOOT), indent=2))
    code, out, _ = run(capsys, path)
    assert code == 0 and "1 message: 1 valid" in out


def test_session_file_uses_directions_and_connections(tmp_path, capsys):
    path = tmp_path / "s.jsonl"
    write_session(path, [
        frame_message(1, BOOT, connection="c1", station="CP1",
                      direction=Direction.STATION_TO_CSMS),
        frame_message(2, BOOT_BAD_RESULT, connection="c1", station="CP1",
                      direction=Direction.CSMS_TO_STATION)])
    code, out, _ = run(capsys, path)
    assert code == 1
    assert "seq 2  CALLRESULT BootNotification" in out


def test_torn_session_file_still_validates_the_rest(tmp_path, capsys):
    path = tmp_path / "s.jsonl"
    write_session(path, [frame_message(1, BOOT, direction=Direction.STATION_TO_CSMS)])
    with path.open("a") as stream:
        stream.write('{"seq":2,"ti')
    code, out, err = run(capsys, path)
    assert code == 0
    assert "1 message: 1 valid" in out
    assert "incomplete last line" in err


def test_a_binary_record_without_data_is_one_malformed_message(tmp_path, capsys):
    path = tmp_path / "s.jsonl"
    write_session(path, [frame_message(1, BOOT, direction=Direction.STATION_TO_CSMS)])
    with path.open("a") as stream:  # an empty binary frame, written by hand or another tool
        stream.write('{"seq":2,"time":"2024-01-01T00:00:00Z","mono":1.5,"conn":"",'
                     '"station":"","dir":"station_to_csms","kind":"binary"}\n')
    code, out, _ = run(capsys, "--json", path)
    summary = json.loads(out.splitlines()[-1])
    assert code == 1 and summary["messages"] == 2 and summary["malformed"] == 1


def test_gaps_in_a_recording_are_noted_and_are_not_findings(tmp_path, capsys):
    path = tmp_path / "s.jsonl"
    heartbeat = '[2,"{}","Heartbeat",{{}}]'
    with SessionWriter(path, make_header("proxy")) as writer:
        writer.write(frame_message(1, heartbeat.format(1), direction=Direction.STATION_TO_CSMS))
        # an outage noted in two steps (at the failure, and when writing resumed)
        writer.write(gap_record(3, 2, 4, "disk full (No space left on device)"))
        writer.write(gap_record(1230, 5, 1234, "disk full (No space left on device)"))
        writer.write(frame_message(1235, '[3,"1",{"currentTime":"2024-01-01T00:00:00Z"}]',
                                   direction=Direction.CSMS_TO_STATION))
        writer.write(gap_record(1, 1236, 1236, "recording could not keep up"))
    code, out, _ = run(capsys, path)
    assert code == 0
    assert (f"{path}: note: 1,233 records were not recorded between seq 2 and seq 1234: "
            "disk full (No space left on device)") in out
    assert (f"{path}: note: 1 record was not recorded between seq 1236 and seq 1236: "
            "recording could not keep up") in out
    assert "2 messages: 2 valid" in out
    code, out, _ = run(capsys, "--json", path)
    notes = [line for line in map(json.loads, out.splitlines())
             if line.get("code") == "input.gap"]
    assert [(n["kind"], n["lost"], n["first_seq"], n["last_seq"]) for n in notes] == [
        ("note", 1233, 2, 1234), ("note", 1, 1236, 1236)]


def test_bare_payload_with_action(tmp_path, capsys):
    path = tmp_path / "payload.json"
    path.write_text('{"currentTime": "2024-01-01T00:00:00+0100"}')
    code, out, _ = run(capsys, "--action", "Heartbeat", "--response", path)
    assert code == 1
    assert "schema.date-time  currentTime:" in out and "'+01:00'" in out


def test_bare_payload_as_json_is_a_message_then_a_summary(tmp_path, capsys):
    path = tmp_path / "payload.json"
    path.write_text('{"currentTime": "2024-01-01T00:00:00+0100"}')
    _, out, _ = run(capsys, "--json", "--action", "Heartbeat", "--response", path)
    message, summary = map(json.loads, out.splitlines())
    assert (message["kind"], message["valid"], message["checked"]) == ("message", False, True)
    assert summary == {"kind": "summary", "file": str(path), "messages": 1, "valid": 0,
                       "warned": 0, "unchecked": 0, "other_version": 0, "invalid": 1,
                       "malformed": 0}


def test_unknown_action_option_is_unusable(tmp_path, capsys):
    path = tmp_path / "payload.json"
    path.write_text("{}")
    code, _, err = run(capsys, "--action", "heartbeat", path)
    assert code == 2 and "did you mean Heartbeat?" in err


@pytest.mark.parametrize(("content", "words"), [
    (None, "no such file"),
    (b"", "empty"),
    (b"  \n\n", "empty"),
    (b"\x00\x01\x02garbage\xff", "binary"),
    (b"\xfd\xfe\xff not utf8", "not UTF-8"),
    (b"\xff\xfe\x00\xd8", "UTF-16 text that does not decode"),
])
def test_unusable_input_exits_2_with_one_line(tmp_path, capsys, content, words):
    path = tmp_path / "input.txt"
    if content is not None:
        path.write_bytes(content)
    code, out, err = run(capsys, path)
    assert code == 2
    assert words in err and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err + out


def test_directory_is_unusable(tmp_path, capsys):
    code, _, err = run(capsys, tmp_path)
    assert code == 2 and "directory" in err


def test_one_unusable_file_does_not_hide_the_others(tmp_path, capsys):
    good = tmp_path / "good.txt"
    good.write_text(BOOT + "\n")
    code, out, err = run(capsys, tmp_path / "missing.txt", good)
    assert code == 2
    assert "1 message: 1 valid" in out and "no such file" in err


def test_runs_as_a_module_and_as_a_console_script():
    result = subprocess.run([sys.executable, "-m", "app", "validate", str(EXAMPLE)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "11 messages" in result.stdout
    result = subprocess.run([sys.executable, "-m", "app", "--help"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "validate" in result.stdout



def test_frames_can_be_piped_in():
    result = subprocess.run([sys.executable, "-m", "app", "validate", "-"],
                            input='[2,"1","Authorize",{"idToken":{"idToken":"X","type":"x"}}]\n',
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "-:line 1  CALL Authorize" in result.stdout and "schema.enum" in result.stdout


def test_a_session_file_cannot_be_piped(tmp_path):
    path = tmp_path / "s.jsonl"
    write_session(path, [frame_message(1, BOOT, direction=Direction.STATION_TO_CSMS)])
    result = subprocess.run([sys.executable, "-m", "app", "validate", "-"],
                            input=path.read_text(), capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2 and "not a pipe" in result.stderr


# --- files that lack times or directions ---------------------------------------------------

UP, DOWN = Direction.STATION_TO_CSMS, Direction.CSMS_TO_STATION
BOOT_FRAME = json.loads(BOOT)


def frames_file(tmp_path, frames, name="frames.txt"):
    """A file of one frame per line, as pasted into a bug report: no times, no directions."""
    path = tmp_path / name
    path.write_text("".join(json.dumps(f) + "\n" for f in frames), encoding="utf-8")
    return path


def session_file(tmp_path, timed_frames, name="s.jsonl"):
    """A recorded session of (seconds, direction, frame), all on one connection."""
    path = tmp_path / name
    with SessionWriter(path, make_header("proxy")) as writer:
        for seq, (at, direction, frame) in enumerate(timed_frames, start=1):
            writer.write(frame_message(seq, json.dumps(frame), connection="c1",
                                       station="CP1", direction=direction,
                                       time=1_700_000_000 + at, monotonic=at))
    return path


def heartbeat_log(count, *, lost=(), current_time="2024-05-01T10:00:00Z", interval=10):
    """A boot, then `count` heartbeats each answered, except those numbered in `lost`."""
    frames = [BOOT_FRAME, [3, "b1", {"currentTime": current_time, "interval": interval,
                                     "status": "Accepted"}]]
    for n in range(count):
        frames.append([2, f"h{n}", "Heartbeat", {}])
        if n not in lost:
            frames.append([3, f"h{n}", {"currentTime": current_time}])
    return frames


def test_a_log_without_times_gets_no_timing_findings_and_says_so(tmp_path, capsys):
    code, out, _ = run(capsys, frames_file(tmp_path, heartbeat_log(50)))
    assert code == 0
    assert "rule.heartbeat-early" not in out
    assert "note: times unknown: heartbeat and timeout checks skipped" in out
    assert "note: directions inferred from the action's sender" in out
    assert "102 messages: 102 valid, 0 invalid, 0 malformed" in out


def test_calls_of_both_sides_are_not_mixed_into_one_queue(tmp_path, capsys):
    frames = [[2, "h", "Heartbeat", {}], [2, "g", "GetVariables", {"getVariableData": [
        {"component": {"name": "C"}, "variable": {"name": "V"}}]}],
              [3, "h", {"currentTime": "2024-01-01T00:00:00Z"}]]
    _, out, _ = run(capsys, frames_file(tmp_path, frames))
    assert "protocol.concurrent-call" not in out
    assert "note: GetVariables (id g, line 2) got no answer in this file" in out


def test_one_lost_answer_in_a_log_without_times_is_reported_once(tmp_path, capsys):
    code, out, _ = run(capsys, frames_file(tmp_path, heartbeat_log(40, lost={5})))
    assert code == 1
    assert out.count("protocol.concurrent-call") == 2  # once in full, once counted
    assert out.count("Heartbeat (#") == 1
    assert "line 13  CALL Heartbeat id=h5" in out
    assert "protocol.no-answer  Heartbeat got no answer: its sender went on" in out
    assert "got no answer in this file" not in out


def test_a_call_unanswered_for_30_recorded_seconds_times_out_once(tmp_path, capsys):
    timed = [(0, UP, BOOT_FRAME),
             (0.1, DOWN, [3, "b1", {"currentTime": "2024-01-01T00:00:00Z", "interval": 60,
                                    "status": "Accepted"}]),
             (5, DOWN, [2, "c", "ClearCache", {}])]
    for n in range(1, 8):  # the station's traffic flows, answered at once
        timed.append((10 * n, UP, [2, f"s{n}", "StatusNotification", {
            "timestamp": "2024-01-01T00:00:00Z", "connectorStatus": "Available",
            "evseId": 1, "connectorId": 1}]))
        timed.append((10 * n + 0.1, DOWN, [3, f"s{n}", {}]))
    path = session_file(tmp_path, timed)
    code, out, _ = run(capsys, path)
    assert code == 1
    assert out.count("protocol.answer-timeout") == 2  # the finding and its count
    assert "seq 3  CALL ClearCache id=c" in out
    # as a capture words it, and where: the station's first frame after 35 s
    assert "ClearCache got no answer within 30 s (given up at seq 10)\n" in out
    assert "warnings: protocol.answer-timeout ×1 (CSMS)" in out
    assert "got no answer in this file" not in out
    assert "times unknown" not in out and "inferred" not in out
    [note] = [value for value in map(json.loads, run(capsys, "--json", path)[1].splitlines())
              if value["kind"] == "note"]
    assert (note["message"], note["given_up_at"]) == (
        "ClearCache got no answer within 30 s", "seq 10")


def test_answer_timeout_can_be_set(tmp_path, capsys):
    timed = [(0, UP, [2, "1", "Heartbeat", {}]), (5, DOWN, [2, "2", "ClearCache", {}]),
             (6, UP, [3, "2", {"status": "Accepted"}])]
    path = session_file(tmp_path, timed)
    assert "answer-timeout" not in run(capsys, path)[1]
    assert "Heartbeat got no answer within 5 s" in run(capsys, "--answer-timeout", "5", path)[1]


def test_a_new_boot_clears_what_was_outstanding(tmp_path, capsys):
    frames = [[2, "h1", "Heartbeat", {}], BOOT_FRAME, json.loads(BOOT_BAD_RESULT),
              [2, "h2", "Heartbeat", {}]]
    _, out, _ = run(capsys, frames_file(tmp_path, frames))
    assert "protocol.concurrent-call" not in out
    assert "note: Heartbeat (id h1, line 1) got no answer before the station booted again " \
           "(line 2)" in out


# --- summaries ----------------------------------------------------------------------------

SIX_DIGITS = "2024-05-01T10:00:00.123456Z"


def test_a_warning_repeated_in_every_frame_is_shown_three_times_then_counted(tmp_path,
                                                                              capsys):
    frames = [*heartbeat_log(30, current_time=SIX_DIGITS), [2, "x", "Nope", {}]]
    code, out, _ = run(capsys, frames_file(tmp_path, frames))
    assert code == 1
    assert out.count("warning  datetime.precision") == 3
    assert "datetime.precision  again; further ones from the CSMS are counted in the " \
           "summary, not shown" in out
    assert "error    frame.unknown-action  unknown action 'Nope'" in out
    assert "errors: frame.unknown-action ×1 (sender unknown)" in out
    assert "warnings: datetime.precision ×31 (CSMS)" in out


def test_json_carries_notes_and_a_final_summary(tmp_path, capsys):
    frames = [*heartbeat_log(5, current_time=SIX_DIGITS), [2, "z", "Heartbeat", {}]]
    _, out, _ = run(capsys, "--json", frames_file(tmp_path, frames))
    objects = [json.loads(line) for line in out.splitlines()]
    kinds = [o["kind"] for o in objects]
    assert kinds == ["message"] * 13 + ["note"] * 3 + ["summary"]
    assert all(len(o["findings"]) == 1 for o in objects[:13] if o["message_type"] ==
               "CALLRESULT")  # every finding, none held back
    notes = {o["code"]: o for o in objects if o["kind"] == "note"}
    assert notes["protocol.unanswered-at-end"] == {
        "kind": "note", "file": notes["protocol.unanswered-at-end"]["file"],
        "code": "protocol.unanswered-at-end", "severity": "info", "position": "line 13",
        "action": "Heartbeat", "message_id": "z",
        "message": "Heartbeat (id z, line 13) got no answer in this file"}
    assert {"input.times-unknown", "input.directions-inferred"} <= notes.keys()
    summary = objects[-1]
    assert summary == {**summary, "messages": 13, "valid": 13, "warned": 6, "unchecked": 0,
                       "invalid": 0, "malformed": 0, "times": "unknown",
                       "directions": "inferred"}
    assert summary["counts"] == [{"code": "datetime.precision", "severity": "warning",
                                  "sender": "csms", "count": 6}]
    assert summary["skipped_checks"] == ["rule.heartbeat-early", "protocol.answer-timeout"]


OCPP16 = [
    [2, "1", "BootNotification", {"chargePointVendor": "V", "chargePointModel": "M"}],
    [3, "1", {"status": "Accepted", "currentTime": "2024-01-01T00:00:00Z", "interval": 300}],
    [2, "2", "StartTransaction", {"connectorId": 1, "idTag": "A", "meterStart": 0,
                                  "timestamp": "2024-01-01T00:00:00Z"}],
    [3, "2", {"transactionId": 1, "idTagInfo": {"status": "Accepted"}}],
    [2, "3", "Authorize", {"idTag": "A"}],
    [3, "3", {"idTagInfo": {"status": "Accepted"}}],
    [2, "4", "Heartbeat", {}],
    [3, "4", {"currentTime": "2024-01-01T00:00:00Z"}],
]


def test_a_file_mostly_of_ocpp16_says_so_first(tmp_path, capsys):
    path = frames_file(tmp_path, OCPP16)
    _, out, _ = run(capsys, path)
    assert out.splitlines()[0].startswith(f"{path}: 6 of 8 frames look like OCPP 1.6: this "
                                          "is probably a 1.6 log")
    assert out.count("look like OCPP 1.6") == 1
    _, out, _ = run(capsys, "--json", path)
    notes = [o for o in map(json.loads, out.splitlines()) if o["kind"] == "note"]
    assert any(n["code"] == "input.ocpp16" and n["message"].startswith("6 of 8") for n in notes)


def test_a_few_ocpp16_frames_are_a_note_at_the_end(tmp_path, capsys):
    path = frames_file(tmp_path, OCPP16[2:4] + heartbeat_log(3))
    _, out, _ = run(capsys, path)
    assert "note: 2 of 10 frames look like OCPP 1.6" in out
    assert "probably a 1.6 log" not in out


def test_answers_to_actions_without_a_schema_are_unchecked_not_valid(tmp_path, capsys):
    path = frames_file(tmp_path, OCPP16[2:4])
    code, out, _ = run(capsys, path)
    assert code == 1
    assert "2 messages: 0 valid, 1 unchecked, 1 invalid, 0 malformed" in out
    assert "note: 1 answer unchecked" in out
    _, out, _ = run(capsys, "--json", path)
    answer = json.loads(out.splitlines()[1])
    assert answer["checked"] is False and answer["valid"] is False
    assert json.loads(out.splitlines()[-1])["unchecked"] == 1


def test_a_session_s_16_connection_is_unchecked_and_said_so_not_judged_as_201(
        tmp_path, capsys):
    """Its handshake chose ocpp1.6: its frames are not judged by 2.0.1's schemas (as the
    window judges them), counted unchecked with a note of why, and no "looks like 1.6"
    guess is made of what is known."""
    up, down = Direction.STATION_TO_CSMS, Direction.CSMS_TO_STATION
    records = [make_message(1, kind=RecordKind.OPENED, meta={"subprotocol": "ocpp1.6"})]
    records += [make_message(seq, frame, direction=up if frame[0] == 2 else down)
                for seq, frame in enumerate(OCPP16[:4], start=2)]
    records.append(make_message(6, '[2,"5","Heartbeat",', direction=up))  # not even JSON
    path = write_session(tmp_path / "s16.jsonl", records)
    code, out, _ = run(capsys, str(path))
    assert code == 1
    assert "5 messages: 0 valid, 5 unchecked, 0 invalid, 0 malformed" in out
    assert "note: 5 frames unchecked: their connection agreed another OCPP version" in out
    assert "answer unchecked" not in out and "look like OCPP 1.6" not in out
    assert "schema." not in out
    _, out, _ = run(capsys, "--json", str(path))
    lines = [json.loads(line) for line in out.splitlines()]
    assert [(m["checked"], m["valid"], [f["code"] for f in m["findings"]])
            for m in lines if m["kind"] == "message"] == \
        [(False, False, ["frame.other-version"])] * 5
    assert (lines[-1]["unchecked"], lines[-1]["other_version"]) == (5, 5)


def test_answers_unchecked_are_counted_apart_from_frames_of_another_version(tmp_path, capsys):
    up, down = Direction.STATION_TO_CSMS, Direction.CSMS_TO_STATION
    records = [make_message(1, kind=RecordKind.OPENED, meta={"subprotocol": "ocpp1.6"}),
               make_message(2, OCPP16[0], direction=up),
               make_message(3, OCPP16[2], direction=up, connection="c2", station="CP2"),
               make_message(4, OCPP16[3], direction=down, connection="c2", station="CP2")]
    path = write_session(tmp_path / "both.jsonl", records)
    _, out, _ = run(capsys, str(path))
    assert "note: 1 answer unchecked: their CALL's action is not OCPP 2.0.1" in out
    assert "note: 1 frame unchecked: their connection agreed another OCPP version" in out


# --- output that never raises -------------------------------------------------------------

SURROGATE_FRAME = '[2,"\\ud800","Heart\\udfffbeat",{}]\n'


@pytest.mark.parametrize("as_json", [False, True])
def test_a_lone_surrogate_from_a_peer_is_printed_not_raised(tmp_path, as_json):
    path = tmp_path / "odd.txt"
    path.write_text(SURROGATE_FRAME)
    result = subprocess.run(
        [sys.executable, "-m", "app", "validate", *(["--json"] if as_json else []), str(path)],
        capture_output=True, timeout=60, env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert result.returncode == 1, result.stderr
    assert b"Traceback" not in result.stderr
    text = result.stdout.decode("utf-8")  # strictly UTF-8: nothing unwritable got through
    if as_json:
        objects = [json.loads(line) for line in text.splitlines()]
        assert objects[0]["message_id"] == "\ud800"
    else:
        assert "id=\\ud800" in text and "'Heart\\udfffbeat'" in text


def test_every_line_written_to_a_strict_utf8_stream_survives(tmp_path):
    from app.commands import validate

    path = tmp_path / "odd.txt"
    path.write_text(SURROGATE_FRAME + json.dumps([4, "e", "Oops \ud800", "", {}]) + "\n")
    for flags in ([], ["--json"]):
        raw = io.BytesIO()
        out = io.TextIOWrapper(raw, encoding="utf-8", errors="strict")
        args = build_parser().parse_args(["validate", *flags, str(path)])
        assert validate.run(args, out=out, err=io.StringIO()) == 1
        out.flush()
        assert raw.getvalue().decode("utf-8").count("\n") >= 3


def test_filter_reports_and_counts_only_the_selected_frames(tmp_path, capsys):
    frames = tmp_path / "frames.txt"
    frames.write_text(BOOT + "\n" + BOOT_BAD_RESULT + "\n" + '[2,"h1","Heartbeat",{}]\n')
    code, out, _ = run(capsys, frames, "--filter", 'action == "BootNotification" && type == RESULT')
    assert code == 1
    assert "line 2  CALLRESULT BootNotification" in out
    assert "line 1" not in out and "line 3" not in out
    assert out.strip().endswith("1 message: 0 valid, 1 invalid, 0 malformed")


def test_filter_with_a_syntax_error_points_at_the_column(tmp_path, capsys):
    frames = tmp_path / "frames.txt"
    frames.write_text(BOOT + "\n")
    code, out, err = run(capsys, frames, "--filter", "action = 1")
    assert code == 2 and out == ""
    assert "--filter: column 8: write '==' to compare" in err
    assert err.rstrip().endswith("       ^")


def test_the_benchmark_mix_reads_the_same_with_a_verdicts_only_state(
        capsys, tmp_path, monkeypatch):
    """validate keeps only the facts its rules read (nothing it prints reads the rest of the
    state): its output on a realistic session is byte for byte the one a fully tracked
    state gives."""
    from app.commands import validate_judging as validate_command
    from app.state.model import SessionState
    from tests.benchmarks.make_session import write_session

    path = tmp_path / "mix.jsonl"
    write_session(path, 4000, stations=4)
    for as_json in ((), ("--json",)):
        lean = run(capsys, *as_json, path)
        monkeypatch.setattr(validate_command, "SessionState",
                            lambda **options: SessionState())
        full = run(capsys, *as_json, path)
        monkeypatch.undo()
        assert lean == full
        assert lean[0] == 1 and "schema.enum" in lean[1]


def test_an_import_s_notes_warn_of_what_was_left_out_and_tell_what_was_assumed(tmp_path,
                                                                             capsys):
    legacy = run_peers(pcaps.ocpp16_exchange())
    capture = pcaps.pcap_file(pcaps.frames(pcaps.tcp_packets(legacy.sent, close=False)))
    path = tmp_path / "cut.pcap"
    path.write_bytes(capture[:-5])  # the capture stopped inside its last packet
    code, out, _ = run(capsys, "--json", path)
    notes = [line for line in map(json.loads, out.splitlines()) if line["kind"] == "note"]
    skipped = [n for n in notes if n["code"] == "input.skipped"]
    assert any("cut short" in n["message"] for n in skipped)
    assert {n["severity"] for n in skipped} == {"warning"}
    speaks = [n for n in notes if "speaks ocpp1.6" in n["message"]]
    assert [(n["code"], n["severity"]) for n in speaks] == [("input.other-version", "info")]
    assert code == 1  # its frames could not be checked

    code, out, err = run(capsys, path)
    assert "note: " in out and "speaks ocpp1.6" in out.split("note: ", 1)[1]
    assert "speaks ocpp1.6" not in err and "cut short" in err


def test_a_log_read_in_local_time_says_so_and_its_skipped_lines_warn(tmp_path, capsys):
    log = tmp_path / "central.log"
    log.write_text(
        "2025-10-03 13:09:13,380 - ocpp - INFO - CP1: receive message "
        f"{BOOT}\n2025-10-03 13:09:14,000 - websockets.server - INFO - connection closed\n",
        encoding="utf-8")
    _, out, _ = run(capsys, "--json", log)
    notes = [line for line in map(json.loads, out.splitlines()) if line["kind"] == "note"]
    levels = {(n["code"], n["severity"]) for n in notes}
    assert ("input.local-times", "info") in levels
    assert ("input.skipped", "warning") in levels
    assert not any(n["code"] == "input.skipped" and "local time" in n["message"]
                   for n in notes)


@pytest.mark.parametrize(("args", "words"), [
    (["--answer-timeout", "-5"], "--answer-timeout: must be from 0.1 to 86400 seconds, not -5"),
    (["--answer-timeout", "0"], "--answer-timeout: must be from 0.1 to 86400 seconds, not 0"),
    (["--answer-timeout", "nan"], "--answer-timeout: must be from 0.1 to 86400 seconds, not nan"),
    (["--answer-timeout", "inf"], "--answer-timeout: must be from 0.1 to 86400 seconds, not inf"),
    (["--jobs", "0"], "--jobs: must be at least 1, not 0"),
    (["--jobs", "-3"], "--jobs: must be at least 1, not -3"),
])
def test_an_option_value_that_cannot_work_is_one_line_and_exit_2(tmp_path, capsys, args, words):
    path = session_file(tmp_path, [(0, UP, [2, "1", "Heartbeat", {}])])
    code, out, err = run(capsys, *args, path)
    assert (code, out, err) == (2, "", f"ocppscope validate: {words}\n")


def test_a_bare_payload_is_the_files_json_whatever_shape_it_has(tmp_path, capsys):
    path = tmp_path / "payload.json"
    path.write_text('[[2, "1", "Heartbeat", {}], [2, "2", "Heartbeat", {}]]')
    code, out, err = run(capsys, "--action", "Heartbeat", path)
    assert (code, err) == (1, "")
    assert "schema.type" in out and "expected an object" in out


def test_a_bare_payload_that_is_not_json_is_refused_even_when_a_line_holds_a_frame(
        tmp_path, capsys):
    path = tmp_path / "payload.json"
    path.write_text('[[2, "1", "Heartbeat", {}]\n')   # the closing bracket is missing
    code, out, err = run(capsys, "--action", "Heartbeat", path)
    assert (code, out) == (2, "")
    assert err.startswith(f"ocppscope validate: {path}: not a JSON payload (")


def test_a_bare_payload_saved_with_a_byte_order_mark_is_read(tmp_path, capsys):
    path = tmp_path / "payload.json"
    path.write_bytes("\ufeff{}".encode())
    code, out, _ = run(capsys, "--action", "Heartbeat", path)
    assert code == 0 and "1 message: 1 valid" in out


@pytest.mark.parametrize("args", [["-"], ["--action", "Heartbeat", "-"]])
def test_a_closed_standard_input_is_one_line_and_exit_2(monkeypatch, capsys, args):
    monkeypatch.setattr(sys, "stdin", None)  # started with <&-
    assert main(["validate", *args]) == 2
    err = capsys.readouterr().err
    assert err.splitlines() == [err.strip()] and "-: standard input is closed" in err
