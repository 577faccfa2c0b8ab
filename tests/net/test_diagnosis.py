"""The connection doctor: each failure mode produced for real on loopback, in every mode, and
its one sentence asserted; and the sentences of odd records, read without an exception."""

from __future__ import annotations

import asyncio
import base64
import os

import pytest
from websockets.asyncio.client import connect
from websockets.asyncio.server import serve
from websockets.exceptions import InvalidHandshake

from app.net.csms import CsmsConfig, CsmsEndpoint
from app.net.diagnosis import diagnose, role_of
from app.net.proxy import ProxyConfig
from app.net.splice import open_proxy
from app.session.capture import Capture
from app.session.message import Message, RecordKind
from tests.net.peers import RecordingServer, SilentStation, run, until


def _ends(capture: Capture) -> list[Message]:
    return [m for m in capture.messages
            if m.kind in (RecordKind.CLOSED, RecordKind.REJECTED)]


async def _wait_for_end(capture: Capture, count: int = 1, timeout: float = 10.0) -> None:
    await until(lambda: len(_ends(capture)) >= count, timeout)


async def _raw_upgrade(port: int, path: str, protocol_line: str) -> bytes:
    """Send an upgrade head by hand (any header, however odd) and return the answer head;
    the socket is then dropped without a close."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                 f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                 f"Sec-WebSocket-Version: 13\r\n{protocol_line}\r\n".encode())
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    writer.transport.abort()
    return head


async def _csms(capture: Capture, **options) -> CsmsEndpoint:
    csms = CsmsEndpoint(CsmsConfig(port=0, ping_interval=None, **options), capture)
    await csms.start()
    return csms


async def _refused_by_our_csms(path: str, **connecting) -> Capture:
    """A charger asks our CSMS for `path` (offering what `connecting` says) and is refused;
    what was recorded."""
    capture = Capture()
    csms = await _csms(capture)
    with pytest.raises(InvalidHandshake):
        async with connect(f"ws://127.0.0.1:{csms.port}{path}", **connecting):
            pass
    await csms.stop()
    return capture


def test_a_path_without_station_id_is_diagnosed_with_the_path_that_arrived():
    capture = run(_refused_by_our_csms("/", subprotocols=["ocpp2.0.1"]))
    sentence = _ends(capture)[0].meta["diagnosis"]
    assert sentence == ("the charger asked for '/', which carries no station id; "
                        "expected /<prefix>/<stationId>")


def test_a_charger_offering_no_subprotocol_is_told_what_the_csms_requires():
    rejected = _ends(run(_refused_by_our_csms("/ocpp/CP1")))[0]
    assert rejected.kind is RecordKind.REJECTED
    assert rejected.meta["diagnosis"] == ("the charger offered no subprotocol; "
                                          "the CSMS requires ocpp2.0.1")


def test_a_charger_offering_only_ocpp16_is_told_so():
    capture = run(_refused_by_our_csms("/ocpp/CP1", subprotocols=["ocpp1.6"]))
    assert _ends(capture)[0].meta["diagnosis"] == (
        "the charger offered only ocpp1.6; the CSMS requires ocpp2.0.1")


def test_an_odd_subprotocol_list_is_accepted_and_named_when_the_connection_ends():
    async def scenario():
        capture = Capture()
        csms = await _csms(capture)
        head = await _raw_upgrade(csms.port, "/ocpp/CP1",
                                  "Sec-WebSocket-Protocol: ,ocpp2.0.1\r\n")
        await _wait_for_end(capture)
        await csms.stop()
        return head, capture

    head, capture = run(scenario())
    assert head.startswith(b"HTTP/1.1 101")
    closed = _ends(capture)[0]
    assert closed.kind is RecordKind.CLOSED
    assert closed.meta["diagnosis"].startswith("the charger closed with 1006 (connection lost)")
    assert "the charger offered an odd subprotocol list (',ocpp2.0.1' (has empty entries))" \
        in closed.meta["diagnosis"]


def test_a_plain_http_request_is_refused_with_the_missing_upgrade_headers_named():
    async def scenario():
        capture = Capture()
        csms = await _csms(capture)
        reader, writer = await asyncio.open_connection("127.0.0.1", csms.port)
        writer.write(b"GET /ocpp/CP1 HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n")
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
        writer.close()
        await csms.stop()
        return head, capture

    head, capture = run(scenario())
    assert head.startswith(b"HTTP/1.1 426")
    assert _ends(capture)[0].meta["diagnosis"] == (
        "the charger sent a plain HTTP request to '/ocpp/CP1', not a WebSocket upgrade "
        "(no Upgrade header, Connection: keep-alive)")


async def _refused_upstream(status: int, transparent: bool,
                            **connecting) -> tuple[Capture, str]:
    """A charger connects through the proxy (as `connecting` says) to a CSMS that refuses
    the upgrade with `status`; what was recorded, and the CSMS's URL."""
    capture = Capture()
    async with RecordingServer(status=status) as csms:
        proxy = open_proxy(ProxyConfig(upstream=csms.url, transparent=transparent), capture)
        await proxy.start()
        with pytest.raises(InvalidHandshake):
            async with connect(f"{proxy.url}/ocpp/CP1", subprotocols=["ocpp2.0.1"],
                               **connecting):
                pass
        await proxy.stop()
        url = csms.url   # while it listens: a closed server has no address
    return capture, url


@pytest.mark.parametrize("transparent", [False, True], ids=["terminating", "transparent"])
def test_basic_auth_with_the_wrong_user_is_diagnosed_alike_by_both_proxy_modes(transparent):
    token = base64.b64encode(b"bob:secret12").decode()
    capture, _ = run(_refused_upstream(
        401, transparent, additional_headers={"Authorization": f"Basic {token}"}))
    rejected = _ends(capture)[0]
    sentence = rejected.meta["diagnosis"]
    assert sentence.startswith("the CSMS answered HTTP 401 Unauthorized for 'ws://127.0.0.1:")
    assert sentence.endswith("; the Basic auth user 'bob' is not the station id 'CP1' "
                             "(password of 8 characters)")
    assert "secret12" not in str(rejected.meta)


@pytest.mark.parametrize("transparent", [False, True], ids=["terminating", "transparent"])
def test_a_wrong_upstream_path_names_what_the_csms_refused(transparent):
    capture, url = run(_refused_upstream(404, transparent))
    assert _ends(capture)[0].meta["diagnosis"] == (
        f"the CSMS answered HTTP 404 Not Found for '{url}/CP1' "
        "(it does not know this path or station id)")


def test_a_close_with_4000_after_idle_says_who_after_how_long_and_idle_for_how_long():
    async def scenario():
        capture = Capture()
        csms = await _csms(capture)
        async with connect(f"ws://127.0.0.1:{csms.port}/ocpp/CP1",
                           subprotocols=["ocpp2.0.1"]) as ws:  # type: ignore[list-item]
            await ws.send('[2,"1","Heartbeat",{}]')
            await ws.recv()
            await asyncio.sleep(1.2)  # the idle time the diagnosis must report
            await ws.close(4000, "idle too long")
        await _wait_for_end(capture)
        await csms.stop()
        return capture

    closed = _ends(run(scenario()))[0]
    assert closed.meta["idle"] >= 1.1
    assert closed.meta["diagnosis"].startswith(
        "the charger closed with 4000 (application code) “idle too long” idle for ")


def test_a_station_that_stops_answering_pings_is_diagnosed_through_the_transparent_proxy():
    async def scenario():
        capture = Capture()
        gave_up = asyncio.Event()

        async def handler(ws):
            await ws.wait_closed()
            gave_up.set()

        async with serve(handler, "127.0.0.1", 0, subprotocols=["ocpp2.0.1"],
                         ping_interval=0.2, ping_timeout=0.4, close_timeout=0.5) as csms:
            port = csms.sockets[0].getsockname()[1]
            proxy = open_proxy(ProxyConfig(upstream=f"ws://127.0.0.1:{port}/ocpp",
                                           transparent=True), capture)
            await proxy.start()
            async with SilentStation(proxy.port):
                await asyncio.wait_for(gave_up.wait(), 10)
            await _wait_for_end(capture)  # the station went too: the link ends
            await proxy.stop()
        return capture

    closed = _ends(run(scenario()))[0]
    assert closed.meta["pings"] >= 1 and closed.meta["missed_pongs"] >= 1
    assert "pings went unanswered" in closed.meta["diagnosis"]


def test_odd_meta_from_a_file_gets_a_sentence_never_an_exception():
    assert diagnose("closed", {"code": "x", "duration": "long", "by": 3}, {"offered": 7})
    assert diagnose("rejected", {"status": True, "tls": "weird", "path": None}).sentence
    assert diagnose("rejected", None).sentence
    assert role_of({"url": "ws://x"}) == "station"


def test_a_probe_with_ocpp16_is_named_as_such_when_it_closes():
    sentence = diagnose("closed", {"code": 1000, "by": "station", "duration": 3.0},
                        {"subprotocol": "ocpp1.6", "offered": ["ocpp1.6"]}).sentence
    assert sentence == ("the charger closed with 1000 (normal closure) after 3.0 s; the "
                        "session spoke ocpp1.6, not ocpp2.0.1 (a probe before the real "
                        "session?)")


def test_odd_client_certificate_facts_from_a_file_still_read_as_words():
    from app.net.diagnosis import client_certificate_facts, opening_findings

    assert client_certificate_facts({}, "CP1") is None
    odd = {"station": "CP1", "subject_cn": 7, "alt_names": "x", "matched": None}
    assert opening_findings({"client_cert": odd})[0].message == (
        "the client certificate names no name, not the station id 'CP1'")
    assert opening_findings({"client_cert": "weird"}) == []


def test_how_long_a_connection_lasted_and_how_long_it_was_idle_read_as_two_figures():
    sentence = diagnose("closed", {"code": 1000, "by": "station", "duration": 4.6,
                                   "idle": 4.6}, {"subprotocol": "ocpp2.0.1"}).sentence
    assert "after 4.6 s, idle for 4.6 s" in sentence
