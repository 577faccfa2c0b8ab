"""One worker of `ocppscope validate` on every core (`validate_parallel`): it reads every line
of the session, judges the frames of the stations `Owners` gives it, and sends the pieces
of its report to the parent.

Half the lines or more are other workers' frames, and all a worker needs of one is whose it
is, its seq (records may be renumbered) and its time (a sweep of overdue CALLs may be due).
So a frame line our writer wrote is only glanced at (`frame_head`): its head matched, and
the bytes naming its connection and station looked up in a table of those already placed,
without decoding them, parsing the line or going through the judging loop. The worker
that judges the frame reads its line whole, and says so (`_NotAsItSeemed`) should the
glance have been wrong; any other line every worker reads whole, as one process would.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import re
import signal
import sys
from typing import TYPE_CHECKING, Any

from app.commands.json_lines import JsonLines
from app.commands.validate_judging import FileJudging
from app.commands.validate_report import FileReport, Note, Style
from app.errors import UsageError
from app.inputs import FrameSource, InputFrame, SessionLines, open_frames
from app.ocpp.findings import Finding, Severity
from app.query.selection import filter_option
from app.session.lines import line_blocks

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

BATCH_FRAMES = 1_000            # frames read between two messages of a worker

Key = tuple[str, Severity, str | None]
# (frame index, OWN_PIECE for the frame's own piece or the seq of a CALL a sweep gave up
#  on, JSON text or text-mode operations, the keys of the findings it counts)
Piece = tuple[int, float, Any, list[Key]]
# Sorts before any CALL's seq, which a file may make negative or as large as it likes.
OWN_PIECE = float("-inf")


class _Conflict(Exception):
    """A frame ties together stations or connections that two workers already judge."""


class _NotAsItSeemed(Exception):
    """A line whose head looked like a plain frame record is not one: the workers that
    only glanced at it may have taken it wrongly."""


class Owners:
    """Which worker judges a frame. A connection and the station key its frames are judged
    under (`station or connection`, as `FrameChecker` keys its rules and state) stay with
    the worker that saw them first; a new one goes to the worker with the fewest frames so
    far. Every worker computes the same answers from the same lines. Once a connection and
    station were placed together, they stay with that worker: a reader may remember the
    answer and count their further frames in `loads` itself."""

    def __init__(self, workers: int) -> None:
        self._by_connection: dict[str, int] = {}
        self._by_key: dict[str, int] = {}
        self.loads = [0] * workers   # frames given to each worker so far

    def of(self, item: InputFrame) -> int:
        return self.of_pair(item.connection, item.station)

    def of_pair(self, connection: str, station: str) -> int:
        key = station or connection
        owner = self._by_connection.get(connection)
        if owner is None or self._by_key.get(key) != owner:
            owner = self._place(connection, key)
        self.loads[owner] += 1
        return owner

    def _place(self, connection: str, key: str) -> int:
        by_connection, by_key = self._by_connection.get(connection), self._by_key.get(key)
        if by_connection is not None and by_key is not None and by_connection != by_key:
            raise _Conflict(f"connection {connection!r} moved to station {key!r}")
        owner = by_connection if by_connection is not None else by_key
        if owner is None:
            owner = min(range(len(self.loads)), key=self.loads.__getitem__)
        self._by_connection[connection] = self._by_key[key] = owner
        return owner


class _ShareReport(FileReport):
    """A worker's report: what the parent's report would write or print, kept per piece
    (`take`), and the findings it would count listed instead of counted."""

    def __init__(self, source: FrameSource, as_json: bool) -> None:
        super().__init__(source, as_json=as_json, out=sys.stderr, style=Style(sys.stderr))
        if self.lines is not None:  # kept for `take`, never written
            self.lines = JsonLines(sys.stderr, batch=sys.maxsize)
        self.keys: list[Key] = []
        self.ops: list[tuple[Any, ...]] = []

    def _count(self, keys: list[Key]) -> None:
        self.keys.extend(keys)

    def _print_findings(self, head: str, findings: tuple[Finding, ...],
                        sender: str | None) -> None:
        if findings:
            self.ops.append(("findings", head, findings, sender))

    def _note(self, note: Note) -> None:
        if self.lines is not None:
            super()._note(note)
        else:
            self.ops.append(("note", note))

    def take(self) -> tuple[Any, list[Key]] | None:
        """What the report made of the latest frame or lost CALL; None if nothing."""
        if self.lines is not None:
            payload: Any = self.lines.take() if self.lines.pending else ""
        else:
            payload, self.ops = self.ops, []
        keys, self.keys = self.keys, []
        return (payload, keys) if payload or keys else None


# The head of a frame line as our writer writes it, up to the frame's text; the connection
# and the station are kept as one span of bytes (`C","station":"S`), a key to look up.
_FRAME_HEAD = re.compile(
    rb'\{"seq":(0|[1-9][0-9]{0,17}),"time":"[^"]*","mono":([^,]{1,40}),'
    rb'"conn":"([^"\\]*","station":"[^"\\]*)","dir":(?:null|"[a-z_]+"),'
    rb'"kind":"frame","text":"')
_STATION = b'","station":"'
_UNSEEN = ("not placed yet",)


def frame_head(raw: bytes) -> tuple[int, float, bytes] | None:
    """The seq, the monotonic time and the bytes from the connection's name to the
    station's of a frame line our writer wrote; None for any other line. Nothing is
    checked beyond the layout: the worker judging the frame does that."""
    head = _FRAME_HEAD.match(raw) if raw.endswith(b"}\n") else None
    if head is None:
        return None
    seq, mono, pair = head.groups()
    try:
        return int(seq), float(mono), pair
    except ValueError:  # not a number: the line is read whole, as one process reads it
        return None


def place_of(pair: bytes, owners: Owners) -> tuple[int, str, str] | None:
    """The worker judging the frames of the connection and station in `pair` (as
    `frame_head` gives them), with their names; None when they are not UTF-8: such lines
    are read whole."""
    parts = pair.split(_STATION)
    if len(parts) != 2:
        return None
    try:
        connection, station = parts[0].decode(), parts[1].decode()
    except UnicodeDecodeError:
        return None
    return owners.of_pair(connection, station), connection, station


def judge_share(path: str, number: int, workers: int, options: dict[str, Any],
                pipe: Connection) -> None:
    """Read every frame of the session in `path`, judge those `Owners` gives worker
    `number`, and send the pieces of its report, then its totals and "done"."""
    with contextlib.suppress(ValueError, OSError):  # Ctrl-C is the parent's to handle:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # it ends the workers, quietly
    # what the parent had made before the fork lives as long as this process: a full
    # collection would only walk it again (and copy the pages it touches)
    gc.freeze()
    try:
        _Share(path, number, workers, options, pipe).run()
    except Exception as exc:  # said to the parent, which then judges the file itself
        with contextlib.suppress(OSError):
            pipe.send(("failed", f"{type(exc).__name__}: {exc}"))
    finally:
        pipe.close()


class _Share:
    """The judging of one worker's share, line by line. Another worker's frame costs a
    glance, a look-up and a comparison of its time with the next sweep's; only a sweep that
    is due, the end of a batch or the file's end makes more of it."""

    def __init__(self, path: str, number: int, workers: int, options: dict[str, Any],
                 pipe: Connection) -> None:
        try:
            query = filter_option(options["filter"])
        except UsageError as exc:
            raise RuntimeError(str(exc)) from None
        self.source = source = open_frames(path)
        if source.reader is None:
            raise RuntimeError("only session files are judged in parallel")
        if options["end"] is not None:  # the file as the parent saw it, not as it grew
            source.reader.size = options["end"]
        self.number = number
        self.owners = Owners(workers)
        self.pipe = pipe
        self.fail_after = options["fail_after"]
        self.report = _ShareReport(source, options["json"])
        args = argparse.Namespace(answer_timeout=options["answer_timeout"], query=query)
        self.judging = FileJudging(source, args, self.report)
        self.pieces: list[Piece] = []
        self.index = -1  # of the record read: pieces are put in order by it
        self.frames = 0  # of the frame: a message's index in the report
        # the latest record read, when it was another's frame: (connection, time, seq)
        self.passed: tuple[str, float | None, int] | None = None

    def run(self) -> None:
        reader = self.source.reader
        assert reader is not None, "checked when the share was set up"
        lines = SessionLines(reader, self.source.gaps)
        number, loads, count_passed = self.number, self.owners.loads, lines.passed
        clock, fail_after = self.judging.clock, self.fail_after
        assert clock is not None, "a session records times"
        places: dict[bytes, Any] = {}  # `place_of` each pair `frame_head` gave
        line = 1
        for block in line_blocks(reader.path, reader.records_start, end=reader.size):
            for raw in block:
                line += 1
                head = frame_head(raw)
                if head is not None:
                    seq, time, pair = head
                    place = places.get(pair, _UNSEEN)
                    if place is _UNSEEN:
                        place = places[pair] = place_of(pair, self.owners)
                    elif place is not None:
                        loads[place[0]] += 1
                    if place is not None:
                        if place[0] != number:
                            self.passed = (place[1], time, count_passed(line, raw, seq))
                            self.index = index = self.index + 1
                            self.frames += 1
                            if clock.due(time) or index % BATCH_FRAMES == BATCH_FRAMES - 1 \
                                    or index == fail_after:
                                self._pass(*self.passed)
                            continue
                        item = lines.expected(line, raw, seq, place[1], place[2], time)
                        if item is None:
                            raise _NotAsItSeemed(
                                f"line {line} is not the frame record it seemed")
                        self._own(item)
                        continue
                item = lines.frame(line, raw)
                if item is None:
                    continue
                if item.event is not None:  # every worker's: only the one judging its
                    self._event(item)       # connection has anything to give up at a close
                elif self.owners.of(item) == number:
                    self._own(item)
                else:
                    self.passed = (item.connection, item.time, item.seq)
                    self.index += 1
                    self.frames += 1
                    self._pass(*self.passed)
        self._finish()

    def _pass(self, connection: str, time: float | None, seq: int) -> None:
        """Another worker's frame: a sweep may be due at it (its position names it)."""
        self._check_failure()
        judging = self.judging
        overdue = judging.sweep_at(connection, time)
        if overdue:
            item = InputFrame(f"seq {seq}", "", connection, "", None, time, seq)
            for call in overdue:
                judging.lost(call, item)
                self._take(call.seq)
        self._end_batch()

    def _own(self, item: InputFrame) -> None:
        self.passed = None
        self.index += 1
        self._check_failure()
        judging = self.judging
        judging.frame(self.frames, item)
        self.frames += 1
        self._take(OWN_PIECE)
        for call in judging.sweep(item):
            judging.lost(call, item)
            self._take(call.seq)
        self._end_batch()

    def _event(self, item: InputFrame) -> None:
        """A connection event: a close gives up its connection's CALLs."""
        self.passed = None
        self.index += 1
        self._check_failure()
        self.judging.event(item)
        self._take(OWN_PIECE)

    def _check_failure(self) -> None:
        if self.index == self.fail_after:
            raise RuntimeError(f"told to fail after {self.fail_after} frames")

    def _take(self, sub: float, index: int | None = None) -> None:
        piece = self.report.take()
        if piece is not None:
            self.pieces.append((self.index if index is None else index, sub, *piece))

    def _end_batch(self) -> None:
        if self.index % BATCH_FRAMES == BATCH_FRAMES - 1:
            self.pipe.send(("pieces", self.index + 1, self.pieces))
            self.pieces = []

    def _finish(self) -> None:
        judging, source, end = self.judging, self.source, self.index + 1
        if self.passed is not None:  # the file ends with another's frame: the end is said there
            connection, time, seq = self.passed
            judging.last = InputFrame(f"seq {seq}", "", connection, "", None, time, seq)
        for call in judging.end():  # after every record, by the CALL's seq as in one process
            judging.lost(call)
            self._take(call.seq, end)
        self.pipe.send(("pieces", end, self.pieces))
        reader = source.reader
        self.report.close()
        self.pipe.send(("done", {
            "tally": self.report.tally, "ocpp16": self.report.ocpp16,
            "pending": judging.checker.pending(),
            "warnings": reader.warnings if reader else [],
            "skipped": reader.skipped if reader else 0, "gaps": source.gaps}))
