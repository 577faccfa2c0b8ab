"""SetChargingProfile requests that break the 2.0.1 smart-charging requirements (K01)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from app.ocpp.checker import FrameChecker
from app.ocpp.conversation import Direction
from app.ocpp.smart_charging import profile_findings

GOOD: dict[str, Any] = {
    "id": 7, "stackLevel": 0, "chargingProfilePurpose": "TxProfile",
    "chargingProfileKind": "Absolute", "transactionId": "TX-1",
    "chargingSchedule": [{"id": 1, "chargingRateUnit": "A",
                          "startSchedule": "2024-01-01T00:00:00Z",
                          "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16},
                                                     {"startPeriod": 600, "limit": 10}]}]}


def changed(**fields: Any) -> dict[str, Any]:
    profile = copy.deepcopy(GOOD)
    for key, value in fields.items():
        if value is None:
            profile.pop(key, None)
        else:
            profile[key] = value
    return profile


def period_changed(index: int, **fields: Any) -> dict[str, Any]:
    profile = copy.deepcopy(GOOD)
    profile["chargingSchedule"][0]["chargingSchedulePeriod"][index].update(fields)
    return profile


def codes(evse: int, profile: dict[str, Any]) -> list[tuple[str, str]]:
    return [(f.code, f.path) for f in profile_findings(evse, profile)]


def test_a_correct_tx_profile_has_no_findings():
    assert profile_findings(1, GOOD) == []


def test_station_max_profile_may_not_be_relative_nor_on_an_evse_nor_name_a_transaction():
    profile = changed(chargingProfilePurpose="ChargingStationMaxProfile",
                      chargingProfileKind="Relative")
    profile["chargingSchedule"][0].pop("startSchedule")
    found = profile_findings(1, profile)
    assert [(f.code, f.path) for f in found] == [
        ("smartcharging.max-profile-relative", "chargingProfile.chargingProfileKind"),
        ("smartcharging.max-profile-evse", "evseId"),
        ("smartcharging.transaction-id-not-tx", "chargingProfile.transactionId")]
    assert "K01.FR.38" in found[0].message


def test_tx_profile_needs_a_transaction_and_an_evse():
    assert codes(0, changed(transactionId=None)) == [
        ("smartcharging.tx-profile-without-transaction", "chargingProfile"),
        ("smartcharging.tx-profile-evse-zero", "evseId")]


def test_tx_default_profile_on_evse_zero_is_fine():
    assert codes(0, changed(chargingProfilePurpose="TxDefaultProfile", transactionId=None)) == []


def test_first_start_period_must_be_zero():
    found = profile_findings(1, period_changed(0, startPeriod=60))
    assert [(f.code, f.path) for f in found] == [(
        "smartcharging.first-period-not-zero",
        "chargingProfile.chargingSchedule[0].chargingSchedulePeriod[0].startPeriod")]
    assert "K01.FR.31" in found[0].message


def test_start_periods_must_strictly_increase():
    assert codes(1, period_changed(1, startPeriod=0)) == [(
        "smartcharging.periods-not-increasing",
        "chargingProfile.chargingSchedule[0].chargingSchedulePeriod[1].startPeriod")]


def test_recurring_needs_its_recurrency_kind_and_start():
    profile = changed(chargingProfileKind="Recurring", chargingProfilePurpose="TxDefaultProfile",
                      transactionId=None)
    profile["chargingSchedule"][0].pop("startSchedule")
    assert codes(1, profile) == [
        ("smartcharging.recurring-without-recurrency", "chargingProfile"),
        ("smartcharging.missing-start-schedule", "chargingProfile.chargingSchedule[0]")]


def test_relative_may_not_carry_a_start_and_absolute_ignores_recurrency():
    assert codes(1, changed(chargingProfileKind="Relative")) == [(
        "smartcharging.relative-with-start-schedule",
        "chargingProfile.chargingSchedule[0].startSchedule")]
    assert codes(1, changed(recurrencyKind="Daily")) == [
        ("smartcharging.recurrency-ignored", "chargingProfile.recurrencyKind")]


def test_valid_from_must_be_before_valid_to():
    assert codes(1, changed(validFrom="2024-02-01T00:00:00Z",
                            validTo="2024-01-01T00:00:00Z")) == [
        ("smartcharging.validity-reversed", "chargingProfile.validTo")]


def test_limits_may_not_be_negative():
    assert codes(1, period_changed(1, limit=-6)) == [(
        "smartcharging.negative-limit",
        "chargingProfile.chargingSchedule[0].chargingSchedulePeriod[1].limit")]


def test_number_phases_is_one_to_three_and_phase_to_use_needs_one_phase():
    assert codes(1, period_changed(0, numberPhases=4)) == [(
        "smartcharging.number-phases",
        "chargingProfile.chargingSchedule[0].chargingSchedulePeriod[0].numberPhases")]
    assert codes(1, period_changed(0, numberPhases=3, phaseToUse=2)) == [(
        "smartcharging.phase-to-use",
        "chargingProfile.chargingSchedule[0].chargingSchedulePeriod[0].phaseToUse")]
    assert codes(1, period_changed(0, numberPhases=1, phaseToUse=2)) == []


@pytest.mark.parametrize("profile", [
    {}, {"chargingSchedule": "x"}, {"chargingSchedule": [None, {"chargingSchedulePeriod": 5}]},
    {"chargingSchedule": [{"chargingSchedulePeriod": [None, {"startPeriod": "0"},
                                                      {"limit": "-1", "numberPhases": True}]}]},
    {"validFrom": 3, "validTo": "soon", "chargingProfileKind": ["Relative"]},
])
def test_odd_profiles_give_no_smart_charging_findings_and_never_raise(profile):
    assert profile_findings(1, profile) == []


def test_the_checker_reports_them_on_set_charging_profile_requests_only():
    checker = FrameChecker()
    bad = {"evseId": 1, "chargingProfile": period_changed(0, startPeriod=60)}
    verdict = checker.check(json.dumps([2, "m1", "SetChargingProfile", bad]),
                            direction=Direction.CSMS_TO_STATION, seq=1)
    assert [f.code for f in verdict.findings] == ["smartcharging.first-period-not-zero"]
    assert verdict.valid  # a warning: the schema holds, the station should reject it
    answer = checker.check(json.dumps([3, "m1", {"status": "Rejected"}]),
                           direction=Direction.STATION_TO_CSMS, seq=2)
    assert answer.findings == ()
