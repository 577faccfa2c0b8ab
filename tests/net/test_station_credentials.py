"""Our station and credentials: one Authorization header (the password as the station id,
else the CSMS URL's user:password), and the password out of every record and notice."""

import asyncio
import base64
import json

from app.net.station import StationConfig, StationEndpoint
from app.session.capture import Capture
from app.session.message import RecordKind
from app.session.sessionfile import record_to_json
from tests.net.peers import RecordingServer, run


def _basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


async def _station_at(server, csms_url, **config):
    """Start a station at `csms_url`, wait until its first attempt is recorded (opened or
    rejected), stop it; the CSMS's request headers, the records, notices, the station."""
    capture, notices = Capture(), []
    attempted = asyncio.Event()
    capture.subscribe(lambda message, _annotation: attempted.set() if message.kind in (
        RecordKind.OPENED, RecordKind.REJECTED) else None)
    station = StationEndpoint(StationConfig(csms_url=csms_url, station_id="CP-7",
                                            reconnect_min=60, **config), capture,
                              notice=notices.append)
    await station.start()
    try:
        await asyncio.wait_for(attempted.wait(), 10)
    finally:
        await station.stop()
    return server.requests[0].headers, capture, notices, station


def _with_credentials(url):
    return url.replace("ws://", "ws://user:secret@")


def test_the_password_is_sent_as_the_station_id_and_replaces_the_urls():
    async def main():
        async with RecordingServer() as server:
            return await _station_at(server, _with_credentials(server.url), password="pw")

    headers, capture, _, station = run(main())
    assert headers.get_all("Authorization") == [_basic("CP-7", "pw")]
    opened = capture.messages[0]
    assert opened.kind is RecordKind.OPENED
    assert opened.meta["auth"] == {"scheme": "Basic", "user": "CP-7"}
    assert opened.meta["url"].startswith("ws://user:***@127.0.0.1:")
    assert station.url.startswith("ws://user:***@")


def test_without_a_password_the_urls_credentials_are_sent_once():
    async def main():
        async with RecordingServer() as server:
            return await _station_at(server, _with_credentials(server.url))

    headers, capture, _, _ = run(main())
    assert headers.get_all("Authorization") == [_basic("user", "secret")]
    assert capture.messages[0].meta["auth"] == {"scheme": "Basic", "user": "user"}
    assert "secret" not in json.dumps(record_to_json(capture.messages[0]))


def test_a_refusal_is_recorded_and_told_without_the_password():
    async def main():
        async with RecordingServer(status=401) as server:
            return await _station_at(server, _with_credentials(server.url))

    _, capture, notices, _ = run(main())
    rejected = next(m for m in capture.messages if m.kind is RecordKind.REJECTED)
    assert rejected.meta["status"] == 401 and "user:***@" in rejected.meta["url"]
    said = json.dumps([record_to_json(m) for m in capture.messages]) + "\n".join(notices)
    assert "user:***@" in said and "secret" not in said


def test_record_secrets_keeps_the_password_in_the_record():
    async def main():
        async with RecordingServer() as server:
            return await _station_at(server, _with_credentials(server.url), password="pw",
                                     record_secrets=True)

    _, capture, _, _ = run(main())
    opened = capture.messages[0].meta
    assert opened["url"].startswith("ws://user:secret@") and opened["auth"]["password"] == "pw"
