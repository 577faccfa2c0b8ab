"""`ocppscope validate` as a user runs it: output, --json lines and exit codes."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main
from app.ocpp.conversation import Direction
from app.session.message import frame_message, gap_record
from app.session.sessionfile import SessionWriter, make_header

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
    lines = [json.loads(line) for line in out.splitlines()]
    assert len(lines) == 11
    assert [line["index"] for line in lines] == list(range(11))
    first, second = lines[0], lines[1]
    assert first == {**first, "action": "BootNotification", "message_type": "CALL",
                     "message_id": "19223201", "valid": True, "findings": []}
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


def test_single_frame_json_file(tmp_path, capsys):
    path = tmp_path / "one.json"
    path.write_text(json.dumps(json.loads(BOOT), indent=2))
    code, out, _ = run(capsys, path)
    assert code == 0 and "1 message: 1 valid" in out


def test_session_file_uses_directions_and_connections(tmp_path, capsys):
    path = tmp_path / "s.jsonl"
    with SessionWriter(path, make_header("proxy")) as writer:
        writer.write(frame_message(1, BOOT, connection="c1", station="CP1",
                                   direction=Direction.STATION_TO_CSMS))
        writer.write(frame_message(2, BOOT_BAD_RESULT, connection="c1", station="CP1",
                                   direction=Direction.CSMS_TO_STATION))
    code, out, _ = run(capsys, path)
    assert code == 1
    assert "seq 2  CALLRESULT BootNotification" in out


def test_torn_session_file_still_validates_the_rest(tmp_path, capsys):
    path = tmp_path / "s.jsonl"
    with SessionWriter(path, make_header("proxy")) as writer:
        writer.write(frame_message(1, BOOT, direction=Direction.STATION_TO_CSMS))
    with path.open("a") as stream:
        stream.write('{"seq":2,"ti')
    code, out, err = run(capsys, path)
    assert code == 0
    assert "1 message: 1 valid" in out
    assert "incomplete last line" in err


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
    assert (f"{path}: note: 1233 records were not recorded between seq 2 and seq 1234: "
            "disk full (No space left on device)") in out
    assert (f"{path}: note: 1 record was not recorded between seq 1236 and seq 1236: "
            "recording could not keep up") in out
    assert "2 messages: 2 valid" in out


def test_bare_payload_with_action(tmp_path, capsys):
    path = tmp_path / "payload.json"
    path.write_text('{"currentTime": "2024-01-01T00:00:00+0100"}')
    code, out, _ = run(capsys, "--action", "Heartbeat", "--response", path)
    assert code == 1
    assert "schema.date-time  currentTime:" in out and "'+01:00'" in out


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
    (b"\xff\xfe\xfd not utf8", "not UTF-8"),
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
    with SessionWriter(path, make_header("proxy")) as writer:
        writer.write(frame_message(1, BOOT, direction=Direction.STATION_TO_CSMS))
    result = subprocess.run([sys.executable, "-m", "app", "validate", "-"],
                            input=path.read_text(), capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2 and "not a pipe" in result.stderr
