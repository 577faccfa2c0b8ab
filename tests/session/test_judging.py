"""Loading a session (or any input the import layer reads) and judging it in one call fills
its state; a file that cannot be read is refused with a sentence."""

from __future__ import annotations

import pytest

from app.errors import InputError
from app.ocpp.findings import Severity
from app.session.judging import judged_session
from tests.factories import UP, boot, script_messages, write_session


def test_a_judged_session_has_its_state_filled(tmp_path):
    path = write_session(tmp_path / "s.jsonl", script_messages(boot()))
    capture = judged_session(str(path))
    assert capture.state.stations["CP1"].registration == "Accepted"


def test_a_log_of_another_tool_is_judged_too(tmp_path):
    path = tmp_path / "frames.json"
    path.write_text('[[2, "1", "Heartbeat", {}]]')
    capture = judged_session(str(path))
    assert [m.action for m in capture.messages] == ["Heartbeat"] and capture.judged


def test_an_unreadable_file_is_refused_with_a_sentence(tmp_path):
    path = tmp_path / "noise.bin"
    path.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(InputError):
        judged_session(str(path))


# --- honesty: no finding rests on a time or a direction the input never had ---------------

BOOT = ('[2,"b","BootNotification",{"reason":"PowerUp","chargingStation":'
        '{"model":"M","vendorName":"V"}}]')
BOOT_OK = '[3,"b",{"currentTime":"2024-05-01T10:00:00Z","interval":300,"status":"Accepted"}]'


def heartbeat_lines(times: list[str]) -> str:
    """A boot agreeing a 300 s interval, then heartbeats; each line behind `times[n]` (or
    bare when the times are empty strings)."""
    frames = [BOOT, BOOT_OK]
    for n in range(1, 4):
        frames += [f'[2,"h{n}","Heartbeat",{{}}]',
                   f'[3,"h{n}",{{"currentTime":"2024-05-01T10:00:00Z"}}]']
    frames.append('[2,"last","Heartbeat",{}]')   # never answered
    return "".join(f"{when} {frame}\n".lstrip() for when, frame in zip(times, frames,
                                                                        strict=True))


def codes(capture) -> list[str]:
    return [f.code for m in capture.messages for f in capture.annotation(m.seq).findings]


def test_a_log_without_times_gets_no_heartbeat_timing_nor_answer_timeout(tmp_path):
    path = tmp_path / "bare.txt"
    path.write_text(heartbeat_lines([""] * 9))
    capture = judged_session(str(path))
    assert not capture.times_known
    assert "rule.heartbeat-early" not in codes(capture)
    assert capture.expire(0.0, now=1e12) == []     # no CALL has a time to wait from
    assert "protocol.answer-timeout" not in codes(capture)


def test_the_same_log_with_times_close_together_gets_its_heartbeat_findings(tmp_path):
    """The counterpart of the test above: the rules do run when the times are there."""
    path = tmp_path / "timed.txt"
    path.write_text(heartbeat_lines([f"2024-05-01T10:00:0{n}Z" for n in range(9)]))
    capture = judged_session(str(path))
    assert capture.times_known
    assert codes(capture).count("rule.heartbeat-early") == 3
    assert [seq for seq, _ in capture.expire(0.5, now=capture.messages[-1].monotonic + 1)] \
        == [9]


def test_a_second_call_on_inferred_directions_is_only_a_note_that_says_so(tmp_path):
    path = tmp_path / "mixed.txt"
    path.write_text('[2,"1","Heartbeat",{}]\n[2,"2","Heartbeat",{}]\n'
                    '[3,"2",{"currentTime":"2024-05-01T10:00:00Z"}]\n')
    capture = judged_session(str(path))
    assert not capture.directions_known
    [finding] = capture.annotation(2).findings
    assert finding.code == "protocol.concurrent-call"
    assert finding.severity is Severity.INFO and "does not say which way" in finding.message
    assert capture.invalid == 0


def test_a_second_call_in_a_recorded_direction_stays_a_warning(tmp_path):
    path = write_session(tmp_path / "s.jsonl", script_messages(
        [(UP, '[2,"1","Heartbeat",{}]'), (UP, '[2,"2","Heartbeat",{}]')]))
    capture = judged_session(str(path))
    assert capture.directions_known
    [finding] = capture.annotation(2).findings
    assert finding.code == "protocol.concurrent-call" and finding.severity is Severity.WARNING
