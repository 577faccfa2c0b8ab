"""`ocppscope validate` on every core: a big session file judged by several processes, with
the very output one process gives, line for line.

What judging remembers is kept per connection (pairing answers with CALLs) and per station
(session rules, the station's state), as `app.session.parallel` relies on for the window;
so each worker judges the frames of some stations (`Owners`), with the same `FileJudging`
one process runs over all. Two things cross stations, and each worker redoes them for the
whole file rather than asking anyone:

- every worker reads every line, so each knows every frame's index, seq and time, the
  lines skipped and the records renumbered; another worker's frame is only glanced at
  (`validate_share`, the worker's side);
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
import signal
import sys
import threading
from collections import deque
from collections.abc import Iterator
from operator import itemgetter
from typing import TYPE_CHECKING, Any, TextIO

from app.commands.validate_report import FileReport, Style, Tally
from app.inputs import FrameSource

if TYPE_CHECKING:  # imported when used: a small file never starts a worker
    from multiprocessing.connection import Connection

    from app.commands.validate_share import Piece

log = logging.getLogger(__name__)

PARALLEL_FROM_BYTES = 4 << 20   # ~7,000 frames: fewer are judged before processes start
MAX_WORKERS = 8                 # each reads the whole file: more would mostly read
AHEAD_FRAMES = 50_000           # frames a worker may read ahead of the slowest one
# fork is quick and safe on Linux only; elsewhere each worker starts a fresh interpreter
START_METHOD = "fork" if sys.platform == "linux" else "spawn"
# For tests: each worker fails after reading this many frames, as a broken one would. Given
# to the workers with their options, so that it reaches them however they are started.
FAIL_AFTER_FRAMES: int | None = None

_ORDER = itemgetter(0, 1)  # a piece's place: its frame, then the seq of a CALL given up


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
    quarter more work between them than one process alone (each reads the whole file;
    counted in instructions on 2 workers: +28%), so on busy cores they cost little and on
    free ones they pay: measured on 2 cores, 1.5x one process when idle, about the same as
    one under load."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


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

    from app.commands.validate_share import judge_share

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
        """Feed every piece of the frames before `limit`, in order: the workers' pieces of
        those frames gathered and sorted at once (no two pieces share a frame and a seq),
        and their JSON text written in one go."""
        ready: list[Piece] = []
        for queue in self.queues:
            while queue and queue[0][0] < limit:
                ready.append(queue.popleft())
        if not ready:
            return
        ready.sort(key=_ORDER)
        report = self.report
        lines, counts = report.lines, report.counts
        if lines is not None:
            lines.add("".join([piece[2] for piece in ready]))
            lines.flush()
            for piece in ready:
                if piece[3]:
                    counts.update(piece[3])
            return
        for _, _, payload, _ in ready:
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
