"""One captured TCP connection read as an OCPP WebSocket connection.

Segments come in capture order; each side is reassembled (`tcp_streams`), its HTTP upgrade
read (`handshake`), then its frames (`websocket_stream`). What the connection saw is kept as
`Seen` entries naming the endpoint that sent each one; which endpoint is the station is
settled at the end (`Roles`), because a connection whose start was not captured only tells
by its masking, its ports or the actions each side sends.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from websockets.frames import Close
from websockets.http11 import Request, Response

from app.ocpp.conversation import Direction
from app.ocpp.frames import Call, parse_frame
from app.ocpp.sides import sender_of
from app.session.importers import handshake
from app.session.importers.handshake import HttpHead
from app.session.importers.packets import Endpoint, Segment
from app.session.importers.tcp_streams import Chunk, Delivery, Gap, HalfStream
from app.session.importers.websocket_stream import (
    FrameStream,
    WsEvent,
    WsKind,
    deflate_decoder,
)
from app.session.importing import SKIPPED, SUBPROTOCOL_UNKNOWN
from app.session.message import RecordKind

_PAYLOAD_SHOWN = 32   # bytes of a control frame's payload kept (as hex) in its record


class Mode(StrEnum):
    UNKNOWN = "unknown"    # no payload yet
    UPGRADE = "upgrade"    # reading the HTTP upgrade
    FRAMES = "frames"      # reading WebSocket frames
    SKIPPED = "skipped"    # not an OCPP WebSocket connection, or its handshake failed


@dataclass(slots=True)
class Seen:
    """Something the connection carried, before it is numbered and given a direction."""

    packet: int
    order: int
    time: float
    kind: RecordKind
    sender: Endpoint | None
    data: bytes = b""
    meta: dict[str, Any] | None = None


@dataclass(slots=True)
class Roles:
    """Which endpoint is the station, and how that is known (for the import's notes)."""

    station: Endpoint
    csms: Endpoint
    how: str              # "handshake", "masking", "port", "actions", "guess"

    @property
    def certain(self) -> bool:
        return self.how in ("handshake", "masking")

    def direction(self, sender: Endpoint | None) -> Direction | None:
        if sender is None:
            return None
        return Direction.STATION_TO_CSMS if sender == self.station else \
            Direction.CSMS_TO_STATION

    def name(self, sender: Endpoint | None) -> str:
        return "station" if sender == self.station else "csms"


@dataclass(slots=True)
class CapturedConnection:
    first: Segment
    order: Iterator[int]
    client: Endpoint | None = None           # who sent the SYN or the GET
    mode: Mode = Mode.UNKNOWN
    mid_stream: bool = False
    station_id: str = ""
    subprotocol: str | None = None
    seen: list[Seen] = field(default_factory=list)
    notes: list[tuple[int, str, str]] = field(default_factory=list)  # packet, text, code
    skipped_because: str = ""
    ended: bool = False
    opened_at: float | None = None
    _halves: dict[Endpoint, HalfStream] = field(default_factory=dict)
    _heads: dict[Endpoint, HttpHead] = field(default_factory=dict)
    _frames: dict[Endpoint, FrameStream] = field(default_factory=dict)
    _queued: dict[Endpoint, list[Delivery]] = field(default_factory=dict)
    _pings: dict[Endpoint, float] = field(default_factory=dict)
    _closes: list[tuple[Endpoint, bytes]] = field(default_factory=list)
    _finished: set[Endpoint] = field(default_factory=set)
    _votes: Counter[Endpoint] = field(default_factory=Counter)
    _request: Request | None = None

    @property
    def endpoints(self) -> tuple[Endpoint, Endpoint]:
        return self.first.source, self.first.target

    @property
    def carried_websocket(self) -> bool:
        return bool(self.seen)

    def segment(self, segment: Segment, time: float, packet: int) -> None:
        """One captured segment of this connection, in capture order."""
        source, target = segment.source, segment.target
        half = self._halves.setdefault(source, HalfStream())
        if segment.syn:
            half.syn(segment.seq)
            if self.client is None:
                self.client = target if segment.ack is not None else source
        if segment.cut:
            self.notes.append((packet, f"packet {packet} was cut short by the capture "
                                       f"({segment.cut} bytes missing); its data is skipped",
                               SKIPPED))
        else:
            seq = (segment.seq + 1) if segment.syn else segment.seq
            self._deliver(source, half.segment(seq, segment.payload, time, packet))
        if segment.ack is not None and target in self._halves:
            self._deliver(target, self._halves[target].acknowledged(segment.ack, time, packet))
        if segment.rst:
            self.finish(time, packet, reset_by=source)
        elif segment.fin:
            half.fin(segment.seq + len(segment.payload) + segment.cut + int(segment.syn))
            self._finished.add(source)
            if len(self._finished) == 2:
                self.finish(time, packet)

    def finish(self, time: float, packet: int, reset_by: Endpoint | None = None,
               capture_ended: bool = False) -> None:
        """The connection ended (both FINs, a RST) or the capture did: read what is left."""
        if self.ended:
            return
        self.ended = True
        for side, half in self._halves.items():
            while half.held_bytes:
                self._deliver(side, half.skip_gap(time, packet))
        if self.mode is Mode.UPGRADE:  # a refusal's body may run to the end of the stream
            for side in list(self._heads):
                self._upgrade(side, Chunk(b"", time, packet), eof=True)
        for side, frames in self._frames.items():
            self._events(side, frames.end())
        if self.mode is Mode.UPGRADE and not self.skipped_because:
            self._skip("the capture holds no complete WebSocket upgrade for it")
        if self.mode is not Mode.FRAMES or capture_ended:
            return
        self.seen.append(Seen(packet, next(self.order), time, RecordKind.CLOSED, None,
                              meta=self._closed_meta(time, reset_by)))

    def _closed_meta(self, time: float, reset_by: Endpoint | None) -> dict[str, Any]:
        if self._closes:
            closer, payload = self._closes[0]
            code, reason = _close_of(payload)
            clean = len({sender for sender, _ in self._closes}) == 2
        else:
            closer = reset_by or next(iter(self._finished), None)
            code, reason, clean = 1006, "connection lost without a closing handshake", False
        meta: dict[str, Any] = {"code": code, "reason": reason, "by": closer, "clean": clean}
        if self.opened_at is not None:
            meta["duration"] = round(time - self.opened_at, 3)
        return meta

    def _deliver(self, side: Endpoint, deliveries: list[Delivery]) -> None:
        for delivery in deliveries:
            if self.mode is Mode.UNKNOWN:
                self._choose_mode(side, delivery)
            if self.mode is Mode.UPGRADE:
                self._upgrade(side, delivery)
            elif self.mode is Mode.FRAMES:
                self._events(side, self._frames[side].feed(delivery))

    def _choose_mode(self, side: Endpoint, delivery: Delivery) -> None:
        data = delivery.data if isinstance(delivery, Chunk) else b""
        if data.startswith(b"GET "):
            self.client, self.mode = side, Mode.UPGRADE
        elif data.startswith(b"HTTP/"):
            self.client, self.mode = self._other(side), Mode.UPGRADE
        elif data[:2] in (b"\x16\x03", b"\x17\x03", b"\x15\x03"):
            self._skip("it is encrypted (TLS): only unencrypted OCPP can be read from a "
                       "capture")
        elif self.client is not None and self._halves[self.client].started_at_syn \
                and isinstance(delivery, Chunk):
            self._skip("it does not start with a WebSocket upgrade")
        else:
            self._start_mid_stream(delivery.packet)

    def _start_mid_stream(self, packet: int) -> None:
        """No upgrade to read: frames from the first boundary that can be trusted on, with
        an inflater that works if the peers compress without context takeover."""
        self.mode, self.mid_stream = Mode.FRAMES, True
        for side in self.endpoints:
            self._frames[side] = FrameStream(None, deflate_decoder(True), synced=False)
        self.notes.append((packet, "the capture starts in the middle of this connection: "
                                   "its upgrade was not captured, so the station id and the "
                                   "subprotocol are unknown", SKIPPED))

    def _upgrade(self, side: Endpoint, delivery: Delivery, eof: bool = False) -> None:
        if isinstance(delivery, Gap):
            self._upgrade_lost(side, delivery)
            return
        if side in self._queued:  # its head is complete: what follows waits for the other
            if delivery.data:
                self._queued[side].append(delivery)
            return
        head = self._heads.get(side)
        if head is None:
            head = self._heads[side] = HttpHead(request=side == self.client)
        if not head.feed(delivery.data, eof):
            return
        if head.error is not None:
            what = "request" if side == self.client else "response"
            self._skip(f"its HTTP {what} could not be read ({head.error})")
            return
        rest = head.rest
        self._queued[side] = [Chunk(rest, delivery.time, delivery.packet)] if rest else []
        request = self._heads.get(self.client) if self.client else None
        response = self._heads.get(self._other(self.client)) if self.client else None
        if request and response and request.head and response.head:
            self._upgraded(request.head, response.head, delivery.time, delivery.packet)

    def _upgrade_lost(self, side: Endpoint, gap: Gap) -> None:
        """Part of the upgrade was not captured. With the station's request read and the
        CSMS's answer lost, the frames that follow still show the connection; without the
        request, it is read as one whose start was not captured."""
        request = self._heads.get(self.client) if self.client else None
        if self.client is None or request is None or not isinstance(request.head, Request) \
                or side == self.client:
            self._heads.clear()
            self._queued.clear()
            self._start_mid_stream(gap.packet)
            return
        self.station_id = handshake.station_of(request.head)
        self.opened_at = gap.time
        self.seen.append(Seen(gap.packet, next(self.order), gap.time, RecordKind.OPENED, None,
                              meta=handshake.opened_meta(request.head, None,
                                                         str(self.client))))
        self.notes.append((gap.packet, "the CSMS's answer to the upgrade is missing from "
                                       "the capture: the subprotocol it chose is unknown",
                               SUBPROTOCOL_UNKNOWN))
        self.mode = Mode.FRAMES
        self._frames[self.client] = FrameStream(True, deflate_decoder(True))
        self._frames[side] = FrameStream(False, deflate_decoder(True), synced=False)
        for queued in self._queued.pop(self.client, []):
            self._events(self.client, self._frames[self.client].feed(queued))
        self._queued.clear()

    def _upgraded(self, request: Any, response: Any, time: float, packet: int) -> None:
        assert self.client is not None
        if not isinstance(request, Request) or not isinstance(response, Response):
            self._skip("its HTTP exchange is not a WebSocket upgrade")
            return
        self.station_id = handshake.station_of(request)
        if response.status_code != 101:
            self.mode = Mode.SKIPPED
            self.seen.append(Seen(packet, next(self.order), time, RecordKind.REJECTED, None,
                                  meta=handshake.rejected_meta(request, response,
                                                               str(self.client))))
            return
        meta = handshake.opened_meta(request, response, str(self.client))
        self.subprotocol = meta.get("subprotocol")
        self.opened_at = time
        self.seen.append(Seen(packet, next(self.order), time, RecordKind.OPENED, None,
                              meta=meta))
        self.mode = Mode.FRAMES
        station_sends, csms_sends = handshake.inflaters(response)
        server = self._other(self.client)
        self._frames[self.client] = FrameStream(True, station_sends)
        self._frames[server] = FrameStream(False, csms_sends)
        for side in (self.client, server):
            for queued in self._queued.pop(side, []):
                self._events(side, self._frames[side].feed(queued))

    def _events(self, side: Endpoint, events: list[WsEvent]) -> None:
        for event in events:
            if event.kind is WsKind.NOTE:
                self.notes.append((event.packet, event.note, SKIPPED))
                continue
            kind, meta = RecordKind.FRAME, None
            if event.kind is WsKind.BINARY:
                kind = RecordKind.BINARY
            elif event.kind is not WsKind.TEXT:
                kind, meta = RecordKind.CONTROL, self._control_meta(side, event)
            else:
                self._vote(side, event.data)
            self.seen.append(Seen(event.packet, next(self.order), event.time, kind, side,
                                  event.data, meta))

    def _control_meta(self, side: Endpoint, event: WsEvent) -> dict[str, Any]:
        meta: dict[str, Any] = {"opcode": event.kind.value, "size": len(event.data)}
        if event.data:
            meta["payload"] = event.data[:_PAYLOAD_SHOWN].hex()
        if event.kind is WsKind.PING:
            self._pings[side] = event.time
        elif event.kind is WsKind.PONG:
            pinged = self._pings.pop(self._other(side), None)
            if pinged is not None:
                meta["rtt"] = round(event.time - pinged, 6)
        else:
            self._closes.append((side, event.data))
            meta["code"], meta["reason"] = _close_of(event.data)
        return meta

    def _vote(self, side: Endpoint, data: bytes) -> None:
        """A CALL whose action only one side sends tells which side this is."""
        if not self.mid_stream:
            return
        frame = parse_frame(data, binary=False).frame
        if isinstance(frame, Call):
            sender = sender_of(frame.action)
            if sender is Direction.STATION_TO_CSMS:
                self._votes[side] += 1
            elif sender is Direction.CSMS_TO_STATION:
                self._votes[self._other(side)] += 1

    def roles(self, servers: set[Endpoint]) -> Roles:
        """Which endpoint is the station: the client of the handshake or SYN; else the side
        that masks its frames; else the peer of a port several connections went to; else
        the side whose actions a station sends; else the one on the higher port."""
        a, b = self.endpoints
        if self.client is not None:
            return Roles(self.client, self._other(self.client), "handshake")
        for side, frames in self._frames.items():
            if frames.masked is not None:
                station = side if frames.masked else self._other(side)
                return Roles(station, self._other(station), "masking")
        if (a in servers) != (b in servers):
            station = b if a in servers else a
            return Roles(station, self._other(station), "port")
        if self._votes and self._votes[a] != self._votes[b]:
            station = a if self._votes[a] > self._votes[b] else b
            return Roles(station, self._other(station), "actions")
        station = a if a.port > b.port else b
        return Roles(station, self._other(station), "guess")

    def _other(self, side: Endpoint | None) -> Endpoint:
        a, b = self.endpoints
        return b if side == a else a

    def _skip(self, why: str) -> None:
        self.mode = Mode.SKIPPED
        self.skipped_because = self.skipped_because or why
        self._frames.clear()


def _close_of(payload: bytes) -> tuple[int, str]:
    """A close frame's code and reason; a malformed one reads as 1005 with what it held."""
    try:
        close = Close.parse(payload)
    except Exception:  # a peer's malformed close payload: keep what can be shown
        return 1005, payload[2:].decode("utf-8", "replace")
    return int(close.code), close.reason


def order_counter() -> Iterator[int]:
    return itertools.count()
