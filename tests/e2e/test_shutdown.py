"""Ctrl-C ends every live mode within seconds, even while a peer does not read: each
connection is closed (or cut), its `closed` record written, the summary printed, exit 0.
The real command runs as a subprocess; each scenario is bounded by `run`'s time limit."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from app.session.message import RecordKind
from app.session.sessionfile import SessionReader
from tests.e2e.processes import start_listening
from tests.net.peers import RecordingServer, SilentStation, run

BIG = '[2,"big","DataTransfer",{"vendorId":"v","data":"' + "x" * 60_000 + '"}]'


def closed_records(path: Path) -> list:
    return [m for m in SessionReader.open(path) if m.kind is RecordKind.CLOSED]


async def stuck_proxy(record: Path):
    """A proxy whose station never reads while its CSMS answers every frame with 60 kB."""
    server = RecordingServer(reply=lambda data: BIG)
    await server.__aenter__()
    process, url, _ = await start_listening(
        "proxy", "--listen", "127.0.0.1:0", "--upstream", server.url, "--record", str(record),
        "--quiet")
    port = int(url.rsplit(":", 1)[1])
    station = SilentStation(port, "/ocpp/CP1")
    await station.__aenter__()
    for n in range(60):
        await station.send(f'[2,"{n}","Heartbeat",{{}}]')
    await server.wait_received(60)
    return process, server, station


async def interrupt_stuck_proxy(record: Path, times: int) -> tuple[int, str]:
    """Ctrl-C `times` times in a row to a stuck proxy; its exit status and stderr."""
    process, server, station = await stuck_proxy(record)
    try:
        for _ in range(times):
            process.send_signal(signal.SIGINT)
        _, err = await asyncio.wait_for(process.communicate(), 20)
        return process.returncode, err.decode()
    finally:
        await station.__aexit__()
        await server.__aexit__()


def test_ctrl_c_stops_a_proxy_whose_station_does_not_read(tmp_path):
    record = tmp_path / "site.jsonl"
    status, err = run(interrupt_stuck_proxy(record, 1), timeout=60)
    assert status == 0, err
    assert "Traceback" not in err
    assert "recorded" in err and str(record) in err
    (closed,) = closed_records(record)
    assert closed.meta["by"] == "proxy"


def test_a_second_ctrl_c_exits_at_once_with_the_recording_complete_so_far(tmp_path):
    record = tmp_path / "site.jsonl"
    status, err = run(interrupt_stuck_proxy(record, 2), timeout=60)
    assert status == 0, err
    assert "Traceback" not in err
    frames = [m for m in SessionReader.open(record) if m.kind is RecordKind.FRAME]
    assert len(frames) >= 60  # every heartbeat that crossed is in the file


def test_ctrl_c_stops_a_csms_whose_station_does_not_read(tmp_path):
    record = tmp_path / "bench.jsonl"
    boot = ('[2,"{}","BootNotification",{{"reason":"PowerUp","chargingStation":'
            '{{"model":"M","vendorName":"V"}}}}]')

    async def scenario():
        process, url, _ = await start_listening(
            "csms", "--listen", "127.0.0.1:0", "--record", str(record), "--quiet")
        port = int(url.split(":")[2].split("/")[0])
        async with SilentStation(port, "/ocpp/CP1") as station:
            for n in range(100_000):  # until the CSMS stops reading us
                try:
                    await asyncio.wait_for(station.send(boot.format(n)), 0.5)
                except TimeoutError:
                    break
            process.send_signal(signal.SIGINT)
            _, err = await asyncio.wait_for(process.communicate(), 20)
        return process.returncode, err.decode()

    status, err = run(scenario(), timeout=120)
    assert status == 0, err
    assert "Traceback" not in err
    (closed,) = closed_records(record)
    assert closed.meta["code"] == 1001
