"""Independent OCPP peers for network tests, built on the `ocpp` package (not our code),
and small helpers: a bounded asyncio runner and a connection tap that records every text
each side really sent and received."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import socket
import ssl
import struct
import threading
from collections.abc import AsyncIterator, Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

from ocpp.routing import on
from ocpp.v201 import ChargePoint, call, call_result
from websockets.asyncio.client import connect
from websockets.asyncio.server import serve
from websockets.exceptions import ConnectionClosed, InvalidStatus

NOW = "2026-11-25T09:00:00.000Z"


def run(coroutine: Coroutine[Any, Any, Any], timeout: float = 30.0) -> Any:
    """Run one test scenario with a hard time limit, so a hang fails instead of blocking."""
    return asyncio.run(asyncio.wait_for(coroutine, timeout))


class Tap:
    """Wraps a websockets connection for an `ocpp` ChargePoint; records sent/received text."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.sent: list[str] = []
        self.received: list[str] = []

    async def send(self, text: str) -> None:
        self.sent.append(text)
        await self.ws.send(text)

    async def recv(self) -> str:
        text = await self.ws.recv()
        self.received.append(text)
        return text


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class OcppCsms(ChargePoint):
    """A CSMS from the `ocpp` package: accepts boots, answers heartbeats and status."""

    @on("BootNotification")
    def on_boot(self, charging_station: dict, reason: str, **_: Any) -> Any:
        return call_result.BootNotification(
            current_time=_now(), interval=300, status="Accepted")

    @on("Heartbeat")
    def on_heartbeat(self, **_: Any) -> Any:
        return call_result.Heartbeat(current_time=_now())

    @on("StatusNotification")
    def on_status(self, **_: Any) -> Any:
        return call_result.StatusNotification()

    @on("Authorize")
    def on_authorize(self, id_token: dict, **_: Any) -> Any:
        return call_result.Authorize(id_token_info={"status": "Accepted"})


class OcppStation(ChargePoint):
    """A charging station from the `ocpp` package: answers GetVariables and Reset."""

    @on("GetVariables")
    def on_get_variables(self, get_variable_data: list, **_: Any) -> Any:
        return call_result.GetVariables(get_variable_result=[{
            "attribute_status": "Accepted", "attribute_value": "300",
            "component": item["component"], "variable": item["variable"]}
            for item in get_variable_data])

    @on("Reset")
    def on_reset(self, type: str, **_: Any) -> Any:
        return call_result.Reset(status="Accepted")


@contextlib.asynccontextmanager
async def ocpp_station(base_url: str, station_id: str,
                       **options: Any) -> AsyncIterator[tuple[OcppStation, Tap]]:
    """An `ocpp` station connected as `station_id` under `base_url`, reading its connection
    (so that its calls get their answers) until the block ends; `options` go to
    `OcppStation` (`response_timeout`). The tap records what it sent and received."""
    async with connect(f"{base_url}/{station_id}", subprotocols=["ocpp2.0.1"]) as ws:
        tap = Tap(ws)
        station = OcppStation(station_id, tap, **options)
        reader = asyncio.create_task(station.start())
        try:
            yield station, tap
        finally:
            reader.cancel()


async def refusal(url: str, subprotocols: tuple[str, ...] | None = ("ocpp2.0.1",),
                  **connecting: Any) -> Any:
    """The HTTP response that refuses a WebSocket upgrade at `url` (offering `subprotocols`,
    None for no header at all); AssertionError when the upgrade is accepted."""
    offered = None if subprotocols is None else list(subprotocols)
    try:
        async with connect(url, subprotocols=offered, **connecting):
            pass
    except InvalidStatus as refused:
        return refused.response
    raise AssertionError(f"the upgrade at {url} was accepted")


def boot_request() -> Any:
    return call.BootNotification(
        charging_station={"model": "AC22-T2", "vendor_name": "Voltra"}, reason="PowerUp")


class OcppCsmsServer:
    """Runs `OcppCsms` on 127.0.0.1:0; keeps each station's ChargePoint and tap."""

    def __init__(self, csms_class: type[OcppCsms] = OcppCsms) -> None:
        self.csms_class = csms_class   # a subclass answers differently
        self.stations: dict[str, tuple[OcppCsms, Tap]] = {}
        self.connected = asyncio.Event()
        self.paths: list[str] = []
        self.headers: list[Any] = []
        self._server: Any = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def __aenter__(self) -> OcppCsmsServer:
        self._server = await serve(self._handler, "127.0.0.1", 0, subprotocols=["ocpp2.0.1"])
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._server.close()
        await self._server.wait_closed()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self._server.sockets[0].getsockname()[1]}/ocpp"

    async def _handler(self, ws: Any) -> None:
        station = ws.request.path.rsplit("/", 1)[-1]
        self.paths.append(ws.request.path)
        self.headers.append(ws.request.headers)
        tap = Tap(ws)
        cp = self.csms_class(station, tap)
        self.stations[station] = (cp, tap)
        self.connected.set()
        with contextlib.suppress(Exception):
            await cp.start()


class RecordingServer:
    """A WebSocket server that records what it receives and can be told what to do: refuse
    the upgrade with `status`, answer each frame with `reply(frame)` (text, or bytes for a
    binary frame), close after each frame with `close_with` (code, reason). A test may also
    speak on its own through `connection` and take the frames one at a time (`next_text`)."""

    def __init__(self, subprotocols=("ocpp2.0.1",), reply=None, close_with=None,
                 status=None):
        self.received: list = []
        self.requests: list = []
        self.closed: list = []
        self.subprotocols = list(subprotocols)
        self.reply = reply
        self.close_with = close_with
        self.status = status
        self.connections: list = []
        self._arrived = asyncio.Condition()
        self._taken = 0   # frames already handed out by `next_text`

    @property
    def connection(self):
        """The latest connection, or None before the first."""
        return self.connections[-1] if self.connections else None

    async def wait_received(self, count: int, timeout: float = 30.0) -> None:
        """Until `count` frames have arrived (TimeoutError after `timeout` seconds)."""
        async with self._arrived:
            await asyncio.wait_for(
                self._arrived.wait_for(lambda: len(self.received) >= count), timeout)

    async def next_text(self, timeout: float = 5.0):
        """The latest frame, once one arrived after the last frame this gave."""
        await self.wait_received(self._taken + 1, timeout)
        self._taken = len(self.received)
        return self.received[-1]

    async def __aenter__(self):
        def check(connection, request):
            self.requests.append(request)
            if self.status:
                return connection.respond(self.status, "go away\n")
            return None

        self.server = await serve(self.handler, "127.0.0.1", 0, process_request=check,
                                  subprotocols=self.subprotocols or None)
        return self

    async def __aexit__(self, *exc):
        self.server.close()
        await self.server.wait_closed()

    @property
    def url(self):
        return f"ws://127.0.0.1:{self.server.sockets[0].getsockname()[1]}/cs"

    async def handler(self, ws):
        self.connections.append(ws)
        try:
            async for data in ws:
                self.received.append(data)
                async with self._arrived:
                    self._arrived.notify_all()
                if self.reply:
                    await ws.send(self.reply(data))
                if self.close_with:
                    await ws.close(*self.close_with)
        except ConnectionClosed:
            pass
        self.closed.append((ws.close_code, ws.close_reason))


class SilentStation:
    """A station on a raw socket that completes the WebSocket handshake and then sends
    frames but never reads one: the peer a library would refuse to be. Its receive buffer
    is small, so what is sent to it backs up at once."""

    def __init__(self, port: int, path: str = "/ocpp/CP-SILENT") -> None:
        self.port, self.path = port, path
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def __aenter__(self) -> SilentStation:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.setblocking(False)
        await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", self.port))
        self.reader, self.writer = await asyncio.open_connection(sock=sock)
        key = base64.b64encode(os.urandom(16)).decode()
        self.writer.write(
            f"GET {self.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ocpp2.0.1\r\n\r\n".encode())
        head = await asyncio.wait_for(self.reader.readuntil(b"\r\n\r\n"), 10)
        assert head.startswith(b"HTTP/1.1 101"), head
        return self

    async def send(self, text: str) -> None:
        """One masked text frame, as a client must send it."""
        data = text.encode()
        mask = os.urandom(4)
        size = len(data)
        if size < 126:
            head = bytes([0x81, 0x80 | size])
        elif size < 65536:
            head = bytes([0x81, 0x80 | 126]) + size.to_bytes(2, "big")
        else:
            head = bytes([0x81, 0x80 | 127]) + size.to_bytes(8, "big")
        assert self.writer is not None
        self.writer.write(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))
        await self.writer.drain()

    def reset(self) -> None:
        """Vanish without a close: a TCP reset, as a rebooting station does."""
        assert self.writer is not None
        sock = self.writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.writer.transport.abort()

    async def __aexit__(self, *exc: object) -> None:
        if self.writer is not None and not self.writer.transport.is_closing():
            self.writer.transport.abort()


class BlockingTlsServer:
    """A TLS server on a plain blocking socket in a thread, as most CSMSs' TLS terminators
    behave: a failed handshake sends its alert to the client before the socket closes
    (asyncio's TLS drops the connection without one). It only does handshakes."""

    def __init__(self, context: ssl.SSLContext) -> None:
        self.context = context
        self.failures: list[ssl.SSLError] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def port(self) -> int:
        return self._listener.getsockname()[1]

    def __enter__(self) -> BlockingTlsServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()
        self._thread.join(5)
        self._listener.close()

    def _serve(self) -> None:
        while not self._stopping.is_set():
            try:
                sock, _ = self._listener.accept()
            except OSError:  # the accept timeout: look at the stop flag again
                continue
            sock.settimeout(5)
            try:
                self.context.wrap_socket(sock, server_side=True).close()
            except ssl.SSLError as exc:
                self.failures.append(exc)
            except OSError:
                pass
            finally:
                sock.close()


async def until(condition: Callable[[], object], timeout: float = 10.0) -> None:
    """Wait until `condition()` holds, checking every 10 ms; TimeoutError after `timeout`."""
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)
