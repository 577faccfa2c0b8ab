"""Our keep-alive on loopback: each ping and pong recorded with its round trip, a station
that stops answering flagged and diagnosed, in our CSMS, our station and both hops of the
terminating proxy."""

from __future__ import annotations

import re

from websockets.asyncio.client import connect
from websockets.asyncio.server import serve

from app.net.csms import CsmsConfig, CsmsEndpoint
from app.net.keepalive import MISSED_PONG
from app.net.proxy import Proxy, ProxyConfig
from app.net.station import StationConfig, StationEndpoint
from app.ocpp.conversation import Direction
from app.session.capture import Capture
from app.session.message import Message, RecordKind
from tests.net.peers import OcppCsmsServer, SilentStation, run, until


def _controls(capture: Capture, opcode: str) -> list[Message]:
    return [m for m in capture.messages
            if m.kind is RecordKind.CONTROL and m.meta.get("opcode") == opcode]


def _closed(capture: Capture) -> Message:
    return next(m for m in capture.messages if m.kind is RecordKind.CLOSED)


def _missed_findings(capture: Capture) -> list[str]:
    return [finding.message for ping in _controls(capture, "ping")
            for finding in capture.annotation(ping.seq).findings if finding.code == MISSED_PONG]


def test_our_csms_records_each_ping_and_pong_with_the_round_trip():
    async def scenario():
        capture = Capture()
        csms = CsmsEndpoint(CsmsConfig(port=0, ping_interval=0.05), capture)
        await csms.start()
        async with connect(f"ws://127.0.0.1:{csms.port}/ocpp/CP1",
                           subprotocols=["ocpp2.0.1"], ping_interval=None):  # type: ignore[list-item]
            await until(lambda: len(_controls(capture, "pong")) >= 3)
        await until(lambda: any(m.kind is RecordKind.CLOSED for m in capture.messages))
        await csms.stop()
        return capture

    capture = run(scenario())
    ping, pong = _controls(capture, "ping")[0], _controls(capture, "pong")[0]
    assert ping.meta["by"] == "csms" and pong.meta["by"] == "station"
    assert pong.meta["payload"] == ping.meta["payload"] and pong.meta["rtt"] >= 0
    closed = _closed(capture)
    assert closed.meta["pings"] >= 3 and len(closed.meta["last_rtts"]) == 3
    assert "pings answered (last round trips " in closed.meta["diagnosis"]
    assert not _missed_findings(capture)


def test_a_station_that_stops_answering_our_csms_pings_is_flagged_and_closed():
    async def scenario():
        capture = Capture()
        csms = CsmsEndpoint(CsmsConfig(port=0, ping_interval=0.1, pong_timeout=0.3), capture)
        await csms.start()
        async with SilentStation(csms.port, "/ocpp/CP1"):
            await until(lambda: any(m.kind is RecordKind.CLOSED for m in capture.messages))
        await csms.stop()
        return capture

    capture = run(scenario())
    assert _missed_findings(capture)[0] == ("ping by the CSMS got no pong from the station "
                                            "within 0.3 s")
    closed = _closed(capture)
    assert closed.meta["missed_pongs"] >= 1 and closed.meta["unanswered_by"] == ["station"]
    assert closed.meta["diagnosis"].startswith(
        "the CSMS closed with 1011 (internal error) “keepalive ping timeout”")
    assert "; pings went unanswered by the station (1 of 1)" in closed.meta["diagnosis"]


def test_our_station_records_the_csms_pongs():
    async def scenario():
        capture = Capture()
        async with OcppCsmsServer() as csms:
            station = StationEndpoint(StationConfig(csms.url, "CP1", ping_interval=0.05),
                                      capture)
            await station.start()
            await until(lambda: len(_controls(capture, "pong")) >= 2)
            await station.stop()
        return capture

    capture = run(scenario())
    ping, pong = _controls(capture, "ping")[0], _controls(capture, "pong")[0]
    assert ping.meta["by"] == "station" and pong.meta["by"] == "csms"
    assert "pings answered" in _closed(capture).meta["diagnosis"]


def test_the_terminating_proxy_pings_both_hops_and_names_the_side_that_stopped_answering():
    async def scenario():
        capture = Capture()

        async def handler(ws):
            await ws.wait_closed()

        async with serve(handler, "127.0.0.1", 0, subprotocols=["ocpp2.0.1"],
                         ping_interval=None) as csms:
            port = csms.sockets[0].getsockname()[1]
            proxy = Proxy(ProxyConfig(upstream=f"ws://127.0.0.1:{port}/ocpp",
                                      ping_interval=0.3), capture)
            await proxy.start()
            async with SilentStation(proxy.port, "/ocpp/CP1"):
                await until(lambda: any(m.kind is RecordKind.CLOSED
                                         for m in capture.messages))
            await proxy.stop()
        return capture

    capture = run(scenario())
    pings = _controls(capture, "ping")
    assert {ping.meta["by"] for ping in pings} == {"proxy"}
    assert {ping.direction for ping in pings} == set(Direction)
    assert all(pong.meta["by"] == "csms" for pong in _controls(capture, "pong"))
    assert _missed_findings(capture) == ["ping by the proxy got no pong from the station "
                                         "within 0.3 s"]
    sentence = _closed(capture).meta["diagnosis"]
    assert sentence.startswith("the proxy closed with 1011 (internal error) “keepalive ping "
                               "timeout”")
    assert re.search(r"; pings went unanswered by the station \(1 of \d+; last round trips? "
                     r"[\d., ]+ ms\)$", sentence)
