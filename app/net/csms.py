"""The CSMS endpoint: stations connect to us, we answer them and can call them.

Stations connect to `ws://host:port/<anything>/<stationId>` offering `ocpp2.0.1`. A station
that offers no subprotocol we speak is refused with HTTP 400 and a sentence saying what it
offered, instead of the bare "connection refused" it would see elsewhere.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.http11 import Request, Response

from app.errors import NotConnected
from app.net import limits, links, secrets
from app.net.diagnosis import handshake_facts
from app.net.handshakes import not_an_upgrade, watch_handshakes
from app.net.keepalive import keep_alive
from app.net.peer import CallOutcome, OcppPeer
from app.net.policy import ResponsePolicy
from app.net.proxy import DEFAULT_MAX_SIZE
from app.ocpp.catalog import Sender
from app.ocpp.conversation import Direction
from app.session.capture import Capture
from app.session.message import RecordKind

log = logging.getLogger(__name__)


@dataclass
class CsmsConfig:
    host: str = "127.0.0.1"
    port: int = 0
    server_ssl: ssl.SSLContext | None = None
    max_size: int = DEFAULT_MAX_SIZE
    call_timeout: float = 30.0
    ping_interval: float | None = 30.0
    pong_timeout: float | None = None   # None: the interval, at most keepalive.PONG_TIMEOUT
    record_secrets: bool = False
    # Stations served at once; None: as many as the open-file limit allows (one each).
    max_stations: int | None = None


class CsmsEndpoint:
    def __init__(self, config: CsmsConfig, capture: Capture,
                 policy: ResponsePolicy | None = None,
                 notice: Callable[[str], None] | None = None) -> None:
        self.config = config
        self.capture = capture
        self.policy = policy or ResponsePolicy()
        self._notice = notice or (lambda text: log.info("%s", text))
        self.peers: dict[str, OcppPeer] = {}
        self._server: Server | None = None
        self._connected = asyncio.Condition()
        self._closing: set[asyncio.Future[None]] = set()
        self.capacity = limits.Capacity(1, config.max_stations)  # one socket a station
        self._serving = 0  # connections past their handshake

    @property
    def port(self) -> int:
        return links.listening_port(self._server)

    @property
    def url(self) -> str:
        return links.listening_url(self.config.server_ssl, self.config.host, self.port, "/ocpp")

    async def start(self) -> None:
        """Start listening; raises OSError if the address cannot be used."""
        guarded = watch_handshakes(self.config.server_ssl, self.capture, self._notice, "csms")
        self._server = await serve(
            self._serve, self.config.host, self.config.port, ssl=self.config.server_ssl,
            create_connection=guarded,
            process_request=self._check_request, subprotocols=[links.OCPP201],  # type: ignore[list-item]
            max_size=self.config.max_size, ping_interval=None,  # ours: see _serve_station
            server_header="OCPP Scope CSMS")

    async def stop(self) -> None:
        """Stop listening and close every station's connection with 1001 within a bounded
        time (a station that does not read is cut), each with its `closed` record."""
        if self._server is None:
            return
        self._server.close(close_connections=False)
        peers = list(self.peers.values())
        if peers:
            await asyncio.gather(*(links.close_within(peer.ws, 1001, "CSMS stopping")
                                   for peer in peers))
        await self._server.wait_closed()

    async def call(self, station: str, action: str, payload: dict[str, Any], *,
                   timeout: float | None = None) -> CallOutcome:
        peer = self.peers.get(station)
        if peer is None:
            raise NotConnected(f"station '{station}' is not connected")
        return await peer.call(action, payload, timeout=timeout)

    async def wait_for_station(self, station: str, timeout: float = 10.0) -> OcppPeer:
        async with self._connected:
            await asyncio.wait_for(self._connected.wait_for(lambda: station in self.peers),
                                   timeout)
        return self.peers[station]

    def _check_request(self, connection: ServerConnection, request: Request) -> Response | None:
        station = links.station_id_from_path(request.path)
        offer = links.read_offer(request.headers)
        meta: dict[str, Any] = {
            "path": secrets.recorded_url(request.path, self.config.record_secrets),
            "remote": links.peer_address(connection), "offered": list(offer.protocols)}
        if offer.malformed or not offer.raw:
            meta["offered_raw"] = offer.describe()
        auth = links.auth_summary(request.headers, self.config.record_secrets)
        if auth:
            meta["auth"] = auth
        meta.update(handshake_facts(request.headers, station, connection.transport))
        reason = ""
        not_upgrade = not_an_upgrade(meta)
        if not_upgrade is not None:
            status, reason = 426, not_upgrade
        elif not station:
            status, reason = 404, ("no station id in the URL path "
                                   f"'{secrets.mask_url(request.path)}': "
                                   "connect to /ocpp/<stationId>")
        elif links.OCPP201 not in offer.protocols:
            status, reason = 400, (f"this CSMS speaks {links.OCPP201}; the station sent "
                                   f"{offer.describe()}")
        else:
            status, reason = 503, self.capacity.refusal(self._serving) or ""
        if reason:
            meta.update(status=status, reason=reason)
            self.capture.event(RecordKind.REJECTED, links.next_connection_id(), station, meta)
            if status != 503 or self.capacity.worth_telling:
                where = station or secrets.mask_url(request.path)
                self._notice(f"{where}: refused ({status}): {reason}")
            return connection.respond(status, reason + "\n")
        links.clean_offer(request.headers, offer)
        connection.ocppscope_meta = meta  # type: ignore[attr-defined]
        return None

    async def _serve(self, ws: ServerConnection) -> None:
        meta = getattr(ws, "ocppscope_meta", {})
        station = links.station_id_from_path(ws.request.path if ws.request else "")
        connection = links.next_connection_id()
        meta["subprotocol"] = ws.subprotocol
        self._serving += 1
        try:
            await self._serve_station(ws, meta, station, connection)
        finally:
            self._serving -= 1

    async def _serve_station(self, ws: ServerConnection, meta: dict[str, Any], station: str,
                             connection: str) -> None:
        previous = self.peers.get(station)
        peer = OcppPeer(ws, side=Sender.CSMS, connection=connection, station=station,
                        capture=self.capture, policy=self.policy,
                        call_timeout=self.config.call_timeout)
        self.peers[station] = peer  # the new connection serves at once
        if previous is not None:
            # the old one may be dead: closing it must not hold up the new one
            self._notice(f"{station}: connected again; closing its previous connection")
            closing = asyncio.ensure_future(previous.close(1000, "replaced by a new connection"))
            self._closing.add(closing)
            closing.add_done_callback(self._closing.discard)
        self.capture.event(RecordKind.OPENED, connection, station, meta)
        keep_alive(ws, self.capture, connection, station, towards=Direction.CSMS_TO_STATION,
                   by="csms", interval=self.config.ping_interval,
                   pong_timeout=self.config.pong_timeout)
        async with self._connected:
            self._connected.notify_all()
        try:
            await peer.run()
        finally:
            if self.peers.get(station) is peer:
                del self.peers[station]
            info = links.close_info(ws, "station", "csms")
            self.capture.event(RecordKind.CLOSED, connection, station, {
                "code": info.code, "reason": info.reason, "by": info.by, "clean": info.clean})
