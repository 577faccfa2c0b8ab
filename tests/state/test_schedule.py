"""Composite schedules worked out by hand from the OCPP 2.0.1 smart-charging rules."""

from __future__ import annotations

from typing import Any

import pytest

from app.ocpp.checker import shared_validator
from app.ocpp.datetimes import epoch_seconds
from app.ocpp.schemas import PayloadKind
from app.state.model import InstalledProfile
from app.state.schedule import (
    CompositeSchedule,
    Period,
    ScheduleOptions,
    composite_schedule,
    profile_layers,
)

T0 = epoch_seconds("2024-01-01T00:00:00Z")  # a Monday
assert T0 is not None
HOUR = 3600


def at(text: str) -> float:
    value = epoch_seconds(text)
    assert value is not None
    return value


def profile(purpose: str, periods: list[tuple[int, float]] | list[dict[str, Any]], *,
            evse: int = 1, id: int = 1, level: int = 0, kind: str = "Absolute",
            start: str | None = "2024-01-01T00:00:00Z", unit: str = "A",
            installed: float = 0.0, **extra: Any) -> InstalledProfile:
    rows = [p if isinstance(p, dict) else {"startPeriod": p[0], "limit": p[1]}
            for p in periods]
    schedule: dict[str, Any] = {"id": 1, "chargingRateUnit": unit,
                                "chargingSchedulePeriod": rows}
    if start is not None and kind != "Relative":
        schedule["startSchedule"] = start
    if "duration" in extra:
        schedule["duration"] = extra.pop("duration")
    body = {"id": id, "stackLevel": level, "chargingProfilePurpose": purpose,
            "chargingProfileKind": kind, "chargingSchedule": [schedule], **extra}
    return InstalledProfile(evse, body, installed, id, "SetChargingProfile")


def limits(schedule: CompositeSchedule) -> list[tuple[float, float, float | None]]:
    """(start, end, limit) in seconds from T0."""
    return [(p.start - T0, p.end - T0, p.limit) for p in schedule.periods]


def test_higher_stack_level_wins_while_it_has_a_period():
    base = profile("TxDefaultProfile", [(0, 16)], id=1, level=0)
    boost = profile("TxDefaultProfile", [(0, 10)], id=2, level=1, duration=HOUR)
    result = composite_schedule([base, boost], 1, T0, 2 * HOUR)
    assert limits(result) == [(0, HOUR, 10), (HOUR, 2 * HOUR, 16)]
    assert [p.profile_id for p in result.periods] == [2, 1]
    assert result.periods[0].stack_level == 1 and result.periods[0].purpose == "TxDefaultProfile"


def test_purposes_combine_as_the_lowest_of_tx_external_and_station_max():
    station_max = profile("ChargingStationMaxProfile", [(0, 32)], evse=0, id=1)
    external = profile("ChargingStationExternalConstraints", [(0, 20)], evse=0, id=2,
                       validFrom="2024-01-01T00:10:00Z", validTo="2024-01-01T00:20:00Z")
    default = profile("TxDefaultProfile", [(0, 25)], id=3)
    tx = profile("TxProfile", [(0, 30), (900, 12)], id=4, transactionId="T1")
    result = composite_schedule([station_max, external, default, tx], 1, T0, 1800,
                                transactions={1: T0})
    # tx 30 capped by the max (32: no), external 20 from 600 to 1200, tx 12 from 900
    assert limits(result) == [(0, 600, 30), (600, 900, 20), (900, 1800, 12)]
    assert [p.purpose for p in result.periods] == [
        "TxProfile", "ChargingStationExternalConstraints", "TxProfile"]


def test_tx_default_applies_where_the_tx_profile_has_no_limit():
    default = profile("TxDefaultProfile", [(0, 25)], id=3)
    tx = profile("TxProfile", [(0, 8)], id=4, duration=600)
    result = composite_schedule([default, tx], 1, T0, 1200, transactions={1: T0})
    assert limits(result) == [(0, 600, 8), (600, 1200, 25)]


def test_tx_profile_needs_a_transaction_on_its_evse_and_the_named_one():
    tx = profile("TxProfile", [(0, 8)], id=4, transactionId="T1")
    assert limits(composite_schedule([tx], 1, T0, 600)) == [(0, 600, None)]
    assert limits(composite_schedule([tx], 1, T0, 600, transactions={1: T0},
                                     transaction_ids={1: "T2"})) == [(0, 600, None)]
    assert limits(composite_schedule([tx], 1, T0, 600, transactions={1: T0},
                                     transaction_ids={1: "T1"})) == [(0, 600, 8)]
    assert limits(composite_schedule([tx], 2, T0, 600, transactions={2: T0})) == [
        (0, 600, None)]


def test_station_max_on_an_evse_is_ignored_but_on_evse_zero_caps_every_evse():
    wrong = profile("ChargingStationMaxProfile", [(0, 6)], evse=1, id=1)
    right = profile("ChargingStationMaxProfile", [(0, 20)], evse=0, id=2)
    default = profile("TxDefaultProfile", [(0, 25)], evse=2, id=3)
    assert limits(composite_schedule([wrong, right, default], 2, T0, 60)) == [(0, 60, 20)]
    assert limits(composite_schedule([wrong], 1, T0, 60)) == [(0, 60, None)]


def test_tx_default_on_evse_zero_is_a_default_for_each_evse_and_the_evse_own_wins_a_tie():
    everywhere = profile("TxDefaultProfile", [(0, 16)], evse=0, id=1)
    own = profile("TxDefaultProfile", [(0, 10)], evse=2, id=2)
    assert limits(composite_schedule([everywhere, own], 1, T0, 60)) == [(0, 60, 16)]
    assert limits(composite_schedule([everywhere, own], 2, T0, 60)) == [(0, 60, 10)]


def test_recurring_daily_schedule_crosses_midnight():
    nightly = profile("TxDefaultProfile", [(0, 6), (2 * HOUR, 16)], kind="Recurring",
                      recurrencyKind="Daily", start="2024-01-01T22:00:00Z", duration=8 * HOUR)
    start = at("2024-01-02T20:00:00Z")
    result = composite_schedule([nightly], 1, start, 12 * HOUR)
    assert [(p.start - start, p.end - start, p.limit) for p in result.periods] == [
        (0, 2 * HOUR, None), (2 * HOUR, 4 * HOUR, 6), (4 * HOUR, 10 * HOUR, 16),
        (10 * HOUR, 12 * HOUR, None)]


def test_recurring_weekly_schedule_repeats_on_its_weekday_only():
    monday = profile("TxDefaultProfile", [(0, 10)], kind="Recurring", recurrencyKind="Weekly",
                     start="2024-01-01T08:00:00Z", duration=HOUR)
    next_monday = at("2024-01-08T07:00:00Z")
    result = composite_schedule([monday], 1, next_monday, 3 * HOUR)
    assert [(p.start - next_monday, p.limit) for p in result.periods] == [
        (0, None), (HOUR, 10), (2 * HOUR, None)]
    tuesday = at("2024-01-09T07:00:00Z")
    assert [p.limit for p in composite_schedule([monday], 1, tuesday, 3 * HOUR).periods] == [
        None]


def test_recurring_without_its_kind_or_start_contributes_nothing():
    no_kind = profile("TxDefaultProfile", [(0, 10)], kind="Recurring")
    no_start = profile("TxDefaultProfile", [(0, 10)], id=2, kind="Recurring",
                       recurrencyKind="Daily", start=None)
    assert limits(composite_schedule([no_kind, no_start], 1, T0, 60)) == [(0, 60, None)]


def test_relative_counts_from_the_transaction_start_or_else_the_window_start():
    relative = profile("TxDefaultProfile", [(0, 10), (600, 20)], kind="Relative")
    with_tx = composite_schedule([relative], 1, T0, 1800, transactions={1: T0 + 300})
    assert limits(with_tx) == [(0, 300, None), (300, 900, 10), (900, 1800, 20)]
    without = composite_schedule([relative], 1, T0, 1800)
    assert limits(without) == [(0, 600, 10), (600, 1800, 20)]
    unknown_start = composite_schedule([relative], 1, T0, 1800, transactions={1: None})
    assert limits(unknown_start) == limits(without)


def test_validity_window_cuts_the_periods():
    valid = profile("TxDefaultProfile", [(0, 10), (900, 20)],
                    validFrom="2024-01-01T00:10:00Z", validTo="2024-01-01T00:20:00Z")
    assert limits(composite_schedule([valid], 1, T0, 1800)) == [
        (0, 600, None), (600, 900, 10), (900, 1200, 20), (1200, 1800, None)]


def test_duration_ends_the_schedule_and_the_level_below_takes_over():
    below = profile("TxDefaultProfile", [(0, 32)], id=1, level=0)
    short = profile("TxDefaultProfile", [(0, 10), (300, 12)], id=2, level=5, duration=900)
    assert limits(composite_schedule([below, short], 1, T0, 1800)) == [
        (0, 300, 10), (300, 900, 12), (900, 1800, 32)]


def test_amperes_and_watts_convert_with_the_period_phases():
    one_phase = profile("TxDefaultProfile", [{"startPeriod": 0, "limit": 16,
                                              "numberPhases": 1}])
    in_watts = composite_schedule([one_phase], 1, T0, 60, unit="W")
    assert limits(in_watts) == [(0, 60, 16 * 230 * 1)]
    assert in_watts.periods[0].number_phases == 1
    three = profile("TxDefaultProfile", [(0, 16)])
    assert limits(composite_schedule([three], 1, T0, 60, unit="W")) == [(0, 60, 11040)]
    watts = profile("TxDefaultProfile", [(0, 7360)], unit="W")
    options = ScheduleOptions(voltage=230, phases=2)
    assert limits(composite_schedule([watts], 1, T0, 60, options=options)) == [(0, 60, 16)]


def test_station_wide_schedule_sums_the_evses_capped_by_the_station_max():
    first = profile("TxDefaultProfile", [(0, 16)], evse=1, id=1)
    second = profile("TxDefaultProfile", [(0, 10), (600, 20)], evse=2, id=2)
    station_max = profile("ChargingStationMaxProfile", [(0, 32)], evse=0, id=3)
    result = composite_schedule([first, second, station_max], 0, T0, 1200)
    assert limits(result) == [(0, 600, 26), (600, 1200, 32)]
    assert result.periods[1].profile_id == 3
    # an EVSE without a limit draws the default (48 A)
    alone = composite_schedule([first], 0, T0, 60, evses=[1, 2])
    assert limits(alone) == [(0, 60, 64)]
    assert limits(composite_schedule([], 0, T0, 60, evses=[1, 2])) == [(0, 60, None)]


def test_equal_consecutive_periods_are_merged():
    steps = profile("TxDefaultProfile", [(0, 16), (300, 16), (600, 10)])
    result = composite_schedule([steps], 1, T0, 900)
    assert limits(result) == [(0, 600, 16), (600, 900, 10)]


def test_a_profile_installed_again_under_its_id_replaces_the_earlier_one():
    old = profile("TxDefaultProfile", [(0, 16)], id=5, installed=1.0)
    new = profile("TxDefaultProfile", [(0, 6)], id=5, installed=2.0)
    assert limits(composite_schedule([new, old], 1, T0, 60)) == [(0, 60, 6)]


def test_the_first_of_several_charging_schedules_is_used():
    two = profile("TxDefaultProfile", [(0, 16)])
    second = dict(two.profile["chargingSchedule"][0], id=2,
                  chargingSchedulePeriod=[{"startPeriod": 0, "limit": 4}])
    two.profile["chargingSchedule"].append(second)
    assert limits(composite_schedule([two], 1, T0, 60)) == [(0, 60, 16)]


@pytest.mark.parametrize("body", [
    None, [], "text", {}, {"chargingProfilePurpose": "TxDefaultProfile"},
    {"chargingProfilePurpose": "TxDefaultProfile", "chargingProfileKind": "Absolute",
     "chargingSchedule": [{"chargingRateUnit": "A",
                           "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 9}]}]},
    {"chargingProfilePurpose": "TxDefaultProfile", "chargingProfileKind": "Relative",
     "stackLevel": "high", "chargingSchedule": [{"chargingRateUnit": "kW",
                                                 "chargingSchedulePeriod": [
                                                     {"startPeriod": 0, "limit": 9}]}]},
    {"chargingProfilePurpose": "TxDefaultProfile", "chargingProfileKind": "Relative",
     "chargingSchedule": [{"chargingRateUnit": "A", "duration": "long",
                           "chargingSchedulePeriod": [{"startPeriod": "0", "limit": "9"},
                                                      None, {"startPeriod": -5, "limit": 1},
                                                      {"startPeriod": 0, "limit": -1}]}]},
    {"chargingProfilePurpose": "TxDefaultProfile", "chargingProfileKind": "Recurring",
     "recurrencyKind": "Hourly", "validFrom": 12,
     "chargingSchedule": {"startSchedule": "yesterday", "chargingRateUnit": "A"}},
])
def test_odd_profiles_contribute_nothing_and_never_raise(body):
    odd = InstalledProfile(1, body, 0.0, 1, "SetChargingProfile")  # type: ignore[arg-type]
    result = composite_schedule([odd], 1, T0, 60, transactions={1: T0})
    assert limits(result) == [(0, 60, None)]
    assert composite_schedule([odd], 0, T0, 60).periods[0].limit is None
    assert all(layer.periods == [] for layer in profile_layers([odd], 1, T0, 60))


def test_layers_list_each_taking_part_profile_with_its_own_periods():
    station_max = profile("ChargingStationMaxProfile", [(0, 32)], evse=0, id=1)
    default = profile("TxDefaultProfile", [(0, 16)], evse=0, id=2)
    tx = profile("TxProfile", [(0, 8)], evse=1, id=3)
    elsewhere = profile("TxDefaultProfile", [(0, 6)], evse=2, id=4)
    layers = profile_layers([tx, default, station_max, elsewhere], 1, T0, 60,
                            transactions={1: T0})
    assert [layer.profile.profile_id for layer in layers] == [1, 2, 3]
    assert [[p.limit for p in layer.periods] for layer in layers] == [[32], [16], [8]]
    every = profile_layers([tx, default, station_max, elsewhere], 0, T0, 60,
                           transactions={1: T0})
    assert sorted(layer.profile.profile_id for layer in every) == [1, 2, 3, 4]


def test_ocpp_form_validates_against_the_official_response_schema():
    tx = profile("TxProfile", [{"startPeriod": 0, "limit": 16.04, "numberPhases": 3},
                               {"startPeriod": 600, "limit": 10, "numberPhases": 3}], id=4)
    result = composite_schedule([tx], 1, T0 + 0.25, 1200, transactions={1: T0})
    shaped = result.to_ocpp()
    assert shaped["scheduleStart"] == "2024-01-01T00:00:00.250Z"
    assert shaped["chargingSchedulePeriod"] == [
        {"startPeriod": 0, "limit": 16.0, "numberPhases": 3},
        {"startPeriod": 600, "limit": 10.0, "numberPhases": 3}]
    findings = shared_validator().validate("GetCompositeSchedule", PayloadKind.RESPONSE,
                                           {"status": "Accepted", "schedule": shaped})
    assert findings == []


def test_ocpp_form_merges_periods_that_differ_only_in_their_source():
    result = CompositeSchedule(1, T0, 120, "A", [
        Period(T0, T0 + 60, 16, profile_id=1), Period(T0 + 60, T0 + 120, 16, profile_id=2)],
        48.0)
    assert result.to_ocpp()["chargingSchedulePeriod"] == [{"startPeriod": 0, "limit": 16}]
