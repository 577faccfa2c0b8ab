"""Captures for the pcap importer's tests, made from real WebSocket exchanges.

`Tee` relays a real `websockets`/`ocpp` exchange on loopback and keeps every byte each side
sent, with its time. `tcp_packets` turns those bytes into the TCP segments a wire would carry
(handshake, data split at a segment size, acks, FINs), which tests may reorder, repeat or cut;
`pcap_file` and `pcapng_file` write them under any link layer, so that every case is covered
without tcpdump. `Tcpdump` captures the loopback for real where tcpdump is installed.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import io
import shutil
import signal
import socket
import struct
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import dpkt
import ocpp.v16 as v16
from ocpp.routing import on
from ocpp.v201 import call
from websockets.asyncio.client import connect
from websockets.asyncio.server import serve

from tests.net.peers import NOW, OcppCsmsServer, OcppStation, Tap, boot_request

ETHERNET, SLL, SLL2, RAW = 1, 113, 276, 101


@dataclass(frozen=True, slots=True)
class Sent:
    time: float
    from_client: bool
    data: bytes


class Tee:
    """A TCP relay on 127.0.0.1 that keeps what each side sent (one `Sent` per read)."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.sent: list[Sent] = []
        self._server: asyncio.Server | None = None
        self._pumps: set[asyncio.Task[None]] = set()

    async def __aenter__(self) -> Tee:
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for pump in self._pumps:
            pump.cancel()
        await asyncio.gather(*self._pumps, return_exceptions=True)

    @property
    def port(self) -> int:
        assert self._server is not None
        return self._server.sockets[0].getsockname()[1]

    async def finished(self, timeout: float = 10.0) -> None:
        """Until both directions have seen their end (closing handshake and FINs passed),
        so that what was kept is the whole exchange."""
        if self._pumps:
            await asyncio.wait(self._pumps, timeout=timeout)

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        for pump in (self._pump(reader, up_writer, True), self._pump(up_reader, writer, False)):
            task = asyncio.ensure_future(pump)
            self._pumps.add(task)

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                    from_client: bool) -> None:
        try:
            while data := await reader.read(65536):
                self.sent.append(Sent(time.time(), from_client, data))
                writer.write(data)
                await writer.drain()
        finally:
            with contextlib.suppress(Exception):
                writer.write_eof()


@dataclass(frozen=True, slots=True)
class Packet:
    time: float
    from_client: bool
    seq: int
    ack: int
    flags: int
    payload: bytes = b""


SYN, FIN, ACK, RST, PSH = dpkt.tcp.TH_SYN, dpkt.tcp.TH_FIN, dpkt.tcp.TH_ACK, \
    dpkt.tcp.TH_RST, dpkt.tcp.TH_PUSH


def tcp_packets(sent: list[Sent], *, segment: int = 1400, client_isn: int = 1000,
                server_isn: int = 5_000_000, handshake: bool = True,
                close: bool = True) -> list[Packet]:
    """The segments of one TCP connection carrying `sent`, in order, acked as they come."""
    start = sent[0].time - 0.001 if sent else time.time()
    packets: list[Packet] = []
    seq = {True: client_isn, False: server_isn}
    if handshake:
        packets += [Packet(start - 0.002, True, client_isn, 0, SYN),
                    Packet(start - 0.0015, False, server_isn, client_isn + 1, SYN | ACK),
                    Packet(start - 0.001, True, client_isn + 1, server_isn + 1, ACK)]
    seq = {True: client_isn + 1, False: server_isn + 1}
    for item in sent:
        for offset in range(0, len(item.data), segment):
            piece = item.data[offset:offset + segment]
            side = item.from_client
            packets.append(Packet(item.time, side, seq[side], seq[not side], PSH | ACK, piece))
            seq[side] = (seq[side] + len(piece)) % (1 << 32)
    end = (sent[-1].time if sent else start) + 0.001
    if close:
        packets += [Packet(end, True, seq[True], seq[False], FIN | ACK),
                    Packet(end + 0.0001, False, seq[False], seq[True] + 1, FIN | ACK),
                    Packet(end + 0.0002, True, seq[True] + 1, seq[False] + 1, ACK)]
    return packets


@dataclass(frozen=True, slots=True)
class Hosts:
    client: tuple[str, int] = ("10.0.0.5", 51234)
    server: tuple[str, int] = ("10.0.0.1", 9000)


def frames(packets: list[Packet], hosts: Hosts = Hosts(), link: int = ETHERNET) -> list[
        tuple[float, bytes]]:
    """Each packet as the link layer `link` carries it, with its time."""
    return [(p.time, _link(_ip(p, hosts), link, p.from_client)) for p in packets]


def _ip(packet: Packet, hosts: Hosts) -> dpkt.Packet:
    src, dst = (hosts.client, hosts.server) if packet.from_client else \
        (hosts.server, hosts.client)
    tcp = dpkt.tcp.TCP(sport=src[1], dport=dst[1], seq=packet.seq, ack=packet.ack,
                       flags=packet.flags, win=65535, data=packet.payload)
    if ":" in src[0]:
        ip6 = dpkt.ip6.IP6(src=socket.inet_pton(socket.AF_INET6, src[0]),
                           dst=socket.inet_pton(socket.AF_INET6, dst[0]), nxt=6, hlim=64,
                           data=tcp)
        ip6.plen = len(bytes(tcp))
        return ip6
    return dpkt.ip.IP(src=socket.inet_aton(src[0]), dst=socket.inet_aton(dst[0]), p=6,
                      ttl=64, data=tcp)


def _link(ip: dpkt.Packet, link: int, outgoing: bool) -> bytes:
    ethtype = 0x86DD if isinstance(ip, dpkt.ip6.IP6) else 0x0800
    if link == ETHERNET:
        return bytes(dpkt.ethernet.Ethernet(src=b"\x02" * 6, dst=b"\x04" * 6, type=ethtype,
                                            data=ip))
    if link == SLL:
        return bytes(dpkt.sll.SLL(type=4 if outgoing else 0, hrd=1, hlen=6,
                                  hdr=b"\x02" * 6 + b"\0\0", ethtype=ethtype, data=ip))
    if link == SLL2:
        return bytes(dpkt.sll2.SLL2(ethtype=ethtype, intindex=1, hrd=1,
                                    type=4 if outgoing else 0, hlen=6,
                                    hdr=b"\x02" * 6 + b"\0\0", data=ip))
    return bytes(ip)


def pcap_file(packets: list[tuple[float, bytes]], link: int = ETHERNET, *,
              nano: bool = False, big_endian: bool = False) -> bytes:
    """A classic pcap file, in either byte order, with µs or ns times."""
    order = ">" if big_endian else "<"
    out = io.BytesIO()
    out.write(struct.pack(order + "IHHiIII", 0xA1B23C4D if nano else 0xA1B2C3D4, 2, 4, 0, 0,
                          262144, link))
    for when, data in packets:
        seconds = int(when)
        fraction = round((when - seconds) * (1e9 if nano else 1e6))
        out.write(struct.pack(order + "IIII", seconds, fraction, len(data), len(data)))
        out.write(data)
    return out.getvalue()


def pcapng_file(packets: list[tuple[float, bytes]], link: int = ETHERNET) -> bytes:
    out = io.BytesIO()
    writer = dpkt.pcapng.Writer(out, snaplen=262144, linktype=link)
    for when, data in packets:
        writer.writepkt(data, ts=when)
    return out.getvalue()


def interleave(*captures: list[tuple[float, bytes]]) -> list[tuple[float, bytes]]:
    """Several connections' packets in one capture, by time."""
    return sorted((item for capture in captures for item in capture), key=lambda i: i[0])


def moved(packets: list[Packet], index: int, to: int) -> list[Packet]:
    """`packets` with the one at `index` captured at position `to` instead (out of order);
    times stay increasing, as a capture's would."""
    packets = list(packets)
    packet = packets.pop(index)
    packets.insert(to, packet)
    times = sorted(p.time for p in packets)
    return [replace(p, time=t) for p, t in zip(packets, times, strict=True)]


async def until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Until `condition()` holds (checked every 20 ms), or `timeout` seconds passed."""
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        await asyncio.sleep(0.02)


class Tcpdump:
    """tcpdump capturing on `interface` into `path` while the block runs."""

    def __init__(self, path: Path, interface: str, port: int,
                 extra: tuple[str, ...] = ()) -> None:
        self.path, self.interface, self.port, self.extra = path, interface, port, extra
        self._process: subprocess.Popen[bytes] | None = None

    @staticmethod
    def available() -> bool:
        return shutil.which("tcpdump") is not None

    def __enter__(self) -> Tcpdump:
        # A UDP probe rides along in the filter: "listening on" comes before the capture
        # really takes packets, so the block starts only once a probe is in the file.
        probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        probe.bind(("127.0.0.1", 0))
        probe_port = probe.getsockname()[1]
        self._process = subprocess.Popen(
            ["tcpdump", "-i", self.interface, "--immediate-mode", "-U", "-s", "0",
             "-w", str(self.path), "udp", "port", str(probe_port), "or",
             *self.extra, "tcp", "port", str(self.port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        assert self._process.stderr is not None
        line = b""
        for _ in range(5):  # "listening on ..."
            line = self._process.stderr.readline()
            if b"listening" in line or not line:
                break
        if b"listening" not in line:
            self._process.kill()
            probe.close()
            raise RuntimeError(f"tcpdump did not start: {line!r}")
        try:
            self._wait_for_probe(probe, probe_port)
        finally:
            probe.close()
        return self

    def _wait_for_probe(self, probe: socket.socket, port: int) -> None:
        """Send probes until one is in the file (its 24-byte header has packets after it)."""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            probe.sendto(b"probe", ("127.0.0.1", port))
            if self.path.exists() and self.path.stat().st_size > 24:
                return
            time.sleep(0.01)  # polling the file, bounded by the deadline
        raise RuntimeError("tcpdump took no packet within 10 s")

    def __exit__(self, *exc: object) -> None:
        assert self._process is not None
        self._process.send_signal(signal.SIGINT)
        self._process.communicate(timeout=10)


@dataclass
class Exchange:
    """What a real exchange sent, as the relay saw it, and as the peers saw it."""

    sent: list[Sent]
    texts: list[tuple[bool, str]]        # (sent by the station?, text), in order sent


async def ocpp_exchange(station: str = "CP-1", *, compression: str | None = None,
                        extensions: list[Any] | None = None, user: str | None = None,
                        ping: bool = False) -> Exchange:
    """An `ocpp` station boots and sends a heartbeat to an `ocpp` CSMS, through a `Tee`."""
    async with OcppCsmsServer() as csms:
        port = int(csms.url.rsplit(":", 1)[1].split("/")[0])
        async with Tee(port) as tee:
            texts = await _station_session(f"ws://127.0.0.1:{tee.port}/ocpp", station,
                                           compression=compression, extensions=extensions,
                                           user=user, ping=ping)
            await _settled(tee)
            return Exchange(list(tee.sent), texts)


async def direct_exchange(url: str, station: str) -> Exchange:
    """An `ocpp` station booting at the CSMS at `url` straight, with nothing between (for
    tcpdump to see); `sent` stays empty."""
    return Exchange([], await _station_session(url, station))


async def _station_session(url: str, station: str, *, compression: str | None = None,
                           extensions: list[Any] | None = None, user: str | None = None,
                           ping: bool = False) -> list[tuple[bool, str]]:
    headers = {}
    if user is not None:
        token = base64.b64encode(f"{user}:secret-password".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    async with connect(f"{url}/{station}", subprotocols=["ocpp2.0.1"],  # type: ignore[list-item]
                       compression=compression, extensions=extensions,
                       additional_headers=headers, ping_interval=None) as ws:
        tap = Tap(ws)
        cp = OcppStation(station, tap)
        runner = asyncio.ensure_future(cp.start())
        await cp.call(boot_request())
        await cp.call(call.Heartbeat())
        if ping:
            await (await ws.ping(b"are you there"))
        runner.cancel()
        await ws.close(1000, "bye")
    return _texts(tap)


async def fragmented_exchange(station: str = "CP-FRAG") -> Exchange:
    """A station that sends its CALL in three fragments (websockets sends an iterable as
    one fragmented message) to an `ocpp` CSMS."""
    async with OcppCsmsServer() as csms:
        port = int(csms.url.rsplit(":", 1)[1].split("/")[0])
        async with Tee(port) as tee:
            parts = ['[2,"f-1",', '"Heartbeat",', '{}]']
            async with connect(f"ws://127.0.0.1:{tee.port}/ocpp/{station}",
                               subprotocols=["ocpp2.0.1"],  # type: ignore[list-item]
                               compression=None, ping_interval=None) as ws:
                await ws.send(parts)
                answer = await ws.recv()
            await _settled(tee)
            return Exchange(list(tee.sent), [(True, "".join(parts)), (False, str(answer))])


async def ocpp16_exchange(station: str = "CP-16") -> Exchange:
    """An `ocpp` 1.6 station booting at an `ocpp` 1.6 CSMS, through a `Tee`."""
    stations: list[Any] = []

    async def handler(ws: Any) -> None:
        cp = _Csms16(ws.request.path.rsplit("/", 1)[-1], ws)
        stations.append(cp)
        with contextlib.suppress(Exception):
            await cp.start()

    async with serve(handler, "127.0.0.1", 0, subprotocols=["ocpp1.6"],  # type: ignore[list-item]
                     compression=None) as server:
        port = server.sockets[0].getsockname()[1]
        async with Tee(port) as tee:
            async with connect(f"ws://127.0.0.1:{tee.port}/ocpp/{station}",
                               subprotocols=["ocpp1.6"],  # type: ignore[list-item]
                               compression=None, ping_interval=None) as ws:
                tap = Tap(ws)
                cp = v16.ChargePoint(station, tap)
                runner = asyncio.ensure_future(cp.start())
                await cp.call(v16.call.BootNotification(charge_point_vendor="Voltra",
                                                        charge_point_model="AC22"))
                runner.cancel()
            await _settled(tee)
            return Exchange(list(tee.sent), _texts(tap))


class _Csms16(v16.ChargePoint):
    @on("BootNotification")
    def on_boot(self, charge_point_vendor: str, charge_point_model: str, **_: Any) -> Any:
        return v16.call_result.BootNotification(current_time=NOW, interval=300,
                                                status="Accepted")


def _texts(tap: Tap) -> list[tuple[bool, str]]:
    """The station's texts and the CSMS's, in the order they crossed (CALL, then answer)."""
    texts: list[tuple[bool, str]] = []
    received = iter(tap.received)
    for text in tap.sent:
        texts.append((True, text))
        answer = next(received, None)
        if answer is not None:
            texts.append((False, answer))
    return texts


async def _settled(tee: Tee) -> None:
    await tee.finished()
