"""TLS failures diagnosed in plain words on both sides, each produced for real on loopback
with certificates made by `trustme`."""

from __future__ import annotations

import asyncio
import ssl

import pytest
import trustme
from websockets.asyncio.client import connect

from app.net import tls
from app.net.csms import CsmsConfig, CsmsEndpoint
from app.net.proxy import ProxyConfig
from app.net.splice import open_proxy
from app.net.station import StationConfig, StationEndpoint
from app.session.capture import Capture
from app.session.message import RecordKind
from tests.net.peers import run


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pki")
    ca, other_ca = trustme.CA(), trustme.CA()
    paths = {}
    ca.cert_pem.write_to_path(paths.setdefault("ca", str(folder / "ca.pem")))
    other_ca.cert_pem.write_to_path(paths.setdefault("other_ca", str(folder / "other.pem")))
    for name, identity in (("server", "127.0.0.1"), ("elsewhere", "csms.example")):
        ca.issue_cert(identity).private_key_and_cert_chain_pem.write_to_path(
            paths.setdefault(name, str(folder / f"{name}.pem")))
    return paths


async def _refusals(capture: Capture, timeout: float = 10.0) -> list:
    async def refused() -> list:
        while True:
            found = [m for m in capture.messages if m.kind is RecordKind.REJECTED]
            if found:
                return found
            await asyncio.sleep(0.01)
    return await asyncio.wait_for(refused(), timeout)


async def _station_against(server_cert: str, trust: str) -> str:
    """A station of ours dialling a TLS CSMS: the sentence of its first refused attempt."""
    csms = CsmsEndpoint(CsmsConfig(port=0, server_ssl=tls.server_context(server_cert)),
                        Capture())
    await csms.start()
    capture = Capture()
    station = StationEndpoint(StationConfig(
        f"wss://127.0.0.1:{csms.port}/ocpp", "CP1", client_ssl=tls.client_context(trust),
        reconnect_min=30), capture)
    await station.start()
    try:
        return (await _refusals(capture))[0].meta["diagnosis"]
    finally:
        await station.stop()
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
