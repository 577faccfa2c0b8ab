"""The transparent proxy: a station connects to us, we connect to its CSMS, and relay.

Forward first, observe after: each frame is sent on to the other side *before* it is parsed,
validated, recorded or shown, and it is sent as received (same opcode, same text). Invalid
OCPP is forwarded like any other frame; the tool observes, it does not police.

The upstream connection is opened while the station's handshake is still pending
(`process_request`), so the station gets the CSMS's choice of subprotocol, or the CSMS's own
HTTP status (401, 404...) when the CSMS refuses, or 502/504 with the reason when the CSMS
cannot be reached.

The user may also inject CALLs (`Proxy.inject`), as if one side had sent them to the other
(`app.net.injection`): their answers are recorded but kept from the other side, which never
sent that CALL.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from app.errors import NotConnected
from app.net import limits, links, secrets
from app.net.diagnosis import handshake_facts, tls_facts
from app.net.errors import describe_connect_error
from app.net.handshakes import not_an_upgrade, watch_handshakes
from app.net.hops import (
    first_closed,
    negotiated_extensions,
    offers_deflate,
    propagate_close,
    upstream_url,
    watch_for_resets,
)
from app.net.injection import (
    INJECTED_ID_PREFIX,
    AwaitedAnswers,
    InjectionDesk,
    InjectionHop,
)
from app.net.intercept import Interceptor, hop_between
from app.net.judging import LinkJudge
from app.net.keepalive import keep_hops_alive
from app.net.peer import CallOutcome
from app.net.shipping import RemoteCapture
from app.net.wire import RawClientConnection, RawServerConnection, receive
from app.ocpp.conversation import Direction
from app.ocpp.frames import Call, serialize
from app.session.capture import Capture
from app.session.message import Message, RecordKind

log = logging.getLogger(__name__)

DEFAULT_MAX_SIZE = 10 * 1024 * 1024
# Seconds the station's handshake may take beyond the upstream's open timeout.
_HANDSHAKE_MARGIN = 5.0


@dataclass
class ProxyConfig:
    upstream: str                             # ws(s)://host:port/prefix; station id appended
    host: str = "127.0.0.1"
    port: int = 0                             # 0: any free port (see Proxy.port)
    server_ssl: ssl.SSLContext | None = None  # listen on wss://
    upstream_ssl: ssl.SSLContext | None = None
    max_size: int = DEFAULT_MAX_SIZE
    open_timeout: float = 10.0
    ping_interval: float | None = None        # None: add no keepalive traffic of our own
    # How long a ping may wait for its pong: our own (terminating), the peers' (transparent).
    # None: the ping interval, at most 20 s (ours); 10 s (the peers', `app.net.observer`).
    pong_timeout: float | None = None
    record_secrets: bool = False              # keep passwords and tokens in the records
    # Which Authorization goes to the CSMS when both the station and the upstream URL have
    # one: "station" (its own) or "url" (the URL's user and password replace it).
    upstream_auth: str = "station"
    # After an injected CALL timed out, its answer is still kept from the other side (and
    # recorded as late) for this many seconds; later it is forwarded like any frame.
    late_answer_grace: float = 120.0
    # Stations relayed at once; None: as many as the open-file limit allows (two each).
    max_stations: int | None = None
    # Splice the bytes after the upgrade and observe them from the side (`app.net.splice`)
    # instead of a WebSocket stack per hop; nothing can be injected then.
    transparent: bool = False
    # Judge and record frames on the observer thread, not on the event loop
    # (`app.net.judging`); the records are the same, they only appear a little later.
    observe_aside: bool = False


@dataclass
class _Link:
    """One station's pair of connections, from handshake to close."""

    connection: str
    station: str
    path: str
    upstream_url: str
    upstream: RawClientConnection
    meta: dict[str, Any] = field(default_factory=dict)
    answers: AwaitedAnswers = field(default_factory=AwaitedAnswers)  # to injected CALLs


Notice = Callable[[str], None]


class Proxy:
    def __init__(self, config: ProxyConfig, capture: Capture | RemoteCapture,
                 notice: Notice | None = None) -> None:
        self.config = config
        self.capture = capture
        self._notice = notice or (lambda text: log.info("%s", text))
        self._pending: dict[ServerConnection, _Link] = {}
        self._active: dict[str, tuple[ServerConnection, _Link]] = {}
        self._relays: set[asyncio.Task[None]] = set()
        self.capacity = limits.Capacity(2, config.max_stations)  # two sockets a station
        self._server: Server | None = None
        # intercept rules (breakpoints, rewrites...), applied to each frame before it is
        # forwarded; None or unarmed: frames are forwarded untouched
        self.interceptor: Interceptor | None = None
        self.judge = LinkJudge(capture, self._notice, aside=config.observe_aside)
        self.injections = InjectionDesk(self.judge, config.late_answer_grace)

    @property
    def port(self) -> int:
        return links.listening_port(self._server)

    @property
    def url(self) -> str:
        return links.listening_url(self.config.server_ssl, self.config.host, self.port)

    @property
    def stations(self) -> list[str]:
        return [link.station for _, link in self._active.values()]

    async def inject(self, station: str, direction: Direction, action: str,
                     payload: dict[str, Any], *, timeout: float = 30.0) -> CallOutcome:
        """Send a CALL of our own on `station`'s connection, as if the CSMS had sent it
        (`CSMS_TO_STATION`) or the station had (`STATION_TO_CSMS`), and wait for its answer.
        The answer is recorded but not forwarded: the other side never sent this CALL.

        Raises NotConnected when the station has no connection through the proxy.
        """
        message_id = INJECTED_ID_PREFIX + uuid.uuid4().hex[:12]
        text = serialize(Call(message_id, action, payload))
        return await self._inject(station, direction, text, message_id, timeout)

    async def inject_text(self, station: str, direction: Direction, text: str, *,
                          expect_answer_to: str | None = None,
                          timeout: float = 30.0) -> CallOutcome:
        """Send any text, invalid on purpose or not, as `inject` does. With
        `expect_answer_to` (a message id), wait for the answer with that id and keep it from
        the other side; without, return at once with status "sent" (or "closed")."""
        return await self._inject(station, direction, text, expect_answer_to, timeout)

    def _link_of(self, station: str) -> tuple[ServerConnection, _Link]:
        for station_ws, link in reversed(self._active.values()):  # the newest connection
            if link.station == station:
                return station_ws, link
        raise NotConnected(f"station '{station}' is not connected to the proxy")

    async def _inject(self, station: str, direction: Direction, text: str,
                      answer_id: str | None, timeout: float) -> CallOutcome:
        station_ws, link = self._link_of(station)
        target = station_ws if direction is Direction.CSMS_TO_STATION else link.upstream
        hop = InjectionHop(link.connection, link.station, link.answers, target)
        return await self.injections.send(hop, direction, text, answer_id, timeout)

    async def start(self) -> None:
        """Start listening; raises OSError if the address cannot be used."""
        guarded = watch_handshakes(self.config.server_ssl, self.capture, self._notice, "proxy",
                                   RawServerConnection)
        self._server = await serve(
            self._relay, self.config.host, self.config.port,
            ssl=self.config.server_ssl,
            process_request=self._open_upstream,
            process_response=self._after_handshake,
            select_subprotocol=self._upstream_choice,
            max_size=self.config.max_size, ping_interval=None,  # pings: app.net.keepalive
            # the station's handshake waits for the CSMS's: outlast the upstream timeout, so
            # a CSMS that never answers gets the station a 504 and a reason, not a drop
            open_timeout=self.config.open_timeout + _HANDSHAKE_MARGIN,
            compression="deflate",  # accepted only when the station offers it
            server_header="OCPP Scope", create_connection=guarded,
        )

    async def stop(self) -> None:
        """Stop listening and end every link within a bounded time: each side gets a 1001
        close, a side that does not take it within `links.CLOSE_TIMEOUT` is cut, and every
        link's `closed` record is written before this returns (a stuck relay is cancelled
        after a second bound, its record still written)."""
        if self._server is None:
            return
        if self.interceptor is not None:  # held frames go as the user chose, before closing
            await self.interceptor.finish()
        self._server.close(close_connections=False)
        sides = [ws for station_ws, link in list(self._active.values())
                 for ws in (station_ws, link.upstream)]
        sides += [link.upstream for link in self._pending.values()]
        if sides:
            await asyncio.gather(*(links.close_within(ws, 1001, "proxy stopping")
                                   for ws in sides))
        self._pending.clear()
        if self._relays:
            _, stuck = await asyncio.wait(set(self._relays), timeout=links.CLOSE_TIMEOUT * 2)
            for task in stuck:
                task.cancel()
            if stuck:
                await asyncio.wait(stuck, timeout=links.CLOSE_TIMEOUT)
        await self._server.wait_closed()
        await asyncio.get_running_loop().run_in_executor(None, self.judge.stop)

    def _upstream_url(self, request: Request) -> str:
        return upstream_url(self.config.upstream, request.path)

    async def _open_upstream(self, connection: ServerConnection,
                             request: Request) -> Response | None:
        station = links.station_id_from_path(request.path)
        offer = links.read_offer(request.headers)
        keep = self.config.record_secrets
        meta: dict[str, Any] = {
            "path": secrets.recorded_url(request.path, keep),
            "remote": links.peer_address(connection),
            "offered": list(offer.protocols),
        }
        if offer.malformed or not offer.raw:
            meta["offered_raw"] = offer.describe()
        auth = links.auth_summary(request.headers, keep)
        if auth:
            meta["auth"] = auth
        meta.update(handshake_facts(request.headers, station, connection.transport))
        if (not_upgrade := not_an_upgrade(meta)) is not None:
            return self._reject(connection, station, meta, 426, not_upgrade)
        if not station:
            return self._reject(connection, "", meta, 404,
                                "no station id in the URL path "
                                f"'{secrets.mask_url(request.path)}': "
                                "stations connect to /<prefix>/<stationId>")
        full = self.capacity.refusal(len(self._active) + len(self._pending))
        if full is not None:
            return self._reject(connection, station, meta, 503, full,
                                tell=self.capacity.worth_telling)
        links.clean_offer(request.headers, offer)
        url = self._upstream_url(request)
        # the URL's credentials travel in the one Authorization header we choose, never
        # also in the URL, from which websockets would add a second one
        target, from_url = secrets.split_credentials(url)
        headers, meta["auth_sent"] = secrets.choose_authorization(
            request.headers.get_all("Authorization"), from_url, self.config.upstream_auth)
        try:
            upstream = await connect(
                target, subprotocols=list(offer.protocols) or None,  # type: ignore[arg-type]
                additional_headers=headers,
                user_agent_header=request.headers.get("User-Agent"),
                ssl=self.config.upstream_ssl if url.startswith("wss:") else None,
                open_timeout=self.config.open_timeout, max_size=self.config.max_size,
                ping_interval=None,  # the proxy's own pings: app.net.keepalive
                # offered to the CSMS only when the station offered it to us
                compression="deflate" if offers_deflate(request.headers) else None,
                create_connection=RawClientConnection,
                proxy=None)  # straight to the CSMS: never via HTTP_PROXY from the environment
        except Exception as exc:  # every failure to reach the CSMS is answered, never raised
            failure = describe_connect_error(exc, secrets.mask_url(url))
            meta.update(upstream=secrets.recorded_url(url, keep), hop="csms")
            if (tls := tls_facts(exc)) is not None:
                meta["tls"] = tls
            return self._reject(connection, station, meta, failure.status, failure.reason,
                                failure.body)
        if connection.transport.is_closing():  # the station gave up while we connected
            await upstream.close(1001, "the station went away during its handshake")
            return connection.respond(400, "the station went away\n")
        meta.update(upstream=secrets.recorded_url(url, keep), subprotocol=upstream.subprotocol)
        self._pending[connection] = _Link(links.next_connection_id(), station, request.path,
                                          target, upstream, meta)
        return None

    def _reject(self, connection: ServerConnection, station: str, meta: dict[str, Any],
                status: int, reason: str, body: str = "", *, tell: bool = True) -> Response:
        meta.update(status=status, reason=reason)
        self.capture.event(RecordKind.REJECTED, links.next_connection_id(), station, meta)
        if tell:
            where = station or secrets.mask_url(meta["path"])
            refused = self.capacity.refused
            more = f" ({refused:,} stations refused so far)" if status == 503 and refused > 1 \
                else ""
            self._notice(f"{where}: refused ({status}): {reason}{more}")
        return connection.respond(status, (body or reason) + "\n")

    def _upstream_choice(self, connection: ServerConnection,
                         offered: object) -> str | None:
        link = self._pending.get(connection)
        return link.upstream.subprotocol if link else None

    async def _after_handshake(self, connection: ServerConnection, request: Request,
                               response: Response) -> None:
        if response.status_code != 101 or connection.transport.is_closing():
            link = self._pending.pop(connection, None)
            if link is not None:  # the station's handshake failed after the CSMS accepted
                await link.upstream.close(1001, "station handshake failed")

    async def _relay(self, station_ws: ServerConnection) -> None:
        link = self._pending.pop(station_ws)
        upstream = link.upstream
        self._active[link.connection] = (station_ws, link)
        relay = asyncio.current_task()
        if relay is not None:
            self._relays.add(relay)
        link.meta["extensions"] = {"station": negotiated_extensions(station_ws),
                                   "csms": negotiated_extensions(upstream)}
        self.judge.opened(link.connection, link.station, link.meta)
        keep_hops_alive(self.capture, link.connection, link.station, station_ws, upstream,
                        self.config.ping_interval, self.config.pong_timeout)
        started = asyncio.get_running_loop().time()
        up = asyncio.create_task(self._pump(station_ws, upstream, Direction.STATION_TO_CSMS,
                                            link))
        down = asyncio.create_task(self._pump(upstream, station_ws,
                                              Direction.CSMS_TO_STATION, link))
        # A pump blocked sending to a peer that stopped reading never sees its own side go:
        # the end of either connection ends the link, whatever the pumps are doing.
        station_gone = asyncio.ensure_future(station_ws.wait_closed())
        upstream_gone = asyncio.ensure_future(upstream.wait_closed())
        watchdog = asyncio.ensure_future(watch_for_resets(station_ws, upstream))
        info = links.CloseInfo(1006, "the relay was stopped", "proxy", False)
        try:
            done, _ = await asyncio.wait({up, down, station_gone, upstream_gone},
                                         return_when=asyncio.FIRST_COMPLETED)
            closed = first_closed([task.result() for task in done if task in (up, down)]
                                   or [station_ws if station_gone in done else upstream])
            if closed is station_ws:
                other, info = upstream, links.close_info(station_ws, "station", "proxy")
            else:
                other, info = station_ws, links.close_info(upstream, "csms", "proxy")
            await propagate_close(other, info)
            await asyncio.wait({up, down}, timeout=links.CLOSE_TIMEOUT)
        finally:
            for task in (up, down, station_gone, upstream_gone, watchdog):
                task.cancel()
            for ws in (station_ws, upstream):
                if ws.state.name != "CLOSED":
                    ws.transport.abort()
            self._active.pop(link.connection, None)
            link.answers.end()
            if relay is not None:
                self._relays.discard(relay)
            duration = asyncio.get_running_loop().time() - started
            self.judge.closed(link.connection, link.station, {
                "code": info.code, "reason": info.reason, "by": info.by, "clean": info.clean,
                "duration": round(duration, 3)})

    async def _pump(self, source: ClientConnection | ServerConnection,
                    target: ClientConnection | ServerConnection, direction: Direction,
                    link: _Link) -> ClientConnection | ServerConnection:
        """Relay frames one way until `source` closes, and return it. The send comes first,
        always, with the bytes and the frame type that arrived (even a text frame that is not
        UTF-8) - except for answers to injected CALLs, looked for only while one is awaited.
        Once the target is gone, the source is still read (frames recorded as undelivered),
        so that its closing handshake is not stuck behind unread frames."""
        answers, swallow = link.answers, self.injections.swallow
        target_open = True
        try:
            while True:
                data, is_text = await receive(source)  # type: ignore[arg-type]
                if answers.any_towards(direction) and swallow(
                        link.connection, link.station, answers, direction, data, is_text):
                    continue
                if is_text and target_open and self._intercepts() and await self._divert(
                        link, direction, source, target, data):
                    continue
                if target_open:
                    try:
                        await target.send(data, text=is_text)
                    except ConnectionClosed:
                        target_open = False
                self.judge.frame(link.connection, link.station, direction, data, is_text,
                                 None if target_open else {"delivered": False})
        except ConnectionClosed:
            return source

    def _intercepts(self) -> bool:
        return self.interceptor is not None and self.interceptor.armed

    async def _divert(self, link: _Link, direction: Direction,
                      source: ClientConnection | ServerConnection,
                      target: ClientConnection | ServerConnection, data: bytes) -> bool:
        """The intercept hook: True when a rule took the frame (it sent and recorded it)."""
        assert self.interceptor is not None

        def record(way: Direction, text: str, meta: dict[str, Any]) -> Message | None:
            return self.judge.now(link.connection, link.station, way, text, meta=meta)

        return await self.interceptor.divert(hop_between(
            link.connection, link.station, direction, source, target, record), data)
