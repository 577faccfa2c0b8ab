"""`ocppscope validate` on every core: a big session file judged by several processes, with
the very output one process gives, line for line.

What judging remembers is kept per connection (pairing answers with CALLs) and per station
(session rules, the station's state), as `app.session.parallel` relies on for the window;
so each worker judges the frames of some stations (`Owners`), with the same `FileJudging`
one process runs over all. Two things cross stations, and each worker redoes them for the
whole file rather than asking anyone:

- every worker reads every line (reading is a tenth of judging), so each knows every
  frame's index, seq and time, the lines skipped and the records renumbered;
- the answer-timeout clock looks at all connections once per recorded second
  (`_RecordedClock.sweep`): when depends on the times of all frames, which each worker
  sees, so each sweeps its own connections at the same frames a single process would;
  likewise each gives up its own overdue CALLs at the file's last record, whoever's it is.
  A connection's close is read by every worker, and only the one judging the connection
  has CALLs of it to give up.

Each worker sends, per frame it judged, what the report made of it (JSON lines, or for
text what to print), and per CALL a sweep gave up on, a piece keyed by the frame and the
CALL's seq. The parent merges the pieces in that order and counts their findings as it
goes, so that even the order of equal counts in the summary is the same. Should a worker
fail (or a connection change station midway, which the shares cannot follow), the parent
judges the file itself, skipping the JSON lines it had already written; an error writing
the output ends the command, as it does in one process. A recording still being written is
judged up to its size when the command opened it, by every worker.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import re
import signal
import sys
import threading
from collections import deque
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, TextIO

from app.commands.json_lines import JsonLines
from app.commands.validate_judging import FileJudging
from app.commands.validate_report import FileReport, Note, Style, Tally
from app.errors import UsageError
from app.inputs import FrameSource, InputFrame, SessionLines, open_frames
from app.ocpp.findings import Finding, Severity
from app.query.selection import filter_option
from app.session.lines import line_blocks

if TYPE_CHECKING:  # multiprocessing is imported when it is used: a small file never is
    from multiprocessing.connection import Connection

log = logging.getLogger(__name__)

PARALLEL_FROM_BYTES = 4 << 20   # ~7,000 frames: fewer are judged before processes start
MAX_WORKERS = 8                 # each reads the whole file: more would mostly read
BATCH_FRAMES = 1_000            # frames read between two messages of a worker
AHEAD_FRAMES = 50_000           # frames a worker may read ahead of the slowest one
# fork is quick and safe on Linux only; elsewhere each worker starts a fresh interpreter
START_METHOD = "fork" if sys.platform == "linux" else "spawn"
# For tests: each worker fails after reading this many frames, as a broken one would. Given
# to the workers with their options, so that it reaches them however they are started.
FAIL_AFTER_FRAMES: int | None = None

Key = tuple[str, Severity, str | None]
# (frame index, -1 for the frame's own piece or the seq of a CALL a sweep gave up on,
#  JSON text or text-mode operations, the keys of the findings it counts)
Piece = tuple[int, int, Any, list[Key]]


class _Conflict(Exception):
    """A frame ties together stations or connections that two workers already judge."""


class _WorkersFailed(Exception):
    """The workers could not judge the file (one could not start, broke, or ended without
    its results): this process judges it instead. Never an error writing the output, which
    a second pass would only meet again."""


def workers_for(source: FrameSource, jobs: int | None) -> int:
    """How many processes judge `source`: one unless it is a session file worth more (or
    `jobs` says how many)."""
    if source.kind != "session" or source.reader is None or jobs == 1:
        return 1
    if jobs is None:
        if source.reader.size < PARALLEL_FROM_BYTES:
            return 1
        jobs = usable_cores()
    return max(1, min(jobs, MAX_WORKERS))


def usable_cores() -> int:
    """The cores this process may run on. Not only the idle ones: the load average lags by
    a minute (a run just before would count as someone else's work), and workers do only a
    fifth more work between them than one process alone (each reads the whole file), so on
    busy cores they cost little and on free ones they pay: measured on 2 cores, 1.5x one
    process when idle, about the same as one under load."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


class Owners:
    """Which worker judges a frame. A connection and the station key its frames are judged
    under (`station or connection`, as `FrameChecker` keys its rules and state) stay with
    the worker that saw them first; a new one goes to the worker with the fewest frames so
    far. Every worker computes the same answers from the same lines."""

    def __init__(self, workers: int) -> None:
        self._by_connection: dict[str, int] = {}
        self._by_key: dict[str, int] = {}
        self._loads = [0] * workers

    def of(self, item: InputFrame) -> int:
        return self.of_pair(item.connection, item.station)

    def of_pair(self, connection: str, station: str) -> int:
        key = station or connection
        owner = self._by_connection.get(connection)
        if owner is None or self._by_key.get(key) != owner:
            owner = self._place(connection, key)
        self._loads[owner] += 1
        return owner

    def _place(self, connection: str, key: str) -> int:
        by_connection, by_key = self._by_connection.get(connection), self._by_key.get(key)
        if by_connection is not None and by_key is not None and by_connection != by_key:
            raise _Conflict(f"connection {connection!r} moved to station {key!r}")
        owner = by_connection if by_connection is not None else by_key
        if owner is None:
            owner = min(range(len(self._loads)), key=self._loads.__getitem__)
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


# --- the parent's side ----------------------------------------------------------------------

def validate_in_parallel(source: FrameSource, args: argparse.Namespace, out: TextIO,
                         style: Style, workers: int) -> tuple[Tally | None, int]:
    """Judge `source` in `workers` processes and write its report; returns its tally, or
    None and the JSON lines already written if the workers could not finish."""
    report = FileReport(source, as_json=args.json, out=out, style=style)
    options = {"json": args.json, "answer_timeout": args.answer_timeout,
               "filter": getattr(args, "filter", None),
               # a recording still being written: every worker stops where this one does
               "end": source.reader.size if source.reader is not None else None,
               "fail_after": FAIL_AFTER_FRAMES}
    for stream in (out, sys.stdout, sys.stderr):  # a forked worker flushes what it inherits
        with contextlib.suppress(AttributeError, OSError, ValueError):
            stream.flush()
    import multiprocessing

    processes: list[Any] = []
    pipes: list[Connection] = []
    try:
        try:
            context = multiprocessing.get_context(START_METHOD)
            for number in range(workers):
                mine, theirs = context.Pipe(duplex=False)
                process = context.Process(target=judge_share, daemon=True,
                                          name=f"ocppscope-validate-{number}",
                                          args=(str(source.path), number, workers, options,
                                                theirs))
                with _interrupts_held():
                    process.start()
                theirs.close()
                processes.append(process)
                pipes.append(mine)
        except Exception as exc:  # no processes here (limits, memory): one process judges
            raise _WorkersFailed(f"cannot start a worker: {exc}") from exc
        ends = _Merge(report, pipes).run()
    except _WorkersFailed as exc:  # an error writing the output goes on up, as in one process
        log.info("judging in %d processes failed (%s); judging in one", workers, exc)
        written = report.lines.written if report.lines is not None else 0
        report.close()
        return None, written
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
            process.join(5.0)
        for pipe in pipes:
            pipe.close()
    for name in ("messages", "valid", "warned", "unchecked", "invalid", "malformed", "late",
                 "other_version"):
        setattr(report.tally, name, sum(getattr(end["tally"], name) for end in ends))
    report.ocpp16 = sum(end["ocpp16"] for end in ends)
    first = ends[0]  # every worker read every line: the first tells what was skipped
    if source.reader is not None:
        source.reader.warnings[:] = first["warnings"]
        source.reader.skipped = first["skipped"]
    source.gaps[:] = first["gaps"]
    pending = sorted((call for end in ends for call in end["pending"]),
                     key=lambda call: call.seq)
    return report.finish(source, pending), 0


class _Merge:
    """The workers' pieces put back in file order and fed to the parent's report."""

    def __init__(self, report: FileReport, pipes: list[Connection]) -> None:
        self.report = report
        self.pipes = pipes
        self.queues: list[deque[Piece]] = [deque() for _ in pipes]
        self.covered = [0] * len(pipes)     # frames each worker has read so far
        self.ends: list[dict[str, Any] | None] = [None] * len(pipes)

    def run(self) -> list[dict[str, Any]]:
        from multiprocessing.connection import wait

        live = {pipe: number for number, pipe in enumerate(self.pipes)}
        while live:
            # a worker far ahead of another is not read from (its pipe fills and it waits),
            # so that its pieces do not pile up here
            behind = min(self.covered) + AHEAD_FRAMES
            for pipe in wait([pipe for pipe, number in live.items()
                              if self.covered[number] < behind]):
                number = live[pipe]  # type: ignore[index]
                try:
                    message = pipe.recv()  # type: ignore[union-attr]
                except EOFError:
                    raise _WorkersFailed(f"worker {number} ended without its results") \
                        from None
                except Exception as exc:  # a broken pipe, a message cut short
                    raise _WorkersFailed(f"worker {number}: {exc}") from exc
                if message[0] == "pieces":
                    self.covered[number] = message[1]
                    self.queues[number].extend(message[2])
                elif message[0] == "done":
                    self.ends[number] = message[1]
                    del live[pipe]
                else:
                    raise _WorkersFailed(f"worker {number}: {message[1]}")
            self._emit(min(self.covered))
        self._emit(sys.maxsize)
        return [end for end in self.ends if end is not None]

    def _emit(self, limit: int) -> None:
        """Feed every piece of the frames before `limit`, in order."""
        queues, report = self.queues, self.report
        lines, counts = report.lines, report.counts
        while True:
            best: deque[Piece] | None = None
            for queue in queues:
                if queue and queue[0][0] < limit and (
                        best is None or queue[0][:2] < best[0][:2]):
                    best = queue
            if best is None:
                return
            _, _, payload, keys = best.popleft()
            if lines is not None:
                lines.add(payload)
                if keys:
                    counts.update(keys)
                continue
            for op in payload:
                if op[0] == "findings":
                    report._print_findings(op[1], op[2], op[3])
                else:
                    report.notes.append(op[1])


@contextlib.contextmanager
def _interrupts_held() -> Iterator[None]:
    """Ctrl-C ignored while a worker starts (POSIX): the child inherits the parent's
    handler until it sets its own, and a Ctrl-C in between would print its traceback. The
    worker starts ignoring it, and the parent handles Ctrl-C again once it has started."""
    if os.name != "posix" or threading.current_thread() is not threading.main_thread():
        yield  # elsewhere a child does not run the parent's handler; off the main thread
        return  # no handler can be set
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


# --- the worker's side ----------------------------------------------------------------------

# The head of a frame line as our writer writes it, up to the frame's text: enough to know
# whose frame it is, its seq and its time without reading the rest.
_FRAME_HEAD = re.compile(
    rb'\{"seq":(0|[1-9][0-9]{0,17}),"time":"[^"\\]*","mono":([0-9]{1,15}\.[0-9]{1,9}),'
    rb'"conn":"([^"\\]*)","station":"([^"\\]*)","dir":(?:null|"[a-z_]+"),'
    rb'"kind":"frame","text":"')


class _NotAsItSeemed(Exception):
    """A line whose head looked like a plain frame record is not one: the workers that
    only glanced at it may have taken it wrongly."""


# A frame another worker judges, as this one needs it: its connection, its time (None: not
# known) and its seq. A tuple, not an `InputFrame`: half the frames a worker reads are
# others', and building a frozen dataclass for each cost more than glancing at its line.
Passed = tuple[str, float | None, int]


def _share_frames(source: FrameSource, owners: Owners,
                  number: int) -> Iterator[InputFrame | Passed]:
    """Every frame of a session: an `InputFrame` for each this worker judges, a `Passed`
    for the others'. A frame line our writer wrote is only glanced at (`_FRAME_HEAD`) when
    another worker judges it: its connection, station, seq and time are all this worker
    needs. The worker that judges it reads it whole, and says so (`_NotAsItSeemed`) should
    the glance have been wrong. Any other line every worker reads whole, as one process
    would."""
    reader = source.reader
    if reader is None:
        raise _NotAsItSeemed("only session files are judged in parallel")
    lines = SessionLines(reader, source.gaps)
    glance = _FRAME_HEAD.match
    owner_of, passed = owners.of_pair, lines.passed
    line = 1
    for block in line_blocks(reader.path, reader.records_start, end=reader.size):
        for raw in block:
            line += 1
            head = glance(raw) if raw.endswith(b"}\n") else None
            if head is not None:
                try:
                    connection, station = head[3].decode(), head[4].decode()
                except UnicodeDecodeError:
                    head = None
            if head is None:
                item = lines.frame(line, raw)
                if item is None:
                    continue
                if item.event is not None:  # every worker's: only the one judging its
                    yield item              # connection has anything to give up at a close
                else:
                    yield item if owners.of(item) == number else \
                        (item.connection, item.time, item.seq)
                continue
            if owner_of(connection, station) != number:
                # its position names it in a sweep
                yield connection, float(head[2]), passed(line, raw, int(head[1]))
                continue
            item = lines.expected(line, raw, int(head[1]), connection, station,
                                  float(head[2]))
            if item is None:
                raise _NotAsItSeemed(f"line {line} is not the frame record it seemed")
            yield item


def judge_share(path: str, number: int, workers: int, options: dict[str, Any],
                pipe: Connection) -> None:
    """Read every frame of the session in `path`, judge those `Owners` gives worker
    `number`, and send the pieces of its report, then its totals and "done"."""
    with contextlib.suppress(ValueError, OSError):  # Ctrl-C is the parent's to handle:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # it ends the workers, quietly
    try:
        _judge_share(path, number, workers, options, pipe)
    except Exception as exc:  # said to the parent, which then judges the file itself
        with contextlib.suppress(OSError):
            pipe.send(("failed", f"{type(exc).__name__}: {exc}"))
    finally:
        pipe.close()


def _judge_share(path: str, number: int, workers: int, options: dict[str, Any],
                 pipe: Connection) -> None:
    try:
        query = filter_option(options["filter"])
    except UsageError as exc:
        raise RuntimeError(str(exc)) from None
    source = open_frames(path)
    if source.reader is not None and options["end"] is not None:
        source.reader.size = options["end"]  # the file as the parent saw it, not as it grew
    report = _ShareReport(source, options["json"])
    args = argparse.Namespace(answer_timeout=options["answer_timeout"], query=query)
    judging = FileJudging(source, args, report)
    pieces: list[Piece] = []
    index = -1  # of the record read: pieces are put in order by it
    frames = 0  # of the frame: a message's index in the report
    passed: Passed | None = None  # the latest record read, when it was another's frame
    fail_after = options["fail_after"]

    def take(index: int, sub: int) -> None:
        piece = report.take()
        if piece is not None:
            pieces.append((index, sub, *piece))

    for index, seen in enumerate(_share_frames(source, Owners(workers), number)):
        if index == fail_after:
            raise RuntimeError(f"told to fail after {fail_after} frames")
        if seen.__class__ is tuple:  # another worker's frame: only a sweep may be due
            passed = seen
            frames += 1
            connection, time, seq = seen
            overdue = judging.sweep_at(connection, time)
            item = InputFrame(f"seq {seq}", "", connection, "", None, time, seq) \
                if overdue else None
        elif seen.event is not None:  # a close: its connection's CALLs are given up
            passed = None
            judging.event(seen)
            take(index, -1)
            continue
        else:
            passed, item = None, seen
            judging.frame(frames, item)
            frames += 1
            take(index, -1)
            overdue = judging.sweep(item)
        for call in overdue:
            judging.lost(call, item)
            take(index, call.seq)
        if index % BATCH_FRAMES == BATCH_FRAMES - 1:
            pipe.send(("pieces", index + 1, pieces))
            pieces = []
    if passed is not None:  # the file ends with another's frame: the end is said there
        connection, time, seq = passed
        judging.last = InputFrame(f"seq {seq}", "", connection, "", None, time, seq)
    for call in judging.end():  # after every record, by the CALL's seq as in one process
        judging.lost(call)
        take(index + 1, call.seq)
    pipe.send(("pieces", index + 1, pieces))
    reader = source.reader
    report.close()
    pipe.send(("done", {
        "tally": report.tally, "ocpp16": report.ocpp16, "pending": judging.checker.pending(),
        "warnings": reader.warnings if reader else [], "skipped": reader.skipped if reader
        else 0, "gaps": source.gaps}))
