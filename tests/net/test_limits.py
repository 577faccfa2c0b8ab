"""Open files: raised at start, counted into stations, and the excess refused in words."""

from __future__ import annotations

import asyncio
import resource
import signal
import sys

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from app.net import limits
from app.net.csms import CsmsConfig, CsmsEndpoint
from app.net.proxy import Proxy, ProxyConfig
from app.session.capture import Capture
from app.session.message import RecordKind
from tests.e2e.processes import OCPPSCOPE
from tests.net.peers import RecordingServer, run


def test_the_soft_limit_is_raised_to_the_hard_one():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(256, hard), hard))
    try:
        assert limits.raise_open_file_limit() == resource.getrlimit(resource.RLIMIT_NOFILE)[0]
        assert resource.getrlimit(resource.RLIMIT_NOFILE)[0] == hard or sys.platform == "darwin"
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_stations_that_fit_leave_room_for_everything_else():
    assert limits.stations_that_fit(2, limit=1024) == (1024 - limits.RESERVED) // 2
    assert limits.stations_that_fit(1, limit=1024) == 1024 - limits.RESERVED
    assert limits.stations_that_fit(2, limit=10) == 1


async def connect_stations(url: str, count: int):
    """Connect `count` stations; (open connections, HTTP statuses of the refused)."""
    opened, refused = [], []
    for n in range(count):
        try:
            opened.append(await connect(f"{url}/CP-{n}", subprotocols=["ocpp2.0.1"]))
        except InvalidStatus as exc:
            refused.append((exc.response.status_code, exc.response.body.decode()))
    return opened, refused


def test_the_proxy_refuses_a_station_beyond_its_limit_with_503_and_one_line():
    notices: list[str] = []

    async def scenario():
        async with RecordingServer() as server:
            capture = Capture()
            proxy = Proxy(ProxyConfig(upstream=server.url, max_stations=2), capture,
                          notices.append)
            await proxy.start()
            try:
                opened, refused = await connect_stations(proxy.url, 5)
                for ws in opened:
                    await ws.close()
                return capture, len(opened), refused
            finally:
                await proxy.stop()

    capture, opened, refused = run(scenario())
    assert opened == 2
    assert [status for status, _ in refused] == [503, 503, 503]
    assert "limit of 2 stations" in refused[0][1]
    assert len([m for m in capture.messages if m.kind is RecordKind.REJECTED]) == 3
    assert len([n for n in notices if "refused (503)" in n]) == 1  # not one per station


def test_the_csms_refuses_a_station_beyond_its_limit_with_503():
    async def scenario():
        capture = Capture()
        csms = CsmsEndpoint(CsmsConfig(max_stations=1, ping_interval=None), capture)
        await csms.start()
        try:
            opened, refused = await connect_stations(csms.url, 3)
            for ws in opened:
                await ws.close()
            return len(opened), refused
        finally:
            await csms.stop()

    opened, refused = run(scenario())
    assert opened == 1 and [status for status, _ in refused] == [503, 503]


@pytest.mark.skipif(sys.platform == "win32", reason="no open-file limit to set")
def test_a_proxy_at_a_low_open_file_limit_says_how_many_fit_and_refuses_the_rest():
    def low_limit():
        resource.setrlimit(resource.RLIMIT_NOFILE, (160, 160))

    async def scenario():
        async with RecordingServer() as server:
            process = await asyncio.create_subprocess_exec(
                *OCPPSCOPE, "proxy", "--listen", "127.0.0.1:0", "--upstream", server.url,
                "--quiet", stderr=asyncio.subprocess.PIPE, preexec_fn=low_limit)
            line = (await asyncio.wait_for(process.stderr.readline(), 20)).decode()
            url = line.split("listening on ", 1)[1].split("/<stationId>", 1)[0]
            opened, refused = await connect_stations(url, 80)
            for ws in opened:
                await ws.close()
            process.send_signal(signal.SIGINT)
            _, err = await asyncio.wait_for(process.communicate(), 20)
            return line, len(opened), refused, err.decode(), process.returncode

    line, opened, refused, err, status = run(scenario(), timeout=90)
    fit = (160 - limits.RESERVED) // 2
    assert f"room for {fit} stations" in line
    assert opened == fit and len(refused) == 80 - fit
    assert all(code == 503 for code, _ in refused)
    assert "Traceback" not in err and err.count("refused (503)") <= 3
    assert status == 0
