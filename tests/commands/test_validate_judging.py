"""The answer-timeout clock of validate: its own connection at every frame, the others at
most once per recorded second, oldest CALL first."""

import argparse
import io
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from app.commands.validate_judging import FileJudging, _RecordedClock
from app.commands.validate_report import FileReport, Style
from app.inputs import FrameSource, InputFrame
from app.ocpp.conversation import Direction

UP = Direction.STATION_TO_CSMS


def frame(seq, connection, time, text=None):
    text = text or f'[2,"{seq}","Heartbeat",{{}}]'
    return InputFrame(f"seq {seq}", text, connection, connection, UP, time, seq)


def judging(timeout=30.0):

    source = FrameSource(Path("s.jsonl"), "session", iter(()), times_known=True,
                         directions_known=True)
    out = io.StringIO()
    report = FileReport(source, as_json=True, out=out, style=Style(out))
    return FileJudging(source, argparse.Namespace(answer_timeout=timeout), report)


def test_calls_of_other_connections_are_given_up_at_a_sweep_oldest_first():
    judge = judging()
    for seq, connection in ((1, "c"), (2, "b"), (3, "a")):
        judge.frame(seq, frame(seq, connection, 0.0))
        assert judge.sweep(frame(seq, connection, 0.0)) == []
    late = frame(4, "d", 40.0)
    judge.frame(3, late)
    assert [call.seq for call in judge.sweep(late)] == [1, 2, 3]


def test_a_sweep_comes_at_most_once_per_recorded_second():
    judge = judging()
    judge.frame(0, frame(1, "a", 0.0))
    assert judge.sweep(frame(1, "a", 0.0)) == []
    judge.frame(1, frame(2, "b", 29.5))
    assert judge.sweep(frame(2, "b", 29.5)) == []        # swept at 29.5: not yet overdue
    assert judge.sweep(frame(3, "b", 30.2)) == []        # overdue, but swept a moment ago
    assert [c.seq for c in judge.sweep(frame(4, "b", 30.6))] == [1]


class _AskingEveryFrame(_RecordedClock):
    """The clock without its shortcut: the conversation asked at every frame."""

    def expire(self, connection, now):
        self._connections.add(connection)
        return self._checker.conversation(connection).expire(now, self._timeout)


_TIMES = st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True),
                   st.floats(min_value=0, max_value=100), st.just(1e300), st.just(-0.0))


@settings(max_examples=300, deadline=None)
@given(frames=st.lists(st.tuples(st.sampled_from("ab"), _TIMES, st.sampled_from(
    ["call", "answer", "error", "again", "broken", "boot"]), st.integers(0, 4)), max_size=40),
    timeout=st.one_of(st.floats(allow_nan=True), st.sampled_from([0.0, 1.0, 30.0, -1.0])))
def test_the_clock_gives_up_on_the_calls_a_clock_asking_at_every_frame_does(frames,
                                                                             timeout):
    """Times from a file may go back, repeat, be NaN, infinite or missing: the shortcut
    that skips asking a connection's conversation must never skip a CALL it gives up."""
    texts = {"call": '[2,"m{n}","Heartbeat",{{}}]', "again": '[2,"m{n}","Authorize",{{}}]',
             "answer": '[3,"m{n}",{{"currentTime":"2024-01-01T00:00:00Z"}}]',
             "error": '[4,"m{n}","InternalError","",{{}}]', "broken": '[2,"m{n}",',
             "boot": '[2,"b{n}","BootNotification",{{"reason":"PowerUp","chargingStation":'
                     '{{"model":"M","vendorName":"V"}}}}]'}
    results = []
    for clock_type in (_RecordedClock, _AskingEveryFrame):
        judge = judging(timeout)
        judge.clock = clock_type(judge.checker, timeout)
        out = judge.report.lines
        for seq, (connection, time, kind, number) in enumerate(frames, start=1):
            item = frame(seq, connection, time, texts[kind].format(n=number))
            judge.frame(seq, item)
            for call in judge.sweep(item):
                judge.lost(call, item)
        judge.report.finish(judge_source(), judge.checker.pending())
        results.append(out.stream.getvalue())
    assert results[0] == results[1]


def judge_source():
    return FrameSource(Path("s.jsonl"), "session", iter(()), times_known=True,
                       directions_known=True)
