"""Our own keep-alive on the WebSockets we hold: each ping and its pong recorded.

websockets' keep-alive pings silently and speaks only when it gives up ("keepalive ping
timeout"). A field engineer chasing connections that drop every minute needs more: when each
ping went, whether its pong came and after how long. So wherever we hold a WebSocket (both
hops of the terminating proxy, our CSMS, our station) websockets' keep-alive is off and one
`KeepAlive` task per connection pings instead, recording:

- each ping and each pong as a `CONTROL` record shaped like the transparent proxy's
  (`app.net.observer.ControlFrame.meta`: opcode, size, payload, who sent it, a pong's round
  trip), so the Connections view, the attempt tracker and the doctor treat both modes alike;
- a ping without a pong as the observer's finding (`websocket.missed-pong`) on the ping's
  record; the connection is then closed with 1011 "keepalive ping timeout", as websockets
  would have, and the doctor's sentence says which side stopped answering.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from dataclasses import dataclass

from websockets.asyncio.connection import Connection
from websockets.exceptions import ConnectionClosed

from app.net import links
from app.net.observer import ControlFrame
from app.ocpp.conversation import Direction
from app.ocpp.findings import warning
from app.session.capture import Capture
from app.session.message import Message, RecordKind

log = logging.getLogger(__name__)

PONG_TIMEOUT = 20.0     # seconds a pong may take at most (websockets' own default)
MISSED_PONG = "websocket.missed-pong"
KEEPALIVE_TIMEOUT = "keepalive ping timeout"   # the close reason, as websockets words it

# The tasks running, so that none is collected while its connection lives.
_running: set[asyncio.Task[None]] = set()


@dataclass(eq=False)
class KeepAlive:
    """Pings on one connection every `interval` seconds; `towards` is the direction our pings
    travel, `by` who we are on this hop ("proxy", "csms" or "station")."""

    ws: Connection
    capture: Capture
    connection: str
    station: str
    towards: Direction
    by: str
    interval: float
    pong_timeout: float = PONG_TIMEOUT

    @property
    def peer(self) -> str:
        """Who must answer our pings, as a finding names it."""
        return "station" if self.towards is Direction.CSMS_TO_STATION else "CSMS"

    def start(self) -> asyncio.Task[None]:
        task = asyncio.ensure_future(self.run())
        _running.add(task)
        task.add_done_callback(_running.discard)
        return task

    async def run(self) -> None:
        """Ping until the connection ends (or a pong is missed, which ends it). Never raises
        for what the peer does: a pong that never comes is a finding."""
        try:
            while await self._ping_once():
                pass
        except Exception:  # our bug: the connection goes on without keep-alive
            log.exception("keep-alive of %s failed", self.station)

    async def _ping_once(self) -> bool:
        """Wait an interval, ping, await the pong; False when pinging should stop."""
        await asyncio.sleep(self.interval)
        payload = os.urandom(4)
        try:
            waiter = await self.ws.ping(payload)
        except ConnectionClosed:
            return False
        ping = self._record("ping", payload, self.towards)
        done, _ = await asyncio.wait({waiter}, timeout=self.pong_timeout)
        if not done:
            waiter.cancel()
            self._missed(ping, f"within {self.pong_timeout:g} s")
            await links.close_within(self.ws, 1011, KEEPALIVE_TIMEOUT)
            return False
        if waiter.exception() is not None:  # the connection ended first
            self._missed(ping, "before the connection ended")
            return False
        rtt = waiter.result()
        self._record("pong", payload, self.towards.opposite,
                     rtt if isinstance(rtt, float) else None)
        return True

    def _record(self, opcode: str, payload: bytes, direction: Direction,
                rtt: float | None = None) -> Message:
        now = (time.time(), time.monotonic())
        meta = ControlFrame(direction, opcode, payload, now, rtt=rtt).meta
        if opcode == "ping":
            meta["by"] = self.by   # the observer names the sender by direction; we are it
        return self.capture.event(RecordKind.CONTROL, self.connection, self.station, meta,
                                  direction=direction, seen=now)

    def _missed(self, ping: Message, when: str) -> None:
        self.capture.note(ping.seq, warning(
            MISSED_PONG, f"ping by the {_name(self.by)} got no pong from the {self.peer} "
                         f"{when}"))


def keep_alive(ws: Connection, capture: Capture, connection: str, station: str, *,
               towards: Direction, by: str, interval: float | None,
               pong_timeout: float | None = None) -> asyncio.Task[None] | None:
    """Start pinging `ws` (None, and nothing started, when `interval` is None or 0). The
    task ends by itself with the connection."""
    if not interval or interval <= 0:
        return None
    return KeepAlive(ws, capture, connection, station, towards, by, interval,
                     pong_timeout or min(PONG_TIMEOUT, max(interval, 0.1))).start()


def keep_hops_alive(capture: Capture, connection: str, station: str, station_ws: Connection,
                    upstream: Connection, interval: float | None,
                    pong_timeout: float | None = None) -> None:
    """Both hops of a terminating proxy: the proxy pings the station and the CSMS."""
    keep_alive(station_ws, capture, connection, station, towards=Direction.CSMS_TO_STATION,
               by="proxy", interval=interval, pong_timeout=pong_timeout)
    keep_alive(upstream, capture, connection, station, towards=Direction.STATION_TO_CSMS,
               by="proxy", interval=interval, pong_timeout=pong_timeout)


def _name(by: str) -> str:
    return "CSMS" if by == "csms" else by
