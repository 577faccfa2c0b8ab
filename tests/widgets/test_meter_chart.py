"""The meter chart: one line per measurand and phase with every sample, value axes in their
units, quantities shown by checkbox, and empty or single-sample transactions handled."""

from app.state.model import MeterSample, TransactionState
from tests.widgets.transactions_samples import finished_forty_minutes, running_single_phase
from widgets.meter_chart import MeterChart, label_format


def make_chart(qtbot):
    chart = MeterChart()
    qtbot.addWidget(chart)
    return chart


def test_one_line_per_measurand_and_phase_with_every_sample(qtbot):
    chart = make_chart(qtbot)
    chart.show_transaction(finished_forty_minutes())
    counts = {key: line.count() for key, line in chart.lines.items()}
    assert counts == {("Energy.Active.Import.Register", None): 41,
                      ("Power.Active.Import", None): 41,
                      ("Current.Import", "L1"): 41, ("Current.Import", "L2"): 41,
                      ("Current.Import", "L3"): 41, ("SoC", None): 41,
                      ("Voltage", "L1-N"): 41}
    assert {name: axis.titleText() for name, axis in chart.axes.items()} == {
        "Energy": "Energy (kWh)", "Power": "Power (kW)", "Current": "Current (A)",
        "SoC": "SoC (%)", "Voltage": "Voltage (V)"}
    power = chart.lines[("Power.Active.Import", None)]
    assert abs(max(point.y() for point in power.points()) - 22.0) < 1e-9   # W shown in kW


def test_quantities_are_shown_by_their_checkbox(qtbot):
    chart = make_chart(qtbot)
    chart.show_transaction(finished_forty_minutes())
    currents = [chart.lines[("Current.Import", p)] for p in ("L1", "L2", "L3")]
    assert not any(line.isVisible() for line in currents)
    assert chart.lines[("Power.Active.Import", None)].isVisible()
    chart.boxes["Current"].setChecked(True)
    assert all(line.isVisible() for line in currents) and chart.axes["Current"].isVisible()
    chart.show_transaction(running_single_phase())   # the choice stays for the next one
    assert chart.lines[("Current.Import", "L1")].isVisible()


def test_more_samples_of_the_same_transaction_grow_the_lines(qtbot):
    chart = make_chart(qtbot)
    chart.show_transaction(running_single_phase(minutes=5))
    line = chart.lines[("Power.Active.Import", None)]
    chart.show_transaction(running_single_phase(minutes=9))
    assert chart.lines[("Power.Active.Import", None)] is line and line.count() == 10
    chart.show_transaction(running_single_phase(minutes=2))   # a playback head moved back
    assert line.count() == 3


def test_no_samples_and_one_sample_are_handled(qtbot):
    chart = make_chart(qtbot)
    chart.show_transaction(TransactionState("T", "CP1"))
    assert not chart.lines and "No meter values" in chart.empty.text()
    assert not chart.boxes["Energy"].isEnabled()
    lone = TransactionState("T2", "CP1", meter=[
        MeterSample(1.7e9, 3, "Power.Active.Import", 3.7, "kW")])
    chart.show_transaction(lone)
    line = chart.lines[("Power.Active.Import", None)]
    assert line.count() == 1 and line.pointsVisible()
    low, high = chart.time_axis.min(), chart.time_axis.max()
    assert low.secsTo(high) == 60
    assert chart.axes["Power"].min() <= 0.0 < 3.7 < chart.axes["Power"].max()
    chart.show_transaction(None)
    assert not chart.lines


def test_axis_labels_have_enough_decimals_to_tell_ticks_apart():
    assert label_format(0.025, 6) == "%.3f"
    assert label_format(40.0, 5) == "%.0f"
    assert label_format(2.0, 5) == "%.1f"
