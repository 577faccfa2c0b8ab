"""The simulated station does what it accepted: against the `ocpp` package's CSMS."""

import asyncio
import json

from ocpp.v201 import call

from app.net.station import StationConfig, StationEndpoint
from app.session.capture import Capture
from tests.net.peers import OcppCsmsServer, run, until


def _statuses(received: list[str]) -> list[tuple[int, int, str]]:
    found = []
    for text in received:
        frame = json.loads(text)
        if frame[0] == 2 and frame[2] == "StatusNotification":
            payload = frame[3]
            found.append((payload["evseId"], payload["connectorId"], payload["connectorStatus"]))
    return found


def test_an_accepted_change_of_availability_and_a_trigger_are_followed_by_their_messages():
    async def main():
        async with OcppCsmsServer() as csms:
            capture = Capture()
            station = StationEndpoint(StationConfig(csms_url=csms.url, station_id="OS-7",
                                                    connectors=[2, 1]), capture)
            await station.start()
            try:
                await asyncio.wait_for(station.booted.wait(), 5)
                cp, tap = csms.stations["OS-7"]
                await until(lambda: len(_statuses(tap.received)) == 3)
                changed = await cp.call(call.ChangeAvailability(
                    operational_status="Inoperative", evse={"id": 1}))
                await until(lambda: len(_statuses(tap.received)) == 5)
                triggered = await cp.call(call.TriggerMessage(
                    requested_message="StatusNotification",
                    evse={"id": 1, "connector_id": 2}))
                await until(lambda: len(_statuses(tap.received)) == 6)
                beat = await cp.call(call.TriggerMessage(requested_message="Heartbeat"))
                await until(lambda: any('"Heartbeat"' in text for text in tap.received))
                meters = await cp.call(call.TriggerMessage(requested_message="MeterValues"))
                return changed, triggered, beat, meters, _statuses(tap.received), capture
            finally:
                await station.stop()

    changed, triggered, beat, meters, statuses, capture = run(main())
    assert (changed.status, triggered.status, beat.status) == ("Accepted",) * 3
    assert meters.status == "NotImplemented"   # it has no meter to read
    assert statuses == [(1, 1, "Available"), (1, 2, "Available"), (2, 1, "Available"),
                        (1, 1, "Unavailable"), (1, 2, "Unavailable"),
                        (1, 2, "Unavailable")]
    assert capture.invalid == 0
