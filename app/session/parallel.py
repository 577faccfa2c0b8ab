"""Judging a loaded session on every core: `ParallelJudge`.

Judging a million records one after the other takes tens of seconds of Python, all of it on
the thread that also paints the window. But what judging remembers is kept per connection
(pairing answers with CALLs) and per station (session rules, the station's state), so the
records of different stations can be judged apart, in any order between them, and give the
very verdicts a serial pass gives. Here the records are split into groups that share no
station and no connection, each group is judged in a process of its own by the same
`Capture.judge_adopted` a serial pass runs, and the results come back in small messages that
`step()` merges into the capture a slice at a time, so the window's thread only merges.

A worker reads its records back from the session file itself, through the store's index,
which the judge hands over in a temporary directory (written once, read by every worker):
nothing big is pickled on the window's thread. What runs in the workers is in
`app.session.parallel_worker`; the merge of their plain verdicts is `app.session.plain_merge`.
This module is the window's side: counting, starting, collecting and merging, a step at a time.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing
import os
import pickle
import queue
import shutil
import tempfile
import threading
import time
from array import array
from collections import Counter
from collections.abc import Iterable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from app.ocpp.findings import Finding
from app.session.annotations import AnnotationTable
from app.session.answer_watch import last_time
from app.session.capture import Annotation, Capture
from app.session.parallel_worker import (
    TRANSACTIONS_CHUNK,
    Pair,
    hand_over_columns,
    judge_share,
)
from app.session.plain_merge import PlainMerge
from app.session.store import RecordStore
from app.state.model import StationState

__all__ = ["PARALLEL_FROM", "TRANSACTIONS_CHUNK", "ParallelJudge", "PlainMerge", "groups_of",
           "share_out", "worth_it"]

log = logging.getLogger(__name__)

MERGE_SLICE = 2_000         # plain annotations of each worker merged between two looks
COUNT_SLICE = 20_000        # records counted by station between two looks at the clock
PARALLEL_FROM = 20_000      # fewer records are judged faster than processes start


def worth_it(capture: Capture, least: int | None = None) -> bool:
    """Whether `capture` is a session file big enough to judge in worker processes
    (`least` records, by default `PARALLEL_FROM`)."""
    least = PARALLEL_FROM if least is None else least
    return isinstance(capture.messages, RecordStore) and len(capture.messages) >= least


def groups_of(pairs: Iterable[Pair], names: list[str | None]) -> list[set[Pair]]:
    """The (station, connection) pairs that must be judged together: those sharing a
    connection, or a station (a record without a station is kept under its connection,
    as the checker keys it)."""
    parent: dict[Any, Any] = {}

    def root(node: Any) -> Any:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    pairs = list(pairs)
    for station, connection in pairs:
        key = ("station", station) if names[station] else ("connection", connection)
        parent[root(key)] = root(("connection", connection))
    grouped: dict[Any, set[Pair]] = {}
    for pair in pairs:
        grouped.setdefault(root(("connection", pair[1])), set()).add(pair)
    return list(grouped.values())


def share_out(groups: list[set[Pair]], sizes: Counter[Pair], workers: int) -> list[set[Pair]]:
    """Groups dealt to at most `workers` workers, biggest first to the least loaded."""
    loads: list[tuple[int, set[Pair]]] = [(0, set()) for _ in range(max(1, workers))]
    for group in sorted(groups, key=lambda g: -sum(sizes[p] for p in g)):
        load, pairs = min(loads, key=lambda entry: entry[0])
        loads.remove((load, pairs))
        pairs |= group
        loads.append((load + sum(sizes[p] for p in group), pairs))
    return [pairs for _, pairs in loads if pairs]


class ParallelJudge:
    """Judges `capture` (whose records are a `RecordStore`) in worker processes; call
    `step()` from the event loop until it returns False. On any failure to start or run
    the workers it judges serially instead, so a verdict is never missing."""

    def __init__(self, capture: Capture, workers: int | None = None) -> None:
        if not isinstance(capture.messages, RecordStore):
            raise TypeError("only records of a session file are judged in parallel")
        self.capture = capture
        self.store: RecordStore = capture.messages
        self.workers = workers or max(1, min(os.cpu_count() or 1, 8))
        self.done = False
        self.serial = False             # fell back to judging here, one record at a time
        self._sizes: Counter[Pair] = Counter()
        self._counted = 0               # records counted into `_sizes` so far
        self._folder: Path | None = None
        self._types: dict[str, str] = {}
        self._shares: list[set[Pair]] | None = None    # the pairs of each worker
        self._last: float | None = None     # when the file's last judged record came
        self._pipes: list[Connection] = []
        # Each worker's messages are read whole by a thread of its own and wait here as
        # bytes: a worker writing a big message slowly (it runs niced) never holds up a
        # step of the window's thread, which only unpickles what has fully arrived.
        self._inbox: queue.SimpleQueue[tuple[int, bytes | None]] = queue.SimpleQueue()
        self._running: set[int] = set()     # workers that have not said "done" yet
        self._processes: list[Any] = []
        self._judged: dict[int, int] = {}   # records judged, by worker
        # CPU seconds each worker spent, as it said when done: how evenly the work was
        # shared (a benchmark reports them)
        self.worker_cpu: dict[int, float] = {}
        self._stations: list[tuple[int, str, Any]] = []   # (first position, key, state)
        self._receiving: dict[int, StationState] = {}   # by worker: the station it sends
        self._notes: list[tuple[int, int, int, Finding]] = []
        self._invalid: list[int] = []
        # annotations without findings, by worker, each in increasing seq: merged into the
        # capture in seq order once every worker is done, so they stay in its columns
        self._plain: dict[int, tuple[array, array, array]] = {}
        self._merging: PlainMerge | None = None

    # --- the window's side ----------------------------------------------------------------

    @property
    def progress(self) -> float:
        total = max(1, len(self.store))
        if self.serial:
            return self.capture.unjudged / total
        counting = self._counted / total * 0.05
        return min(1.0, counting + sum(self._judged.values()) / total * 0.95)

    def step(self, budget: float = 0.03) -> bool:
        """Work for about `budget` seconds; False once every record has its verdict.

        The cyclic garbage collector is paused during a step, and what the step merged is
        moved out of its reach at the end (`gc.freeze`), as the loader does with records:
        verdicts and station states are long-lived and free of cycles, and a full
        collection over a million of them, started by whichever step allocates at the
        wrong moment, would hold the window for a second."""
        if self.done:
            return False
        collecting = gc.isenabled()
        gc.disable()
        try:
            return self._step(budget)
        finally:
            gc.freeze()
            if collecting:
                gc.enable()

    def _step(self, budget: float) -> bool:
        if self.serial:
            return self._serial_step(budget)
        deadline = time.perf_counter() + budget
        try:
            if self._counted < len(self.store):
                self._count(deadline)
                return True
            if self._shares is None or len(self._processes) < len(self._shares):
                self._start()  # one piece per step: the index written, then each worker
                return True
            return self._collect(deadline)
        except Exception:  # workers that cannot start or died: judge here, lose nothing
            log.exception("judging in worker processes failed; judging here instead")
            self._fall_back()
            return True

    def cancel(self) -> None:
        self.done = True
        self._stop()

    def _serial_step(self, budget: float) -> bool:
        more = self.capture.annotate(budget)
        self.done = not more
        return more

    def _fall_back(self) -> None:
        self._stop()
        capture = self.capture
        self._plain, self._merging = {}, None
        capture.annotations.clear()
        capture.answers.clear()
        capture.notes.clear()
        capture.invalid = 0
        capture.invalid_seqs = array("q")
        capture.unjudged = 0
        self.serial = True

    def _count(self, deadline: float) -> None:
        store = self.store
        pace = _Pace(deadline)
        while self._counted < len(store) and pace.another():
            end = min(len(store), self._counted + COUNT_SLICE)
            self._sizes.update(zip(store.stations[self._counted:end],
                                   store.connections[self._counted:end], strict=True))
            self._counted = end
            pace.done()

    def _start(self) -> None:
        """Write the index for the workers (first call), then start one worker a call."""
        store = self.store
        if self._shares is None:
            self._folder = Path(tempfile.mkdtemp(prefix="ocppscope-judge-"))
            # the columns may have widened: the workers read each at its own item size
            self._types = hand_over_columns(store, self._folder)
            groups = groups_of(self._sizes, store.names.names)
            self._shares = share_out(groups, self._sizes, self.workers)
            # the file's last moment, by which every worker gives up on overdue CALLs
            self._last = last_time(store) if self.capture.times_known else None
            return
        number = len(self._processes)
        pairs = self._shares[number]
        context = multiprocessing.get_context("spawn")  # no fork of a threaded GUI process
        mine, theirs = context.Pipe(duplex=False)
        process = context.Process(
            target=judge_share, name=f"ocppscope-judge-{number}", daemon=True,
            args=(str(store.path), str(self._folder), len(store), self._types, sorted(pairs),
                  (self.capture.times_known, self.capture.checker.answer_timeout, self._last),
                  theirs))
        process.start()
        theirs.close()
        self._pipes.append(mine)
        self._processes.append(process)
        self._judged[number] = 0
        self._running.add(number)
        threading.Thread(target=_receive, args=(mine, number, self._inbox),
                         name=f"ocppscope-judge-inbox-{number}", daemon=True).start()

    def _collect(self, deadline: float) -> bool:
        pace = _Pace(deadline)
        while self._running and pace.another():
            try:
                worker, data = self._inbox.get(timeout=0.005)
            except queue.Empty:  # nothing yet: the workers have the cores
                return True
            if data is None:
                if worker in self._running:
                    raise RuntimeError("a judging process ended without its results")
                continue
            self._take(worker, pickle.loads(data))
            pace.done()
        if self._running:
            return True
        if self._merge(pace):
            return True
        self._finish()
        return False

    def _merge(self, pace: _Pace) -> bool:
        """Merge the workers' annotations without findings into the capture, a slice at a
        time and in seq order (so they land in its columns, not its dict); True while some
        remain."""
        if self._merging is None:
            self._merging = PlainMerge(list(self._plain.values()))
            self._plain = {}
        annotations, answers = self.capture.annotations, self.capture.answers
        while pace.another():  # the step's pace: its first slice must fit after a message
            piece = self._merging.next_slice(MERGE_SLICE)
            if piece is None:
                return False
            seqs, calls, latencies = piece
            if isinstance(annotations, AnnotationTable):
                annotations.extend_plain(seqs, calls, latencies)
            else:
                for seq, call, latency in zip(seqs, calls, latencies, strict=True):
                    annotations[seq] = Annotation((), None if latency != latency else latency,
                                                  None if call < 0 else call)
            for seq, call in zip(seqs, calls, strict=True):
                if call >= 0:
                    answers[call] = seq
            pace.done()
        return True

    def _take(self, worker: int, message: tuple[Any, ...]) -> None:
        what = message[0]
        capture = self.capture
        if what == "progress":
            self._judged[worker] = message[1]
        elif what == "plain":
            held = self._plain.get(worker)
            if held is None:
                self._plain[worker] = message[1:]
            else:
                for column, more in zip(held, message[1:], strict=True):
                    column.extend(more)
        elif what == "annotations":
            annotations, answers, invalid = capture.annotations, capture.answers, self._invalid
            # kept apart from the columns: those the workers judged plain are merged into
            # them later in seq order, which these, arriving now, would break
            place = annotations.hold if isinstance(annotations, AnnotationTable) \
                else annotations.__setitem__
            for seq, annotation in message[1]:
                place(seq, annotation)
                if annotation.call_seq is not None:
                    answers[annotation.call_seq] = seq
                if not annotation.valid:
                    invalid.append(seq)
        elif what == "notes":
            self._notes.extend(message[1])
        elif what == "station":
            self._stations.append((message[1], message[2], message[3]))
            self._receiving[worker] = message[3]
        elif what == "transactions":  # a slice of the transactions of the worker's last station
            self._receiving[worker].transactions.update(message[1])
        elif what == "pending":
            capture.state.pending.update(message[1])
            capture.state.upto_seq = max(capture.state.upto_seq, message[2])
        elif what == "done":
            self._running.discard(worker)
            self.worker_cpu[worker] = message[1] if len(message) > 1 else 0.0
        elif what == "failed":
            raise RuntimeError(message[1])

    def _finish(self) -> None:
        capture = self.capture
        self._invalid.sort()
        capture.invalid_seqs = array("q", self._invalid)
        capture.invalid = len(self._invalid)
        self._notes.sort(key=lambda note: (note[0], note[1]))
        capture.notes.extend((seq, finding) for _, _, seq, finding in self._notes)
        stations = capture.state.stations
        for _, key, station in sorted(self._stations, key=lambda entry: entry[0]):
            stations[key] = station
        capture.unjudged = len(self.store)
        self.done = True
        self._stop()

    def _stop(self) -> None:
        self._running.clear()
        processes, self._processes = self._processes, []
        for process in processes:  # their pipes' ends close: the readers see the end
            if process.is_alive():
                process.terminate()
        if processes:
            # A worker takes a while to exit even once it said "done" (it frees all it
            # judged): tens of milliseconds the window's thread must not wait, so a thread
            # of its own waits for the processes to end.
            threading.Thread(target=_reap, args=(processes,), name="ocppscope-judge-reaper",
                             daemon=True).start()
        for pipe in self._pipes:
            with contextlib.suppress(OSError):
                pipe.close()
        self._pipes = []
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None


class _Pace:
    """Whether a step has time for another piece of work (a worker's message taken in, a
    slice merged): only if the piece before it, done again, would still end by the
    deadline. Checking the clock alone lets the last piece run past it by a whole piece,
    which on a busy machine is tens of milliseconds. The first piece runs whenever the
    deadline has not passed, so every step that has time moves on."""

    def __init__(self, deadline: float) -> None:
        self._deadline = deadline
        self._began = 0.0
        self._last = 0.0    # seconds the piece before took

    def another(self) -> bool:
        now = time.perf_counter()
        if now >= self._deadline or (self._began and now + self._last > self._deadline):
            return False
        self._began = now
        return True

    def done(self) -> None:
        self._last = time.perf_counter() - self._began


def _reap(processes: list[Any]) -> None:
    """Wait for ended or terminated workers, so that none is left a zombie."""
    for process in processes:
        process.join()


def _receive(pipe: Connection, worker: int,
             inbox: queue.SimpleQueue[tuple[int, bytes | None]]) -> None:
    """Read one worker's messages as they complete (the wait releases the GIL), then say
    that its pipe ended with None."""
    try:
        while True:
            inbox.put((worker, pipe.recv_bytes()))
    except (EOFError, OSError):
        inbox.put((worker, None))
