"""The proxy and credentials: exactly one Authorization header reaches the CSMS, the record
says whose, and passwords and tokens in URLs stay out of every record."""

import asyncio
import base64
import json

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from app.net.proxy import Proxy, ProxyConfig
from app.session.capture import Capture
from app.session.message import RecordKind
from app.session.sessionfile import record_to_json
from tests.net.peers import RecordingServer, run

STATION_AUTH = "Basic " + base64.b64encode(b"CP1:station-pw").decode()
URL_AUTH = "Basic " + base64.b64encode(b"user:secret").decode()


def _with_credentials(url, userinfo="user:secret"):
    return url.replace("ws://", f"ws://{userinfo}@")


async def _through_proxy(server, upstream, station_headers=None, path="/CP1", **config):
    """Connect a station through a proxy to `server`; the CSMS's request headers and the
    proxy's records."""
    capture = Capture()
    proxy = Proxy(ProxyConfig(upstream=upstream, **config), capture)
    await proxy.start()
    try:
        async with connect(f"{proxy.url}{path}", subprotocols=["ocpp2.0.1"],
                           additional_headers=station_headers or {}):
            pass
    finally:
        await proxy.stop()
    return server.requests[0].headers, capture


def _everything_recorded(capture):
    return "\n".join(json.dumps(record_to_json(m)) for m in capture.messages)


@pytest.mark.parametrize(("station_auth", "choice", "received", "whose"), [
    (STATION_AUTH, "station", STATION_AUTH, "station"),
    (STATION_AUTH, "url", URL_AUTH, "url"),
    (None, "station", URL_AUTH, "url"),
])
def test_one_authorization_reaches_the_csms_and_the_record_says_whose(
        station_auth, choice, received, whose):
    async def main():
        async with RecordingServer() as server:
            station = {"Authorization": station_auth} if station_auth else {}
            return await _through_proxy(server, _with_credentials(server.url), station,
                                        upstream_auth=choice)

    headers, capture = run(main())
    assert headers.get_all("Authorization") == [received]
    opened = capture.messages[0]
    assert opened.kind is RecordKind.OPENED and opened.meta["auth_sent"] == whose


def test_without_any_credentials_no_authorization_is_sent():
    async def main():
        async with RecordingServer() as server:
            return await _through_proxy(server, server.url)

    headers, capture = run(main())
    assert "Authorization" not in headers
    assert capture.messages[0].meta["auth_sent"] == "none"


def test_a_station_sending_two_authorizations_gets_one_through():
    async def main():
        async with RecordingServer() as server:
            proxy = Proxy(ProxyConfig(upstream=server.url), Capture())
            await proxy.start()
            try:
                # websockets' client never sends two: write the handshake by hand
                status = await _raw_handshake(proxy.port, ["Bearer one", "Bearer two"])
            finally:
                await proxy.stop()
            return server.requests[0].headers, status

    headers, status_line = run(main())
    assert status_line.startswith(b"HTTP/1.1 101")
    assert headers.get_all("Authorization") == ["Bearer one"]


async def _raw_handshake(port, authorizations):
    """The status line the proxy answers a handshake carrying these Authorization values."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    lines = ["GET /ocpp/CP2 HTTP/1.1", f"Host: 127.0.0.1:{port}", "Upgrade: websocket",
             "Connection: Upgrade", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
             "Sec-WebSocket-Version: 13", "Sec-WebSocket-Protocol: ocpp2.0.1",
             *(f"Authorization: {value}" for value in authorizations)]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
    try:
        return await asyncio.wait_for(reader.readline(), 10)
    finally:
        writer.close()


def test_passwords_and_tokens_are_masked_in_every_record():
    async def main():
        async with RecordingServer() as server:
            return await _through_proxy(server, _with_credentials(server.url),
                                        {"Authorization": STATION_AUTH},
                                        path="/ocpp/CP1?token=secret&site=7")

    headers, capture = run(main())
    assert headers["Authorization"] == STATION_AUTH
    opened = capture.messages[0].meta
    assert opened["upstream"].startswith("ws://user:***@127.0.0.1:")
    assert opened["upstream"].endswith("/cs/CP1?token=***&site=7")
    assert opened["path"] == "/ocpp/CP1?token=***&site=7"
    assert opened["auth"] == {"scheme": "Basic", "user": "CP1"}
    recorded = _everything_recorded(capture)
    assert "secret" not in recorded and "station-pw" not in recorded


def test_record_secrets_keeps_them():
    async def main():
        async with RecordingServer() as server:
            return await _through_proxy(server, _with_credentials(server.url),
                                        {"Authorization": STATION_AUTH}, record_secrets=True)

    _, capture = run(main())
    opened = capture.messages[0].meta
    assert opened["upstream"].startswith("ws://user:secret@")
    assert opened["auth"]["password"] == "station-pw"


def test_a_refusal_names_the_csms_without_its_password():
    notices = []

    async def main():
        async with RecordingServer(status=401) as server:
            capture = Capture()
            proxy = Proxy(ProxyConfig(upstream=_with_credentials(server.url)), capture,
                          notices.append)
            await proxy.start()
            try:
                with pytest.raises(InvalidStatus):
                    async with connect(f"{proxy.url}/CP1", subprotocols=["ocpp2.0.1"]):
                        pass
            finally:
                await proxy.stop()
            return capture

    capture = run(main())
    rejected = capture.messages[0]
    assert rejected.kind is RecordKind.REJECTED and rejected.meta["status"] == 401
    assert "user:***@" in rejected.meta["upstream"] and "user:***@" in rejected.meta["reason"]
    assert rejected.meta["auth_sent"] == "url"
    assert "secret" not in _everything_recorded(capture) + "\n".join(notices)
