"""What validate prints: lines that never raise, the tally, the counts, the signs of 1.6."""

import io
import json

import pytest

from app.commands.validate_report import (
    Tally,
    _write_plain_json,
    looks_ocpp16,
    write_json,
    write_line,
)
from app.ocpp.checker import FrameChecker
from app.ocpp.conversation import Direction
from app.ocpp.findings import error, warning
from app.ocpp.frames import Call

UP, DOWN = Direction.STATION_TO_CSMS, Direction.CSMS_TO_STATION


def strict_stream(encoding="utf-8"):
    raw = io.BytesIO()
    return raw, io.TextIOWrapper(raw, encoding=encoding, errors="strict")


@pytest.mark.parametrize("encoding", ["utf-8", "ascii"])
def test_a_line_with_a_lone_surrogate_is_written_escaped(encoding):
    raw, stream = strict_stream(encoding)
    write_line(stream, "id=\ud800 ok é")
    write_line(stream, "next")
    stream.flush()
    lines = raw.getvalue().decode(encoding).splitlines()
    assert lines[0].startswith("id=\\ud800 ok") and lines[1] == "next"


def test_plain_lines_are_written_as_they_are():
    raw, stream = strict_stream()
    write_line(stream, "é → ok")
    stream.flush()
    assert raw.getvalue().decode("utf-8") == "é → ok\n"


def test_json_with_a_lone_surrogate_falls_back_to_ascii_escapes_for_that_line_only():
    raw, stream = strict_stream()
    write_json(stream, {"id": "\ud800", "text": "é"})
    write_json(stream, {"text": "é"})
    stream.flush()
    first, second = raw.getvalue().decode("utf-8").splitlines()
    assert json.loads(first) == {"id": "\ud800", "text": "é"} and "\\u00e9" in first
    assert second == '{"text": "é"}'


@pytest.mark.parametrize("text", ["plain", 'quote " and \\ back', "new\nline\ttab\x00",
                                  "é → ✓", "", "\u2028"])
def test_a_message_line_written_plainly_is_what_the_json_encoder_writes(text):
    fields = {"kind": "message", "index": 7, "file": text, "position": "seq 3",
              "action": None, "message_id": text, "valid": True, "checked": False,
              "direction": "station_to_csms", "findings": []}
    raw, stream = strict_stream()
    _write_plain_json(stream, fields)
    write_json(stream, fields)
    stream.flush()
    plain, encoded, end = raw.getvalue().decode("utf-8").split("\n")
    assert plain == encoded and end == ""


def test_a_message_line_with_a_lone_surrogate_falls_back_to_ascii_escapes():
    raw, stream = strict_stream()
    _write_plain_json(stream, {"message_id": "\ud800", "file": "é", "findings": []})
    stream.flush()
    line = raw.getvalue().decode("utf-8")
    assert json.loads(line) == {"message_id": "\ud800", "file": "é", "findings": []}
    assert "\\u00e9" in line


def test_tally_counts_unchecked_answers_apart_and_never_as_valid():
    tally = Tally()
    tally.add(())
    tally.add((warning("w", "w"),))
    tally.add((), checked=False)
    tally.add((error("e", "e"),), checked=False)
    tally.add((), malformed=True, checked=False)
    assert (tally.valid, tally.warned, tally.unchecked, tally.invalid, tally.malformed) == (
        2, 1, 1, 1, 1)
    assert tally.summary() == ("5 messages: 2 valid (1 with warnings), 1 unchecked, "
                               "1 invalid, 1 malformed")
    assert not tally.clean


def test_a_tally_with_only_unchecked_answers_or_late_findings_is_not_clean():
    unchecked, late = Tally(), Tally()
    unchecked.add((), checked=False)
    late.add(())
    late.late += 1
    assert not unchecked.clean and not late.clean
    clean = Tally()
    clean.add(())
    assert clean.clean and clean.summary() == "1 message: 1 valid, 0 invalid, 0 malformed"


def verdicts(*frames):
    checker = FrameChecker()
    return [checker.check(json.dumps(frame), direction=direction, seq=n)
            for n, (direction, frame) in enumerate(frames, start=1)]


def ocpp16_signs(*frames):
    calls: set[int] = set()
    out = []
    for n, verdict in enumerate(verdicts(*frames), start=1):
        looks = looks_ocpp16(verdict, calls)
        if looks and isinstance(verdict.frame, Call):
            calls.add(n)
        out.append(looks)
    return out


def test_signs_of_ocpp16_and_answers_to_calls_that_showed_them():
    assert ocpp16_signs(
        (UP, [2, "1", "BootNotification", {"chargePointVendor": "V", "chargePointModel": "M"}]),
        (DOWN, [3, "1", {"status": "Accepted", "currentTime": "2024-01-01T00:00:00Z",
                         "interval": 300}]),
        (UP, [2, "2", "StopTransaction", {"transactionId": 1}]),
        (DOWN, [4, "2", "FormationViolation", "", {}]),
        (UP, [2, "3", "Heartbeat", {}]),
        (DOWN, [3, "3", {"currentTime": "2024-01-01T00:00:00Z"}]),
        (DOWN, [4, "9", "FormationViolation", "", {}]),
    ) == [True, True, True, True, False, False, True]
