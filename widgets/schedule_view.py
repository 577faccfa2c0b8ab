"""The Charging schedule tab: for a chosen station and EVSE, the step chart of its profiles,
computed and reported composite schedules and measured values, the mismatches between
them, and the tables of installed and rejected profiles (a click jumps to the record).

The window calls `set_state` whenever the session state changes (live, coalesced; or with
the state as of the playback head). The view updates its choosers and tables in place and
asks `chart_builder` for the chosen EVSE's chart; the chart is redrawn only when it
changed. `chart_builder` is where the composite schedule computation plugs in: by default
it draws what the state holds by itself (reported schedules, measured values, rejected
profiles), without a computed schedule.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListView,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.state.model import SessionState, StationState
from app.state.schedule_view import ScheduleChart, Tolerance, build_chart, mismatches
from app.wording import count
from widgets.panes import titled
from widgets.schedule_chart import ScheduleChartView
from widgets.schedule_models import MismatchModel, ProfilesModel, RejectedModel, RowsModel
from widgets.status_colours import status_colour

log = logging.getLogger(__name__)

ChartBuilder = Callable[[StationState, int], ScheduleChart | None]


def _swatch(colour: QColor | None) -> QIcon:
    pixmap = QPixmap(10, 10)
    pixmap.fill(colour if colour is not None else QColor(0, 0, 0, 0))
    return QIcon(pixmap)


def evse_choices(station: StationState) -> list[int]:
    """The EVSEs there is something to show for: those reported, and those a profile or
    reported schedule names; 0 (the station as a whole) only when something names it."""
    ids = set(station.evses)
    ids.update(p.evse_id for p in station.profiles)
    ids.update(r.evse_id for r in station.reported_schedules)
    ids.update(r.evse_id for r in station.rejected_profiles)
    ids.update(t.evse_id for t in station.transactions.values() if t.evse_id is not None)
    return sorted(i for i in ids if isinstance(i, int) and i >= 0)


def evse_status(station: StationState, evse_id: int) -> str | None:
    evse = station.evses.get(evse_id)
    if evse is None or not evse.connectors:
        return None
    return evse.connectors[min(evse.connectors)].status


class ScheduleView(QWidget):
    # the seq of a record to show in the timeline (a profile's SetChargingProfile, ...)
    record_chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chart_builder: ChartBuilder = build_chart
        self.state = SessionState()
        self.chart: ScheduleChart | None = None
        self.station_box = QComboBox()
        self.station_box.setMinimumContentsLength(12)
        self.evse_box = QComboBox()
        self.evse_box.setMinimumContentsLength(14)
        self.summary = QLabel()
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        chooser = QHBoxLayout()
        chooser.addWidget(QLabel("Station"))
        chooser.addWidget(self.station_box)
        chooser.addWidget(QLabel("EVSE"))
        chooser.addWidget(self.evse_box)
        chooser.addWidget(self.summary, 1)

        self.chart_view = ScheduleChartView()
        self.empty = QLabel()
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.chart_stack = QStackedWidget()
        self.chart_stack.addWidget(self.chart_view)
        self.chart_stack.addWidget(self.empty)
        self.hover = QLabel(" ")
        self.hover.setWordWrap(True)
        self.chart_view.hovered.connect(
            lambda text: self.hover.setText(text.replace("\n", " — ") or " "))
        chart_side = QWidget()
        chart_layout = QVBoxLayout(chart_side)
        chart_layout.setContentsMargins(0, 0, 0, 0)
        chart_layout.addWidget(self.chart_stack, 1)
        chart_layout.addWidget(self.hover)

        self.mismatch_model = MismatchModel(self)
        self.mismatch_list = QListView()
        self.mismatch_list.setModel(self.mismatch_model)
        self.mismatch_list.setWordWrap(True)
        self.mismatch_list.setSpacing(3)
        self.mismatch_list.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.mismatch_list.setResizeMode(QListView.ResizeMode.Adjust)
        self.mismatch_title = QLabel("Mismatches")
        self.notes = QLabel()
        self.notes.setWordWrap(True)
        mismatch_side = QWidget()
        mismatch_side.setMinimumWidth(300)
        mismatch_layout = QVBoxLayout(mismatch_side)
        mismatch_layout.setContentsMargins(0, 0, 0, 0)
        mismatch_layout.addWidget(self.mismatch_title)
        mismatch_layout.addWidget(self.mismatch_list, 1)
        mismatch_layout.addWidget(self.notes)
        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(chart_side)
        top.addWidget(mismatch_side)
        top.setStretchFactor(0, 3)
        top.setStretchFactor(1, 1)

        self.profiles_model = ProfilesModel(self)
        self.profiles_table = self._table(self.profiles_model)
        self.rejected_model = RejectedModel(self)
        self.rejected_table = self._table(self.rejected_model)
        self.profiles_title = QLabel("Installed profiles")
        self.rejected_title = QLabel("Rejected profiles")
        bottom = QSplitter(Qt.Orientation.Horizontal)
        for title, table in ((self.profiles_title, self.profiles_table),
                             (self.rejected_title, self.rejected_table)):
            bottom.addWidget(titled(title, table, stretch=1))
        bottom.setStretchFactor(0, 3)
        bottom.setStretchFactor(1, 2)

        body = QSplitter(Qt.Orientation.Vertical)
        body.addWidget(top)
        body.addWidget(bottom)
        body.setStretchFactor(0, 3)
        body.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(chooser)
        layout.addWidget(body, 1)

        self.station_box.currentIndexChanged.connect(self._station_chosen)
        self.evse_box.currentIndexChanged.connect(self._evse_chosen)
        self._show_empty("No station seen yet.")

    def _table(self, model: RowsModel[Any]) -> QTableView:
        table = QTableView()
        table.setModel(model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setAlternatingRowColors(True)
        table.verticalHeader().setVisible(False)
        table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 6)
        table.horizontalHeader().setStretchLastSection(True)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        table.clicked.connect(lambda index, model=model: self._row_chosen(model, index))
        table.activated.connect(lambda index, model=model: self._row_chosen(model, index))
        return table

    def _row_chosen(self, model: RowsModel[Any], index: QModelIndex) -> None:
        seq = model.seq_at(index)
        if seq is not None:
            self.record_chosen.emit(seq)

    # --- public API ------------------------------------------------------------------------

    def set_state(self, state: SessionState) -> None:
        """Show `state`: choosers and tables change in place, the chart only when the
        chosen EVSE's chart changed."""
        self.state = state
        self._sync_box(self.station_box, [(name, name, None) for name in sorted(state.stations)])
        self._refresh_station()

    def set_chart(self, chart: ScheduleChart | None) -> None:
        """Draw one EVSE's chart and list its mismatches (None: nothing to draw)."""
        self.chart = chart
        station = self.current_station()
        if chart is None or chart.empty:
            evse = self.current_evse()
            where = "the station" if evse == 0 else f"EVSE {evse}"
            if station is None:
                self._show_empty("No station seen yet.")
            elif evse is None:
                self._show_empty(f"{station.station} has reported no EVSE yet.")
            elif not any(p.evse_id in (evse, 0) for p in station.profiles):
                self._show_empty(f"No charging profile installed on {where}.")
            else:
                self._show_empty(f"Nothing to draw for {where} yet: no composite schedule "
                                 "computed or reported, nothing measured.")
            self.mismatch_model.show([], "A")
            self.notes.setText("\n".join(chart.notes) if chart else "")
            self._titles()
            return
        found = mismatches(chart.computed, chart.reported, chart.measured,
                           Tolerance.for_unit(chart.unit))
        self.chart_view.show_chart(chart, found)
        self.chart_stack.setCurrentWidget(self.chart_view)
        self.mismatch_model.show(found, chart.unit)
        notes = list(chart.notes)
        if chart.computed is None:
            notes.insert(0, "No composite schedule computed: mismatches need one.")
        self.notes.setText("\n".join(notes))
        self._titles()

    def current_station(self) -> StationState | None:
        return self.state.stations.get(self.station_box.currentData())

    def current_evse(self) -> int | None:
        data = self.evse_box.currentData()
        return data if isinstance(data, int) else None

    # --- internals -------------------------------------------------------------------------

    def _show_empty(self, text: str) -> None:
        self.empty.setText(text)
        self.chart_stack.setCurrentWidget(self.empty)

    @staticmethod
    def _sync_box(box: QComboBox, items: list[tuple[str, Any, QColor | None]]) -> None:
        """Give `box` these (text, data, colour) items, keeping what was chosen; items that
        did not change are left alone, so a live update costs nothing."""
        current = [(box.itemText(i), box.itemData(i)) for i in range(box.count())]
        if current == [(text, data) for text, data, _ in items]:
            for i, (_text, _data, colour) in enumerate(items):
                box.setItemIcon(i, _swatch(colour))
            return
        chosen = box.currentData()
        box.blockSignals(True)
        box.clear()
        for text, data, colour in items:
            box.addItem(_swatch(colour), text, data)
        found = box.findData(chosen) if chosen is not None else -1
        box.setCurrentIndex(found if found >= 0 else (0 if items else -1))
        box.blockSignals(False)

    def _station_chosen(self) -> None:
        self._refresh_station()

    def _evse_chosen(self) -> None:
        self._refresh_chart()

    def _refresh_station(self) -> None:
        station = self.current_station()
        if station is None:
            self._sync_box(self.evse_box, [])
            self._update_table(self.profiles_table, self.profiles_model, [])
            self._update_table(self.rejected_table, self.rejected_model, [])
            self.summary.setText("")
            self.set_chart(None)
            return
        choices = []
        for evse_id in evse_choices(station):
            status = evse_status(station, evse_id)
            text = "station (0)" if evse_id == 0 else f"EVSE {evse_id}"
            choices.append((f"{text} · {status}" if status else text, evse_id,
                            status_colour(status)))
        before = self.current_evse()
        self._sync_box(self.evse_box, choices)
        if before is None and self.current_evse() is not None:
            # a new station opens on its first EVSE, not on the station as a whole
            first = next((i for i in range(self.evse_box.count())
                          if self.evse_box.itemData(i) != 0), 0)
            self.evse_box.blockSignals(True)
            self.evse_box.setCurrentIndex(first)
            self.evse_box.blockSignals(False)
        # every profile the session saw, those still installed first: a chart of a finished
        # charge shows its TxProfile, and the table must name it too
        self._update_table(self.profiles_table, self.profiles_model,
                           [*station.profiles, *reversed(station.past_profiles)])
        self._update_table(self.rejected_table, self.rejected_model, station.rejected_profiles)
        self._refresh_chart()

    def _refresh_chart(self) -> None:
        station, evse = self.current_station(), self.current_evse()
        chart = None
        if station is not None and evse is not None:
            try:
                chart = self.chart_builder(station, evse)
            except Exception:  # our bug: say it in the log, keep the window
                log.exception("the schedule chart of %s EVSE %s failed", station.station, evse)
                self.set_chart(None)
                self._show_empty(f"The schedule of {station.station} EVSE {evse} could not "
                                 "be drawn; the log says why.")
                self._summarise()
                return
        self.set_chart(chart)
        self._summarise()

    def _summarise(self) -> None:
        station, evse = self.current_station(), self.current_evse()
        if station is None or evse is None:
            self.summary.setText("")
            return
        here = [p for p in station.profiles if p.evse_id in (evse, 0)]
        parts = [f"{count(len(here), 'profile')} {'applies' if len(here) == 1 else 'apply'} "
                 "now"]
        past = [p for p in station.past_profiles if p.evse_id in (evse, 0)]
        if past:
            parts.append(f"{len(past)} removed")
        rejected = [r for r in station.rejected_profiles if r.evse_id == evse]
        if rejected:
            parts.append(f"{len(rejected)} rejected")
        if self.chart is not None and not self.chart.empty:
            parts.append(count(self.mismatch_model.rowCount(), "mismatch", "mismatches"))
        self.summary.setText(" · ".join(parts))

    def _titles(self) -> None:
        self.profiles_title.setText(f"Profiles ({self.profiles_model.rowCount()})")
        self.rejected_title.setText(f"Rejected profiles ({self.rejected_model.rowCount()})")
        found = self.mismatch_model.rowCount()
        self.mismatch_title.setText(f"Mismatches ({found})" if found else "Mismatches: none")

    @staticmethod
    def _update_table(table: QTableView, model: RowsModel[Any], rows: list[Any]) -> None:
        """Update in place; after a reset, select again the row that was selected."""
        selected = table.selectionModel().selectedRows()
        key = model.key_at(selected[0].row()) if selected else None
        before = model.rowCount()
        model.update(rows)
        if model.rowCount() != before:
            table.resizeColumnsToContents()
        if key is None or table.selectionModel().selectedRows():
            return
        row = model.row_of(key)
        if row is not None:
            table.selectionModel().select(
                model.index(row, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows)
