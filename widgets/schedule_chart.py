"""The step chart of one EVSE's schedule: each profile layer a thin line, the computed
composite bold, each reported schedule dashed, the measured values as dots on a line, and
the mismatch ranges shaded; all on one local-time axis in the schedule's unit (A, or kW
for a W schedule). Hovering a line says what limits there (`hover_text`).

A step line is drawn from doubled points (flat, then straight up or down at each step);
where nothing limits the line breaks into separate series that share one legend entry.
"""

from __future__ import annotations

from PySide6.QtCharts import (
    QAbstractSeries,
    QAreaSeries,
    QChart,
    QChartView,
    QDateTimeAxis,
    QLineSeries,
    QValueAxis,
    QXYSeries,
)
from PySide6.QtCore import QDateTime, QEvent, QMargins, QPointF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QCursor, QPainter, QPalette, QPen
from PySide6.QtWidgets import QToolTip, QWidget

from app.state.schedule_view import (
    Mismatch,
    ScheduleChart,
    StepSeries,
    clock,
    format_value,
    step_points,
)
from widgets.meter_chart import time_ticks
from widgets.schedule_models import MEASURED_COLOUR, REPORTED_COLOUR

# thin layer lines, told apart by hue; mid-tones that read on light and dark backgrounds
LAYER_COLOURS = (QColor(120, 144, 156), QColor(156, 110, 190), QColor(60, 160, 150),
                 QColor(190, 140, 60), QColor(110, 130, 200), QColor(170, 100, 120))
COMPUTED_COLOUR = QColor(30, 120, 220)
MEASURED_LINE_COLOUR = QColor(40, 170, 90)
SHORTEST_SHADE = 0.005   # of the time axis: a mismatch at one instant still gets a band


class ScheduleChartView(QChartView):
    """Shows one `ScheduleChart`; `show_chart` with an equal chart does nothing."""

    # the text describing what is under the pointer ("" when it left a line)
    hovered = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(240)
        self.chart_data: ScheduleChart | None = None
        self.mismatches: list[Mismatch] = []
        self.hover_text = ""
        self._described: dict[int, StepSeries] = {}   # id of a QLineSeries -> its steps
        chart = QChart()
        chart.setMargins(QMargins(4, 4, 4, 4))
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.setChart(chart)   # before its axes: a date-time axis added earlier shows no labels
        self.time_axis = QDateTimeAxis()
        self.time_axis.setFormat("HH:mm:ss")
        self.time_axis.setTitleText("local time")
        self.value_axis = QValueAxis()
        self.value_axis.setLabelFormat("%.1f")
        chart.addAxis(self.time_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(self.value_axis, Qt.AlignmentFlag.AlignLeft)
        self._follow_palette()

    def _follow_palette(self) -> None:
        palette = self.palette()
        chart = self.chart()
        chart.setBackgroundBrush(palette.brush(QPalette.ColorRole.Base))
        text = palette.color(QPalette.ColorRole.Text)
        chart.legend().setLabelColor(text)
        grid = QColor(text)
        grid.setAlpha(40)
        for axis in (self.time_axis, self.value_axis):
            axis.setLabelsColor(text)
            axis.setTitleBrush(QBrush(text))
            axis.setGridLineColor(grid)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._follow_palette()

    # --- drawing ---------------------------------------------------------------------------

    def show_chart(self, data: ScheduleChart, found: list[Mismatch]) -> None:
        if data == self.chart_data and found == self.mismatches:
            return
        self.chart_data, self.mismatches = data, list(found)
        chart = self.chart()
        chart.removeAllSeries()
        self._described.clear()
        scale = 0.001 if data.unit == "W" else 1.0
        self.value_axis.setTitleText("kW" if data.unit == "W" else data.unit)
        self.value_axis.setRange(0, self._top(data) * scale)
        self.value_axis.applyNiceNumbers()
        self._shade(found, self.value_axis.max(), max(data.end - data.start, 1.0))
        for index, layer in enumerate(data.layers):
            colour = LAYER_COLOURS[index % len(LAYER_COLOURS)]
            self._steps(layer, QPen(colour, 1.5), scale)
        for reported in data.reported:
            self._steps(reported, QPen(REPORTED_COLOUR, 2.2, Qt.PenStyle.DashLine), scale)
        if data.computed is not None:
            self._steps(data.computed, QPen(COMPUTED_COLOUR, 3.5), scale)
        if data.measured:
            measured = QLineSeries()
            measured.setName("Measured")
            measured.setPen(QPen(MEASURED_LINE_COLOUR, 1.5))
            measured.setPointsVisible(True)
            measured.setMarkerSize(5)
            for moment, value in data.measured:
                measured.append(moment * 1000, value * scale)
            self._add(measured)
            measured.hovered.connect(self._measured_hovered)
        # round ticks, at least a second apart: seven even ticks over a schedule of a few
        # seconds would read 14:23:19 four times
        start, end, ticks = time_ticks(data.start, data.end, finest=1)
        self.time_axis.setRange(QDateTime.fromMSecsSinceEpoch(int(start * 1000)),
                                QDateTime.fromMSecsSinceEpoch(int(end * 1000)))
        self.time_axis.setTickCount(ticks)
        # QtCharts leaves a date-time axis hidden when it was first laid out with no series
        # attached (an empty tab); showing it again once series hang on it draws it
        self.time_axis.setVisible(False)
        self.time_axis.setVisible(True)

    @staticmethod
    def _top(data: ScheduleChart) -> float:
        values = [limit for series in (*data.layers, *data.reported,
                                       *([data.computed] if data.computed else []))
                  for _s, _e, limit in series.steps if limit is not None]
        values += [value for _t, value in data.measured]
        return max(max(values, default=0.0) * 1.15, 1.0)

    def _add(self, series: QAbstractSeries) -> None:
        self.chart().addSeries(series)
        series.attachAxis(self.time_axis)
        series.attachAxis(self.value_axis)

    def _steps(self, steps: StepSeries, pen: QPen, scale: float) -> None:
        """One legend entry per step series, however many runs it breaks into."""
        for run_index, run in enumerate(step_points(steps.steps)):
            line = QLineSeries()
            line.setName(steps.label)
            line.setPen(pen)
            for moment, limit in run:
                line.append(moment * 1000, limit * scale)
            self._add(line)
            self._described[id(line)] = steps
            line.hovered.connect(
                lambda point, state, line=line: self._line_hovered(line, point, state))
            if run_index:
                self.chart().legend().markers(line)[0].setVisible(False)

    def _shade(self, found: list[Mismatch], top: float, span: float) -> None:
        for mismatch in found:
            end = max(mismatch.end, mismatch.start + span * SHORTEST_SHADE)
            upper, lower = QLineSeries(), QLineSeries()
            upper.append(mismatch.start * 1000, top)
            upper.append(end * 1000, top)
            lower.append(mismatch.start * 1000, 0)
            lower.append(end * 1000, 0)
            band = QAreaSeries(upper, lower)
            upper.setParent(band)
            lower.setParent(band)
            colour = QColor(MEASURED_COLOUR if mismatch.kind == "measured" else REPORTED_COLOUR)
            colour.setAlpha(55)
            band.setBrush(colour)
            band.setPen(QPen(Qt.PenStyle.NoPen))
            band.setName("Measured over the limit" if mismatch.kind == "measured"
                         else "Reported ≠ computed")
            self._add(band)
            band.hovered.connect(
                lambda _point, state, mismatch=mismatch: self._say(
                    mismatch.describe(self.chart_data.unit) if state and self.chart_data
                    else ""))
            # the list beside the chart, in the same colours, names the bands
            self.chart().legend().markers(band)[0].setVisible(False)

    # --- hovering --------------------------------------------------------------------------

    def _line_hovered(self, line: QXYSeries, point: QPointF, state: bool) -> None:
        steps = self._described.get(id(line))
        if not state or steps is None or self.chart_data is None:
            self._say("")
            return
        self._say(steps.describe_at(point.x() / 1000, self.chart_data.unit))

    def _measured_hovered(self, point: QPointF, state: bool) -> None:
        if not state or self.chart_data is None or not self.chart_data.measured:
            self._say("")
            return
        moment, value = min(self.chart_data.measured,
                            key=lambda pair: abs(pair[0] - point.x() / 1000))
        self._say(f"Measured {format_value(value, self.chart_data.unit)} at {clock(moment)}")

    def _say(self, text: str) -> None:
        self.hover_text = text
        if text:
            QToolTip.showText(QCursor.pos(), text, self)
        else:
            QToolTip.hideText()
        self.hovered.emit(text)

    def series_named(self, name: str) -> list[QXYSeries]:
        """The drawn series with legend name `name` (several where a line breaks)."""
        return [s for s in self.chart().series() if s.name() == name]
