"""Observation off the forwarding path: a thread that turns forwarded bytes into records.

The splice (`app.net.splice`) only moves bytes. After writing a chunk onward it hands the same
chunk to `Observing.forwarded`, which appends it to one queue and returns: no parsing, no
lock, no system call unless the thread is asleep. The thread takes what queued in batches,
parses it (`app.net.observer`), and judges and records each message through the capture,
like the terminating proxy does (`Capture.judge_frame`), with the time its last byte was
forwarded.

A thread in the window's process: the capture (checker state, records, subscribers) must live
where the window reads it. The thread gives the interpreter back after every record, so the
event loop never waits for more than one record's judging. The headless proxy goes further:
its queue is shipped in batches to a process of its own (`app.net.shipping`), where an
`Observing` without a thread of its own (`threaded=False`) judges them with this same code.

Under overload the thread falls behind and catches up later; a connection whose unobserved
bytes exceed `budget` has further chunks dropped from observation (never from forwarding),
and the observer marks the gap, says so, and reads on from the next frame it can find.
`behind` says how many frames and chunks wait to be judged, and a notice says it when the
backlog grows past `warn_after` seconds and again when it has caught up.

The terminating proxy uses the same thread for whole frames (`whole`): it forwards a frame,
then queues its text with the time it was forwarded (`app.net.judging`). A frame whose
record its caller needs at once (an injected CALL, its answer, a frame an intercept rule
took) is judged after everything queued before it (`catch_up`), so that seqs stay in the
order frames crossed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from app.net.observer import (
    ControlFrame,
    DataMessage,
    LinkObserver,
    MissedPong,
    Observation,
    StreamProblem,
)
from app.net.wire import as_text
from app.ocpp.conversation import Direction
from app.ocpp.findings import warning
from app.session.capture import Capture
from app.session.message import RecordKind

log = logging.getLogger(__name__)

BUDGET = 16 * 1024 * 1024   # bytes of one connection that may wait to be observed
LINGER = 0.002              # seconds a woken thread lets a batch gather
BATCH = 4096                # queue items taken at once
WARN_AFTER = 5.0            # seconds of backlog before the user is told


@dataclass(frozen=True, slots=True)
class WholeFrame:
    """A frame the terminating proxy forwarded whole: as `Capture.judge_frame` takes it."""

    direction: Direction
    data: str | bytes
    text_frame: bool
    meta: Mapping[str, Any] | None
    seen: tuple[float, float]


@dataclass(eq=False)
class Watched:
    """One spliced connection as the observer sees it."""

    connection: str
    station: str
    extensions: str | None
    max_size: int | None
    pong_timeout: float | None = None  # None: the observing's (the observer's default)
    fed: int = 0                 # bytes queued (the loop's count)
    taken: int = 0               # bytes taken off the queue (the thread's count)
    dropped: dict[Direction, int] = field(default_factory=dict)  # not queued, not yet told
    observer: LinkObserver | None = None
    ping_seqs: dict[int, int] = field(default_factory=dict)   # ping serial -> its record
    bytes_lost: int = 0
    dropped_frames: int = 0      # whole frames left unjudged (over the budget)

    @property
    def waiting(self) -> int:
        return self.fed - self.taken


# Queue items: a chunk (watched, direction, bytes, wall, monotonic), a gap (watched,
# direction, count), or an event to record in order (watched, kind, meta, wall, monotonic).
_Chunk = tuple[Watched, Direction, bytes, float, float]
_Gap = tuple[Watched, Direction, int]
_Event = tuple[Watched, RecordKind, Mapping[str, Any], float, float]
_Whole = tuple[Watched, WholeFrame]
_Item = _Chunk | _Gap | _Event | _Whole


class Observing:
    """The observer thread of one proxy: `watch` a connection, feed it what was forwarded,
    `close` it with its closed record, `stop` at the end."""

    def __init__(self, capture: Capture, notice: Callable[[str], None] | None = None, *,
                 budget: int = BUDGET, warn_after: float = WARN_AFTER,
                 pong_timeout: float | None = None, threaded: bool = True) -> None:
        """`threaded=False` starts no thread: whoever holds it hands it batches itself
        (`observe`) and checks pings now and then (`check_pings`)."""
        self.capture = capture
        self.budget = budget
        self.warn_after = warn_after
        self.pong_timeout = pong_timeout
        self._notice = notice or (lambda text: log.info("%s", text))
        self._queue: deque[_Item] = deque()
        self._wake = threading.Event()
        self._asleep = False
        self._stopping = False
        self._unjudged = 0          # parsed, not yet recorded (the thread's count)
        self._links: dict[str, Watched] = {}
        self._told_behind = False
        # held by whoever judges: the thread for each batch, `catch_up` on the event loop
        self._turn = threading.Lock()
        self._thread: threading.Thread | None = None
        # when the oldest item of the batch the thread is judging was forwarded (None: no
        # batch), so that a watch never looks past a frame not judged yet
        self._judging_since: float | None = None
        if isinstance(capture, Capture):
            capture.watch_clock.hold(self.oldest_unjudged)
        if threaded:
            self._thread = threading.Thread(target=self._run, name="ocppscope-observer",
                                            daemon=True)
            self._thread.start()

    # --- the event loop's side: constant time, never blocks --------------------------------

    def watch(self, connection: str, station: str, meta: Mapping[str, Any], *,
              extensions: str | None = None, max_size: int | None = None,
              pong_timeout: float | None = None) -> Watched:
        """Start observing a connection: its `opened` record (with `meta`) comes first."""
        watched = Watched(connection, station, extensions, max_size, pong_timeout)
        self._put((watched, RecordKind.OPENED, dict(meta), time.time(), time.monotonic()))
        return watched

    def forwarded(self, watched: Watched, direction: Direction, data: bytes) -> None:
        """`data` was just written onward in `direction`."""
        if watched.fed - watched.taken + len(data) > self.budget:
            watched.dropped[direction] = watched.dropped.get(direction, 0) + len(data)
            return
        if watched.dropped and watched.dropped.get(direction):
            self._queue.append((watched, direction, watched.dropped.pop(direction)))
        watched.fed += len(data)
        self._put((watched, direction, data, time.time(), time.monotonic()))

    def whole(self, watched: Watched, direction: Direction, data: str | bytes, *,
              text_frame: bool = True, meta: Mapping[str, Any] | None = None) -> None:
        """A whole frame was just forwarded in `direction`: a text frame as str, or as the
        bytes that arrived with `text_frame` True (decoded where it is judged, off the
        forwarding path; bytes that are not UTF-8 are kept as bytes); a binary frame as
        bytes with `text_frame` False. Beyond the connection's `budget` it is left unjudged,
        counted as unobserved bytes."""
        size = len(data)
        if watched.fed - watched.taken + size > self.budget:
            watched.bytes_lost += size
            watched.dropped_frames += 1
            return
        watched.fed += size
        self._put((watched, WholeFrame(direction, data, text_frame, meta,
                                       (time.time(), time.monotonic()))))

    def catch_up(self) -> None:
        """Judge everything queued now, on the caller's thread (after the batch the thread
        may be judging): then a record made next comes after every frame forwarded before
        it. Blocks for as long as that takes; for the rare frame whose record is needed at
        once, never for the traffic."""
        with self._turn:
            taken = list(self._queue)
            self._queue.clear()
            if taken:
                self._take(taken)
                self._unjudged = 0

    def closed(self, watched: Watched, meta: Mapping[str, Any]) -> None:
        """The connection ended: its `closed` record comes after everything it carried. The
        close frames seen fill in code, reason and who closed (see `_closing`)."""
        self._put((watched, RecordKind.CLOSED, dict(meta), time.time(), time.monotonic()))

    def _put(self, item: _Item) -> None:
        self._queue.append(item)
        if self._asleep:
            self._wake.set()

    def oldest_unjudged(self) -> float | None:
        """When the oldest item queued or being judged was forwarded (monotonic), None when
        nothing waits: the capture's watch looks no later (`WatchClock`). Called on the
        event loop, the only thread that queues, while the thread may take a batch: the
        queue is read first, and the thread notes a batch before it takes it."""
        try:
            queued: float | None = _forwarded_at(self._queue[0])
        except IndexError:
            queued = None
        judging = self._judging_since
        if queued is None or (judging is not None and judging < queued):
            return judging
        return queued

    @property
    def behind(self) -> int:
        """Frames parsed and not yet recorded, plus chunks not yet parsed: what the observer
        has not judged yet."""
        return self._unjudged + len(self._queue)

    def stop(self, timeout: float = 10.0) -> int:
        """Observe what is queued (for up to `timeout` seconds) and end the thread; returns
        how many items were left unjudged (0 when it caught up)."""
        self._stopping = True
        self._wake.set()
        if self._thread is None:
            return 0
        self._thread.join(timeout)
        left = self.behind if self._thread.is_alive() else 0
        if left:
            self._notice(self._left_behind(left))
        return left

    def _left_behind(self, left: int) -> str:
        return (f"observer stopped {left:,} frames or chunks behind: they were forwarded but "
                "not recorded")

    # --- the thread -------------------------------------------------------------------------

    def _run(self) -> None:
        queue = self._queue
        while True:
            if not queue:
                if self._stopping:
                    return
                self._asleep = True
                if not queue:
                    self._wake.wait(1.0)
                self._asleep = False
                self._wake.clear()
                self.check_pings()
                if not queue:
                    continue
                time.sleep(LINGER)   # let a batch gather: fewer hand-overs of the interpreter
            with self._turn:
                # `catch_up` may have emptied the queue while this thread waited its turn
                self._judging_since = _forwarded_at(queue[0]) if queue else None
                taken = [queue.popleft() for _ in range(min(BATCH, len(queue)))]
                try:
                    self._take(taken)
                except Exception:  # our bug: lost to observation, never to traffic
                    log.exception("observing a batch of %d chunks failed", len(taken))
                self._unjudged = 0
                self._judging_since = None
            if taken:
                self._check_backlog(taken)

    def _take(self, taken: list[_Item]) -> None:
        """What the thread does with each batch it takes off the queue: judge it here."""
        self.observe(taken)

    def observe(self, taken: list[_Item]) -> None:
        """Judge a batch of queued items on the caller's thread, in order. Parse the whole
        batch first (cheap), then record it, so that `behind` counts frames, and hand the
        interpreter back to the event loop after each record."""
        parsed: list[tuple[Watched, Observation | _Event | WholeFrame]] = []
        for item in taken:
            watched = item[0]
            if len(item) == 3:
                _, direction, count = item  # type: ignore[misc]
                watched.bytes_lost += count
                parsed.extend((watched, o) for o in self._link(watched).lost(direction, count))
            elif isinstance(item[1], WholeFrame):
                watched.taken += len(item[1].data)
                parsed.append((watched, item[1]))
            elif isinstance(item[1], Direction):
                _, direction, data, wall, mono = item  # type: ignore[misc]
                watched.taken += len(data)
                parsed.extend((watched, o) for o in self._link(watched).feed(
                    direction, data, (wall, mono)))
            else:
                parsed.append((watched, item))  # type: ignore[arg-type]
        self._unjudged = len(parsed)
        for watched, observation in parsed:
            self._record(watched, observation)
            self._unjudged -= 1
            if self._thread is not None:
                time.sleep(0)  # the event loop may be waiting for the interpreter

    def _link(self, watched: Watched) -> LinkObserver:
        if watched.observer is None:
            options: dict[str, Any] = {"max_size": watched.max_size}
            pong_timeout = watched.pong_timeout or self.pong_timeout
            if pong_timeout is not None:
                options["pong_timeout"] = pong_timeout
            watched.observer = LinkObserver(watched.extensions, **options)
            self._links[watched.connection] = watched
        return watched.observer

    def _record(self, watched: Watched, observation: Observation | _Event | WholeFrame
                ) -> None:
        capture, connection, station = self.capture, watched.connection, watched.station
        if isinstance(observation, WholeFrame):
            data = observation.data
            if observation.text_frame and isinstance(data, bytes):
                text = as_text(data)
                data = data if text is None else text
            capture.judge_frame(connection, station, observation.direction, data,
                                text_frame=observation.text_frame, meta=observation.meta,
                                seen=observation.seen)
        elif isinstance(observation, DataMessage):
            text = as_text(observation.data) if observation.text else None
            meta = {"fragments": observation.fragments} if observation.fragments > 1 else None
            if text is not None:
                capture.judge_frame(connection, station, observation.direction, text,
                                    meta=meta, seen=observation.seen)
            else:
                capture.judge_frame(connection, station, observation.direction,
                                    observation.data, text_frame=observation.text, meta=meta,
                                    seen=observation.seen)
        elif isinstance(observation, ControlFrame):
            message = capture.event(RecordKind.CONTROL, connection, station, observation.meta,
                                    direction=observation.direction, seen=observation.seen)
            if observation.serial:
                watched.ping_seqs[observation.serial] = message.seq
            elif observation.answers is not None:
                watched.ping_seqs.pop(observation.answers, None)
        elif isinstance(observation, MissedPong):
            seq = watched.ping_seqs.pop(observation.ping.serial, None)
            if seq is not None:
                capture.note(seq, warning("websocket.missed-pong", observation.text))
        elif isinstance(observation, StreamProblem):
            who = "station" if observation.direction is Direction.STATION_TO_CSMS else "CSMS"
            self._notice(f"{station}: frames from the {who}: {observation.text}")
        else:
            _, kind, meta, wall, mono = observation
            if kind is RecordKind.CLOSED:
                for missed in self._link(watched).ended():
                    self._record(watched, missed)
                meta = _closing(self._link(watched), meta, watched.bytes_lost)
                if watched.dropped_frames:
                    meta["unjudged_frames"] = watched.dropped_frames
                self._links.pop(connection, None)
            capture.event(kind, connection, station, meta, seen=(wall, mono))

    def check_pings(self) -> None:
        """Turn pings whose pong is overdue into findings (the thread does it when it wakes,
        at least every second)."""
        now = time.monotonic()
        for watched in list(self._links.values()):
            if watched.observer is not None:
                for missed in watched.observer.missed(now):
                    self._record(watched, missed)

    def _check_backlog(self, taken: list[_Item]) -> None:
        last = taken[-1]
        if isinstance(last[1], WholeFrame):
            age = time.monotonic() - last[1].seen[1]
        else:
            age = time.monotonic() - last[-1] if len(last) == 5 else 0.0  # type: ignore[operator]
        waiting = len(self._queue)
        if not self._told_behind and age > self.warn_after and waiting:
            self._told_behind = True
            self._notice(f"the observer is {age:.0f} s behind ({waiting:,} chunks not judged "
                         "yet); forwarding goes on and it catches up when traffic eases")
        elif self._told_behind and not waiting:
            self._told_behind = False
            self._notice("the observer has caught up")


def _forwarded_at(item: _Item) -> float:
    """When a queued item was forwarded (monotonic); a gap, which has no time and comes
    just before the chunk that follows it, holds a watch back entirely until it is read."""
    second = item[1]
    if isinstance(second, WholeFrame):
        return second.seen[1]
    return item[4] if len(item) == 5 else float("-inf")  # type: ignore[misc]


def _closing(observer: LinkObserver, meta: Mapping[str, Any], lost: int) -> dict[str, Any]:
    """The closed record's meta: the splice says how the TCP connections ended; the close
    frames seen say who closed, with which code and reason, and whether both sides did."""
    closing = dict(meta)
    first = observer.first_close
    if first is not None and first.close is not None:
        closing["code"], closing["reason"] = first.close
        closing["by"] = "station" if first.direction is Direction.STATION_TO_CSMS else "csms"
        closing["clean"] = len(observer.closes) == 2
    if lost:
        closing["unobserved_bytes"] = lost
    return closing
