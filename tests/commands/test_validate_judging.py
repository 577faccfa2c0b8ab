"""The answer-timeout clock of validate: a connection's own frames give up on its CALLs as
they are judged (`Conversation`); the others are swept at most once per recorded second,
oldest CALL first."""

import argparse
import io
from pathlib import Path

from app.commands.validate_judging import FileJudging
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


def judge_source():
    return FrameSource(Path("s.jsonl"), "session", iter(()), times_known=True,
                       directions_known=True)
