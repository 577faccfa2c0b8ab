"""Judging the frames of one file for `ocppscope validate`, in order, into its report.

`FileJudging` is the one path every frame of `validate` takes: in one process over the whole
file, or in each of several processes over the frames of some stations
(`validate_parallel`), which then give the same report line for line.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from app.commands.validate_report import FileReport
from app.inputs import FrameSource, InputFrame
from app.ocpp.checker import FrameChecker
from app.ocpp.conversation import Lost, PendingCall
from app.ocpp.frames import Call
from app.query.selection import input_record
from app.state.model import SessionState

if TYPE_CHECKING:  # the filter language is loaded only for --filter
    from app.query import Query


class FileJudging:
    """The frames of one file judged in order, each reported to `report`: the one way
    `validate` judges, whether one process judges every frame or each of several processes
    the frames of some connections (`validate_parallel`)."""

    def __init__(self, source: FrameSource, args: argparse.Namespace,
                 report: FileReport) -> None:
        # validate prints verdicts, never the state: only the facts the rules read are kept
        self.checker = FrameChecker(directions_inferred=not source.directions_known,
                                    state=SessionState(verdicts_only=True))
        self.report = report
        self.timeout: float = args.answer_timeout
        self.clock = _RecordedClock(self.checker, self.timeout) if source.times_known \
            else None
        self.query: Query | None = getattr(args, "query", None)

    def frame(self, index: int, item: InputFrame) -> None:
        """Judge and report the frame, and what it made its connection give up on."""
        verdict = self.checker.check(item.text, connection=item.connection,
                                     direction=item.direction, seq=item.seq, time=item.time,
                                     binary=item.binary, station=item.station or None)
        report, query = self.report, self.query
        if query is None or query.matches(*input_record(item, verdict)):
            report.message(index, item, verdict)
        if verdict.frame is not None:
            for call, why in self.checker.conversation(item.connection).take_given_up():
                report.lost(call, why, item, self.timeout)
        if self.clock is not None and item.time is not None:
            if isinstance(verdict.frame, Call):
                self.clock.called(item.connection, item.time)
            for call in self.clock.expire(item.connection, item.time):
                report.lost(call, Lost.TIMEOUT, item, self.timeout)

    def sweep(self, item: InputFrame) -> list[PendingCall]:
        """The CALLs of other connections that time ran out for at this frame, oldest
        first; a process that judges only some connections calls it at every frame."""
        return self.sweep_at(item.connection, item.time)

    def sweep_at(self, connection: str, time: float | None) -> list[PendingCall]:
        """`sweep` for a frame of `connection` at `time`, without the frame itself."""
        if self.clock is None or time is None:
            return []
        return self.clock.sweep(connection, time)

    def lost(self, call: PendingCall, at: InputFrame) -> None:
        self.report.lost(call, Lost.TIMEOUT, at, self.timeout)


class _RecordedClock:
    """Answer timeouts in the time a session recorded: a CALL still unanswered `timeout`
    seconds after it was sent, while later frames kept coming, is given up (once). Its own
    connection is looked at with every frame (`expire`); the others at most once per
    recorded second (`sweep`), so that a session of many connections costs no more than
    one of few. When a sweep is due depends on the times of all frames, of whichever
    connection, so every process judging a share of a file sweeps its own connections at
    the same frames as one process judging all of it would."""

    def __init__(self, checker: FrameChecker, timeout: float) -> None:
        self._checker = checker
        self._timeout = timeout
        self._connections: set[str] = set()
        self._swept = float("-inf")
        # By connection, a time no CALL of it still waiting is older than (NaN: unknown),
        # so that `expire` asks its conversation only when one may have run out of time:
        # asking at every frame, when almost every answer is on time, cost 3 % of validate.
        # A connection with no CALL judged since the last look is not here at all.
        self._oldest: dict[str, float] = {}

    def called(self, connection: str, time: float) -> None:
        """A CALL of `connection` was judged at `time` (before `expire` for its frame)."""
        oldest = self._oldest.get(connection)
        if oldest is None or time < oldest or time != time:
            self._oldest[connection] = time
        # else it is no older than one known, or the oldest is unknown (NaN) already

    def expire(self, connection: str, now: float) -> list[PendingCall]:
        self._connections.add(connection)
        oldest = self._oldest.get(connection)
        # Conversation.expire stops at a CALL for which `now - time <= timeout`; rounding
        # keeps `now - time` from growing as `time` grows, so if the oldest passes, every
        # CALL does and nothing expires (a NaN anywhere fails the test: asked as before)
        if oldest is None or now - oldest <= self._timeout:
            return []
        conversation = self._checker.conversation(connection)
        expired = conversation.expire(now, self._timeout)
        times = [call.time for call in conversation.pending if call.time is not None]
        if not times:
            del self._oldest[connection]
        else:
            self._oldest[connection] = float("nan") if any(t != t for t in times) \
                else min(times)
        return expired

    def sweep(self, connection: str, now: float) -> list[PendingCall]:
        if now - self._swept < 1.0:
            return []
        self._swept = now
        expired: list[PendingCall] = []
        for other in list(self._connections):
            conversation = self._checker.conversation(other)
            if other != connection:
                expired.extend(conversation.expire(now, self._timeout))
            if not conversation.pending:
                self._connections.discard(other)
        expired.sort(key=lambda call: call.seq)
        return expired
