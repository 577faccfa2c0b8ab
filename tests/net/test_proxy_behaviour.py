"""The proxy's promises, as transcripts against raw WebSocket peers on loopback."""

import asyncio
import base64

import pytest
from websockets.asyncio.client import connect
from websockets.asyncio.server import serve
from websockets.exceptions import ConnectionClosed

from app.net.proxy import Proxy, ProxyConfig
from app.session.capture import Capture
from app.session.message import RecordKind
from tests.net.peers import RecordingServer, SilentStation, refusal, run


async def with_proxy(server, scenario, **config):
    capture = Capture()
    proxy = Proxy(ProxyConfig(upstream=server.url, **config), capture)
    await proxy.start()
    try:
        return await scenario(proxy, capture)
    finally:
        await proxy.stop()


def frames(capture):
    return [m for m in capture.messages if m.kind in (RecordKind.FRAME, RecordKind.BINARY)]


def test_invalid_ocpp_binary_and_odd_text_are_forwarded_unchanged():
    sent = ['{"transactionId":,}', "   [2, \"1\" , \"Heartbeat\" , {} ]  ", b"\x00\x01binary",
            "[2,\"2\",\"bootnotification\",{}]", "é ✓ 𝄞"]

    async def main():
        async with RecordingServer() as server:
            async def scenario(proxy, capture):
                async with connect(f"{proxy.url}/CP1", subprotocols=["ocpp2.0.1"]) as ws:
                    for data in sent:
                        await ws.send(data)
                    for _ in range(50):
                        if len(server.received) == len(sent):
                            break
                        await asyncio.sleep(0.02)
                return capture
            return await with_proxy(server, scenario), server

    capture, srv = run(main())
    assert srv.received == sent
    recorded = frames(capture)
    assert [m.text if m.kind is RecordKind.FRAME else m.data for m in recorded] == sent
    assert recorded[2].kind is RecordKind.BINARY
    first = capture.annotation(recorded[0].seq)
    assert [f.code for f in first.findings] == ["frame.not-json"]


def test_answers_flow_back_and_are_paired():
    async def main():
        reply = '[3,"1",{"currentTime":"2024-01-01T00:00:00Z"}]'
        async with RecordingServer(reply=lambda _: reply) as s:
            async def scenario(proxy, capture):
                async with connect(f"{proxy.url}/x/CP1", subprotocols=["ocpp2.0.1"]) as ws:
                    await ws.send('[2,"1","Heartbeat",{}]')
                    answer = await asyncio.wait_for(ws.recv(), 5)
                return answer, capture
            return await with_proxy(s, scenario)

    answer, capture = run(main())
    assert answer == '[3,"1",{"currentTime":"2024-01-01T00:00:00Z"}]'
    result = frames(capture)[1]
    assert result.action == "Heartbeat"
    assert capture.annotation(result.seq).latency >= 0


@pytest.mark.parametrize(("offered", "upstream_offers", "chosen"), [
    (["ocpp1.6", "ocpp2.0.1"], ["ocpp2.0.1"], "ocpp2.0.1"),
    (["ocpp2.0.1", "ocpp1.6"], ["ocpp1.6"], "ocpp1.6"),
    (None, [], None),
])
def test_subprotocol_negotiation_passes_through(offered, upstream_offers, chosen):
    async def main():
        async with RecordingServer(subprotocols=upstream_offers) as s:
            async def scenario(proxy, capture):
                async with connect(f"{proxy.url}/CP1", subprotocols=offered) as ws:
                    got = ws.subprotocol
                return got, s.requests[0].headers.get("Sec-WebSocket-Protocol"), capture
            return await with_proxy(s, scenario)

    got, upstream_header, capture = run(main())
    assert got == chosen
    assert upstream_header == (", ".join(offered) if offered else None)
    opened = capture.messages[0]
    assert opened.meta["subprotocol"] == chosen


def test_malformed_subprotocol_header_is_cleaned_and_recorded():
    async def main():
        async with RecordingServer() as s:
            async def scenario(proxy, capture):
                # the client library adds "ocpp2.0.1"; the extra header adds an empty entry
                async with connect(f"{proxy.url}/CP1", subprotocols=["ocpp2.0.1"],
                                   additional_headers={"Sec-WebSocket-Protocol": ","}) as ws:
                    await ws.send('[2,"1","Heartbeat",{}]')
                    await asyncio.sleep(0.05)
                return capture
            return await with_proxy(s, scenario)

    capture = run(main())
    opened = capture.messages[0]
    assert opened.meta["offered"] == ["ocpp2.0.1"]
    assert "empty entries" in opened.meta["offered_raw"]


def test_basic_auth_passes_through_and_the_password_is_not_recorded():
    token = base64.b64encode(b"CP1:s3cret").decode()

    async def main(record_secrets):
        async with RecordingServer() as s:
            async def scenario(proxy, capture):
                async with connect(f"{proxy.url}/CP1", subprotocols=["ocpp2.0.1"],
                                   additional_headers={"Authorization": f"Basic {token}"}):
                    pass
                return s.requests[0].headers["Authorization"], capture
            return await with_proxy(s, scenario, record_secrets=record_secrets)

    header, capture = run(main(False))
    assert header == f"Basic {token}"
    assert capture.messages[0].meta["auth"] == {"scheme": "Basic", "user": "CP1"}
    _, capture = run(main(True))
    assert capture.messages[0].meta["auth"]["password"] == "s3cret"


@pytest.mark.parametrize("status", [401, 404])
def test_upstream_refusal_reaches_the_station_with_its_status(status):
    async def main():
        async with RecordingServer(status=status) as s:
            async def scenario(proxy, capture):
                return (await refusal(f"{proxy.url}/CP1")).status_code, capture
            return await with_proxy(s, scenario)

    got, capture = run(main())
    assert got == status
    rejected = capture.messages[0]
    assert rejected.kind is RecordKind.REJECTED
    assert rejected.meta["status"] == status and str(status) in rejected.meta["reason"]


def test_upstream_down_gives_502_with_the_reason():
    async def main():
        async with RecordingServer() as s:
            url = s.url
        capture = Capture()
        proxy = Proxy(ProxyConfig(upstream=url), capture)
        await proxy.start()
        try:
            response = await refusal(f"{proxy.url}/CP1")
            return response.status_code, response.body.decode(), capture
        finally:
            await proxy.stop()

    status, body, capture = run(main())
    assert status == 502
    assert "refused" in body and "nothing listens" in body
    assert capture.messages[0].kind is RecordKind.REJECTED


def test_a_csms_that_never_answers_the_handshake_gives_504_with_the_reason():
    async def main():
        silent = await asyncio.start_server(lambda reader, writer: None, "127.0.0.1", 0)
        port = silent.sockets[0].getsockname()[1]
        capture = Capture()
        proxy = Proxy(ProxyConfig(upstream=f"ws://127.0.0.1:{port}/cs", open_timeout=0.5),
                      capture)
        await proxy.start()
        try:
            return await refusal(f"{proxy.url}/CP1"), capture
        finally:
            await proxy.stop()
            silent.close()

    response, capture = run(main())
    assert response.status_code == 504
    (rejected,) = capture.messages
    assert rejected.kind is RecordKind.REJECTED and rejected.meta["status"] == 504
    assert rejected.meta["reason"] in response.body.decode()


def test_unresolvable_upstream_name():
    async def main():
        capture = Capture()
        proxy = Proxy(ProxyConfig(upstream="ws://no-such-host.invalid:9/ocpp"), capture)
        await proxy.start()
        try:
            await refusal(f"{proxy.url}/CP1", subprotocols=None)
        finally:
            await proxy.stop()
        return capture

    capture = run(main())
    assert "resolve" in capture.messages[0].meta["reason"]


def test_missing_station_id_is_404():
    async def main():
        async with RecordingServer() as s:
            async def scenario(proxy, capture):
                return (await refusal(f"{proxy.url}/", subprotocols=None)).status_code, s.requests
            return await with_proxy(s, scenario)

    status, upstream_requests = run(main())
    assert status == 404 and upstream_requests == []


def test_close_codes_propagate_both_ways():
    async def station_closes():
        async with RecordingServer() as s:
            async def scenario(proxy, capture):
                ws = await connect(f"{proxy.url}/CP1", subprotocols=["ocpp2.0.1"])
                await ws.close(4001, "maintenance")
                for _ in range(100):
                    if s.closed:
                        break
                    await asyncio.sleep(0.02)
                return s.closed, capture
            return await with_proxy(s, scenario)

    closed, capture = run(station_closes())
    assert closed == [(4001, "maintenance")]
    event = capture.messages[-1]
    assert event.kind is RecordKind.CLOSED
    assert (event.meta["code"], event.meta["reason"], event.meta["by"]) == (
        4001, "maintenance", "station")

    async def csms_closes():
        async with RecordingServer(close_with=(1008, "policy")) as s:
            async def scenario(proxy, capture):
                async with connect(f"{proxy.url}/CP1", subprotocols=["ocpp2.0.1"]) as ws:
                    await ws.send('[2,"1","Heartbeat",{}]')
                    with pytest.raises(ConnectionClosed):
                        await asyncio.wait_for(ws.recv(), 5)
                    code, reason = ws.close_code, ws.close_reason
                for _ in range(100):
                    if capture.messages[-1].kind is RecordKind.CLOSED:
                        break
                    await asyncio.sleep(0.02)
                return code, reason, capture
            return await with_proxy(s, scenario)

    code, reason, capture = run(csms_closes())
    assert (code, reason) == (1008, "policy")
    assert capture.messages[-1].meta["by"] == "csms"


def test_oversized_frame_closes_with_1009_and_is_recorded():
    async def main():
        async with RecordingServer() as s:
            async def scenario(proxy, capture):
                async with connect(f"{proxy.url}/CP1", subprotocols=["ocpp2.0.1"]) as ws:
                    await ws.send('[2,"1","DataTransfer",{"vendorId":"x","data":"'
                                  + "a" * 5000 + '"}]')
                    with pytest.raises(ConnectionClosed):
                        await asyncio.wait_for(ws.recv(), 5)
                    code = ws.close_code
                for _ in range(100):
                    if s.closed:
                        break
                    await asyncio.sleep(0.02)
                return code, s.received, s.closed, capture
            return await with_proxy(s, scenario, max_size=4096)

    code, received, upstream_closed, capture = run(main())
    assert code == 1009
    assert received == []
    assert upstream_closed and upstream_closed[0][0] == 1001
    event = capture.messages[-1]
    assert event.kind is RecordKind.CLOSED
    assert (event.meta["code"], event.meta["by"]) == (1009, "proxy")


def test_many_stations_at_once_do_not_disturb_each_other():
    def echo(data):
        import json
        message_id = json.loads(data)[1]
        return json.dumps([3, message_id, {"currentTime": "2024-01-01T00:00:00Z"}])

    async def main():
        async with RecordingServer(reply=echo) as s:
            async def scenario(proxy, capture):
                async def station(n):
                    async with connect(f"{proxy.url}/CP{n}", subprotocols=["ocpp2.0.1"]) as ws:
                        answers = []
                        for k in range(5):
                            await ws.send(f'[2,"{n}-{k}","Heartbeat",{{}}]')
                            answers.append(await asyncio.wait_for(ws.recv(), 5))
                        return answers

                async def broken():
                    ws = await connect(f"{proxy.url}/BROKEN", subprotocols=["ocpp2.0.1"])
                    ws.transport.abort()

                results = await asyncio.gather(*(station(n) for n in range(20)), broken())
                return results[:20], capture
            return await with_proxy(s, scenario)

    results, capture = run(main())
    for n, answers in enumerate(results):
        assert [a.split('"')[1] for a in answers] == [f"{n}-{k}" for k in range(5)]
    by_station = {}
    for m in frames(capture):
        by_station.setdefault(m.station, []).append(m)
    assert all(len(by_station[f"CP{n}"]) == 10 for n in range(20))
    assert all(capture.annotation(m.seq).valid for m in frames(capture))


def test_text_frame_that_is_not_utf8_is_forwarded_as_such_and_recorded():
    from app.net.wire import RawServerConnection, receive

    bad = b'[2,"1","Heartbeat",{"x":"\xff\xfe"}]'
    got = []

    async def handler(ws):
        try:
            while True:
                got.append(await receive(ws))
        except ConnectionClosed:
            pass

    async def main():
        server = await serve(handler, "127.0.0.1", 0, subprotocols=["ocpp2.0.1"],
                             create_connection=RawServerConnection)
        port = server.sockets[0].getsockname()[1]
        capture = Capture()
        proxy = Proxy(ProxyConfig(upstream=f"ws://127.0.0.1:{port}"), capture)
        await proxy.start()
        try:
            async with connect(f"{proxy.url}/CP1", subprotocols=["ocpp2.0.1"]) as ws:
                await ws.send(bad, text=True)
                await ws.send(b"\x01\x02", text=False)
                for _ in range(100):
                    if len(got) == 2:
                        break
                    await asyncio.sleep(0.02)
        finally:
            await proxy.stop()
            server.close()
        return capture

    capture = run(main())
    assert got == [(bad, True), (b"\x01\x02", False)]
    text_frame, binary_frame = frames(capture)
    assert text_frame.kind is RecordKind.FRAME and text_frame.data == bad
    assert "\ufffd" in text_frame.text
    assert [f.code for f in capture.annotation(text_frame.seq).findings] == ["frame.not-utf8"]
    assert binary_frame.kind is RecordKind.BINARY
    assert [f.code for f in capture.annotation(binary_frame.seq).findings] == [
        "frame.binary", "frame.not-json"]


def test_pings_are_answered_per_hop():
    async def main():
        async with RecordingServer() as s:
            async def scenario(proxy, capture):
                async with connect(f"{proxy.url}/CP1", subprotocols=["ocpp2.0.1"]) as ws:
                    latency = await asyncio.wait_for(await ws.ping(), 5)
                    upstream = s.connections[0]
                    upstream_latency = await asyncio.wait_for(await upstream.ping(), 5)
                return latency, upstream_latency
            return await with_proxy(s, scenario)

    latency, upstream_latency = run(main())
    assert latency >= 0 and upstream_latency >= 0


def test_a_csms_that_stops_reading_slows_the_station_instead_of_filling_memory():
    """Backpressure: the proxy reads from the station only as fast as the CSMS takes frames,
    so a station flooding a stalled CSMS ends up blocked in its own send."""
    stall = asyncio.Event()

    async def main():
        async def handler(ws):
            await stall.wait()  # never reads

        server = await serve(handler, "127.0.0.1", 0, subprotocols=["ocpp2.0.1"],
                             max_queue=1, close_timeout=0.2)
        port = server.sockets[0].getsockname()[1]
        proxy = Proxy(ProxyConfig(upstream=f"ws://127.0.0.1:{port}"), Capture())
        await proxy.start()
        frame = '[2,"1","DataTransfer",{"vendorId":"x","data":"' + "a" * 60000 + '"}]'
        sent = 0
        try:
            # uncompressed: deflated, these repetitive frames would fit in any buffer
            async with connect(f"{proxy.url}/CP1", subprotocols=["ocpp2.0.1"],
                               compression=None) as ws:
                for _ in range(2000):  # 120 MB if nothing pushed back
                    try:
                        await asyncio.wait_for(ws.send(frame), 1.0)
                    except TimeoutError:
                        break
                    sent += 1
                stall.set()
                ws.transport.abort()
        finally:
            server.close()
            await proxy.stop()
        return sent

    sent = run(main(), timeout=60)
    assert sent < 2000


def test_http_proxy_settings_of_the_environment_are_not_used(monkeypatch):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "all_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")

    async def main():
        async with RecordingServer() as s:
            async def scenario(proxy, capture):
                async with connect(f"{proxy.url}/CP1", subprotocols=["ocpp2.0.1"],
                                   proxy=None) as ws:
                    return ws.subprotocol
            return await with_proxy(s, scenario)

    assert run(main()) == "ocpp2.0.1"


BIG = '[2,"big","DataTransfer",{"vendorId":"v","data":"' + "x" * 60_000 + '"}]'


async def send_until_blocked(station, limit=10_000):
    """Send big frames until the far side stops taking them (a send does not drain)."""
    for _ in range(limit):
        try:
            await asyncio.wait_for(station.send(BIG), 0.5)
        except TimeoutError:
            return
    raise AssertionError("the frames never backed up")


def test_stopping_with_a_station_that_does_not_read_ends_and_records_the_close():
    async def main():
        async with RecordingServer(reply=lambda data: BIG) as server:
            capture = Capture()
            proxy = Proxy(ProxyConfig(upstream=server.url), capture)
            await proxy.start()
            async with SilentStation(proxy.port, "/ocpp/CP1") as station:
                for n in range(60):  # each answered with 60 kB the station never reads
                    await station.send(f'[2,"{n}","Heartbeat",{{}}]')
                await server.wait_received(60)
                await proxy.stop()  # bounded: the run's time limit fails a hang
            return capture

    capture = run(main(), timeout=30)
    closed = [m for m in capture.messages if m.kind is RecordKind.CLOSED]
    assert len(closed) == 1 and closed[0].meta["by"] == "proxy"


def test_a_station_that_resets_while_the_csms_does_not_read_ends_its_link():
    async def main():
        async def never_read(ws):
            await ws.wait_closed()

        async with serve(never_read, "127.0.0.1", 0, subprotocols=["ocpp2.0.1"],
                         max_queue=1) as csms:
            port = csms.sockets[0].getsockname()[1]
            capture = Capture()
            closed = asyncio.Event()
            capture.subscribe(lambda message, _annotation: message.kind is RecordKind.CLOSED
                              and closed.set())
            proxy = Proxy(ProxyConfig(upstream=f"ws://127.0.0.1:{port}/cs"), capture)
            await proxy.start()
            try:
                async with SilentStation(proxy.port, "/ocpp/CP1") as station:
                    await send_until_blocked(station)
                    station.reset()
                    await closed.wait()  # within the run's time limit
                return capture, proxy.stations
            finally:
                await proxy.stop()

    capture, stations = run(main(), timeout=30)
    (closed,) = [m for m in capture.messages if m.kind is RecordKind.CLOSED]
    assert closed.meta["by"] == "station" and stations == []


def test_an_upstream_url_with_a_query_gets_the_station_id_in_its_path():
    async def main():
        async with RecordingServer() as server:
            proxy = Proxy(ProxyConfig(upstream=server.url + "/?token=abc"), Capture())
            await proxy.start()
            try:
                async with connect(f"{proxy.url}/ocpp/CP7?x=1", subprotocols=["ocpp2.0.1"]):
                    pass
            finally:
                await proxy.stop()
            return server.requests[0].path

    assert run(main()) == "/cs/CP7?token=abc&x=1"
