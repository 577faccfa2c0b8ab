"""The CSMS endpoint against a station that never reads: bounded memory, bounded stop."""

from __future__ import annotations

import asyncio

from app.net.csms import CsmsConfig, CsmsEndpoint
from app.net.peer import MAX_ANSWERING
from app.session.capture import Capture
from app.session.message import RecordKind
from tests.net.peers import SilentStation, run

BOOT = ('[2,"{}","BootNotification",{{"reason":"PowerUp","chargingStation":'
        '{{"model":"M","vendorName":"V"}}}}]')


async def flood_until_blocked(station: SilentStation, limit: int = 200_000) -> int:
    """Send CALLs until the CSMS stops reading us (a send does not drain in 0.5 s)."""
    for n in range(limit):
        try:
            await asyncio.wait_for(station.send(BOOT.format(n)), 0.5)
        except TimeoutError:
            return n
    raise AssertionError("the CSMS never stopped reading a station that does not read")


def test_a_station_that_never_reads_is_no_longer_read_and_a_stop_still_closes_it():
    """Filling the station's buffers takes tens of thousands of answers, so one flood serves
    both promises: reading pauses once MAX_ANSWERING answers are stuck, and stopping the
    CSMS then closes the station (cut after the close timeout) with its closed record."""
    async def scenario():
        capture = Capture()
        csms = CsmsEndpoint(CsmsConfig(port=0, ping_interval=None), capture)
        await csms.start()
        async with SilentStation(csms.port) as station:
            sent = await flood_until_blocked(station)
            in_flight = csms.peers["CP-SILENT"].answers_in_flight
            await csms.stop()  # bounded: the run's time limit fails a hang
        return sent, in_flight, capture

    sent, in_flight, capture = run(scenario(), timeout=120)
    assert sent > MAX_ANSWERING
    assert in_flight <= MAX_ANSWERING
    (closed,) = [m for m in capture.messages if m.kind is RecordKind.CLOSED]
    assert closed.meta["by"] == "csms" and closed.meta["code"] == 1001
