"""wss:// on both sides of the proxy (security profiles 2 and 3), with certificates made
for the test by `trustme`."""

import asyncio
import shutil
import ssl
import subprocess
from pathlib import Path

import pytest
import trustme
from websockets.asyncio.client import connect
from websockets.asyncio.server import serve
from websockets.exceptions import InvalidHandshake

from app.net import tls
from app.net.proxy import Proxy, ProxyConfig
from app.session.capture import Capture
from app.session.message import RecordKind
from tests.net.peers import refusal, run
from tests.session import pcaps


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pki")
    ca = trustme.CA()
    other_ca = trustme.CA()
    server = ca.issue_cert("127.0.0.1", "localhost")
    station = ca.issue_cert("CP-TLS")
    paths = {}
    ca.cert_pem.write_to_path(paths.setdefault("ca", str(folder / "ca.pem")))
    other_ca.cert_pem.write_to_path(paths.setdefault("other_ca", str(folder / "other.pem")))
    server.private_key_and_cert_chain_pem.write_to_path(
        paths.setdefault("server", str(folder / "server.pem")))
    station.private_key_and_cert_chain_pem.write_to_path(
        paths.setdefault("station", str(folder / "station.pem")))
    return paths


async def _tls_csms(pki):
    received = []

    async def handler(ws):
        async for data in ws:
            received.append(data)
            await ws.send('[3,"1",{"currentTime":"2024-01-01T00:00:00Z"}]')

    server = await serve(handler, "127.0.0.1", 0, subprotocols=["ocpp2.0.1"],
                         ssl=tls.server_context(pki["server"]))
    return server, received


def test_wss_on_both_hops_with_client_certificates(pki):
    async def main():
        server, received = await _tls_csms(pki)
        port = server.sockets[0].getsockname()[1]
        capture = Capture()
        proxy = Proxy(ProxyConfig(
            upstream=f"wss://127.0.0.1:{port}/ocpp",
            server_ssl=tls.server_context(pki["server"], client_ca=pki["ca"]),
            upstream_ssl=tls.client_context(pki["ca"], pki["station"])), capture)
        await proxy.start()
        url = proxy.url
        try:
            station_ssl = tls.client_context(pki["ca"], pki["station"])
            async with connect(f"{proxy.url}/CP-TLS", subprotocols=["ocpp2.0.1"],
                               ssl=station_ssl) as ws:
                await ws.send('[2,"1","Heartbeat",{}]')
                answer = await asyncio.wait_for(ws.recv(), 5)
            # a station without a client certificate is refused (TLS 1.3 tells it only
            # after the handshake, so it sees the connection end instead of an answer)
            with pytest.raises((ssl.SSLError, OSError, InvalidHandshake)):
                async with connect(f"{proxy.url}/CP-TLS", ssl=tls.client_context(pki["ca"]),
                                   open_timeout=5) as ws:
                    await ws.recv()
        finally:
            await proxy.stop()
            server.close()
        return url, answer, received, capture

    url, answer, received, capture = run(main())
    assert url.startswith("wss://")
    assert received == ['[2,"1","Heartbeat",{}]']
    assert answer.startswith('[3,"1"')
    assert capture.messages[0].kind is RecordKind.OPENED


def test_untrusted_csms_certificate_is_a_502_that_names_the_cause(pki):
    async def main():
        server, _ = await _tls_csms(pki)
        port = server.sockets[0].getsockname()[1]
        capture = Capture()
        proxy = Proxy(ProxyConfig(upstream=f"wss://127.0.0.1:{port}/ocpp",
                                  upstream_ssl=tls.client_context(pki["other_ca"])), capture)
        await proxy.start()
        try:
            response = await refusal(f"{proxy.url}/CP-1")
        finally:
            await proxy.stop()
            server.close()
        return response.status_code, capture

    status, capture = run(main())
    assert status == 502
    assert "certificate" in capture.messages[0].meta["reason"]


def test_unusable_tls_files_are_reported_in_one_sentence(tmp_path, pki):
    with pytest.raises(tls.TlsSetupError, match="does not exist"):
        tls.server_context(str(tmp_path / "missing.pem"))
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a certificate")
    with pytest.raises(tls.TlsSetupError, match="cannot use certificate"):
        tls.server_context(str(garbage))
    with pytest.raises(tls.TlsSetupError, match="CA file"):
        tls.client_context(str(garbage))


def test_a_key_log_is_created_private_and_kept_when_it_exists(tmp_path, pki):
    log = tmp_path / "keys.log"
    log.write_text("CLIENT_RANDOM earlier run\n")
    log.chmod(0o644)
    context = tls.server_context(pki["server"], keylog=str(log))
    assert context.keylog_filename == str(log)
    assert log.read_text() == "CLIENT_RANDOM earlier run\n"
    assert log.stat().st_mode & 0o077 == 0
    with pytest.raises(tls.TlsSetupError, match="cannot write the TLS key log"):
        tls.client_context(keylog=str(tmp_path / "no-such-folder" / "keys.log"))


def _tshark_websocket(capture: str, keylog: str | None) -> list[str]:
    """The WebSocket text frames tshark finds in `capture`, decrypted with `keylog`."""
    options = ["-o", f"tls.keylog_file:{keylog}"] if keylog else []
    result = subprocess.run(["tshark", "-n", *options, "-r", capture, "-Y", "websocket",
                             "-T", "fields", "-e", "websocket.payload.text"],
                            capture_output=True, text=True, timeout=60, check=True)
    return [line for line in result.stdout.splitlines() if line.strip()]


def _frames_so_far(capture: Path, keylog: Path) -> list[str]:
    """The decrypted frames of a capture still being written; none while it cannot be read."""
    try:
        return _tshark_websocket(str(capture), str(keylog))
    except subprocess.CalledProcessError:
        return []


@pytest.mark.skipif(shutil.which("tshark") is None or not pcaps.Tcpdump.available(),
                    reason="decrypting a capture needs tshark and tcpdump installed")
def test_a_capture_of_both_tls_hops_decrypts_in_wireshark_with_the_key_log(tmp_path, pki):
    capture, log = tmp_path / "tls.pcap", tmp_path / "keys.log"

    async def main():
        server, received = await _tls_csms(pki)
        csms_port = server.sockets[0].getsockname()[1]
        proxy = Proxy(ProxyConfig(
            upstream=f"wss://127.0.0.1:{csms_port}/ocpp",
            server_ssl=tls.server_context(pki["server"], keylog=str(log)),
            upstream_ssl=tls.client_context(pki["ca"], keylog=str(log))), Capture())
        await proxy.start()
        port = int(proxy.url.rsplit(":", 1)[1])
        try:
            # both hops: the station's (to the proxy) and the proxy's (to the CSMS)
            with pcaps.Tcpdump(capture, "lo", port, extra=("tcp", "port", str(csms_port),
                                                           "or")):
                async with connect(f"{proxy.url}/CP-KEYS", subprotocols=["ocpp2.0.1"],
                                   ssl=tls.client_context(pki["ca"])) as ws:
                    await ws.send('[2,"k-1","Heartbeat",{}]')
                    await asyncio.wait_for(ws.recv(), 5)
                await pcaps.until(lambda: log.exists() and log.read_text().count("\n") >= 4)
                # tcpdump writes packets as they come (-U): wait until all four frames are in
                # (each look runs tshark, which takes seconds on a busy machine)
                await pcaps.until(lambda: len(_frames_so_far(capture, log)) >= 4, timeout=60)
        finally:
            await proxy.stop()
            server.close()
        return received

    assert run(main()) == ['[2,"k-1","Heartbeat",{}]']
    assert _tshark_websocket(str(capture), None) == []  # without the key log: nothing
    # each frame crossed two hops: the CALL twice, the answer twice
    assert sorted(_tshark_websocket(str(capture), str(log))) == [
        '[2,"k-1","Heartbeat",{}]', '[2,"k-1","Heartbeat",{}]',
        '[3,"1",{"currentTime":"2024-01-01T00:00:00Z"}]',
        '[3,"1",{"currentTime":"2024-01-01T00:00:00Z"}]']
