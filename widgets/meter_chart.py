"""A transaction's meter values over time (QtCharts): one line per measurand and phase, one
value axis per quantity in its unit, energy on the left and power on the right by default.

The series come from the engine (`app.state.meter_series`); this widget only draws them. A
newer state of the same transaction appends the new points to the lines already drawn, so a
live charge updates without the chart flickering or losing the quantities the user picked.
"""

from __future__ import annotations

import math

from PySide6.QtCharts import QChart, QChartView, QDateTimeAxis, QLineSeries, QValueAxis
from PySide6.QtCore import QDateTime, QEvent, QMargins, QPointF, Qt
from PySide6.QtGui import QColor, QPainter, QPalette, QPen
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.state.meter_series import (
    CURRENT,
    ENERGY,
    POWER,
    QUANTITIES,
    SOC,
    VOLTAGE,
    MeterSeries,
    Quantity,
    meter_series,
)
from app.state.model import TransactionState

SIDES = {ENERGY.name: Qt.AlignmentFlag.AlignLeft, POWER.name: Qt.AlignmentFlag.AlignRight,
         CURRENT.name: Qt.AlignmentFlag.AlignLeft, SOC.name: Qt.AlignmentFlag.AlignRight,
         VOLTAGE.name: Qt.AlignmentFlag.AlignRight}
SHOWN_FIRST = (ENERGY.name, POWER.name)     # what a first look needs; the rest on request

# One hue per quantity, and per phase for currents and voltages; mid-tones for both themes.
COLOURS = {ENERGY.name: QColor(46, 160, 67), POWER.name: QColor(33, 128, 220),
           SOC.name: QColor(200, 60, 140), VOLTAGE.name: QColor(170, 140, 20)}
PHASE_COLOURS = {"L1": QColor(230, 120, 20), "L2": QColor(150, 90, 210),
                 "L3": QColor(0, 160, 170), "N": QColor(128, 128, 128)}
# a single sample still needs a visible span on the time axis
LONE_SAMPLE_SPAN_S = 60.0


class MeterChart(QWidget):
    """The chart and a checkbox per quantity; `show_transaction` is all it needs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chart = QChart()
        self.chart.setMargins(QMargins(4, 4, 4, 4))
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.view = QChartView(self.chart)
        self.view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.view.setMinimumHeight(220)
        self.time_axis = QDateTimeAxis()
        self.time_axis.setFormat("HH:mm:ss")
        self.time_axis.setTitleText("Local time")
        self.chart.addAxis(self.time_axis, Qt.AlignmentFlag.AlignBottom)
        self.lines: dict[tuple[str, str | None], QLineSeries] = {}
        self.axes: dict[str, QValueAxis] = {}
        self.boxes: dict[str, QCheckBox] = {}
        self._series: list[MeterSeries] = []
        self._transaction: tuple[str, str] | None = None
        self.empty = QLabel("Select a transaction to plot its meter values.")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        choices = QHBoxLayout()
        choices.setContentsMargins(0, 0, 0, 0)
        choices.addWidget(QLabel("Show:"))
        for quantity in QUANTITIES:
            box = QCheckBox(quantity.title)
            box.setChecked(quantity.name in SHOWN_FIRST)
            box.setEnabled(False)
            box.toggled.connect(lambda _on, name=quantity.name: self._show_quantity(name))
            self.boxes[quantity.name] = box
            choices.addWidget(box)
        choices.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(choices)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.empty, 1)
        self.view.hide()
        self._follow_palette()

    # --- what is drawn ---------------------------------------------------------------------

    def show_transaction(self, transaction: TransactionState | None) -> None:
        """Plot `transaction`'s meter values (None: nothing). The same transaction again,
        with more samples, grows its lines in place."""
        if transaction is None:
            self._transaction = None
            self._rebuild([])
            self._say("Select a transaction to plot its meter values.")
            return
        series = meter_series(transaction)
        identity = (transaction.station, transaction.transaction_id)
        same_lines = [s.key for s in series] == list(self.lines)
        if identity == self._transaction and same_lines:
            self._grow(series)
        else:
            self._transaction = identity
            self._rebuild(series)
        if not series:
            self._say("No meter values in this transaction.")
        else:
            self.empty.hide()
            self.view.show()

    def _say(self, text: str) -> None:
        self.empty.setText(text)
        self.view.hide()
        self.empty.show()

    def _rebuild(self, series: list[MeterSeries]) -> None:
        self.chart.removeAllSeries()
        for axis in self.axes.values():
            self.chart.removeAxis(axis)
        self.lines, self.axes, self._series = {}, {}, series
        present = {s.quantity.name for s in series}
        for name, box in self.boxes.items():
            box.setEnabled(name in present)
        for one in series:
            axis = self.axes.get(one.quantity.name)
            if axis is None:
                axis = self._value_axis(one.quantity)
            line = QLineSeries()
            line.setName(one.label)
            line.setPointsVisible(len(one.points) < 3)   # a lone point is still seen
            line.setPen(QPen(self._colour(one), 2))
            line.replace([QPointF(t * 1000.0, v) for t, v in one.points])
            self.chart.addSeries(line)
            line.attachAxis(self.time_axis)
            line.attachAxis(axis)
            self.lines[one.key] = line
        self._fit_axes()
        for name in present:
            self._show_quantity(name)

    def _grow(self, series: list[MeterSeries]) -> None:
        """The same lines with more (or, after a playback head moved back, fewer) points."""
        for one, old in zip(series, self._series, strict=True):
            line = self.lines[one.key]
            if old.points == one.points[:len(old.points)]:
                line.append([QPointF(t * 1000.0, v) for t, v in one.points[len(old.points):]])
            else:
                line.replace([QPointF(t * 1000.0, v) for t, v in one.points])
            line.setPointsVisible(len(one.points) < 3)
        self._series = series
        self._fit_axes()

    def _value_axis(self, quantity: Quantity) -> QValueAxis:
        axis = QValueAxis()
        axis.setTitleText(quantity.title)
        axis.setLabelFormat("%.0f" if quantity in (SOC, VOLTAGE) else "%.1f")
        text = self.palette().color(QPalette.ColorRole.Text)
        colour = COLOURS.get(quantity.name, text)
        axis.setTitleBrush(colour)
        axis.setLinePenColor(colour)
        axis.setLabelsBrush(text)
        axis.setGridLineVisible(quantity is ENERGY)
        axis.setGridLineColor(self._grid_colour())
        self.chart.addAxis(axis, SIDES[quantity.name])
        self.axes[quantity.name] = axis
        return axis

    def _fit_axes(self) -> None:
        """Ranges that start at zero (SoC always 0-100 %) and leave a little headroom; time
        on round ticks, with a span even for one sample so a lone point is not on the frame."""
        times = [t for s in self._series for t, _ in s.points]
        if times:
            low, high, ticks = time_ticks(min(times), max(times))
            self.time_axis.setRange(QDateTime.fromMSecsSinceEpoch(int(low * 1000)),
                                    QDateTime.fromMSecsSinceEpoch(int(high * 1000)))
            self.time_axis.setTickCount(ticks)
        for name, axis in self.axes.items():
            values = [v for s in self._series if s.quantity.name == name for _, v in s.points]
            if name == SOC.name:
                axis.setRange(0.0, 100.0)
                continue
            low = min(0.0, *values) if name != VOLTAGE.name else min(values) - 5.0
            high = max(values)
            if high - low < 1e-9:
                high = low + 1.0
            axis.setRange(low, high + (high - low) * 0.08)
            axis.applyNiceNumbers()
            if name not in (SOC.name, VOLTAGE.name):
                axis.setLabelFormat(label_format(axis.max() - axis.min(), axis.tickCount()))

    def _show_quantity(self, name: str) -> None:
        on = self.boxes[name].isChecked()
        for one in self._series:
            if one.quantity.name == name:
                self.lines[one.key].setVisible(on)
        axis = self.axes.get(name)
        if axis is not None:
            axis.setVisible(on)

    def _colour(self, series: MeterSeries) -> QColor:
        phase = (series.phase or "").split("-")[0]
        if series.quantity in (CURRENT, VOLTAGE) and phase in PHASE_COLOURS:
            colour = QColor(PHASE_COLOURS[phase])
            return colour.darker(130) if series.quantity is VOLTAGE else colour
        colour = QColor(COLOURS.get(series.quantity.name, PHASE_COLOURS["N"]))
        # a second measurand of the same quantity (export, offered) in a lighter shade
        return colour if series.label.split()[0] in (series.quantity.name, "Energy") \
            else colour.lighter(140)

    def _follow_palette(self) -> None:
        """The chart takes the window's colours, so a dark theme gets a dark chart."""
        palette = self.palette()
        base, text = palette.color(QPalette.ColorRole.Base), palette.color(
            QPalette.ColorRole.Text)
        self.chart.setBackgroundBrush(base)
        self.chart.legend().setLabelColor(text)
        self.time_axis.setLabelsBrush(text)
        self.time_axis.setTitleBrush(text)
        self.time_axis.setGridLineColor(self._grid_colour())
        for axis in self.axes.values():
            axis.setLabelsBrush(text)
            axis.setGridLineColor(self._grid_colour())

    def _grid_colour(self) -> QColor:
        grid = QColor(self.palette().color(QPalette.ColorRole.Text))
        grid.setAlpha(40)
        return grid

    def changeEvent(self, event: QEvent) -> None:
        """A theme switched while the window is open: the chart follows."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._follow_palette()


TICK_STEPS_S = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200,
                86400)


def time_ticks(first: float, last: float, finest: float = 10
               ) -> tuple[float, float, int]:
    """A time range widened to whole steps (1, 2, 5, 10, 15, 30 min, 1, 2, 6 h; seconds
    for short spans, none finer than `finest`) so every tick reads as a round time and no
    two ticks read the same on an HH:mm:ss axis; a lone sample gets a minute.
    Returns (low, high, tick count), times in epoch seconds."""
    if last - first < 1.0:
        first, last = first - LONE_SAMPLE_SPAN_S / 2, last + LONE_SAMPLE_SPAN_S / 2
    for step in (step for step in TICK_STEPS_S if step >= finest):
        low = math.floor(first / step) * step
        high = math.ceil(last / step) * step
        if (high - low) / step <= 9:
            break
    ticks = round((high - low) / step) + 1
    return float(low), float(high), max(2, min(ticks, 10))


def label_format(span: float, ticks: int) -> str:
    """Enough decimals that neighbouring ticks read differently: a 20 Wh charge on a kWh
    axis is 0.00, 0.01, 0.02, not 0.0 five times."""
    step = span / max(1, ticks - 1)
    decimals = 0 if step <= 0 else max(0, min(4, -math.floor(math.log10(step))))
    return f"%.{decimals}f"
