"""The wire-transparent proxy, read as transcripts: what one side writes is exactly what the
other reads, and the records say what crossed."""

import asyncio

from ocpp.v201 import call
from websockets.asyncio.client import connect
from websockets.asyncio.server import serve
from websockets.extensions.permessage_deflate import PerMessageDeflate
from websockets.frames import Close, Frame, Opcode
from websockets.utils import accept_key

from app.errors import NotConnected
from app.net.proxy import Proxy, ProxyConfig
from app.net.splice import TransparentProxy, open_proxy
from app.ocpp.conversation import Direction
from app.session.capture import Capture
from app.session.message import RecordKind
from tests.net.peers import OcppCsmsServer, OcppStation, Tap, boot_request, run, until

KEY = "dGhlIHNhbXBsZSBub25jZQ=="
UP, DOWN = Direction.STATION_TO_CSMS, Direction.CSMS_TO_STATION


class RawCsms:
    """A CSMS that speaks bytes: answers the upgrade with `status` (and `extensions`), then
    keeps every byte it reads, and writes whatever the test tells it to."""

    def __init__(self, status: int = 101, extensions: str = "") -> None:
        self.status, self.extensions = status, extensions
        self.heads: list[bytes] = []
        self.received = bytearray()
        self.writers: list[asyncio.StreamWriter] = []
        self.arrived = asyncio.Event()

    async def __aenter__(self) -> "RawCsms":
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.url = f"ws://127.0.0.1:{self.server.sockets[0].getsockname()[1]}/ocpp"
        return self

    async def __aexit__(self, *exc: object) -> None:
        for writer in self.writers:
            writer.close()
        self.server.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        self.heads.append(head)
        key = next(line.split(b":", 1)[1].strip().decode() for line in head.split(b"\r\n")
                   if line.lower().startswith(b"sec-websocket-key"))
        if self.status != 101:
            writer.write(b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 7\r\n\r\nwho are")
            await writer.drain()
            writer.close()
            return
        extra = f"Sec-WebSocket-Extensions: {self.extensions}\r\n" if self.extensions else ""
        writer.write((f"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                      f"Connection: Upgrade\r\nSec-WebSocket-Accept: {accept_key(key)}\r\n"
                      f"Sec-WebSocket-Protocol: ocpp2.0.1\r\n{extra}\r\n").encode())
        self.writers.append(writer)
        self.arrived.set()
        while data := await reader.read(65536):
            self.received += data


async def raw_station(proxy_url: str, station: str = "CP1", offer: str = ""
                      ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter, bytes]:
    host, port = proxy_url.removeprefix("ws://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    extra = f"Sec-WebSocket-Extensions: {offer}\r\n" if offer else ""
    writer.write((f"GET /ocpp/{station} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\n"
                  f"Connection: Upgrade\r\nSec-WebSocket-Key: {KEY}\r\n"
                  f"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ocpp2.0.1\r\n"
                  f"{extra}\r\n").encode())
    head = await reader.readuntil(b"\r\n\r\n")
    return reader, writer, head


async def read_exactly(reader: asyncio.StreamReader, count: int) -> bytes:
    return await asyncio.wait_for(reader.readexactly(count), 10)


def station_frames(*frames: Frame, deflate: PerMessageDeflate | None = None) -> bytes:
    extensions = [deflate] if deflate else []
    return b"".join(f.serialize(mask=True, extensions=extensions) for f in frames)


def csms_frames(*frames: Frame) -> bytes:
    return b"".join(f.serialize(mask=False) for f in frames)


async def transcript(csms_ext: str, up: bytes, down: bytes, offer: str = ""
                     ) -> tuple[Capture, bytes, bytes, bytes]:
    """Station writes `up`, the CSMS writes `down`; returns the capture, what each side
    read, and the response head the station got."""
    capture = Capture()
    async with RawCsms(extensions=csms_ext) as csms:
        proxy = TransparentProxy(ProxyConfig(upstream=csms.url, transparent=True), capture)
        await proxy.start()
        try:
            reader, writer, head = await raw_station(proxy.url, offer=offer)
            await asyncio.wait_for(csms.arrived.wait(), 5)
            writer.write(up)
            csms.writers[0].write(down)
            got_down = await read_exactly(reader, len(down))
            await until(lambda: len(csms.received) >= len(up))
            writer.close()
        finally:
            await proxy.stop()
        return capture, bytes(csms.received), got_down, head


def records(capture: Capture, kind: RecordKind) -> list:
    return [m for m in capture.messages if m.kind is kind]


def test_fragments_binary_and_invalid_utf8_cross_byte_for_byte_and_are_recorded():
    up = station_frames(Frame(Opcode.TEXT, b'[2,"1","Heart', fin=False),
                        Frame(Opcode.CONT, b'beat",{}]'),
                        Frame(Opcode.BINARY, b"\x00\x01\xfe"),
                        Frame(Opcode.TEXT, b"\xc3\x28"))
    down = csms_frames(Frame(Opcode.TEXT, b'[3,"1",{"currentTime":"2026-01-01T00:00:00Z"}]'))
    capture, at_csms, at_station, _ = run(transcript("", up, down))
    assert at_csms == up and at_station == down
    frames = [m for m in capture.messages if m.kind in (RecordKind.FRAME, RecordKind.BINARY)
              and m.direction is UP]   # each direction in order; the two race each other
    assert [m.kind for m in frames] == [RecordKind.FRAME, RecordKind.BINARY, RecordKind.FRAME]
    heartbeat = frames[0]
    assert heartbeat.text == '[2,"1","Heartbeat",{}]' and heartbeat.meta == {"fragments": 2}
    assert frames[1].data == b"\x00\x01\xfe" and frames[2].data == b"\xc3\x28"
    [answer] = [m for m in capture.messages if m.direction is DOWN]
    assert answer.text.startswith('[3,"1"')


def test_pings_both_ways_are_answered_by_the_peers_and_recorded_with_round_trips():
    async def main():
        capture = Capture()
        async with RawCsms() as csms:
            proxy = TransparentProxy(ProxyConfig(upstream=csms.url, transparent=True),
                                     capture)
            await proxy.start()
            try:
                reader, writer, _ = await raw_station(proxy.url)
                await asyncio.wait_for(csms.arrived.wait(), 5)
                ping = station_frames(Frame(Opcode.PING, b"s1"))
                writer.write(ping)
                await until(lambda: len(csms.received) == len(ping))
                down = csms_frames(Frame(Opcode.PONG, b"s1"), Frame(Opcode.PING, b"c1"))
                csms.writers[0].write(down)
                assert await read_exactly(reader, len(down)) == down
                pong = station_frames(Frame(Opcode.PONG, b"c1"))
                writer.write(pong)
                await until(lambda: len(csms.received) == len(ping + pong))
                assert bytes(csms.received) == ping + pong  # nothing of ours on the wire
                writer.close()
            finally:
                await proxy.stop()
        return capture

    controls = records(run(main()), RecordKind.CONTROL)
    assert [(m.meta["opcode"], m.meta["by"]) for m in controls] == [
        ("ping", "station"), ("pong", "csms"), ("ping", "csms"), ("pong", "station")]
    assert all(m.meta["rtt"] >= 0 for m in controls if m.meta["opcode"] == "pong")


def test_deflate_with_context_takeover_is_passed_through_and_inflated_for_the_record():
    header = "permessage-deflate; client_max_window_bits=15"
    encoder = PerMessageDeflate(False, False, 15, 15)
    texts = [b'[2,"%d","Heartbeat",{}]' % i for i in range(3)]
    up = station_frames(*(Frame(Opcode.TEXT, t) for t in texts), deflate=encoder)
    capture, at_csms, _, head = run(transcript(header, up, b"", offer="permessage-deflate"))
    assert at_csms == up
    assert f"Sec-WebSocket-Extensions: {header}".encode() in head  # the CSMS's, untouched
    assert [m.text.encode() for m in records(capture, RecordKind.FRAME)] == texts
    opened = records(capture, RecordKind.OPENED)[0]
    assert opened.meta["extensions"] == {"station": header, "csms": header}


def test_deflate_without_context_takeover_is_inflated_too():
    header = "permessage-deflate; client_no_context_takeover; server_no_context_takeover"
    encoder = PerMessageDeflate(False, True, 15, 15)
    texts = [b'[2,"a","Heartbeat",{}]', b'[2,"b","Heartbeat",{}]']
    up = station_frames(*(Frame(Opcode.TEXT, t) for t in texts), deflate=encoder)
    capture, at_csms, _, _ = run(transcript(header, up, b"", offer="permessage-deflate"))
    assert at_csms == up
    assert [m.text.encode() for m in records(capture, RecordKind.FRAME)] == texts


def test_close_handshake_with_code_travels_end_to_end_and_tells_who_closed():
    up = station_frames(Frame(Opcode.CLOSE, Close(4000, "going").serialize()))
    down = csms_frames(Frame(Opcode.CLOSE, Close(4000, "going").serialize()))
    capture, at_csms, at_station, _ = run(transcript("", up, down))
    assert at_csms == up and at_station == down
    closed = records(capture, RecordKind.CLOSED)[0]
    assert (closed.meta["code"], closed.meta["reason"], closed.meta["clean"]) == (
        4000, "going", True)
    assert {m.meta["code"] for m in records(capture, RecordKind.CONTROL)} == {4000}


def test_a_one_megabyte_frame_crosses_unchanged_and_is_recorded_after_its_last_byte():
    payload = b'[2,"big","DataTransfer",{"vendorId":"x","data":"' + b"a" * 1_000_000 + b'"}]'
    up = station_frames(Frame(Opcode.TEXT, payload))
    capture, at_csms, _, _ = run(transcript("", up, b""))
    assert at_csms == up
    [frame] = records(capture, RecordKind.FRAME)
    assert len(frame.text) == len(payload)


def test_two_stations_are_spliced_to_their_own_csms_connections():
    async def main():
        capture = Capture()
        async with RawCsms() as csms:
            proxy = TransparentProxy(ProxyConfig(upstream=csms.url, transparent=True),
                                     capture)
            await proxy.start()
            try:
                one = await raw_station(proxy.url, "CP-A")
                two = await raw_station(proxy.url, "CP-B")
                await until(lambda: len(csms.writers) == 2)
                one[1].write(station_frames(Frame(Opcode.TEXT, b'[2,"a","Heartbeat",{}]')))
                two[1].write(station_frames(Frame(Opcode.TEXT, b'[2,"b","Heartbeat",{}]')))
                await until(lambda: len(records(capture, RecordKind.FRAME)) == 2)
                assert sorted(proxy.stations) == ["CP-A", "CP-B"]
            finally:
                await proxy.stop()
            paths = sorted(h.split(b" ")[1] for h in csms.heads)
            return capture, paths

    capture, paths = run(main())
    assert paths == [b"/ocpp/CP-A", b"/ocpp/CP-B"]
    by_station = {m.station: m.text for m in records(capture, RecordKind.FRAME)}
    assert by_station == {"CP-A": '[2,"a","Heartbeat",{}]', "CP-B": '[2,"b","Heartbeat",{}]'}
    assert len({m.connection for m in records(capture, RecordKind.OPENED)}) == 2


def test_the_csms_refusal_reaches_the_station_as_it_was_sent():
    async def main():
        capture = Capture()
        async with RawCsms(status=401) as csms:
            proxy = TransparentProxy(ProxyConfig(upstream=csms.url, transparent=True),
                                     capture)
            await proxy.start()
            try:
                reader, _, head = await raw_station(proxy.url)
                body = await asyncio.wait_for(reader.read(), 5)
            finally:
                await proxy.stop()
        return capture, head, body

    capture, head, body = run(main())
    assert head.startswith(b"HTTP/1.1 401 Unauthorized") and body == b"who are"
    [rejected] = records(capture, RecordKind.REJECTED)
    assert rejected.meta["status"] == 401 and "credentials" in rejected.meta["reason"]


def test_an_unreachable_csms_gets_the_station_a_502_with_the_reason():
    async def main():
        capture = Capture()
        proxy = TransparentProxy(ProxyConfig(upstream="ws://127.0.0.1:9/ocpp",
                                             transparent=True), capture)
        await proxy.start()
        try:
            reader, _, head = await raw_station(proxy.url)
            body = await asyncio.wait_for(reader.read(), 5)
        finally:
            await proxy.stop()
        return head, body

    head, body = run(main())
    assert head.startswith(b"HTTP/1.1 502") and b"refused" in body


def test_injection_is_refused_with_a_sentence_naming_the_terminating_mode():
    proxy = open_proxy(ProxyConfig(upstream="ws://127.0.0.1:9", transparent=True), Capture())
    try:
        run(proxy.inject("CP1", Direction.CSMS_TO_STATION, "Reset", {"type": "Immediate"}))
    except NotConnected as exc:
        assert "terminating mode" in str(exc)
    else:
        raise AssertionError("injecting through a transparent proxy must be refused")
    run(proxy.stop())


async def _same_traffic(transparent: bool) -> list[tuple]:
    """A websockets CSMS and station exchanging calls through either mode."""
    async def csms_handler(ws):  # type: ignore[no-untyped-def]
        async for text in ws:
            message_id = text.split('"')[1]
            await ws.send(f'[3,"{message_id}",{{"currentTime":"2026-01-01T00:00:00.000Z"}}]')

    capture = Capture()
    async with serve(csms_handler, "127.0.0.1", 0, subprotocols=["ocpp2.0.1"]) as server:
        url = f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}/ocpp"
        config = ProxyConfig(upstream=url, transparent=transparent)
        proxy = open_proxy(config, capture)
        assert isinstance(proxy, TransparentProxy if transparent else Proxy)
        await proxy.start()
        try:
            async with connect(f"{proxy.url}/CP-9", subprotocols=["ocpp2.0.1"],
                               proxy=None) as ws:
                for i in range(3):
                    await ws.send(f'[2,"{i}","Heartbeat",{{}}]')
                    await ws.recv()
                await ws.send('[2,"x","Heartbeat",{"bad":1}]')
                await ws.recv()
        finally:
            await proxy.stop()
    frames = records(capture, RecordKind.FRAME)
    return [(m.direction, m.text, m.message_type, m.action,
             [f.code for f in capture.annotation(m.seq).findings]) for m in frames]


def test_records_are_the_same_in_both_modes_for_the_same_traffic():
    transparent = run(_same_traffic(True))
    terminating = run(_same_traffic(False))
    assert transparent == terminating and len(transparent) == 8
    assert transparent[-2][-1]  # the invalid Heartbeat is flagged in both


async def _ocpp_peers_through_transparent_proxy():
    capture = Capture()
    async with OcppCsmsServer() as csms:
        proxy = TransparentProxy(ProxyConfig(upstream=csms.url, transparent=True), capture)
        await proxy.start()
        try:
            async with connect(f"{proxy.url}/site-a/CP-17", subprotocols=["ocpp2.0.1"],
                               proxy=None) as ws:
                tap = Tap(ws)
                station = OcppStation("CP-17", tap)
                reader = asyncio.create_task(station.start())
                assert (await station.call(boot_request())).status == "Accepted"
                await asyncio.wait_for(csms.connected.wait(), 5)
                cp, csms_tap = csms.stations["CP-17"]
                result = await cp.call(call.GetVariables(
                    get_variable_data=[{"component": {"name": "OCPPCommCtrlr"},
                                        "variable": {"name": "HeartbeatInterval"}}]))
                assert result.get_variable_result[0]["attribute_value"] == "300"
                reader.cancel()
        finally:
            await proxy.stop()
    return capture, tap, csms_tap, csms


def test_ocpp_package_peers_talk_through_the_transparent_proxy():
    capture, station_tap, csms_tap, csms = run(_ocpp_peers_through_transparent_proxy())
    assert station_tap.sent == csms_tap.received and csms_tap.sent == station_tap.received
    frames = records(capture, RecordKind.FRAME)
    assert [m.action for m in frames] == ["BootNotification"] * 2 + ["GetVariables"] * 2
    assert all(capture.annotation(m.seq).valid for m in frames)
    assert csms.paths == ["/ocpp/CP-17"]
    assert capture.messages[-1].kind is RecordKind.CLOSED
    assert capture.messages[-1].meta["by"] == "station"
