"""`ocppscope export --redact` as a user runs it: no original secret left in the bytes
written, the summary on stderr, exit codes, any input, and a redacted recording of real
peers that still replays."""

import json

import pytest

from app.cli import main
from app.session.importing import import_path
from app.session.sessionfile import SessionWriter, make_header
from tests.factories import make_message, write_session
from tests.net.peers import run
from tests.replay.sessions import TOKEN, record_session, replay_as_csms
from tests.session import redaction_samples as samples


def export(capsys, *args):
    code = main(["export", *map(str, args)])
    return code, capsys.readouterr()


@pytest.fixture
def secret_file(tmp_path):
    path = tmp_path / f"{samples.STATION}.jsonl"
    header = make_header("proxy", station=samples.STATION, listen="10.20.30.40:9000",
                         upstream="wss://csms.acme-energy.com/ocpp")
    with SessionWriter(path, header) as writer:
        writer.write_batch(samples.secret_session())
    return path


def test_no_original_secret_is_in_the_bytes_written(tmp_path, capsys, secret_file):
    out = tmp_path / "shared.jsonl"
    code, printed = export(capsys, "--redact", secret_file, out)
    assert code == 0
    data = out.read_bytes()
    for secret in samples.SECRETS:
        assert secret.encode() not in data, secret
        assert json.dumps(secret).encode()[1:-1] not in data, secret  # nor JSON-escaped
    assert b"acme" not in data.lower()
    header = json.loads(data.splitlines()[0])
    assert header["mode"] == "proxy" and header["station"] == "STATION-0001"
    assert header["redacted"]["idToken"] == 5
    assert "redacted idToken: 3 values in 5 places" in printed.err
    assert "redacted KeyCode: 1 value in 1 place" in printed.err


def test_the_redacted_file_opens_and_validates_like_the_original(tmp_path, capsys,
                                                                  secret_file):
    out = tmp_path / "shared.jsonl"
    export(capsys, "--redact", secret_file, out)
    assert len(import_path(out).messages) == len(import_path(secret_file).messages)
    original = main(["validate", str(secret_file)])
    before = capsys.readouterr().out.splitlines()[-1].replace(str(secret_file), "F")
    assert main(["validate", str(out)]) == original
    assert capsys.readouterr().out.splitlines()[-1].replace(str(out), "F") == before


def test_a_users_rules_file_adds_to_the_defaults(tmp_path, capsys, secret_file):
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps({"paths": {"BootNotification": {
        "chargingStation.model": "model"}}}))
    out = tmp_path / "shared.jsonl"
    code, printed = export(capsys, "--redact", "--rules", rules, secret_file, out)
    assert code == 0 and b'"model\\":\\"MODEL-0001\\"' in out.read_bytes()
    assert "redacted model: 1 value in 1 place" in printed.err


def test_a_log_of_another_tool_is_exported_as_a_session(tmp_path, capsys):
    log = tmp_path / "evcc.log"
    log.write_text('[ocpp  ] TRACE 2024/07/29 22:03:40 recv CP9: [2,"1","Authorize",'
                   '{"idToken":{"idToken":"AB12CD34","type":"ISO14443"}}]\n')
    out = tmp_path / "out.jsonl"
    assert export(capsys, "--redact", log, out)[0] == 0
    data = out.read_bytes()
    assert b"AB12CD34" not in data and b"CP9" not in data and b"TOKEN-0001" in data


@pytest.mark.parametrize("args, words", [
    (["IN", "OUT"], "add --redact"),
    (["--redact", "missing.jsonl", "OUT"], "no such file"),
    (["--redact", "--rules", "none.json", "IN", "OUT"], "no such rules file"),
    (["--redact", "IN", "IN"], "would overwrite the input"),
])
def test_unusable_input_is_one_line_and_exit_2(tmp_path, capsys, secret_file, args, words):
    names = {"IN": secret_file, "OUT": tmp_path / "o.jsonl"}
    code, printed = export(capsys, *[a if a.startswith("--") else names.get(a, tmp_path / a)
                                     for a in args])
    assert code == 2 and words in printed.err and "Traceback" not in printed.err


def test_a_redacted_recording_of_real_peers_still_replays(tmp_path, capsys):
    recorded, shared = tmp_path / "rec.jsonl", tmp_path / "shared.jsonl"
    run(record_session(recorded, ("CP-17",)))
    assert export(capsys, "--redact", recorded, shared)[0] == 0
    assert b"CP-17" not in shared.read_bytes()
    assert TOKEN["id_token"].encode() not in shared.read_bytes()

    runner, station = run(replay_as_csms(shared, "STATION-0001"))
    assert [name for name, _ in station.received] == ["GetVariables", "Reset"]
    assert station.answers[1].id_token_info == {"status": "Accepted"}
    # the live station sends its real token where the shared file has a pseudonym
    differences = {d.path for o in runner.outcomes() for d in o.differences}
    assert differences <= {"idToken.idToken", "chargingStation.serialNumber"}


def test_lines_of_a_session_that_could_not_be_read_are_listed_and_exit_1(tmp_path, capsys):
    path = write_session(tmp_path / "s.jsonl", [
        make_message(seq, [2, str(seq), "Heartbeat", {}]) for seq in range(1, 4)])
    lines = path.read_text().splitlines(keepends=True)
    lines[2] = '{"seq": 2, "garbled\n'
    path.write_text("".join(lines))
    code, captured = export(capsys, "--redact", path, tmp_path / "shared.jsonl")
    assert code == 1
    assert "line 3: skipped, not a valid record" in captured.err
    assert "2 records written" in captured.err


def test_a_skipped_line_is_named_by_its_place_without_its_words(tmp_path, capsys):
    """A line the import skipped is not redacted: stderr, pasted into a ticket, says where
    it is and not what it says."""
    path = tmp_path / "frames.txt"
    path.write_text('[2,"1","Authorize",{"idToken":{"idToken":"4711","type":"KeyCode"}}]\n'
                    '[3,"1",{"idTokenInfo":{"status":"Accepted"}}]\n'
                    "user typed PIN 9876 at the charger\n", encoding="utf-8")
    code, printed = export(capsys, "--redact", path, tmp_path / "out.jsonl")
    assert code == 1
    assert "line 3: no OCPP frame, skipped\n" in printed.err
    assert "9876" not in printed.err


def test_what_an_import_assumed_is_told_and_exits_0(tmp_path, capsys):
    """Bytes that are not UTF-8 are shown as U+FFFD: nothing was skipped."""
    path = tmp_path / "latin1.txt"
    path.write_bytes('[2,"1","BootNotification",{"reason":"PowerUp","chargingStation":'
                     '{"model":"Café","vendorName":"V"}}]\n'.encode("latin-1"))
    code, printed = export(capsys, "--redact", path, tmp_path / "out.jsonl")
    assert "not UTF-8" in printed.err
    assert code == 0


def test_an_output_whose_folder_does_not_exist_is_refused_before_reading(tmp_path, capsys,
                                                                         secret_file):
    out = tmp_path / "missing" / "shared.jsonl"
    code, captured = export(capsys, "--redact", secret_file, out)
    assert code == 2
    assert captured.err == (f"ocppscope export: {out}: cannot write (its folder "
                            f"'{out.parent}' does not exist)\n")
