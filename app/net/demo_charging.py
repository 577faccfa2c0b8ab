"""The demo station's smart charging: it keeps the profiles it accepts, answers
GetCompositeSchedule from them, and draws a current that follows its limit, late.

The demo exists to show what OCPP Scope sees, so this station behaves like a real one in
the ways that matter to a debugger: it rejects a profile the specification forbids (with a
reasonCode and additionalInfo, as 2.0.1 allows), and when its limit drops it keeps drawing
the old current for a few samples before it follows, so that the computed schedule, the
reported one and the measured power disagree for a while.
"""

from __future__ import annotations

import time
from typing import Any

from app.net.policy import Answer, ResponsePolicy, Rule
from app.ocpp.smart_charging import profile_findings
from app.state.model import InstalledProfile
from app.state.schedule import composite_schedule

VOLTAGE = 230.0
PHASES = 3
# How many samples the station keeps drawing its old current after its limit drops.
LATE_SAMPLES = 2
# What the car would draw without any limit, in amperes.
CAR_MAXIMUM = 32.0


class DemoCharger:
    """The station side; `policy()` is the station endpoint's answer policy."""

    def __init__(self) -> None:
        self.profiles: list[InstalledProfile] = []
        self.transactions: dict[int, float | None] = {}
        self.transaction_ids: dict[int, str] = {}
        self._drawn: float | None = None
        self._late = 0

    def policy(self) -> ResponsePolicy:
        policy = ResponsePolicy(rules={"SetChargingProfile": Rule(mode="ask"),
                                       "GetCompositeSchedule": Rule(mode="ask")})
        policy.asker = self.answer
        return policy

    def start_transaction(self, evse: int, transaction_id: str, started: float) -> None:
        self.transactions[evse] = started
        self.transaction_ids[evse] = transaction_id

    def end_transaction(self, evse: int) -> None:
        self.transactions.pop(evse, None)
        self.transaction_ids.pop(evse, None)
        self.profiles = [p for p in self.profiles
                         if not (p.evse_id == evse and p.purpose == "TxProfile")]
        self._drawn, self._late = None, 0

    async def answer(self, action: str, request: Any) -> Answer | None:
        request = request if isinstance(request, dict) else {}
        if action == "SetChargingProfile":
            return self._set_profile(request)
        if action == "GetCompositeSchedule":
            return self._composite(request)
        return None

    def _set_profile(self, request: dict[str, Any]) -> Answer:
        evse, profile = request.get("evseId"), request.get("chargingProfile")
        if not isinstance(evse, int) or not isinstance(profile, dict):
            return Answer(payload={"status": "Rejected", "statusInfo": {
                "reasonCode": "InvalidValue", "additionalInfo": "no evseId or profile"}})
        broken = profile_findings(evse, profile)
        if broken:
            return Answer(payload={"status": "Rejected", "statusInfo": {
                "reasonCode": "InvalidProfile",
                "additionalInfo": broken[0].message[:512]}})
        self.profiles = [p for p in self.profiles if p.profile_id != profile.get("id")]
        self.profiles.append(InstalledProfile(evse, profile, time.time(), 0,
                                              "SetChargingProfile"))
        return Answer(payload={"status": "Accepted"})

    def _composite(self, request: dict[str, Any]) -> Answer:
        evse, duration = request.get("evseId"), request.get("duration")
        unit = request.get("chargingRateUnit", "A")
        if not isinstance(evse, int) or not isinstance(duration, int) or unit not in ("A", "W"):
            return Answer(payload={"status": "Rejected", "statusInfo": {
                "reasonCode": "InvalidValue", "additionalInfo": "evseId, duration or unit"}})
        schedule = composite_schedule(self.profiles, evse, time.time(), max(duration, 1),
                                      unit=unit, transactions=self.transactions,
                                      transaction_ids=self.transaction_ids, evses=[1])
        return Answer(payload={"status": "Accepted", "schedule": schedule.to_ocpp()})

    def limit_now(self, evse: int) -> float:
        """The station's own limit for `evse` at this moment, in amperes."""
        schedule = composite_schedule(self.profiles, evse, time.time(), 1, unit="A",
                                      transactions=self.transactions,
                                      transaction_ids=self.transaction_ids, evses=[1])
        limit = schedule.periods[0].limit if schedule.periods else None
        return min(CAR_MAXIMUM, limit if limit is not None else CAR_MAXIMUM)

    def drawn_amps(self, evse: int) -> float:
        """The current the car draws now: its limit, except that a lower limit is followed
        only after LATE_SAMPLES samples (the overshoot a debugger should reveal)."""
        limit = self.limit_now(evse)
        if self._drawn is not None and limit < self._drawn and self._late < LATE_SAMPLES:
            self._late += 1
            return self._drawn
        self._drawn, self._late = limit, 0
        return limit

    def drawn_watts(self, evse: int) -> float:
        return round(self.drawn_amps(evse) * VOLTAGE * PHASES, 1)
