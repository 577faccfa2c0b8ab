"""The schedule chart draws one step line per profile layer, the computed composite bold,
reported schedules dashed, measured values as dots, mismatches as shaded bands; hovering a
line says which profile limits there."""

from PySide6.QtCharts import QAreaSeries, QLineSeries
from PySide6.QtCore import QDateTime, QPointF, Qt

from app.state.schedule_view import Tolerance, clock, mismatches
from tests.widgets.schedule_samples import START, SWITCH, smart_charging_chart
from widgets.schedule_chart import ScheduleChartView


def drawn(qtbot):
    view = ScheduleChartView()
    qtbot.addWidget(view)
    chart = smart_charging_chart()
    found = mismatches(chart.computed, chart.reported, chart.measured, Tolerance.for_unit("A"))
    view.show_chart(chart, found)
    return view, chart


def points(series):
    return [(p.x() / 1000, p.y()) for p in series.points()]


def test_each_layer_and_schedule_is_one_step_line(qtbot):
    view, _chart = drawn(qtbot)
    lines = [s.name() for s in view.chart().series() if isinstance(s, QLineSeries)]
    assert lines == ["StationMax #1 · stack 0", "TxDefault #5 · stack 0",
                     "TxProfile #12 · stack 1", f"Reported {clock(START + 60)}",
                     "Computed composite", "Measured"]
    computed = view.series_named("Computed composite")[0]
    assert points(computed) == [(START, 16.0), (SWITCH, 16.0), (SWITCH, 10.0),
                                (START + 3600, 10.0)]
    assert computed.pen().widthF() > view.series_named("TxDefault #5 · stack 0")[0].pen().widthF()
    reported = view.series_named(f"Reported {clock(START + 60)}")[0]
    assert reported.pen().style() == Qt.PenStyle.DashLine
    assert points(reported)[1:3] == [(START + 1500, 16.0), (START + 1500, 10.0)]
    measured = view.series_named("Measured")[0]
    assert measured.pointsVisible() and points(measured)[4] == (START + 240, 18.2)


def test_mismatches_are_shaded_across_the_chart(qtbot):
    view, _chart = drawn(qtbot)
    bands = [s for s in view.chart().series() if isinstance(s, QAreaSeries)]
    assert [(b.upperSeries().at(0).x() / 1000, b.upperSeries().at(1).x() / 1000)
            for b in bands] == [(START + 240, START + 540), (SWITCH, SWITCH + 300),
                                (SWITCH, SWITCH + 300)]
    assert bands[0].upperSeries().at(0).y() == view.value_axis.max()
    assert view.value_axis.titleText() == "A" and view.value_axis.max() >= 32


def test_hovering_the_composite_names_the_profile_that_limits(qtbot):
    view, _chart = drawn(qtbot)
    computed = view.series_named("Computed composite")[0]
    with qtbot.waitSignal(view.hovered) as said:
        computed.hovered.emit(QPointF((SWITCH + 60) * 1000, 10.0), True)
    assert said.args[0].endswith("set by TxProfile #12 · stack 1")
    assert "10.0 A from " + clock(SWITCH) in view.hover_text
    computed.hovered.emit(QPointF((SWITCH + 60) * 1000, 10.0), False)
    assert view.hover_text == ""


def test_hovering_a_layer_or_a_measured_point_says_what_it_is(qtbot):
    view, _chart = drawn(qtbot)
    view.series_named("TxDefault #5 · stack 0")[0].hovered.emit(QPointF(START * 1000, 20), True)
    assert view.hover_text.startswith("TxDefault #5 · stack 0: 20.0 A")
    view.series_named("Measured")[0].hovered.emit(QPointF((START + 250) * 1000, 18), True)
    assert view.hover_text == f"Measured 18.2 A at {clock(START + 240)}"


def test_an_unchanged_chart_is_not_drawn_again(qtbot):
    view, _chart = drawn(qtbot)
    before = view.chart().series()
    view.show_chart(smart_charging_chart(), list(view.mismatches))
    assert view.chart().series() == before


def test_a_power_schedule_is_drawn_in_kilowatts(qtbot):
    from dataclasses import replace

    from app.state.schedule_view import StepSeries

    view = ScheduleChartView()
    qtbot.addWidget(view)
    computed = StepSeries("Computed composite", ((START, START + 600, 11000.0),))
    view.show_chart(replace(smart_charging_chart(), unit="W", layers=(), reported=(),
                            measured=((START, 10500.0),), computed=computed), [])
    assert view.value_axis.titleText() == "kW"
    assert points(view.series_named("Computed composite")[0]) == [(START, 11.0),
                                                                  (START + 600, 11.0)]


def tick_labels(view):
    """The time axis's labels as drawn: its ticks spread evenly over its range."""
    axis = view.time_axis
    low, high = axis.min().toMSecsSinceEpoch(), axis.max().toMSecsSinceEpoch()
    count = axis.tickCount()
    return [QDateTime.fromMSecsSinceEpoch(round(low + (high - low) * i / (count - 1)))
            .toString(axis.format()) for i in range(count)]


def test_a_schedule_of_a_few_seconds_labels_every_tick_with_another_time(qtbot):
    from dataclasses import replace

    from app.state.schedule_view import StepSeries

    view = ScheduleChartView()
    qtbot.addWidget(view)
    computed = StepSeries("Computed composite", ((START + 0.4, START + 3.1, 16.0),))
    view.show_chart(replace(smart_charging_chart(), start=START + 0.4, end=START + 3.1,
                            layers=(), reported=(), measured=(), computed=computed), [])
    labels = tick_labels(view)
    assert len(set(labels)) == len(labels) >= 3, labels
    assert view.time_axis.min().toMSecsSinceEpoch() <= (START + 0.4) * 1000
    assert view.time_axis.max().toMSecsSinceEpoch() >= (START + 3.1) * 1000


def test_an_hour_long_schedule_is_labelled_on_round_times(qtbot):
    view, _chart = drawn(qtbot)
    labels = tick_labels(view)
    assert len(set(labels)) == len(labels)
    assert all(label.endswith(":00") for label in labels), labels
