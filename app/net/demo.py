"""The demo: our station, through our proxy, to our CSMS, all on loopback, playing a
complete charging session, so that a newcomer sees real traffic at once.

Only the proxy records into the capture it is given (as a proxy at a real site would); the
two endpoints keep their own, unseen captures.
"""

from __future__ import annotations

import asyncio
import math
import time
import uuid
from collections.abc import Callable
from typing import Any

from app.net.csms import CsmsConfig, CsmsEndpoint
from app.net.demo_charging import DemoCharger
from app.net.policy import ResponsePolicy
from app.net.proxy import Proxy, ProxyConfig
from app.net.station import StationConfig, StationEndpoint, now_iso
from app.session.capture import Capture
from app.state.schedule import ocpp_time

STATION_ID = "DEMO-CP-01"
TOKEN = {"idToken": "04A2B3C4D5E680", "type": "ISO14443"}


def _meter(energy_wh: float, power_w: float | None = None, context: str = "Sample.Periodic"
           ) -> list[dict[str, Any]]:
    sampled: list[dict[str, Any]] = [{
        "value": round(energy_wh, 1), "context": context,
        "measurand": "Energy.Active.Import.Register", "unitOfMeasure": {"unit": "Wh"}}]
    if power_w is not None:
        sampled.append({"value": power_w, "context": context,
                        "measurand": "Power.Active.Import", "unitOfMeasure": {"unit": "W"}})
    return [{"timestamp": now_iso(), "sampledValue": sampled}]


class Demo:
    def __init__(self, capture: Capture, notice: Callable[[str], None] | None = None,
                 pace: float = 0.3) -> None:
        self.capture = capture
        self.notice = notice or (lambda text: None)
        self.pace = pace
        self.csms = CsmsEndpoint(CsmsConfig(), Capture(), ResponsePolicy(heartbeat_interval=10))
        self.proxy: Proxy | None = None
        self.station: StationEndpoint | None = None
        self._seq = 0
        self.charger = DemoCharger()

    async def start(self) -> None:
        await self.csms.start()
        self.proxy = Proxy(ProxyConfig(upstream=self.csms.url), self.capture, self.notice)
        await self.proxy.start()
        self.station = StationEndpoint(
            StationConfig(csms_url=f"{self.proxy.url}/ocpp", station_id=STATION_ID,
                          vendor="Voltra", model="AC22-T2", serial="VT22-000417",
                          firmware="4.2.1", heartbeat_interval=5.0),
            Capture(), self.charger.policy(), self.notice)
        await self.station.start()

    async def stop(self) -> None:
        if self.station is not None:
            await self.station.stop()
        if self.proxy is not None:
            await self.proxy.stop()
        await self.csms.stop()

    async def _station(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        assert self.station is not None
        await asyncio.sleep(self.pace)
        outcome = await self.station.call(action, payload, timeout=10)
        return outcome.payload or {}

    async def _csms(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        await asyncio.sleep(self.pace)
        outcome = await self.csms.call(STATION_ID, action, payload, timeout=10)
        return outcome.payload or {}

    def _tx(self, event: str, trigger: str, transaction: str, **extra: Any) -> dict[str, Any]:
        payload = {"eventType": event, "timestamp": now_iso(), "triggerReason": trigger,
                   "seqNo": self._seq,
                   "transactionInfo": {"transactionId": transaction, **extra.pop("info", {})},
                   **extra}
        self._seq += 1
        return payload

    async def play(self) -> None:
        """One charging session by RFID, then one started and stopped remotely."""
        assert self.station is not None
        await asyncio.wait_for(self.station.booted.wait(), timeout=15)
        await self.csms.wait_for_station(STATION_ID)
        await asyncio.sleep(self.pace * 2)  # let the status reports pass first
        await self._csms("GetVariables", {"getVariableData": [
            {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}},
            {"component": {"name": "SecurityCtrlr"}, "variable": {"name": "SecurityProfile"}}]})
        await self._station("Authorize", {"idToken": TOKEN})
        await self._station("StatusNotification", {
            "timestamp": now_iso(), "connectorStatus": "Occupied", "evseId": 1,
            "connectorId": 1})
        tx = f"TX-{uuid.uuid4().hex[:8].upper()}"
        self.charger.start_transaction(1, tx, time.time())
        await self._station("TransactionEvent", self._tx(
            "Started", "Authorized", tx, info={"chargingState": "EVConnected"},
            idToken=TOKEN, evse={"id": 1, "connectorId": 1}, meterValue=_meter(0, None,
                                                                                "Transaction.Begin")))
        energy = await self._charge_under_a_profile(tx)
        self.notice("next, the station sends a timestamp without a UTC offset, "
                    "a fault real chargers make")
        await self._station("MeterValues", {"evseId": 1, "meterValue": [{
            "timestamp": now_iso()[:19], "sampledValue": [{"value": round(energy, 1)}]}]})
        await self._station("TransactionEvent", self._tx(
            "Ended", "StopAuthorized", tx, info={"stoppedReason": "Local"},
            meterValue=_meter(energy + 12, None, "Transaction.End")))
        self.charger.end_transaction(1)
        await self._station("StatusNotification", {
            "timestamp": now_iso(), "connectorStatus": "Available", "evseId": 1,
            "connectorId": 1})
        await self._remote_session()

    async def _charge_under_a_profile(self, tx: str) -> float:
        """The CSMS limits the transaction (16 A, then 10 A) after a station maximum the
        station rejects, asks for the composite schedule, and the station's meter values
        follow the limit, two samples late when it drops. Returns the energy charged (Wh).

        The step comes after a few of the demo's paces (at least a second, as startPeriods
        are whole seconds), so that it falls inside the demo however fast it plays."""
        step = max(1, math.ceil(self.pace * 6))
        self.notice("next, the CSMS sends a station maximum that is Relative, which 2.0.1 "
                    "forbids: the station rejects it")
        await self._csms("SetChargingProfile", {"evseId": 0, "chargingProfile": {
            "id": 1, "stackLevel": 0, "chargingProfilePurpose": "ChargingStationMaxProfile",
            "chargingProfileKind": "Relative", "chargingSchedule": [{
                "id": 1, "chargingRateUnit": "A",
                "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 32}]}]}})
        await self._csms("SetChargingProfile", {"evseId": 1, "chargingProfile": {
            "id": 7, "stackLevel": 0, "chargingProfilePurpose": "TxProfile",
            "chargingProfileKind": "Absolute", "transactionId": tx,
            "chargingSchedule": [{"id": 1, "chargingRateUnit": "A",
                                  "startSchedule": ocpp_time(round(time.time(), 3)),
                                  "chargingSchedulePeriod": [
                                      {"startPeriod": 0, "limit": 16, "numberPhases": 3},
                                      {"startPeriod": step, "limit": 10, "numberPhases": 3}]}]}})
        await self._csms("GetCompositeSchedule", {"evseId": 1, "duration": 3 * step,
                                                  "chargingRateUnit": "A"})
        energy, interval = 0.0, step / 4
        for _ in range(8):
            await asyncio.sleep(max(0.0, interval - self.pace))
            power = self.charger.drawn_watts(1)
            energy += power * interval / 3600
            await self._station("TransactionEvent", self._tx(
                "Updated", "MeterValuePeriodic", tx, info={"chargingState": "Charging"},
                meterValue=_meter(energy, power)))
        return energy

    async def _remote_session(self) -> None:
        await self._csms("RequestStartTransaction", {"idToken": TOKEN, "remoteStartId": 42,
                                                     "evseId": 1})
        tx = f"TX-{uuid.uuid4().hex[:8].upper()}"
        await self._station("TransactionEvent", self._tx(
            "Started", "RemoteStart", tx, info={"chargingState": "Charging",
                                                "remoteStartId": 42},
            idToken=TOKEN, evse={"id": 1, "connectorId": 1}))
        await self._csms("RequestStopTransaction", {"transactionId": tx})
        await self._station("TransactionEvent", self._tx(
            "Ended", "RemoteStop", tx, info={"stoppedReason": "Remote"}))
        await self._station("StatusNotification", {
            "timestamp": now_iso(), "connectorStatus": "Available", "evseId": 1,
            "connectorId": 1})
