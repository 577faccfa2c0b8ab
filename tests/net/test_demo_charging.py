"""The demo station's smart charging: what it accepts, reports and draws."""

from __future__ import annotations

import asyncio
import time

from app.net.demo_charging import LATE_SAMPLES, DemoCharger
from app.ocpp.checker import shared_validator
from app.ocpp.schemas import PayloadKind
from app.state.schedule import ocpp_time


def tx_profile(limits: list[tuple[int, float]], transaction: str = "TX-1") -> dict:
    return {"evseId": 1, "chargingProfile": {
        "id": 7, "stackLevel": 0, "chargingProfilePurpose": "TxProfile",
        "chargingProfileKind": "Absolute", "transactionId": transaction,
        "chargingSchedule": [{"id": 1, "chargingRateUnit": "A",
                              "startSchedule": ocpp_time(time.time() - 1),
                              "chargingSchedulePeriod": [{"startPeriod": s, "limit": v}
                                                         for s, v in limits]}]}}


def ask(charger: DemoCharger, action: str, request: dict) -> dict:
    answer = asyncio.run(charger.answer(action, request))
    assert answer is not None and answer.payload is not None
    assert shared_validator().validate(action, PayloadKind.RESPONSE, answer.payload) == []
    return answer.payload


def test_a_profile_the_specification_forbids_is_rejected_with_its_reason():
    charger = DemoCharger()
    relative_max = {"evseId": 0, "chargingProfile": {
        "id": 1, "stackLevel": 0, "chargingProfilePurpose": "ChargingStationMaxProfile",
        "chargingProfileKind": "Relative", "chargingSchedule": [{
            "id": 1, "chargingRateUnit": "A",
            "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 32}]}]}}
    answer = ask(charger, "SetChargingProfile", relative_max)
    assert answer["status"] == "Rejected"
    assert answer["statusInfo"]["reasonCode"] == "InvalidProfile"
    assert "K01.FR.38" in answer["statusInfo"]["additionalInfo"]
    assert charger.profiles == []


def test_an_accepted_profile_sets_the_reported_schedule_and_the_drawn_current():
    charger = DemoCharger()
    charger.start_transaction(1, "TX-1", time.time() - 5)
    assert ask(charger, "SetChargingProfile", tx_profile([(0, 16)]))["status"] == "Accepted"
    report = ask(charger, "GetCompositeSchedule",
                 {"evseId": 1, "duration": 60, "chargingRateUnit": "W"})
    assert report["schedule"]["chargingSchedulePeriod"] == [
        {"startPeriod": 0, "limit": 11040.0}]
    assert charger.drawn_watts(1) == 11040.0


def test_the_station_follows_a_lower_limit_only_after_some_samples():
    charger = DemoCharger()
    charger.start_transaction(1, "TX-1", time.time())
    ask(charger, "SetChargingProfile", tx_profile([(0, 16)]))
    assert charger.drawn_amps(1) == 16
    ask(charger, "SetChargingProfile", tx_profile([(0, 10)]))
    assert [charger.drawn_amps(1) for _ in range(LATE_SAMPLES + 2)] == [
        *[16] * LATE_SAMPLES, 10, 10]


def test_ending_the_transaction_drops_its_profile():
    charger = DemoCharger()
    charger.start_transaction(1, "TX-1", time.time())
    ask(charger, "SetChargingProfile", tx_profile([(0, 6)]))
    charger.end_transaction(1)
    assert charger.profiles == [] and charger.limit_now(1) == 32
