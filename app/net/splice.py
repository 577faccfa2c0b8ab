"""The wire-transparent proxy: relay the HTTP upgrade, then splice the bytes unchanged.

A station connects; its request head is read, rewritten only where the terminating proxy
rewrites it too (the path mapped onto the CSMS URL, the Host, the one Authorization header we
choose, an unreadable subprotocol list cleaned) and sent to the CSMS; the CSMS's response
head goes back exactly as it came: its status, its subprotocol, its extensions. From then on
every byte read from one socket is written to the other at once, in the chunks it came in,
and only then handed to the observer thread (`app.net.observing`), which turns the bytes
into the same records the terminating proxy makes. Pings, pongs, fragments and close frames
travel end to end; the observer records them as events.

TLS ends at each hop (wss on either side): the bytes inside are spliced. No frame can be
injected, held or rewritten in this mode: `inject` says so. The heads themselves are read
and written by `app.net.http_heads`.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from websockets.datastructures import Headers
from websockets.exceptions import InvalidStatus
from websockets.http11 import Response

from app.errors import NotConnected
from app.net import limits, links, secrets
from app.net.diagnosis import handshake_facts, tls_facts
from app.net.errors import describe_connect_error
from app.net.handshakes import (
    looks_like_tls,
    not_an_upgrade,
    tls_on_plain_port,
    watch_tls_handshakes,
)
from app.net.hops import RESET_CHECK_INTERVAL, upstream_url
from app.net.http_heads import answer_head, parse_head, request_head, status_of
from app.net.intercept import Interceptor
from app.net.observing import Watched
from app.net.peer import CallOutcome
from app.net.proxy import Proxy, ProxyConfig
from app.net.shipping import RemoteCapture, observing_for
from app.ocpp.conversation import Direction
from app.session.capture import Capture
from app.session.message import RecordKind

log = logging.getLogger(__name__)

MAX_HEAD = 64 * 1024          # bytes an HTTP head may have
INJECTION_NEEDS_TERMINATING = (
    "the proxy runs wire-transparent, which forwards bytes and cannot add frames: restart it "
    "in terminating mode (--no-transparent, or untick 'Wire-transparent' in the dialog) to "
    "send messages through it")

Notice = Callable[[str], None]


class _Side(asyncio.Protocol):
    """One socket of a link: first it collects an HTTP head, then it forwards what it reads
    to the other side's transport and tells the observer (`spliced`)."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.head: asyncio.Future[bytes | None] = asyncio.get_running_loop().create_future()
        self.gone: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.target: asyncio.Transport | None = None
        self.spliced: Callable[[bytes], None] | None = None
        self.peer: _Side | None = None
        self.ended: Callable[[_Side], None] | None = None
        self.eof = False
        self.tls_hello = False      # the first bytes were a TLS ClientHello

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        target = self.target
        if target is not None:
            target.write(data)              # forward first
            self.spliced(data)              # type: ignore[misc]  # then observe
            return
        if not self.buffer and not self.head.done() and looks_like_tls(data):
            self.tls_hello = True
            self.head.set_result(None)
        self.buffer += data
        if self.head.done():
            return
        end = self.buffer.find(b"\r\n\r\n")
        if end >= 0:
            self.head.set_result(bytes(self.buffer[:end + 4]))
            del self.buffer[:end + 4]
        elif len(self.buffer) > MAX_HEAD:
            self.head.set_result(None)

    def splice(self, peer: _Side, spliced: Callable[[bytes], None],
               ended: Callable[[_Side], None]) -> None:
        """From now on forward to `peer`; what came after the head goes first."""
        self.peer, self.spliced, self.ended = peer, spliced, ended
        self.target = peer.transport
        if self.buffer:
            waiting = bytes(self.buffer)
            self.buffer.clear()
            self.data_received(waiting)
        if self.eof or self.gone.done():
            ended(self)

    def pause_writing(self) -> None:      # our socket is backed up: stop reading the other
        if self.peer is not None and self.peer.transport is not None:
            self.peer.transport.pause_reading()

    def resume_writing(self) -> None:
        if self.peer is not None and self.peer.transport is not None \
                and not self.peer.transport.is_closing():
            self.peer.transport.resume_reading()

    def eof_received(self) -> bool:
        self.eof = True
        if not self.head.done():
            self.head.set_result(None)
        if self.ended is not None:
            self.ended(self)
        return True  # keep our side open: the other may still be sending

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.head.done():
            self.head.set_result(None)
        if not self.gone.done():
            self.gone.set_result(None)
        if self.ended is not None:
            self.ended(self)


@dataclass(eq=False)
class _Link:
    connection: str
    station: str
    station_side: _Side
    upstream_side: _Side
    watched: Watched
    started: float
    first_end: str = ""     # "station", "csms" or "proxy": whose TCP connection ended first
    done: asyncio.Future[None] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future())


class TransparentProxy:
    """Same face as `Proxy` (start, stop, url, stations, inject), splicing bytes instead."""

    def __init__(self, config: ProxyConfig, capture: Capture | RemoteCapture,
                 notice: Notice | None = None) -> None:
        self.config = config
        self.capture = capture
        self._notice = notice or (lambda text: log.info("%s", text))
        self.capacity = limits.Capacity(2, config.max_stations)
        self.observing = observing_for(capture, self._notice)
        self._server: asyncio.Server | None = None
        self._handshakes: set[asyncio.Task[None]] = set()
        self._active: dict[str, _Link] = {}
        self._finishing: set[asyncio.Task[None]] = set()
        self._watchdog: asyncio.Task[None] | None = None

    @property
    def port(self) -> int:
        assert self._server is not None, "start() first"
        return self._server.sockets[0].getsockname()[1]

    @property
    def url(self) -> str:
        return links.listening_url(self.config.server_ssl, self.config.host, self.port)

    @property
    def stations(self) -> list[str]:
        return [link.station for link in self._active.values()]

    async def inject(self, station: str, direction: Direction, action: str,
                     payload: dict[str, Any], *, timeout: float = 30.0) -> CallOutcome:
        raise NotConnected(INJECTION_NEEDS_TERMINATING)

    async def inject_text(self, station: str, direction: Direction, text: str, *,
                          expect_answer_to: str | None = None,
                          timeout: float = 30.0) -> CallOutcome:
        raise NotConnected(INJECTION_NEEDS_TERMINATING)

    async def start(self) -> None:
        """Start listening; raises OSError if the address cannot be used."""
        loop = asyncio.get_running_loop()
        watch_tls_handshakes(self.config.server_ssl, self.capture, self._notice, "proxy")
        self._server = await loop.create_server(self._accepted, self.config.host,
                                                self.config.port, ssl=self.config.server_ssl)
        self._watchdog = asyncio.ensure_future(self._watch_for_resets())

    async def stop(self) -> None:
        """Stop listening, cut every link (a close frame cannot be put into a byte stream
        whose frame boundaries only the observer knows), and record how each ended."""
        if self._server is None:
            return
        self._server.close()
        for task in list(self._handshakes):
            task.cancel()
        for link in list(self._active.values()):
            link.first_end = link.first_end or "proxy"
            for side in (link.station_side, link.upstream_side):
                if side.transport is not None:
                    side.transport.abort()
        if self._active:
            await asyncio.wait([link.done for link in self._active.values()],
                               timeout=links.CLOSE_TIMEOUT)
        if self._finishing:  # each writes its link's closed record
            await asyncio.wait(set(self._finishing), timeout=links.CLOSE_TIMEOUT * 2)
        if self._watchdog is not None:
            self._watchdog.cancel()
        await asyncio.get_running_loop().run_in_executor(None, self.observing.stop)
        await self._server.wait_closed()

    def _accepted(self) -> _Side:
        side = _Side()
        task = asyncio.ensure_future(self._handshake(side))
        self._handshakes.add(task)
        task.add_done_callback(self._handshakes.discard)
        return side

    async def _handshake(self, station: _Side) -> None:
        try:
            async with asyncio.timeout(self.config.open_timeout + 5.0):
                head = await station.head
            if head is None:
                if station.tls_hello and self.config.server_ssl is None and station.transport:
                    station.transport.write(tls_on_plain_port(
                        self.capture, self._notice, "proxy", _peer(station)))
                _close(station)
                return
            await self._relay_upgrade(station, head)
        except TimeoutError:
            _close(station)
        except Exception:  # our bug: this station is cut, the proxy goes on
            log.exception("relaying a WebSocket upgrade failed")
            _close(station)

    async def _relay_upgrade(self, station: _Side, head: bytes) -> None:
        line, headers = parse_head(head)
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != "GET":
            _answer(station, 400, "not a WebSocket upgrade request")
            return
        path = parts[1]
        station_id = links.station_id_from_path(path)
        offer = links.read_offer(headers)
        keep = self.config.record_secrets
        meta: dict[str, Any] = {
            "path": secrets.recorded_url(path, keep), "remote": _peer(station),
            "offered": list(offer.protocols), "mode": "transparent"}
        if offer.malformed or not offer.raw:
            meta["offered_raw"] = offer.describe()
        auth = links.auth_summary(headers, keep)
        if auth:
            meta["auth"] = auth
        meta.update(handshake_facts(headers, station_id, station.transport))
        if (not_upgrade := not_an_upgrade(meta)) is not None:
            self._reject(station, station_id, meta, 426, not_upgrade)
            return
        if not station_id:
            self._reject(station, "", meta, 404, "no station id in the URL path "
                         f"'{secrets.mask_url(path)}': stations connect to "
                         "/<prefix>/<stationId>")
            return
        full = self.capacity.refusal(len(self._active) + len(self._handshakes) - 1)
        if full is not None:
            self._reject(station, station_id, meta, 503, full,
                         tell=self.capacity.worth_telling)
            return
        url = upstream_url(self.config.upstream, path)
        target, from_url = secrets.split_credentials(url)
        chosen, meta["auth_sent"] = secrets.choose_authorization(
            headers.get_all("Authorization"), from_url, self.config.upstream_auth)
        meta["upstream"] = secrets.recorded_url(url, keep)
        links.clean_offer(headers, offer)
        try:
            upstream, response_head = await self._connect(target, headers, chosen)
        except Exception as exc:  # every failure to reach the CSMS is answered, never raised
            failure = describe_connect_error(exc, secrets.mask_url(url))
            meta["hop"] = "csms"
            if (tls := tls_facts(exc)) is not None:
                meta["tls"] = tls
            self._reject(station, station_id, meta, failure.status, failure.reason,
                         failure.body)
            return
        status_line, response_headers = parse_head(response_head)
        status = status_of(status_line)
        if station.transport is None or station.transport.is_closing():
            _close(upstream)
            return
        station.transport.write(response_head)   # as it came, whatever it says
        if status != 101:
            await self._refused_upstream(station, upstream, station_id, meta, status,
                                         response_headers, url)
            return
        extensions = response_headers.get("Sec-WebSocket-Extensions")
        meta["subprotocol"] = response_headers.get("Sec-WebSocket-Protocol")
        meta["extensions"] = {"station": extensions or "", "csms": extensions or ""}
        self._splice(station, upstream, station_id, meta, extensions)

    async def _connect(self, target: str, headers: Headers, authorization: dict[str, str]
                       ) -> tuple[_Side, bytes]:
        """Open the upstream socket (TLS for wss), send the rewritten request head, and
        return the side with the CSMS's response head."""
        parts = urlsplit(target)
        secure = parts.scheme == "wss"
        host = parts.hostname or ""
        port = parts.port or (443 if secure else 80)
        context = (self.config.upstream_ssl or ssl.create_default_context()) if secure \
            else None
        loop = asyncio.get_running_loop()
        async with asyncio.timeout(self.config.open_timeout):
            _, upstream = await loop.create_connection(
                _Side, host, port, ssl=context, server_hostname=host if secure else None)
            upstream.transport.write(request_head(parts, headers, authorization))  # type: ignore[union-attr]
            response = await upstream.head
        if response is None:
            _close(upstream)
            raise ConnectionResetError("the CSMS closed the connection during the handshake")
        return upstream, response

    async def _refused_upstream(self, station: _Side, upstream: _Side, station_id: str,
                                meta: dict[str, Any], status: int, headers: Headers,
                                url: str) -> None:
        """The CSMS answered something else than 101: its answer went to the station as is;
        pass its body on too, then end both, and record why."""
        body = bytes(upstream.buffer)
        upstream.buffer.clear()
        if station.transport is not None and body:
            station.transport.write(body)
        failure = describe_connect_error(
            InvalidStatus(Response(status, "", headers, body)), secrets.mask_url(url))
        meta.update(status=status, reason=failure.reason)
        self.capture.event(RecordKind.REJECTED, links.next_connection_id(), station_id, meta)
        self._notice(f"{station_id}: refused ({status}): {failure.reason}")
        _close(upstream)
        _close(station)

    def _reject(self, station: _Side, station_id: str, meta: dict[str, Any], status: int,
                reason: str, body: str = "", *, tell: bool = True) -> None:
        meta.update(status=status, reason=reason)
        self.capture.event(RecordKind.REJECTED, links.next_connection_id(), station_id, meta)
        if tell:
            self._notice(f"{station_id or secrets.mask_url(meta['path'])}: refused "
                         f"({status}): {reason}")
        _answer(station, status, body or reason)

    def _splice(self, station: _Side, upstream: _Side, station_id: str,
                meta: dict[str, Any], extensions: str | None) -> None:
        loop = asyncio.get_running_loop()
        connection = links.next_connection_id()
        watched = self.observing.watch(connection, station_id, meta, extensions=extensions,
                                       max_size=self.config.max_size,
                                       pong_timeout=self.config.pong_timeout)
        link = _Link(connection, station_id, station, upstream, watched, loop.time())
        self._active[connection] = link
        observing = self.observing
        up, down = Direction.STATION_TO_CSMS, Direction.CSMS_TO_STATION
        ended = lambda side: self._side_ended(link, side)  # noqa: E731
        # partials, not lambdas: called for every chunk, they add no Python frame of their own
        station.splice(upstream, functools.partial(observing.forwarded, watched, up), ended)
        upstream.splice(station, functools.partial(observing.forwarded, watched, down), ended)

    def _side_ended(self, link: _Link, side: _Side) -> None:
        """A socket sent its FIN or went away: pass the FIN on (half-close), and end the link
        once both sides are done or either is gone."""
        if not link.first_end:
            link.first_end = "station" if side is link.station_side else "csms"
        other = side.peer
        assert other is not None
        if side.gone.done() or (side.eof and other.eof):
            _close(side)
            _close(other)
            if not link.done.done():
                link.done.set_result(None)
                finishing = asyncio.ensure_future(self._finish(link))
                self._finishing.add(finishing)
                finishing.add_done_callback(self._finishing.discard)
        elif side.eof and other.transport is not None and not other.transport.is_closing():
            if other.transport.can_write_eof():
                other.transport.write_eof()
            else:  # TLS: no half-close; closing after the buffered bytes is the nearest
                other.transport.close()

    async def _finish(self, link: _Link) -> None:
        sides = (link.station_side, link.upstream_side)
        await asyncio.wait([side.gone for side in sides], timeout=links.CLOSE_TIMEOUT)
        for side in sides:
            if not side.gone.done() and side.transport is not None:
                side.transport.abort()
        self._active.pop(link.connection, None)
        duration = asyncio.get_running_loop().time() - link.started
        reason = ("the proxy was stopped" if link.first_end == "proxy"
                  else "connection ended without a closing handshake")
        self.observing.closed(link.watched, {
            "code": 1006, "reason": reason, "by": link.first_end, "clean": False,
            "duration": round(duration, 3)})

    async def _watch_for_resets(self) -> None:
        """Cut a side whose peer reset while nobody read it (see `hops.watch_for_resets`):
        a side paused because the other stopped reading never sees its own reset."""
        while True:
            await asyncio.sleep(RESET_CHECK_INTERVAL)
            for link in list(self._active.values()):
                sides = [s.transport for s in (link.station_side, link.upstream_side)
                         if s.transport is not None]
                if not any(t.get_write_buffer_size() for t in sides):
                    continue
                for transport in sides:
                    sock = transport.get_extra_info("socket")
                    if sock is not None and sock.getsockopt(socket.SOL_SOCKET,
                                                            socket.SO_ERROR):
                        transport.abort()


def open_proxy(config: ProxyConfig, capture: Capture | RemoteCapture,
               notice: Notice | None = None,
               interceptor: Interceptor | None = None) -> Proxy | TransparentProxy:
    """The proxy `config` asks for: wire-transparent or terminating. Intercept rules need a
    WebSocket stack per hop, so an interceptor holding any rule (armed now, or to be
    enabled live) gets the terminating proxy whatever `config` says."""
    if interceptor is not None and interceptor.rules:
        proxy = Proxy(config, capture, notice)
        proxy.interceptor = interceptor
        return proxy
    if config.transparent:
        return TransparentProxy(config, capture, notice)
    return Proxy(config, capture, notice)


def _answer(side: _Side, status: int, text: str) -> None:
    """An HTTP answer of our own (the CSMS was not reached, or the request is no upgrade)."""
    if side.transport is None or side.transport.is_closing():
        return
    side.transport.write(answer_head(status, text))
    side.transport.close()


def _close(side: _Side) -> None:
    if side.transport is not None and not side.transport.is_closing():
        side.transport.close()


def _peer(side: _Side) -> str:
    address = side.transport.get_extra_info("peername") if side.transport else None
    if not address:
        return ""
    host, port = address[0], address[1]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
