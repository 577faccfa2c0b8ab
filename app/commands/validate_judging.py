"""Judging the frames of one file for `ocppscope validate`, in order, into its report.

`FileJudging` is the one path every frame of `validate` takes: in one process over the whole
file, or in each of several processes over the frames of some stations
(`validate_parallel`), which then give the same report line for line. A connection's close
and the file's end give up on CALLs as a loaded capture (`app.session.capture.Capture`)
gives them up, with the same findings on the same CALLs.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from app.commands.validate_report import FileReport
from app.inputs import FrameSource, InputFrame
from app.ocpp.checker import FrameChecker
from app.ocpp.conversation import Lost, PendingCall
from app.ocpp.other_versions import OtherVersions
from app.query.selection import input_record
from app.session.message import RecordKind
from app.session.sessionfile import recorded_answer_timeout
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
        self.timeout: float = args.answer_timeout if args.answer_timeout is not None \
            else recorded_answer_timeout(source.reader.header if source.reader else {})
        self.checker = FrameChecker(directions_inferred=not source.directions_known,
                                    state=SessionState(verdicts_only=True),
                                    answer_timeout=self.timeout)
        self.report = report
        self.clock = _RecordedClock(self.checker, self.timeout) if source.times_known \
            else None
        self.query: Query | None = getattr(args, "query", None)
        self.last: InputFrame | None = None     # the latest frame or event read
        # connections whose handshake chose another OCPP version: not judged, as when loaded
        self.other_versions = OtherVersions()

    def frame(self, index: int, item: InputFrame) -> None:
        """Judge and report the frame, and what it made its connection give up on (a CALL
        timed out is given up before its connection's next frame is judged, but reported
        after that frame's line, as the frame that showed it)."""
        checker = self.checker
        verdict = self.other_versions.verdict(item.connection, item.text, item.binary,
                                              item.direction, item.seq, item.time) \
            if self.other_versions else None
        if verdict is None:
            verdict = checker.check(item.text, connection=item.connection,
                                    direction=item.direction, seq=item.seq, time=item.time,
                                    binary=item.binary, station=item.station or None)
        report, query = self.report, self.query
        if query is None or query.matches(*input_record(item, verdict)):
            report.message(index, item, verdict)
        if checker.given_up_now:
            for call, why in checker.take_given_up():
                report.lost(call, why, item, self.timeout)
        if self.clock is not None:
            self.clock.judged(item.connection)
        self.last = item

    def event(self, item: InputFrame) -> None:
        """A connection event: an opening says which OCPP version its frames are in; a close
        gives up on what its connection waited for, the CALLs overdue by then as timed out,
        the others as never to be answered."""
        self.last = item
        if item.event is RecordKind.OPENED:
            self.other_versions.opened(item.connection, item.subprotocol)
        if item.event is not RecordKind.CLOSED:
            return
        self.other_versions.closed(item.connection)
        overdue, waiting = self.checker.close(item.connection, item.time)
        for call in overdue:
            self.report.lost(call, Lost.TIMEOUT, item, self.timeout)
        for call in waiting:
            self.report.lost(call, Lost.CLOSED, item, self.timeout)
        if self.clock is not None:
            self.clock.closed(item.connection)

    def end(self) -> list[PendingCall]:
        """The file ended: the CALLs overdue by its last record's time (`last`) timed out,
        whichever connection they wait on, oldest first, to report at `last` (those not
        yet due stay, for the notes at the end)."""
        last = self.last
        if self.clock is None or last is None or last.time is None:
            return []
        return self.checker.expire(last.time)

    def sweep(self, item: InputFrame) -> list[PendingCall]:
        """The CALLs of other connections that time ran out for at this frame, oldest
        first; a process that judges only some connections calls it at every frame."""
        return self.sweep_at(item.connection, item.time)

    def sweep_at(self, connection: str, time: float | None) -> list[PendingCall]:
        """`sweep` for a frame of `connection` at `time`, without the frame itself."""
        if self.clock is None or time is None:
            return []
        return self.clock.sweep(connection, time)

    def lost(self, call: PendingCall, at: InputFrame | None = None) -> None:
        """Report a CALL timed out, at the frame that showed it (by default the latest
        record read: the end of the file)."""
        at = at if at is not None else self.last
        assert at is not None, "a CALL was judged, so a record was read"
        self.report.lost(call, Lost.TIMEOUT, at, self.timeout)


class _RecordedClock:
    """Answer timeouts in the time a session recorded, for connections that fell silent: a
    connection's own frames give up on its CALLs as they are judged (`Conversation`), but
    a CALL of a connection that sends nothing more would wait to the end of the file while
    others talk. So the others are looked at once per recorded second (`sweep`), and a
    session of many connections costs no more than one of few. When a sweep is due depends
    on the times of all frames, of whichever connection, so every process judging a share
    of a file sweeps its own connections at the same frames as one process judging all of
    it would."""

    def __init__(self, checker: FrameChecker, timeout: float) -> None:
        self._checker = checker
        self._timeout = timeout
        self._connections: set[str] = set()
        self._swept = float("-inf")

    def judged(self, connection: str) -> None:
        """A frame of `connection` was judged: its CALLs may need a sweep later."""
        self._connections.add(connection)

    def closed(self, connection: str) -> None:
        """`connection` closed: nothing of it is left to sweep."""
        self._connections.discard(connection)

    def due(self, now: float) -> bool:
        """A sweep is due at a frame recorded at `now` (one who only passes a frame by
        asks before calling `sweep`)."""
        return not now - self._swept < 1.0

    def sweep(self, connection: str, now: float) -> list[PendingCall]:
        if now - self._swept < 1.0:  # `due`, without a call for every frame
            return []
        self._swept = now
        expired: list[PendingCall] = []
        for other in list(self._connections):
            conversation = self._checker.conversation(other)
            if other != connection:
                expired.extend(conversation.expire(now))
            if not conversation.pending:
                self._connections.discard(other)
        expired.sort(key=lambda call: call.seq)
        return expired
