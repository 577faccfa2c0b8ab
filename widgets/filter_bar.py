"""The filter bar above the timeline: quick toggles, a text query and an expression in the
filter language (`app.query`), as one `RecordFilter`; and a chip for a set of records picked
elsewhere (a transaction followed), cleared by its ✕. Below the toggles, the expression they
mean is shown, so the quick filters teach the language."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.ocpp.conversation import Direction
from app.query import check_query
from app.session.filters import RecordFilter

ALL_STATIONS = "All stations"


class FilterBar(QWidget):
    changed = Signal(object)   # a RecordFilter, after the user paused typing

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.seqs: frozenset[int] | None = None    # a record set followed, see follow_records
        self.label = ""
        self.expression = QLineEdit()
        self.expression.setPlaceholderText(
            'Expression, e.g. action == "TransactionEvent" && payload.eventType == "Ended"')
        self.expression.setClearButtonEnabled(True)
        self.expression.setToolTip("The filter language: fields, comparisons, && || ! "
                                   "(see the README)")
        self.meaning = QLabel()
        self.meaning.setTextInteractionFlags(self.meaning.textInteractionFlags()
                                             | self.meaning.textInteractionFlags().
                                             TextSelectableByMouse)
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #c0392b;")
        # a long problem wraps in its share of the row: unwrapped, it would widen the
        # window and squeeze the expression being mended out of view
        self.problem.setWordWrap(True)
        self.problem.hide()
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search action, message id or payload text (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.station = QComboBox()
        self.station.addItem(ALL_STATIONS)
        self.station.setMinimumContentsLength(14)
        self.up = self._toggle("→ to CSMS", "frames sent by stations")
        self.down = self._toggle("← to station", "frames sent by the CSMS")
        self.calls = self._toggle("CALL", "requests")
        self.results = self._toggle("RESULT", "answers")
        self.errors = self._toggle("ERROR", "CALLERROR answers")
        self.invalid = self._toggle("Only invalid", "frames with an error finding")
        self.events = self._toggle("Events", "connections opened, closed and refused")
        self.events.setChecked(True)
        self.chip = QToolButton()
        self.chip.setToolTip("Show every frame again, not only this set")
        self.chip.setStyleSheet("QToolButton { border: 1px solid palette(highlight); "
                                "border-radius: 9px; padding: 1px 8px; }")
        self.chip.clicked.connect(self.clear_records)
        self.chip.hide()
        self.clear = QToolButton()
        self.clear.setText("✕ Clear filters")
        self.clear.setToolTip("Show every record again (Ctrl+Shift+X)")
        self.clear.setShortcut("Ctrl+Shift+X")
        self.clear.clicked.connect(self.clear_all)
        rows = QVBoxLayout(self)
        rows.setContentsMargins(0, 0, 0, 0)
        rows.setSpacing(0)
        layout = QHBoxLayout()
        layout.setContentsMargins(4, 2, 4, 2)
        rows.addLayout(layout)
        second = QHBoxLayout()
        second.setContentsMargins(4, 0, 4, 2)
        second.setSpacing(12)   # the problem and the toggles' meaning read as two things
        second.addWidget(self.expression, 2)
        second.addWidget(self.problem, 1)
        second.addWidget(self.meaning, 1)
        rows.addLayout(second)
        layout.addWidget(self.chip)
        layout.addWidget(self.search, 1)
        layout.addWidget(self.station)
        for button in (self.up, self.down, self.calls, self.results, self.errors,
                       self.invalid, self.events, self.clear):
            layout.addWidget(button)
        self.setAutoFillBackground(True)
        self.changed.connect(self._mark)
        self._mark(self.current())
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self._announce)
        self.search.textChanged.connect(lambda _: self._debounce.start())
        self.expression.textChanged.connect(lambda _: self._debounce.start())
        self.station.currentIndexChanged.connect(lambda _: self._announce())

    def _toggle(self, text: str, tip: str) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setToolTip(f"Show only {tip}" if text != "Events" else f"Show {tip}")
        button.setCheckable(True)
        button.toggled.connect(lambda _: self._announce())
        return button

    def _announce(self) -> None:
        """Tell the window the filter changed, unless the expression does not parse: then
        the timeline keeps its last filter and the bar says where the expression is wrong."""
        if self.expression_problem() is None:
            self.changed.emit(self.current())
        else:
            self._mark(self.current())

    def expression_problem(self) -> str | None:
        error = check_query(self.expression.text()) if self.expression.text().strip() \
            else None
        if error is None:
            self.problem.hide()
            self.expression.setStyleSheet("")
            self.expression.setToolTip("The filter language (see the README)")
            return None
        self.problem.setText(str(error))
        self.problem.show()
        self.expression.setStyleSheet("QLineEdit { border: 1px solid #c0392b; }")
        self.expression.setToolTip(f"<pre>{error.pointer()}</pre>")
        return str(error)
    def current(self) -> RecordFilter:
        directions = set()
        if self.up.isChecked():
            directions.add(Direction.STATION_TO_CSMS)
        if self.down.isChecked():
            directions.add(Direction.CSMS_TO_STATION)
        types = {t for t, b in ((2, self.calls), (3, self.results), (4, self.errors))
                 if b.isChecked()}
        station = self.station.currentText()
        return RecordFilter(
            stations=frozenset() if station == ALL_STATIONS else frozenset({station}),
            directions=frozenset(directions), message_types=frozenset(types),
            only_invalid=self.invalid.isChecked(), show_events=self.events.isChecked(),
            text=self.search.text().strip(), seqs=self.seqs,
            label=self.label if self.seqs is not None else "",
            expression=self.expression.text().strip()
            if check_query(self.expression.text()) is None else "")

    def reset(self) -> None:
        """Back to showing everything, without announcing each change."""
        self._debounce.stop()
        for widget in (self.search, self.station, self.up, self.down, self.calls,
                       self.results, self.errors, self.invalid, self.events, self.expression):
            widget.blockSignals(True)
        self.search.clear()
        self.expression.clear()
        self.expression_problem()
        self.station.setCurrentIndex(0)
        for button in (self.up, self.down, self.calls, self.results, self.errors,
                       self.invalid):
            button.setChecked(False)
        self.events.setChecked(True)
        self._set_records(None, "")
        for widget in (self.search, self.station, self.up, self.down, self.calls,
                       self.results, self.errors, self.invalid, self.events, self.expression):
            widget.blockSignals(False)
        self._mark(self.current())

    def clear_all(self) -> None:
        """The one action that shows everything again, announced once."""
        self.reset()
        self.changed.emit(self.current())

    def follow_records(self, seqs: Iterable[int], label: str) -> None:
        """Show only these records (e.g. "transaction 1a2b"'s frames), as a chip with a ✕.
        The other filters are cleared first: following means seeing all of the set."""
        self.reset()
        self._set_records(frozenset(seqs), label)
        self._mark(self.current())
        self.changed.emit(self.current())

    def clear_records(self) -> None:
        """The chip's ✕: the record set goes, the other filters stay."""
        self._set_records(None, "")
        self.changed.emit(self.current())

    def _set_records(self, seqs: frozenset[int] | None, label: str) -> None:
        self.seqs, self.label = seqs, label
        self.chip.setText(f"{label[:1].upper()}{label[1:]} ✕" if label else "Records ✕")
        self.chip.setVisible(seqs is not None)

    def _mark(self, record_filter: RecordFilter) -> None:
        """A bar that hides records looks it: tinted, with its Clear button enabled, so a
        short timeline is never mistaken for a short session."""
        active = not record_filter.is_empty
        meaning = replace(record_filter, expression="").as_expression()
        self.meaning.setText(f"Toggles: {meaning}" if meaning else "")
        self.clear.setEnabled(active)
        self.setProperty("filtering", active)
        palette = self.palette()
        role = self.backgroundRole()
        palette.setColor(role, QColor(255, 196, 0, 70) if active
                         else self.parentWidget().palette().color(role)
                         if self.parentWidget() else QColor(0, 0, 0, 0))
        self.setPalette(palette)
        self.setToolTip("A filter hides some records" if active else "")

    def add_stations(self, names: list[str]) -> None:
        known = {self.station.itemText(i) for i in range(self.station.count())}
        for name in sorted(set(names) - known):
            self.station.addItem(name)

    def reset_stations(self) -> None:
        self.station.blockSignals(True)
        self.station.clear()
        self.station.addItem(ALL_STATIONS)
        self.station.blockSignals(False)

    def show_station(self, name: str | None) -> None:
        index = self.station.findText(name or ALL_STATIONS)
        if index >= 0:
            self.station.setCurrentIndex(index)
