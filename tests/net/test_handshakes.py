"""TLS failures diagnosed in plain words on both sides, each produced for real on loopback
with certificates made by `trustme`."""

from __future__ import annotations

import asyncio
import ssl
from datetime import UTC, datetime, timedelta

import pytest
import trustme
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from app.net import tls
from app.net.csms import CsmsConfig, CsmsEndpoint
from app.net.proxy import ProxyConfig
from app.net.splice import open_proxy
from app.net.station import StationConfig, StationEndpoint
from app.session.capture import Capture
from app.session.message import Message, RecordKind
from tests.net.peers import BlockingTlsServer, OcppCsmsServer, run, until


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pki")
    ca, other_ca = trustme.CA(), trustme.CA()
    paths = {}
    ca.cert_pem.write_to_path(paths.setdefault("ca", str(folder / "ca.pem")))
    other_ca.cert_pem.write_to_path(paths.setdefault("other_ca", str(folder / "other.pem")))
    now = datetime.now(UTC)
    past = {"not_before": now - timedelta(days=30), "not_after": now - timedelta(days=1)}
    future = {"not_before": now + timedelta(days=1), "not_after": now + timedelta(days=30)}
    for name, identity, validity in (
            ("server", "127.0.0.1", {}), ("elsewhere", "csms.example", {}),
            ("expired", "127.0.0.1", past), ("future", "127.0.0.1", future),
            ("cp1_expired", "CP1", past), ("cp1_future", "CP1", future),
            ("cp1", "CP1", {"common_name": "CP1"}),
            ("cp_other", "CP-OTHER", {"common_name": "CP-OTHER"}),
            ("cp1_in_san", "CP1", {"common_name": "charger 17"})):
        ca.issue_cert(identity, **validity).private_key_and_cert_chain_pem.write_to_path(
            paths.setdefault(name, str(folder / f"{name}.pem")))
    return paths


def _limited(kind: str, pki) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A server and a client context that cannot agree: on the TLS version ("protocol": the
    server wants 1.3, the client stops at 1.2), or on the cipher ("cipher": TLS 1.2 with
    disjoint cipher lists)."""
    server, client = tls.server_context(pki["server"]), tls.client_context(pki["ca"])
    if kind == "protocol":
        server.minimum_version = ssl.TLSVersion.TLSv1_3
        client.maximum_version = ssl.TLSVersion.TLSv1_2
    else:
        server.maximum_version = client.maximum_version = ssl.TLSVersion.TLSv1_2
        server.set_ciphers("ECDHE-ECDSA-AES128-GCM-SHA256")
        client.set_ciphers("ECDHE-ECDSA-CHACHA20-POLY1305")
    return server, client


VALIDITY = [("expired", "the certificate has expired"),
            ("future", "the certificate is not valid yet (check the clocks)")]
AGREEMENT = [("protocol", "the two sides share no TLS version"),
             ("cipher", "the two sides share no cipher suite")]


async def _refusals(capture: Capture, timeout: float = 10.0) -> list:
    def refused() -> list:
        return [m for m in capture.messages if m.kind is RecordKind.REJECTED]
    await until(refused, timeout)
    return refused()


async def _station_against(server_cert: str, trust: str) -> str:
    """A station of ours dialling a TLS CSMS: the sentence of its first refused attempt."""
    csms = CsmsEndpoint(CsmsConfig(port=0, server_ssl=tls.server_context(server_cert)),
                        Capture())
    await csms.start()
    try:
        return await _first_refusal(csms.port, tls.client_context(trust))
    finally:
        await csms.stop()


async def _first_refusal(port: int, client_ssl: ssl.SSLContext) -> str:
    """The sentence of the first refused attempt of a station of ours dialling `port`."""
    capture = Capture()
    station = StationEndpoint(StationConfig(
        f"wss://127.0.0.1:{port}/ocpp", "CP1", client_ssl=client_ssl, reconnect_min=30),
        capture)
    await station.start()
    try:
        return (await _refusals(capture))[0].meta["diagnosis"]
    finally:
        await station.stop()


async def _charger_refused_by_our_csms(server_ssl: ssl.SSLContext,
                                       client_ssl: ssl.SSLContext) -> Message:
    """A charger dialling a TLS CSMS of ours and failing: the CSMS's refused record."""
    capture = Capture()
    csms = CsmsEndpoint(CsmsConfig(port=0, server_ssl=server_ssl), capture)
    await csms.start()
    with pytest.raises(Exception):  # noqa: B017 - how the charger fails depends on the TLS version
        async with connect(f"wss://127.0.0.1:{csms.port}/ocpp/CP1",
                           subprotocols=["ocpp2.0.1"],  # type: ignore[list-item]
                           ssl=client_ssl, open_timeout=5) as ws:
            await ws.recv()
    try:
        return (await _refusals(capture))[0]
    finally:
        await csms.stop()


def test_an_untrusted_ca_is_named_on_the_station_side(pki):
    sentence = run(_station_against(pki["server"], pki["other_ca"]))
    assert sentence.startswith("TLS failed towards the CSMS: the certificate is signed by a "
                               "CA the other side does not trust")


def test_a_host_name_mismatch_is_named_on_the_station_side(pki):
    sentence = run(_station_against(pki["elsewhere"], pki["ca"]))
    assert sentence.startswith("TLS failed towards the CSMS: the certificate does not name "
                               "the host that was dialled")


def test_plain_tcp_sent_to_a_tls_port_is_a_refused_attempt_on_the_server(pki):
    async def scenario():
        capture = Capture()
        csms = CsmsEndpoint(CsmsConfig(port=0, server_ssl=tls.server_context(pki["server"])),
                            capture)
        await csms.start()
        with pytest.raises(Exception):  # noqa: B017 - the client sees no HTTP answer at all
            async with connect(f"ws://127.0.0.1:{csms.port}/ocpp/CP1",
                               subprotocols=["ocpp2.0.1"], open_timeout=5):  # type: ignore[list-item]
                pass
        try:
            return (await _refusals(capture))[0]
        finally:
            await csms.stop()

    refused = run(scenario())
    assert refused.meta["station_id"] == "unknown until the handshake"
    assert refused.meta["diagnosis"].startswith(
        f"TLS failed from the charger at {refused.meta['remote']}: plain TCP (ws://) was sent "
        "to a TLS port: use wss://")


def test_a_missing_client_certificate_is_a_refused_attempt_on_the_server(pki):
    async def scenario():
        capture = Capture()
        csms = CsmsEndpoint(CsmsConfig(port=0, server_ssl=tls.server_context(
            pki["server"], client_ca=pki["ca"])), capture)
        await csms.start()
        with pytest.raises(Exception):  # noqa: B017 - TLS 1.3 tells the client late
            async with connect(f"wss://127.0.0.1:{csms.port}/ocpp/CP1",
                               subprotocols=["ocpp2.0.1"],  # type: ignore[list-item]
                               ssl=tls.client_context(pki["ca"]), open_timeout=5) as ws:
                await ws.recv()
        try:
            return (await _refusals(capture))[0]
        finally:
            await csms.stop()

    refused = run(scenario())
    assert refused.meta["remote"].startswith("127.0.0.1:")
    assert refused.meta["diagnosis"].startswith(
        f"TLS failed from the charger at {refused.meta['remote']}: no client certificate was "
        "presented")


def test_tls_sent_to_our_plain_csms_is_named_on_both_sides(pki):
    async def scenario():
        csms_capture, station_capture = Capture(), Capture()
        csms = CsmsEndpoint(CsmsConfig(port=0), csms_capture)
        await csms.start()
        station = StationEndpoint(StationConfig(
            f"wss://127.0.0.1:{csms.port}/ocpp", "CP1", client_ssl=tls.client_context(
                pki["ca"]), reconnect_min=30), station_capture)
        await station.start()
        try:
            return (await _refusals(csms_capture))[0], (await _refusals(station_capture))[0]
        finally:
            await station.stop()
            await csms.stop()

    server_side, client_side = run(scenario())
    assert server_side.meta["remote"].startswith("127.0.0.1:")
    assert server_side.meta["station_id"] == "unknown until the handshake"
    assert server_side.meta["diagnosis"] == (
        f"the charger at {server_side.meta['remote']} started TLS (wss) but this port speaks "
        "plain ws: use ws:// or give the CSMS a certificate")
    assert client_side.meta["diagnosis"].startswith(
        "TLS failed towards the CSMS: TLS (wss://) was sent to a plain port: use ws://")


@pytest.mark.parametrize("transparent", [False, True], ids=["terminating", "transparent"])
def test_tls_sent_to_a_plain_proxy_port_is_a_refused_attempt(pki, transparent):
    async def scenario():
        capture = Capture()
        proxy = open_proxy(ProxyConfig(upstream="ws://127.0.0.1:9/ocpp",
                                       transparent=transparent), capture)
        await proxy.start()
        with pytest.raises(ssl.SSLError):
            async with connect(f"wss://127.0.0.1:{proxy.port}/ocpp/CP1",
                               subprotocols=["ocpp2.0.1"],  # type: ignore[list-item]
                               ssl=tls.client_context(pki["ca"]), open_timeout=5):
                pass
        try:
            return (await _refusals(capture))[0]
        finally:
            await proxy.stop()

    refused = run(scenario())
    assert refused.station == ""
    assert refused.meta["diagnosis"] == (
        f"the charger at {refused.meta['remote']} started TLS (wss) but this port speaks "
        "plain ws: use ws:// or give the proxy a certificate")


@pytest.mark.parametrize(("cert", "words"), VALIDITY)
def test_an_out_of_date_csms_certificate_is_named_by_our_station(pki, cert, words):
    sentence = run(_station_against(pki[cert], pki["ca"]))
    assert sentence.startswith(f"TLS failed towards the CSMS: {words}")


@pytest.mark.parametrize(("cert", "words"), VALIDITY)
def test_an_out_of_date_client_certificate_is_named_by_our_csms(pki, cert, words):
    refused = run(_charger_refused_by_our_csms(
        tls.server_context(pki["server"], client_ca=pki["ca"]),
        tls.client_context(pki["ca"], cert=pki[f"cp1_{cert}"])))
    assert refused.meta["diagnosis"].startswith(
        f"TLS failed from the charger at {refused.meta['remote']}: {words}")


@pytest.mark.parametrize("transparent", [False, True], ids=["terminating", "transparent"])
@pytest.mark.parametrize(("cert", "words"), VALIDITY)
def test_an_out_of_date_csms_certificate_is_named_by_the_proxy_upstream_hop(
        pki, cert, words, transparent):
    async def scenario():
        csms = CsmsEndpoint(CsmsConfig(port=0, server_ssl=tls.server_context(pki[cert])),
                            Capture())
        await csms.start()
        capture = Capture()
        proxy = open_proxy(ProxyConfig(
            upstream=f"wss://127.0.0.1:{csms.port}/ocpp", transparent=transparent,
            upstream_ssl=tls.client_context(pki["ca"])), capture)
        await proxy.start()
        with pytest.raises(InvalidStatus):
            async with connect(f"{proxy.url}/ocpp/CP1", subprotocols=["ocpp2.0.1"]):  # type: ignore[list-item]
                pass
        try:
            return (await _refusals(capture))[0].meta["diagnosis"]
        finally:
            await proxy.stop()
            await csms.stop()

    assert run(scenario()).startswith(f"TLS failed towards the CSMS: {words}")


@pytest.mark.parametrize(("kind", "words"), AGREEMENT)
def test_no_shared_tls_version_or_cipher_is_named_by_our_station(pki, kind, words):
    server, client = _limited(kind, pki)

    async def scenario():
        with BlockingTlsServer(server) as csms:
            return await _first_refusal(csms.port, client)

    assert run(scenario()).startswith(f"TLS failed towards the CSMS: {words}")


@pytest.mark.parametrize(("kind", "words"), AGREEMENT)
def test_no_shared_tls_version_or_cipher_is_named_by_our_csms(pki, kind, words):
    refused = run(_charger_refused_by_our_csms(*_limited(kind, pki)))
    assert refused.meta["diagnosis"].startswith(
        f"TLS failed from the charger at {refused.meta['remote']}: {words}")


async def _charger_with_certificate(listener, capture: Capture, client_ssl: ssl.SSLContext,
                                    path: str = "/ocpp/CP1") -> list[Message]:
    """A charger showing a client certificate to `listener` (our CSMS or proxy), sending one
    frame and closing: the opened and closed records."""
    await listener.start()
    try:
        async with connect(f"wss://127.0.0.1:{listener.port}{path}",
                           subprotocols=["ocpp2.0.1"],  # type: ignore[list-item]
                           ssl=client_ssl, open_timeout=5) as ws:
            await ws.send('[2,"1","Heartbeat",{}]')
            await ws.recv()

        async def ended() -> list[Message]:
            while True:
                found = [m for m in capture.messages
                         if m.kind in (RecordKind.OPENED, RecordKind.CLOSED)]
                if len(found) == 2:
                    return found
                await asyncio.sleep(0.01)
        return await asyncio.wait_for(ended(), 10)
    finally:
        await listener.stop()


def _our_csms_with_client_certificates(pki, capture: Capture) -> CsmsEndpoint:
    return CsmsEndpoint(CsmsConfig(port=0, ping_interval=None, server_ssl=tls.server_context(
        pki["server"], client_ca=pki["ca"])), capture)


def test_a_client_certificate_naming_another_station_is_a_warning_on_the_opened_record(pki):
    capture = Capture()
    opened, closed = run(_charger_with_certificate(
        _our_csms_with_client_certificates(pki, capture), capture,
        tls.client_context(pki["ca"], cert=pki["cp_other"])))
    assert opened.meta["client_cert"]["matched"] is None
    finding = capture.annotation(opened.seq).findings[0]
    assert (finding.code, finding.severity.value) == ("tls.client-cert-station", "warning")
    words = "the client certificate names 'CP-OTHER', not the station id 'CP1'"
    assert finding.message == words
    assert closed.meta["diagnosis"].endswith(f"; {words}")


def test_a_client_certificate_whose_cn_is_the_station_id_says_so(pki):
    capture = Capture()
    opened, closed = run(_charger_with_certificate(
        _our_csms_with_client_certificates(pki, capture), capture,
        tls.client_context(pki["ca"], cert=pki["cp1"])))
    assert not capture.annotation(opened.seq).findings
    assert closed.meta["diagnosis"].endswith(
        "; the client certificate's subject CN is the station id 'CP1'")


@pytest.mark.parametrize("transparent", [False, True], ids=["terminating", "transparent"])
def test_the_proxy_compares_client_certificates_with_the_station_id(pki, transparent):
    async def scenario():
        capture = Capture()
        async with OcppCsmsServer() as csms:
            proxy = open_proxy(ProxyConfig(
                upstream=csms.url, transparent=transparent, server_ssl=tls.server_context(
                    pki["server"], client_ca=pki["ca"])), capture)
            records = await _charger_with_certificate(
                proxy, capture, tls.client_context(pki["ca"], cert=pki["cp1_in_san"]))
        return records

    opened, closed = run(scenario())
    assert opened.meta["client_cert"] == {"station": "CP1", "subject_cn": "charger 17",
                                          "alt_names": ["cp1"], "matched": "subjectAltName"}
    assert "; the client certificate's subjectAltName is the station id 'CP1'" in \
        closed.meta["diagnosis"]
