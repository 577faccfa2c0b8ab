"""The composite schedule over a whole session: profiles counted only while installed,
transactions only while running, layers only over their own time, and the window a chart
shows by default."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.session.judging import judged_session
from app.state.model import (
    InstalledProfile,
    ReportedSchedule,
    StationState,
    TransactionState,
)
from app.state.schedule_history import chart_for, chart_window, evse_schedule_over
from app.state.schedule_view import Tolerance, mismatches

T0 = 1_700_000_000.0
EXAMPLE = Path(__file__).parents[2] / "resources" / "examples" / "smart-charging.jsonl"


def profile(profile_id: int, purpose: str, limit: float, *, stack_level: int = 0,
            unit: str = "A", **extra: object) -> dict:
    return {"id": profile_id, "stackLevel": stack_level, "chargingProfilePurpose": purpose,
            "chargingProfileKind": "Relative", "chargingSchedule": [{
                "id": 1, "chargingRateUnit": unit,
                "chargingSchedulePeriod": [{"startPeriod": 0, "limit": limit}]}], **extra}


def installed(evse: int, body: dict, at: float, removed: float | None = None,
              seq: int = 1) -> InstalledProfile:
    return InstalledProfile(evse, body, at, seq, "SetChargingProfile", removed=removed,
                            removed_seq=None if removed is None else seq + 1)


def station(current: list[InstalledProfile], past: list[InstalledProfile] = (),
            transactions: list[TransactionState] = ()) -> StationState:
    state = StationState("CP1", first_seen=T0, last_seen=T0 + 1000)
    state.profiles = list(current)
    state.past_profiles = list(past)
    state.transactions = {tx.transaction_id: tx for tx in transactions}
    return state


def steps(schedule) -> list[tuple[float, float, float | None]]:
    return [(p.start - T0, p.end - T0, p.limit) for p in schedule.periods]


def test_a_tx_profile_counts_from_its_installation_to_its_transactions_end():
    tx = TransactionState("T1", "CP1", evse_id=1, started=T0 + 100, ended=T0 + 500)
    dropped = installed(1, profile(7, "TxProfile", 16, transactionId="T1"), T0 + 200,
                        removed=T0 + 500)
    default = installed(1, profile(1, "TxDefaultProfile", 32), T0)
    state = station([default], [dropped], [tx])
    composite, layers = evse_schedule_over(state, 1, T0, T0 + 800)
    assert steps(composite) == [(0, 200, 32.0), (200, 500, 16.0), (500, 800, 32.0)]
    assert [(layer.profile.profile_id, [(p.start - T0, p.end - T0) for p in layer.periods])
            for layer in layers] == [(1, [(0, 800)]), (7, [(200, 500)])]


def test_a_profile_replaced_by_a_lower_one_limits_until_the_replacement():
    old = installed(1, profile(3, "TxDefaultProfile", 20), T0 + 10, removed=T0 + 300)
    new = installed(1, profile(4, "TxDefaultProfile", 12), T0 + 300, seq=5)
    composite, layers = evse_schedule_over(station([new], [old]), 1, T0, T0 + 600)
    assert steps(composite) == [(0, 10, None), (10, 300, 20.0), (300, 600, 12.0)]
    assert [p.profile_id for p in composite.periods] == [None, 3, 4]
    assert [len(layer.periods) for layer in layers] == [1, 1]


def test_a_cleared_profile_stops_limiting_when_it_was_cleared():
    cleared = installed(1, profile(5, "TxDefaultProfile", 8), T0, removed=T0 + 120)
    composite, layers = evse_schedule_over(station([], [cleared]), 1, T0, T0 + 300)
    assert steps(composite) == [(0, 120, 8.0), (120, 300, None)]
    assert [(p.start - T0, p.end - T0) for p in layers[0].periods] == [(0, 120)]


def test_the_station_maximum_caps_every_slice_whatever_comes_and_goes():
    maximum = installed(0, profile(9, "ChargingStationMaxProfile", 25), T0)
    tx = TransactionState("T1", "CP1", evse_id=1, started=T0 + 100, ended=T0 + 400)
    high = installed(1, profile(7, "TxProfile", 32), T0 + 150, removed=T0 + 400)
    low = installed(1, profile(2, "TxDefaultProfile", 40), T0, removed=T0 + 500)
    composite, _ = evse_schedule_over(station([maximum], [high, low], [tx]), 1, T0, T0 + 600)
    assert steps(composite) == [(0, 600, 25.0)]
    assert {p.purpose for p in composite.periods} == {"ChargingStationMaxProfile"}


def test_the_unit_is_the_one_asked_else_the_latest_profiles_else_amperes():
    watts = installed(1, profile(1, "TxDefaultProfile", 11000, unit="W"), T0)
    amps = installed(1, profile(2, "TxDefaultProfile", 16, stack_level=1), T0 - 50)
    assert evse_schedule_over(station([watts, amps]), 1, T0, T0 + 60)[0].unit == "W"
    assert evse_schedule_over(station([watts]), 1, T0, T0 + 60, unit="A")[0].unit == "A"
    assert evse_schedule_over(station([]), 1, T0, T0 + 60)[0].unit == "A"


def test_the_chart_window_runs_from_the_first_profile_or_start_to_the_last_record():
    tx = TransactionState("T1", "CP1", evse_id=1, started=T0 + 100, ended=T0 + 1500)
    first = installed(1, profile(1, "TxDefaultProfile", 16), T0 + 200)
    state = station([first], [], [tx])
    state.reported_schedules.append(ReportedSchedule(1, {
        "scheduleStart": "2023-11-14T22:14:10Z"}, T0 + 60, 3))   # T0 + 50
    start, end = chart_window(state, 1)
    margin = (1500 - 50) * 0.05
    assert (start, end) == pytest.approx((T0 + 50 - margin, T0 + 1500 + margin))


def test_a_station_with_nothing_to_place_gets_a_window_around_its_records():
    state = StationState("CP1", first_seen=T0, last_seen=T0)
    start, end = chart_window(state, 1)
    assert start < T0 < T0 + 60 < end
    chart = chart_for(state, 1)
    assert chart.computed is not None and chart.layers == ()


def test_the_example_session_charts_its_tx_profile_and_finds_the_real_overshoot_only():
    capture = judged_session(str(EXAMPLE))
    state = capture.state.stations["DEMO-CP-01"]
    assert state.profiles == [] and [p.profile_id for p in state.past_profiles] == [7]
    chart = chart_for(state, 1)
    assert chart.unit == "A"
    profile = state.past_profiles[0].profile
    tx = state.transactions[profile["transactionId"]]   # the one charged under the profile
    limits = [limit for start, end, limit in chart.computed.steps
              if tx.started <= start < tx.ended]
    assert limits == [16.0, 10.0]
    after = [limit for start, _end, limit in chart.computed.steps if start >= tx.ended]
    assert after == [None]
    found = [m for m in mismatches(chart.computed, chart.reported, chart.measured,
                                   Tolerance.for_unit("A")) if m.kind == "measured"]
    assert [(m.found, m.expected) for m in found] == [(16.0, 10.0)]
    assert all(m.end <= tx.ended for m in found)
    assert any("derived from power" in note for note in chart.notes)
