"""The schedule chart's data: step points, measured values picked from meter samples,
reported schedules read from their answers, mismatches found and worded, and a chart built
from a station's state without a traceback on odd payloads."""


from app.state.model import (
    InstalledProfile,
    MeterSample,
    RejectedProfile,
    ReportedSchedule,
    StationState,
    TransactionState,
)
from app.state.profile_periods import ScheduleOptions
from app.state.schedule_view import (
    Mismatch,
    StepSeries,
    Tolerance,
    build_chart,
    clock,
    format_value,
    layer_label,
    measured_series,
    mismatches,
    parse_time,
    reported_series,
    series_from_periods,
    step_points,
)
from tests.state.schedule_shapes import Composite, Layer, Period

T0 = 1_715_680_800.0   # 2024-05-14T10:00:00Z


def series(*steps, label="Computed composite"):
    return StepSeries(label, tuple(steps))


def sample(offset, value, measurand="Current.Import", phase=None, unit="A"):
    return MeterSample(T0 + offset, 1, measurand, value, unit, phase)


def test_step_points_double_each_step_and_break_where_nothing_limits():
    steps = ((T0, T0 + 60, 16.0), (T0 + 60, T0 + 120, 10.0), (T0 + 120, T0 + 180, None),
             (T0 + 180, T0 + 240, 32.0), (T0 + 300, T0 + 360, 6.0))
    assert step_points(steps) == [
        [(T0, 16.0), (T0 + 60, 16.0), (T0 + 60, 10.0), (T0 + 120, 10.0)],
        [(T0 + 180, 32.0), (T0 + 240, 32.0)],
        [(T0 + 300, 6.0), (T0 + 360, 6.0)],
    ]


def test_current_schedule_takes_the_highest_phase_at_each_time():
    samples = [sample(0, 15.2, phase="L1"), sample(0, 16.4, phase="L2"),
               sample(0, 15.9, phase="L3"), sample(0, 300, "Current.Offered"),
               sample(60, 9.8, phase="L1-N"), sample(60, 0.3, phase="N"),
               sample(120, 7.0)]
    assert measured_series(samples, "A") == [(T0, 16.4), (T0 + 60, 9.8), (T0 + 120, 7.0)]


def test_power_schedule_takes_the_total_in_watts_or_sums_the_phases():
    transaction = TransactionState("tx1", "CP1", evse_id=1, meter=[
        sample(0, 11.0, "Power.Active.Import", unit="kW"),
        sample(0, 3600, "Power.Active.Import", phase="L1", unit="W"),
        sample(60, 2000, "Power.Active.Import", phase="L1", unit="W"),
        sample(60, 2100, "Power.Active.Import", phase="L2", unit="W"),
        sample(60, 16.0, phase="L1"),
    ])
    assert measured_series(transaction, "W") == [(T0, 11000.0), (T0 + 60, 4100.0)]


def test_an_amp_schedule_of_a_station_sending_only_power_gets_the_current_it_means():
    samples = [sample(0, 11040, "Power.Active.Import", unit="W"),
               sample(60, 6.9, "Power.Active.Import", unit="kW")]
    assert measured_series(samples, "A") == []
    options = ScheduleOptions(voltage=230.0, phases=3)
    assert measured_series(samples, "A", options) == [(T0, 16.0), (T0 + 60, 10.0)]
    with_current = [*samples, sample(0, 15.0, phase="L1")]
    assert measured_series(with_current, "A", options) == [(T0, 15.0)]


def test_measured_values_that_are_not_numbers_are_left_out():
    samples = [sample(0, float("nan")), sample(60, float("inf")), sample(120, 8.0)]
    assert measured_series(samples, "A") == [(T0 + 120, 8.0)]


def test_measured_over_the_limit_by_more_than_the_tolerance_is_a_mismatch():
    computed = series((T0, T0 + 600, 16.0), (T0 + 600, T0 + 1200, 10.0))
    measured = [(T0, 15.9), (T0 + 60, 16.4), (T0 + 120, 18.2), (T0 + 180, 17.0),
                (T0 + 240, 15.0), (T0 + 600, 10.4), (T0 + 660, 12.0), (T0 + 720, 12.5)]
    found = mismatches(computed, [], measured, Tolerance.for_unit("A"))
    assert found == [Mismatch("measured", T0 + 120, T0 + 240, 18.2, 16.0),
                     Mismatch("measured", T0 + 660, T0 + 720, 12.5, 10.0)]
    assert found[0].describe("A") == (f"{clock(T0 + 120)}–{clock(T0 + 240)} measured "
                                      "18.2 A over the 16.0 A limit")


def test_a_mismatch_within_one_second_names_its_two_ends_apart():
    found = Mismatch("measured", T0 + 20.25, T0 + 20.75, 16.0, 10.0)
    when = found.describe("A").split(" measured")[0]
    start, end = when.split("–")
    assert start != end
    assert start.endswith(":20.250") and end.endswith(":20.750")


def test_a_run_over_the_limit_splits_where_the_limit_changes():
    computed = series((T0, T0 + 60, 16.0), (T0 + 60, T0 + 120, 10.0))
    found = mismatches(computed, [], [(T0, 20.0), (T0 + 60, 20.0)], Tolerance())
    assert [(m.start, m.end, m.expected) for m in found] == [
        (T0, T0 + 60, 16.0), (T0 + 60, T0 + 60, 10.0)]


def test_power_tolerance_is_five_percent_or_a_hundred_watts():
    computed = series((T0, T0 + 600, 11000.0))
    tolerance = Tolerance.for_unit("W")
    assert mismatches(computed, [], [(T0, 11500.0)], tolerance) == []
    found = mismatches(computed, [], [(T0, 11600.0)], tolerance)
    assert found[0].describe("W").endswith("measured 11.6 kW over the 11.0 kW limit")


def test_reported_schedule_differing_from_the_computed_one_is_a_mismatch():
    computed = series((T0, T0 + 1200, 16.0), (T0 + 1200, T0 + 3600, 10.0))
    reported = series((T0, T0 + 1500, 16.0), (T0 + 1500, T0 + 3600, 10.2),
                      label="Reported 12:01:00")
    found = mismatches(computed, [reported], [], Tolerance.for_unit("A"))
    assert found == [Mismatch("reported", T0 + 1200, T0 + 1500, 16.0, 10.0,
                              "Reported 12:01:00")]
    assert found[0].describe("A").endswith("reported 16.0 A where the computed limit is "
                                           "10.0 A")


def test_a_report_is_not_held_to_where_no_profile_applies_any_more():
    computed = series((T0, T0 + 60, 16.0), (T0 + 60, T0 + 120, None))
    reported = series((T0, T0 + 120, 16.0), label="Reported 12:00:00")
    assert mismatches(computed, [reported], [], Tolerance.for_unit("A")) == []


def test_a_report_stepping_a_fraction_of_a_second_off_is_no_mismatch():
    computed = series((T0, T0 + 2.2, 16.0), (T0 + 2.2, T0 + 60, 10.0))
    reported = series((T0, T0 + 3.0, 16.0), (T0 + 3.0, T0 + 60, 10.0), label="Reported")
    assert mismatches(computed, [reported], [], Tolerance.for_unit("A")) == []


def test_nothing_is_a_mismatch_without_a_computed_schedule():
    reported = series((T0, T0 + 60, 16.0))
    assert mismatches(None, [reported], [(T0, 40.0)], Tolerance()) == []


def test_reported_schedule_is_read_from_its_answer():
    answer = ReportedSchedule(1, {
        "evseId": 1, "duration": 3600, "scheduleStart": "2024-05-14T10:00:00Z",
        "chargingRateUnit": "A", "chargingSchedulePeriod": [
            {"startPeriod": 1500, "limit": 10.0}, {"startPeriod": 0, "limit": 16},
            {"startPeriod": 7200, "limit": 6}]}, T0 + 60, 41)
    steps, unit = reported_series(answer)
    assert unit == "A" and steps is not None and steps.seq == 41
    assert steps.steps == ((T0, T0 + 1500, 16.0), (T0 + 1500, T0 + 3600, 10.0))


def test_an_unreadable_reported_schedule_gives_a_sentence():
    for schedule in ({}, {"scheduleStart": "yesterday", "duration": 60,
                          "chargingSchedulePeriod": []},
                     {"scheduleStart": "2024-05-14T10:00:00Z", "duration": "60",
                      "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 6}]}):
        steps, note = reported_series(ReportedSchedule(1, schedule, T0, 7))
        assert steps is None and "no readable" in note
    odd = {"scheduleStart": "2024-05-14T10:00:00Z", "duration": 60,
           "chargingSchedulePeriod": [None, {"startPeriod": "0"}, {"startPeriod": 0}]}
    steps, _ = reported_series(ReportedSchedule(1, odd, T0, 7))
    assert steps is not None and steps.steps == ((T0, T0 + 60, None),)


def test_times_without_an_offset_are_not_guessed():
    assert parse_time("2024-05-14T10:00:00") is None
    assert parse_time("2024-05-14T10:00:00Z") == T0
    assert parse_time(0) is None


def test_values_read_with_their_units():
    assert format_value(16, "A") == "16.0 A"
    assert format_value(11040, "W") == "11.0 kW"


def tx_profile(profile_id=12, stack=1, evse=1, seq=30):
    return InstalledProfile(evse, {"id": profile_id, "stackLevel": stack,
                                   "chargingProfilePurpose": "TxProfile",
                                   "chargingProfileKind": "Absolute"}, T0, seq,
                            "SetChargingProfile")


def test_layer_legend_names_purpose_id_and_stack():
    assert layer_label(tx_profile()) == "TxProfile #12 · stack 1"
    assert layer_label(InstalledProfile(0, {}, T0, 1, "x")) == "Profile #None · stack None"


def test_composite_steps_say_which_profile_limits():
    periods = [Period(T0 + 600, T0 + 1200, 10.0, profile_id=12, stack_level=1,
                      purpose="TxProfile"),
               Period(T0, T0 + 600, 16.0, profile_id=5, stack_level=0,
                      purpose="TxDefaultProfile"),
               Period(T0 + 1200, T0 + 1800, None)]
    computed = series_from_periods("Computed composite", periods, per_step_detail=True)
    assert computed.steps[0] == (T0, T0 + 600, 16.0)
    assert computed.describe_at(T0 + 700, "A") == (
        f"Computed composite: 10.0 A from {clock(T0 + 600)} to {clock(T0 + 1200)}\n"
        "set by TxProfile #12 · stack 1")
    assert "no limit" in computed.describe_at(T0 + 1300, "A")
    assert "nothing scheduled" in computed.describe_at(T0 + 5000, "A")


def test_chart_is_built_from_the_station_and_the_computed_schedule():
    station = StationState("CP1")
    profile = tx_profile()
    station.profiles.append(profile)
    station.rejected_profiles += [RejectedProfile(1, {"id": 13}, T0, 50, "Rejected"),
                                  RejectedProfile(2, {"id": 14}, T0, 51, "Rejected")]
    station.reported_schedules += [
        ReportedSchedule(1, {"duration": 600, "scheduleStart": "2024-05-14T10:00:00Z",
                             "chargingRateUnit": "A",
                             "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16}]},
                         T0, 40),
        ReportedSchedule(1, {"duration": 600, "scheduleStart": "2024-05-14T10:00:00Z",
                             "chargingRateUnit": "W",
                             "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 1}]},
                         T0, 42),
        ReportedSchedule(1, "garbage", T0, 43),  # type: ignore[arg-type]
    ]
    station.transactions["tx"] = TransactionState("tx", "CP1", evse_id=1, meter=[
        sample(-60, 30.0, phase="L1"), sample(60, 15.0, phase="L1")])
    periods = [Period(T0, T0 + 600, 16.0, profile_id=12, stack_level=1, purpose="TxProfile")]
    chart = build_chart(station, 1, composite=Composite(1, T0, 600, "A", periods),
                        layers=[Layer(profile, periods)])
    assert (chart.unit, chart.start, chart.end) == ("A", T0, T0 + 600)
    assert [layer.label for layer in chart.layers] == ["TxProfile #12 · stack 1"]
    assert chart.layers[0].seq == 30
    assert chart.computed is not None and chart.computed.steps == ((T0, T0 + 600, 16.0),)
    assert [r.seq for r in chart.reported] == [40]
    assert len(chart.notes) == 2 and "in W, not A" in chart.notes[0]
    assert chart.measured == ((T0 + 60, 15.0),)
    assert [r.seq for r in chart.rejected] == [50]


def test_chart_without_a_computation_spans_what_was_reported_and_measured():
    station = StationState("CP1")
    station.transactions["tx"] = TransactionState("tx", "CP1", evse_id=2, meter=[
        sample(0, 6.0), sample(900, 7.0)])
    chart = build_chart(station, 2)
    assert chart.computed is None and not chart.layers
    assert (chart.unit, chart.start, chart.end) == ("A", T0, T0 + 900)
    assert build_chart(StationState("CP2"), 1).empty
