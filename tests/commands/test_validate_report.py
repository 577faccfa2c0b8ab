"""What validate prints: the message lines, the tally, the counts, the signs of 1.6."""

import io
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.commands.json_lines import json_text
from app.commands.validate_report import FileReport, Style, Tally, checked, looks_ocpp16
from app.inputs import FrameSource, InputFrame
from app.ocpp.checker import FrameChecker
from app.ocpp.conversation import Direction
from app.ocpp.findings import error, warning
from app.ocpp.frames import Call, MessageType

UP, DOWN = Direction.STATION_TO_CSMS, Direction.CSMS_TO_STATION


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


@pytest.mark.parametrize("text", [
    '[2,"a\\"b","Heartbeat",{}]', '[2,"é→✓","Heartbeat",{"x":1}]', "not json",
    '[3,"zz",{}]', '[4,"q","NotImplemented","",{}]', '[2,"\\u2028","NoSuchAction",{}]'])
@pytest.mark.parametrize("direction", [UP, None])
def test_a_message_line_is_what_the_json_encoder_writes_of_its_fields(text, direction):
    source = FrameSource(Path('odd "name" é'), "lines", iter(()))
    item = InputFrame("line 1", text, direction=direction)
    verdict = FrameChecker().check(text, direction=direction, seq=1)
    stream = io.StringIO()
    report = FileReport(source, as_json=True, out=stream, style=Style(stream))
    report.message(4, item, verdict)
    report.lines.flush()
    frame = verdict.frame
    fields = {"kind": "message", "index": 4, "file": 'odd "name" é', "position": "line 1",
              "action": verdict.action,
              "message_type": MessageType(frame.message_type).name if frame else None,
              "message_id": frame.message_id if frame else None,
              "valid": verdict.valid and checked(verdict), "checked": checked(verdict),
              "direction": direction.value if direction else None,
              "findings": [f.to_json() for f in verdict.findings]}
    assert stream.getvalue() == json_text(fields) + "\n"


def _fields(index, item, verdict, file):
    frame = verdict.frame
    return {"kind": "message", "index": index, "file": file, "position": item.position,
            "action": verdict.action,
            "message_type": MessageType(frame.message_type).name if frame else None,
            "message_id": frame.message_id if frame else None,
            "valid": verdict.valid and checked(verdict), "checked": checked(verdict),
            "direction": item.direction.value if item.direction else None,
            "findings": [f.to_json() for f in verdict.findings]}


_IDS = st.one_of(st.text(), st.integers(), st.integers(min_value=2**70), st.none(),
                 st.booleans(), st.floats(allow_nan=False), st.just("\ud800"),
                 st.lists(st.integers(), max_size=2))
_ACTIONS = st.one_of(st.sampled_from(["Heartbeat", "BootNotification", "StopTransaction",
                                      "Authorize", "Reset"]), st.text(max_size=8))


_PAYLOADS = st.one_of(st.just({}), st.dictionaries(st.text(max_size=5), st.integers(),
                                                 max_size=2),
                      st.just({"type": "Hard"}), st.just({"idTag": "x"}), st.integers())
_FRAMES = st.tuples(st.sampled_from([2, 3, 4, 9]), _IDS, _ACTIONS, _PAYLOADS,
                    st.one_of(st.none(), st.sampled_from(list(Direction))), st.booleans())


@settings(max_examples=300, deadline=None)
@given(frames=st.lists(_FRAMES, min_size=1, max_size=12),
       kind=st.sampled_from(["lines", "session"]))
def test_message_lines_from_templates_are_what_the_encoder_writes_whatever_the_frame(
        frames, kind):
    """The same report over many frames (its templates reused), odd ids and actions
    included: each line is the encoder's, and the 1.6 signs are counted as before."""
    source = FrameSource(Path("f.jsonl"), kind, iter(()))
    stream = io.StringIO()
    report = FileReport(source, as_json=True, out=stream, style=Style(stream))
    checker = FrameChecker()
    expected, calls, signs = [], set(), 0
    for seq, (message_type, message_id, action, payload, direction, broken) in \
            enumerate(frames, start=1):
        shape = {2: [2, message_id, action, payload], 3: [3, message_id, payload],
                 4: [4, message_id, "FormationViolation", "", {}]}.get(message_type,
                                                                       [message_type])
        text = "[2," if broken else json.dumps(shape)
        item = InputFrame(f"seq {seq}" if kind == "session" else f"line {seq}", text,
                          "c", "s", direction, None, seq)
        verdict = checker.check(text, direction=direction, seq=seq)
        report.message(seq, item, verdict)
        expected.append(json_text(_fields(seq, item, verdict, "f.jsonl")) + "\n")
        if looks_ocpp16(verdict, calls):
            signs += 1
            if isinstance(verdict.frame, Call):
                calls.add(seq)
    report.lines.flush()
    assert stream.getvalue() == "".join(expected)
    assert report.ocpp16 == signs


def test_a_tally_counts_as_before_whatever_it_is_given():
    """The shortcut for a message without findings counts as the full rules do."""
    for findings in ((), (warning("w", "w"),), (error("e", "e"),)):
        for malformed in (False, True):
            for is_checked in (False, True):
                tally = Tally()
                tally.add(findings, malformed, is_checked)
                expected = ("malformed" if malformed else "invalid" if findings and
                            findings[0].severity.value == "error" else "unchecked"
                            if not is_checked else "valid")
                assert getattr(tally, expected) == 1 == tally.messages
                assert tally.warned == (expected == "valid" and bool(findings))
