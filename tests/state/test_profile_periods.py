"""One profile's own periods over a window."""

from __future__ import annotations

from app.ocpp.datetimes import epoch_seconds
from app.state.model import InstalledProfile
from app.state.profile_periods import (
    Period,
    ScheduleOptions,
    convert,
    first_schedule,
    limit_at,
    profile_periods,
)

T0 = epoch_seconds("2024-01-01T00:00:00Z") or 0.0


def installed(**profile: object) -> InstalledProfile:
    return InstalledProfile(1, dict(profile), 0.0, 1, "SetChargingProfile")


def test_amperes_and_watts_convert_through_voltage_and_phases():
    options = ScheduleOptions(voltage=230, phases=3)
    assert convert(16, "A", "W", None, options) == 11040
    assert convert(3680, "W", "A", 1, options) == 16
    assert convert(10, "A", "A", 1, options) == 10


def test_the_first_schedule_is_the_one_read_and_a_lone_object_is_accepted():
    assert first_schedule({"chargingSchedule": [{"id": 1}, {"id": 2}]}) == {"id": 1}
    assert first_schedule({"chargingSchedule": {"id": 3}}) == {"id": 3}
    assert first_schedule({"chargingSchedule": []}) is None


def test_periods_carry_their_profile_and_are_cut_to_the_window():
    profile = installed(id=4, stackLevel=2, chargingProfilePurpose="TxDefaultProfile",
                        chargingProfileKind="Absolute", chargingSchedule=[{
                            "startSchedule": "2024-01-01T00:00:00Z", "chargingRateUnit": "A",
                            "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 8},
                                                       {"startPeriod": 100, "limit": 12,
                                                        "numberPhases": 1}]}])
    periods = profile_periods(profile, T0 + 50, T0 + 150)
    assert periods == [Period(T0 + 50, T0 + 100, 8, None, 4, 2, "TxDefaultProfile"),
                       Period(T0 + 100, T0 + 150, 12, 1, 4, 2, "TxDefaultProfile")]
    assert limit_at(periods, T0 + 120) == periods[1]
    assert limit_at(periods, T0 + 150) is None


def test_an_absolute_profile_without_its_start_has_no_periods():
    profile = installed(chargingProfileKind="Absolute", chargingSchedule=[{
        "chargingRateUnit": "A", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 8}]}])
    assert profile_periods(profile, T0, T0 + 60) == []
