"""Slow observers off the forwarding path: a bounded queue and a thread per sink.

The relay's event loop hands every record to the console and to the recorder. Writing there,
inline, lets a paused `ocppscope proxy | less`, a slow disk or a full one hold up every
charger. A `QueuedSink` instead takes a record in constant time and never blocks: when its
queue is full the record is counted and dropped. Its own thread hands the records to the
real writer in batches; a write that blocks or fails costs that sink's output and nothing
else.

What was not written is never lost silently:
- the user gets one notice when a sink stops (and one when it works again);
- the writer is handed a `Loss` to note in its own output before the next records it
  writes (the recorder writes a `gap` record, the console a gap line);
- `close()` reports how many records were written and how many were lost, and why.
"""

from __future__ import annotations

import errno
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from app.session.message import Message, gap_record
from app.session.sessionfile import SessionWriter
from app.wording import count

log = logging.getLogger(__name__)

T = TypeVar("T")

_DISK_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
_BEHIND, _FAILED = "behind", "failed"


@dataclass
class Loss:
    """A run of consecutive records a sink did not write: how many, their seqs, and why."""

    count: int
    first_seq: int
    last_seq: int
    reasons: list[str] = field(default_factory=list)

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)

    def add(self, count: int, first_seq: int, last_seq: int, reasons: Sequence[str]) -> None:
        self.count += count
        self.first_seq = min(self.first_seq, first_seq)
        self.last_seq = max(self.last_seq, last_seq)
        self.reasons.extend(r for r in reasons if r not in self.reasons)


def _merged(first: Loss | None, second: Loss | None) -> Loss | None:
    if first is None or second is None:
        return first or second
    merged = Loss(first.count, first.first_seq, first.last_seq, list(first.reasons))
    merged.add(second.count, second.first_seq, second.last_seq, second.reasons)
    return merged


def describe_failure(exc: BaseException) -> tuple[str, bool]:
    """Why a write failed, in words for the user, and whether trying again is pointless
    (the reader of a pipe went away, the file was closed)."""
    if isinstance(exc, OSError):
        detail = exc.strerror or str(exc) or type(exc).__name__
        if exc.errno in _DISK_FULL:
            return f"disk full ({detail})", False
        if isinstance(exc, BrokenPipeError) or exc.errno == errno.EPIPE:
            return f"the reader went away ({detail})", True
        if exc.errno == errno.EBADF:
            return f"the output was closed ({detail})", True
        if exc.errno == errno.EFBIG:
            return f"file too large ({detail})", False
        return f"write failed ({detail})", False
    return "the output was closed", True  # ValueError: I/O operation on closed file


@dataclass(frozen=True)
class SinkReport:
    """What a sink did, for the summary a live mode prints when it stops."""

    written: int
    lost: int
    reason: str       # why records were lost, "" if none were
    finished: bool    # False: the writer was still stuck when the sink was closed


Writer = Callable[[list[T], Loss | None], None]


class QueuedSink(Generic[T]):
    """Hands items to `write(batch, gap)` on a thread of its own, in order, in batches.

    `put` is for the producer (the event loop): it never blocks and never raises.
    `write` runs on the sink's thread; it may block as long as it likes, and it raises
    OSError (or ValueError, for a closed file) when it did not write the batch, which then
    counts as lost. `gap`, when given, is the run of records lost just before this batch;
    `write` notes it in its output first, and once the call returns the gap counts as
    noted. `write([], gap)` notes a gap alone (at the first failure, and at close).

    Records wait up to `linger` seconds for a batch to gather (unless a batch is already
    there): a record reaches its output that much later, in exchange for one wake-up of the
    sink's thread per batch rather than per record.

    After a failure the sink tries again at most every `retry` seconds; records that come
    meanwhile are counted as lost. A permanent failure (a closed pipe) stops the sink for
    good: it only counts from then on. The first stop of each kind is always told; a
    repeated one only `quiet` seconds after the last one was, so that a sink hovering at its
    limit cannot flood the terminal (its resume is then not told either). `finish()` runs
    on the sink's thread when it is done.
    """

    def __init__(self, name: str, write: Writer[T], *, seq: Callable[[T], int],
                 notice: Callable[[str], None], capacity: int = 10_000, batch: int = 500,
                 retry: float = 1.0, quiet: float = 30.0, linger: float = 0.02,
                 finish: Callable[[], None] | None = None) -> None:
        self.name = name
        self.capacity = capacity
        self._write = write
        self._seq = seq
        self._notice = notice
        self._batch = batch
        self._retry = retry
        self._quiet = quiet
        self._linger = linger
        self._finish = finish
        self._cond = threading.Condition(threading.Lock())
        self._idle = False          # the sink's thread waits for records (needs a notify)
        self._items: deque[T | Loss] = deque()   # records, and Loss markers before them
        self._queued = 0            # records (not markers) in `_items`
        self._inflight = 0          # records handed to `write` that it has not returned
        self._run: Loss | None = None   # dropped by `put` since the last queued record
        self._closing = False
        self._abandoned = False     # closed while stuck: stop counting
        self._dead = False          # permanent failure
        self._failure = ""          # the reason of the current failure, if failing
        self._retry_at = 0.0
        self._stopped: str | None = None    # _BEHIND or _FAILED while not writing
        self._stop_told = False
        self._episode_lost = 0      # lost since the sink last resumed
        self._last_told: dict[str, float] = {}
        self._reasons: list[str] = []
        self.written = 0
        self.lost = 0
        self._done = threading.Event()  # the sink's thread has finished
        self._thread = threading.Thread(target=self._consume, name=f"ocppscope-{name}",
                                        daemon=True)
        self._thread.start()

    # --- the producer's side --------------------------------------------------------------

    def put(self, item: T) -> bool:
        """Queue one record; False if it was dropped (and counted) instead."""
        tell = None
        with self._cond:
            if self._dead or self._closing:
                self._count_lost(1, self._failure or "the output was closed")
                return False
            if self._queued >= self.capacity:
                seq = self._seq(item)
                reason = f"{self.name} could not keep up"
                if self._run is None:
                    self._run = Loss(0, seq, seq)
                self._run.add(1, seq, seq, (reason,))
                self._count_lost(1, reason)
                tell = self._stop(_BEHIND, f"{self.name} cannot keep up ({self.capacity:,} "
                                           "records waiting); dropping records until it "
                                           "catches up (forwarding goes on)")
            else:
                if self._run is not None:
                    self._items.append(self._run)
                    self._run = None
                self._items.append(item)
                self._queued += 1
                if self._idle:
                    self._cond.notify()
                return True
        self._tell(tell)
        return False

    @property
    def queued(self) -> int:
        """Records queued and not yet handed to the writer."""
        return self._queued

    @property
    def failing(self) -> bool:
        """True while records are not being written (it fell behind, or its writer fails).

        Read inside the notice callback, it tells a stop from a resume without parsing the
        notice's words: the state changes before the notice is given."""
        return self._stopped is not None

    def close(self, timeout: float = 5.0) -> SinkReport:
        """Write what is queued (for up to `timeout` seconds), note any gap, and stop.

        A writer still stuck after `timeout` (a pipe nobody reads, a hung disk) is left to
        its daemon thread; what it held is counted as lost."""
        with self._cond:
            if not self._closing:
                self._closing = True
                if self._run is not None:
                    self._items.append(self._run)
                    self._run = None
                self._cond.notify()
        # not Thread.join: a Ctrl-C that interrupts a join makes the thread look finished
        finished = self._done.wait(timeout)
        with self._cond:
            if not finished and not self._abandoned:
                stranded = self._queued + self._inflight
                self._count_lost(stranded, f"{self.name} was stuck when the program ended")
                self._abandoned = True   # from now on its thread counts nothing
                self._queued = 0
                self._items.clear()
            return SinkReport(self.written, self.lost, "; ".join(self._reasons), finished)

    # --- the sink's thread ------------------------------------------------------------------

    def _consume(self) -> None:
        try:
            self._drain()
        finally:
            self._done.set()

    def _drain(self) -> None:
        pending: Loss | None = None   # lost and not yet noted in the output
        while True:
            with self._cond:
                while not self._items and not self._closing:
                    self._idle = True
                    self._cond.wait()
                    self._idle = False
                lingering = not self._closing and self._queued < self._batch
            if lingering:
                # let a batch gather: a thread woken for every record would take the
                # interpreter lock from the event loop thousands of times a second
                time.sleep(self._linger)
            with self._cond:
                if not self._items or self._abandoned:
                    break
                taken = self._take()
            records: list[T] = []
            for item in taken:
                if isinstance(item, Loss):
                    if records:
                        pending = self._deliver(records, pending)
                        records = []
                    pending = _merged(pending, item)
                else:
                    records.append(item)
            if records:
                pending = self._deliver(records, pending)
        if pending is not None and not self._dead and not self._abandoned:
            self._note(pending)
        if self._finish is not None:
            try:
                self._finish()
            except Exception:  # closing a file on a failing disk: nothing left to lose
                log.exception("%s: finishing failed", self.name)

    def _take(self) -> list[T | Loss]:
        """Up to one batch of records (with the markers among them); caller holds the lock."""
        taken: list[T | Loss] = []
        count = 0
        while self._items and count < self._batch:
            item = self._items.popleft()
            taken.append(item)
            if not isinstance(item, Loss):
                count += 1
        self._queued -= count
        self._inflight = count
        return taken

    def _deliver(self, records: list[T], pending: Loss | None) -> Loss | None:
        """Write a batch after the pending gap; returns what is still pending after it."""
        waiting = (self._failure and not self._closing
                   and time.monotonic() < self._retry_at)
        if self._dead or waiting:
            return self._lose(records, pending, self._failure)
        try:
            self._write(records, pending)
        except (OSError, ValueError) as exc:
            reason, permanent = describe_failure(exc)
            return self._failed(records, pending, reason, permanent)
        except Exception:  # a bug in the writer must not end the sink's thread
            log.exception("%s: writing failed", self.name)
            return self._lose(records, pending, f"{self.name} failed (an internal error)")
        tell = None
        with self._cond:
            self.written += len(records)
            self._inflight = 0
            self._failure = ""
            # a sink that fell behind has caught up once it writes past its first drop
            if self._stopped == _FAILED or (self._stopped is not None and pending is not None):
                tell = self._resume()
        self._tell(tell)
        return None

    def _lose(self, records: list[T], pending: Loss | None, reason: str) -> Loss:
        lost = Loss(len(records), self._seq(records[0]), self._seq(records[-1]), [reason])
        with self._cond:
            self._inflight = 0
            self._count_lost(len(records), reason)
        return _merged(pending, lost) or lost

    def _failed(self, records: list[T], pending: Loss | None, reason: str,
                permanent: bool) -> Loss | None:
        first = not self._failure
        pending = self._lose(records, pending, reason)
        with self._cond:
            self._failure = reason
            self._retry_at = time.monotonic() + self._retry
            self._dead = self._dead or permanent
            tell = self._stop(_FAILED, f"{self.name} stopped: {reason}; "
                                       f"{count(pending.count, 'record')} not written "
                                       "(forwarding goes on)")
        self._tell(tell)
        if first and not permanent:
            # best effort: say where the gap begins while the failed batch's space is free
            return self._note(pending)
        return pending

    def _note(self, gap: Loss) -> Loss | None:
        """Write the gap alone; returns it if even that failed."""
        try:
            self._write([], gap)
        except Exception:  # still failing: the gap stays pending
            return gap
        return None

    # --- bookkeeping (caller holds the lock) ------------------------------------------------

    def _count_lost(self, count: int, reason: str) -> None:
        if self._abandoned or count <= 0:
            return
        self.lost += count
        self._episode_lost += count
        if reason not in self._reasons:
            self._reasons.append(reason)

    def _stop(self, kind: str, text: str) -> str | None:
        """Enter a stop of this kind; the notice to give, if it should be given."""
        if self._stopped == kind or self._stopped == _FAILED:
            return None
        self._stopped = kind
        now = time.monotonic()
        last = self._last_told.get(kind)
        if last is not None and now - last < self._quiet:
            return None
        self._last_told[kind] = now
        self._stop_told = True
        return text

    def _resume(self) -> str | None:
        told, self._stop_told, self._stopped = self._stop_told, False, None
        lost, self._episode_lost = self._episode_lost, 0
        if not told:
            return None
        return f"{self.name} resumed after a gap of {count(lost, 'record')}"

    def _tell(self, text: str | None) -> None:
        if text is None:
            return
        try:
            self._notice(text)
        except Exception:  # a notice must never break the producer or the sink
            log.exception("%s: a notice failed", self.name)


def recording_sink(writer: SessionWriter, notice: Callable[[str], None], *,
                   capacity: int = 100_000, batch: int = 500, retry: float = 1.0,
                   quiet: float = 30.0,
                   located: Callable[[list[Message], list[int]], None] | None = None,
                   restored: Callable[[], None] | None = None,
                   ) -> QueuedSink[Message]:
    """A sink that writes records to a session file, a batch per write, and a `gap` record
    where records are missing; it closes the file when it is done. `located(messages,
    offsets)`, if given, hears where each written record's line begins, once it is in the
    file (a store that reads records back from the file drops its copy then). A file
    deleted under the recording is written out again (`SessionWriter.keep_file`), before
    the next batch or at the end, and the user is told; `restored()`, if given, hears it
    first (before `located` hears of the batch written to the new file), so that a store
    reading records back reads them from the new file."""
    restorations = [writer.restored]
    where = [writer.path]

    def tell_restored() -> None:
        if writer.restored != restorations[0]:
            restorations[0] = writer.restored
            if restored is not None:
                try:
                    restored()
                except Exception:  # reading back is not writing: the recording goes on
                    log.exception("reopening the recording for reading failed")
            before, where[0] = where[0], writer.path
            if writer.path == before:
                notice(f"the recording '{before}' was deleted while recording; it is "
                       "written there again with every record so far, and goes on")
            else:
                notice(f"the recording '{before}' was deleted while recording and another "
                       f"file took its name, which is left as it is; the recording is "
                       f"written to '{writer.path}' with every record so far, and goes on "
                       "there")

    def write(messages: list[Message], gap: Loss | None) -> None:
        if gap is not None:
            offsets = writer.write_batch([gap_record(gap.count, gap.first_seq,
                                                     gap.last_seq, gap.reason), *messages])
            offsets = offsets[1:]
        else:
            offsets = writer.write_batch(messages)
        tell_restored()
        if located is not None and messages:
            try:
                located(messages, offsets)
            except Exception:  # the records stay in memory: nothing is lost
                log.exception("noting where records were written failed")

    def finish() -> None:
        try:
            writer.keep_file()   # deleted since the last batch: still written out again
            tell_restored()
        except OSError as exc:
            notice(f"the recording '{writer.path}' was deleted while recording and cannot "
                   f"be written again ({exc.strerror or exc}): what it held is lost")
        finally:
            writer.close()

    return QueuedSink("recording", write, seq=lambda message: message.seq, notice=notice,
                      capacity=capacity, batch=batch, retry=retry, quiet=quiet,
                      finish=finish)
