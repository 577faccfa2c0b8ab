"""Judging in another process: what the forwarding process ships, and how it is judged there.

In the window, the observer is a thread (`app.net.observing`): the capture must live where
the window reads it. A headless proxy has no such tie, and a thread in the forwarding process
still takes the interpreter from the event loop for every record it judges. So there the
capture lives in a child process, and the forwarding process only ships what it forwarded:

- `ShippingObserving` is an `Observing` whose thread does not judge: it turns each batch
  taken off the queue into plain tuples (`Wire`) and writes them, pickled, to a pipe. The
  event loop's side is unchanged (`watch`, `forwarded`, `whole`, `closed`), and so are the
  budget, the gaps and the backlog notice: when the child falls behind, the pipe fills, the
  queue grows, and past a connection's budget chunks are dropped from observation, never
  from forwarding.
- `RemoteCapture` stands in for the capture wherever the proxies record without the
  observer (refused handshakes, our own keep-alive pings and their missed pongs): its
  records go down the same queue, so they keep their place among the frames. A record it
  returns carries a provisional seq (negative) that the child maps to the real one, so that
  a finding noted on it later (a missed pong) lands on the right record.
- `Receiver`, in the child, rebuilds the observer's items from the tuples and hands them to an
  `Observing` without a thread of its own: the very code that judges in the window judges
  here, and the records come out the same.

If the child is gone, shipping stops: the user is told once, and forwarding goes on.
"""

from __future__ import annotations

import itertools
import logging
import math
import pickle
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from app.net.diagnosis import diagnose
from app.net.observing import BUDGET, Observing, Watched, WholeFrame
from app.ocpp.conversation import Direction
from app.ocpp.findings import Finding
from app.session.capture import Capture
from app.session.message import Message, RecordKind, frame_message

log = logging.getLogger(__name__)

MAX_PROVISIONAL = 10_000    # provisional seqs the child remembers for a later finding
PACE = 0.002                # seconds between two batches written to the pipe

# What crosses the pipe, one tuple per item, tag first (see `ShippingObserving._wire`):
#   ("opened", connection, station, extensions, max_size, pong timeout, meta, wall, monotonic)
#   ("chunk", connection, direction, bytes, wall, monotonic)
#   ("gap", connection, direction, byte count)
#   ("frame", connection, direction, data, text_frame, meta, wall, monotonic)
#   ("closed", connection, meta, wall, monotonic, bytes lost, frames left unjudged)
#   ("event", provisional seq, kind, connection, station, meta, direction, wall, monotonic)
#   ("note", seq or provisional seq, finding)
#   ("clock", monotonic): every frame forwarded before this moment was shipped before it
Wire = tuple[Any, ...]


class ShippingObserving(Observing):
    """The forwarding process's observer: queues like `Observing`, ships instead of judging.

    `send` writes one pickled batch (the pipe's `send_bytes`, which lets go of the
    interpreter while it writes); when it fails (the child is gone) `lost(reason)` is
    called once and every later batch is dropped and counted (`unshipped`)."""

    def __init__(self, send: Callable[[bytes], None], notice: Callable[[str], None], *,
                 lost: Callable[[str], None] | None = None, budget: int = BUDGET) -> None:
        self._send = send
        self._lost = lost or notice
        self.dead = False
        self.shipped = 0        # items written to the pipe, the clock's left out
        self.unshipped = 0      # items dropped because the child was gone
        super().__init__(_NO_CAPTURE, notice, budget=budget)

    def ship(self, item: Wire) -> None:
        """Queue an item already in its wire form, in order with the forwarded traffic."""
        self._put((None, item))  # type: ignore[arg-type]

    def tick(self) -> None:
        """Tell the child the time, in order with the traffic: on the event loop, which
        queues every frame with the time it was forwarded, so that every frame forwarded
        before this moment comes before it. The child's answer watch looks no later than
        the latest time told (`Receiver`): it never flags a CALL whose answer crossed in
        time and is still on its way."""
        if not self.dead:
            self.ship(("clock", time.monotonic()))

    def _take(self, taken: list[Any]) -> None:
        wire = [_wire(item) for item in taken]
        if self.dead:
            self.unshipped += _records(wire)
            return
        try:
            self._send(pickle.dumps(wire, pickle.HIGHEST_PROTOCOL))
        except (OSError, ValueError, EOFError) as exc:  # the child is gone
            self.dead = True
            self.unshipped += _records(wire)
            self._lost(f"the observer process stopped taking frames ({type(exc).__name__})")
            return
        self.shipped += _records(wire)
        # one batch per `PACE` at most: under load the thread would otherwise ship a few
        # items at a time, taking the interpreter from the event loop for each
        time.sleep(PACE)

    def catch_up(self) -> None:
        """Nothing to do: no record can be had here at once, and whatever is shipped later
        still comes after everything queued before it."""

    def stop(self, timeout: float = 10.0) -> int:
        """Ship what is queued (for up to `timeout` seconds: the child may be behind and the
        pipe full) and end the thread; returns how many items were left unshipped, which
        the owner tells (`ObserverProcess.finish` waits longer than a proxy's stop)."""
        self._stopping = True
        self._wake.set()
        assert self._thread is not None
        self._thread.join(timeout)
        return self.behind if self._thread.is_alive() else 0

    @property
    def behind(self) -> int:
        """Items queued and not shipped yet, the clock's left out: they are no frames."""
        queued = list(self._queue)  # one copy, in C: no thread moves the queue meanwhile
        return sum(not _is_clock(entry) for entry in queued)

    def flush(self) -> None:
        """Ship, on the caller's thread, what was queued after the thread ended."""
        with self._turn:
            taken = list(self._queue)
            self._queue.clear()
            if taken:
                self._take(taken)


def _is_clock(entry: Any) -> bool:
    """Whether a queued entry is the clock's (`tick`), which `ship` queues as it is."""
    return entry[0] is None and entry[1][0] == "clock"


def _records(wire: list[Wire]) -> int:
    """The items of a batch that would have been records: all but the clock's."""
    return sum(item[0] != "clock" for item in wire)


def _wire(item: Any) -> Wire:
    """One queued item of `Observing` as plain data (no `Watched`: the child has its own)."""
    watched, second = item[0], item[1]
    if watched is None:
        return second  # type: ignore[no-any-return]
    connection = watched.connection
    if isinstance(second, Direction):
        if len(item) == 3:
            return ("gap", connection, second, item[2])
        watched.taken += len(item[2])
        return ("chunk", connection, second, item[2], item[3], item[4])
    if isinstance(second, WholeFrame):
        watched.taken += len(second.data)
        return ("frame", connection, second.direction, second.data, second.text_frame,
                second.meta, *second.seen)
    if second is RecordKind.OPENED:
        return ("opened", connection, watched.station, watched.extensions, watched.max_size,
                watched.pong_timeout, item[2], item[3], item[4])
    return ("closed", connection, item[2], item[3], item[4], watched.bytes_lost,
            watched.dropped_frames)


class RemoteCapture:
    """The capture as the forwarding process sees it when the real one is in the child:
    what the proxies call on a capture, shipped in order through `observing`."""

    def __init__(self, observing: ShippingObserving) -> None:
        self.observing = observing
        self._provisional = itertools.count(-1, -1)

    def event(self, kind: RecordKind, connection: str, station: str,
              meta: Mapping[str, Any], *, direction: Direction | None = None,
              seen: tuple[float, float] | None = None) -> Message:
        """Ship a connection event; the record returned has a provisional (negative) seq.
        A refusal gets its diagnosis here already, as the capture would give it (a refused
        connection has no history to weigh), so that the caller can tell it at once."""
        wall, mono = seen if seen is not None else (time.time(), time.monotonic())
        seq = next(self._provisional)
        meta = dict(meta)
        if kind is RecordKind.REJECTED and "diagnosis" not in meta:
            meta["diagnosis"] = diagnose(kind.value, meta, {}).sentence
        self.observing.ship(("event", seq, kind, connection, station, meta, direction,
                             wall, mono))
        return Message(seq, wall, mono, connection, station, direction, kind, meta=dict(meta))

    def note(self, seq: int, finding: Finding) -> None:
        self.observing.ship(("note", seq, finding))

    def frame(self, connection: str, station: str, direction: Direction,
              data: str | bytes, *, text_frame: bool = False,
              meta: Mapping[str, Any] | None = None) -> Message:
        """Ship a frame judged out of the observer's stream (an injected one: none in a
        headless proxy today); the record returned is provisional and unjudged."""
        wall, mono = time.time(), time.monotonic()
        seq = next(self._provisional)
        self.observing.ship(("event", seq, "frame", connection, station,
                             (data, text_frame, dict(meta) if meta else None), direction,
                             wall, mono))
        if isinstance(data, str):
            return frame_message(seq, data, connection=connection, station=station,
                                 direction=direction, time=wall, monotonic=mono)
        kind = RecordKind.FRAME if text_frame else RecordKind.BINARY
        return Message(seq, wall, mono, connection, station, direction, kind,
                       text=data.decode("utf-8", "replace") if text_frame else "", data=data)


def observing_for(capture: Capture | RemoteCapture,
                  notice: Callable[[str], None]) -> Observing:
    """The observer a proxy hands what it forwarded to: a capture in another process has
    its shipping one; a capture here gets an observer thread of its own."""
    if isinstance(capture, RemoteCapture):
        return capture.observing
    return Observing(capture, notice)


@dataclass(eq=False)
class Receiver:
    """The child's end: judges what the forwarding process shipped, in the order it came."""

    capture: Capture
    notice: Callable[[str], None]

    def __post_init__(self) -> None:
        self.observing = Observing(self.capture, self.notice, threaded=False)
        self._watched: dict[str, Watched] = {}
        self._seqs: OrderedDict[int, int] = OrderedDict()   # provisional seq -> real seq
        # the forwarding process's latest clock: whatever crossed before it is judged
        self.told_time = -math.inf
        self.capture.watch_clock.hold(lambda: self.told_time)

    def take(self, batch: list[Wire]) -> None:
        """Judge one shipped batch. Never raises: an item it cannot read is logged and
        skipped (it came from our own forwarding process, so that is our bug)."""
        run: list[Any] = []
        for item in batch:
            try:
                if item[0] == "clock":
                    self.told_time = item[1]
                elif item[0] in ("event", "note"):
                    self._flush(run)
                    self._direct(item)
                else:
                    self._rebuild(item, run)
            except Exception:
                log.exception("judging a shipped %r failed", item[:1])
        self._flush(run)

    def _flush(self, run: list[Any]) -> None:
        if run:
            try:
                self.observing.observe(run)
            except Exception:
                log.exception("judging a batch of %d shipped items failed", len(run))
            run.clear()

    def _rebuild(self, item: Wire, run: list[Any]) -> None:
        tag, connection = item[0], item[1]
        if tag == "opened":
            _, _, station, extensions, max_size, pong_timeout, meta, wall, mono = item
            watched = Watched(connection, station, extensions, max_size, pong_timeout)
            self._watched[connection] = watched
            run.append((watched, RecordKind.OPENED, meta, wall, mono))
            return
        watched = self._watched.get(connection)  # type: ignore[assignment]
        if watched is None:
            return
        if tag == "chunk":
            run.append((watched, *item[2:]))
        elif tag == "gap":
            run.append((watched, item[2], item[3]))
        elif tag == "frame":
            _, _, direction, data, text_frame, meta, wall, mono = item
            run.append((watched, WholeFrame(direction, data, text_frame, meta, (wall, mono))))
        elif tag == "closed":
            _, _, meta, wall, mono, lost, unjudged = item
            watched.bytes_lost += lost
            watched.dropped_frames += unjudged
            run.append((watched, RecordKind.CLOSED, meta, wall, mono))
            del self._watched[connection]

    def _direct(self, item: Wire) -> None:
        capture = self.capture
        if item[0] == "note":
            _, seq, finding = item
            seq = self._seqs.pop(seq, None) if seq < 0 else seq
            if seq is not None:
                capture.note(seq, finding)
            return
        _, provisional, kind, connection, station, meta, direction, wall, mono = item
        if kind == "frame":
            data, text_frame, frame_meta = meta
            message = capture.judge_frame(connection, station, direction, data,
                                          text_frame=text_frame, meta=frame_meta,
                                          seen=(wall, mono))[0]
        else:
            message = capture.event(kind, connection, station, meta, direction=direction,
                                    seen=(wall, mono))
        self._seqs[provisional] = message.seq
        if len(self._seqs) > MAX_PROVISIONAL:
            self._seqs.popitem(last=False)


class _NoCapture:
    """What a `ShippingObserving` judges with: nothing (it never judges)."""


_NO_CAPTURE: Any = _NoCapture()
