"""Stations seen in the session, with their state; a click filters the timeline to one."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QResizeEvent
from PySide6.QtWidgets import QHeaderView, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from app.state.model import SessionState, StationState
from app.state.summary import named_stations, station_summary

HEADERS = ("Station", "State", "Heartbeat", "Frames", "Invalid")
STATION, STATE, HEARTBEAT, FRAMES, INVALID = range(len(HEADERS))
MIN_STATE = 48   # pixels: enough for a state's first letters


class StationsPanel(QWidget):
    station_chosen = Signal(str)   # "" for all stations

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # each column title's width as last measured while shown: a hidden section's
        # size hint is 0, and the Heartbeat column must need the same shown or hidden
        self._title_widths: dict[int, int] = {}
        self.table = _Table(0, len(HEADERS))
        self.table.resized.connect(self._share)
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        # The counts always fit; names and states share the rest (elided, with a tooltip),
        # so the Invalid column stays in view however narrow the panel is.
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(24)
        for column in range(len(HEADERS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed
                                        if column in (STATION, STATE)
                                        else QHeaderView.ResizeMode.ResizeToContents)
        header.sectionResized.connect(self._resized)
        self.table.horizontalHeaderItem(HEARTBEAT).setToolTip("time of the last Heartbeat")
        self.table.horizontalHeaderItem(INVALID).setToolTip(
            "frames with an error finding (F8 jumps to the next one)")
        self.table.setWordWrap(False)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.itemSelectionChanged.connect(self._chosen)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        self._rows: dict[str, int] = {}

    def clear(self) -> None:
        self.table.setRowCount(0)
        self._rows.clear()

    def show_state(self, state: SessionState) -> None:
        """Show exactly the stations of `state`: the session's end, or the picture as of a
        play-head, where a station not seen yet has no row. Never changes the station
        chosen, so stepping through a session keeps the timeline's station filter."""
        stations = named_stations(state)
        names = [station.station for station in stations]
        if names[:len(self._rows)] == list(self._rows):
            self.update_states(stations)   # the same rows, perhaps more: update in place
            return
        chosen = self._chosen_name()
        self.table.blockSignals(True)
        try:
            self.clear()
            self.update_states(stations)
            row = self._rows.get(chosen) if chosen else None
            if row is not None:
                self.table.selectRow(row)
        finally:
            self.table.blockSignals(False)

    def update_states(self, states: list[StationState]) -> None:
        for state in states:
            row = self._rows.get(state.station)
            if row is None:
                row = self._rows[state.station] = self.table.rowCount()
                self.table.insertRow(row)
            heartbeat = ("" if not state.last_heartbeat else  # 0: a file without times
                         datetime.fromtimestamp(state.last_heartbeat).strftime("%H:%M:%S"))
            values = (state.station, station_summary(state), heartbeat, str(state.frames),
                      str(state.invalid))
            for column, value in enumerate(values):
                item = self.table.item(row, column)
                if item is None:
                    item = QTableWidgetItem()
                    self.table.setItem(row, column, item)
                item.setText(value)
                if column == STATION:
                    tip = " ".join(p for p in (state.vendor, state.model, state.firmware) if p)
                    item.setToolTip(f"{state.station}: {tip}" if tip else state.station)
                elif column == STATE:
                    item.setToolTip(f"{value} · last heartbeat {heartbeat}" if heartbeat
                                    else value)
                elif column in (FRAMES, INVALID):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
            colour = QColor(40, 160, 60) if state.connected else QColor(150, 150, 150)
            self.table.item(row, STATE).setForeground(colour)
            if state.invalid:
                self.table.item(row, INVALID).setForeground(QColor(200, 40, 40))
        self._share()

    def _resized(self, column: int, _old: int, _new: int) -> None:
        if column not in (STATION, STATE):  # a count grew: the names get less room
            self._share()

    def _share(self) -> None:
        """Give the station and state columns what the counts leave: each what it needs
        when that fits, else the station name first. When even that is short, the
        Heartbeat column goes (its time is in the state's tooltip) before Invalid would."""
        table = self.table

        def need(column: int) -> int:
            if not table.isColumnHidden(column):
                self._title_widths[column] = table.horizontalHeader().sectionSizeHint(column)
            return max(table.sizeHintForColumn(column), self._title_widths.get(column, 0))

        names = [need(STATION), need(STATE)]
        room = table.viewport().width() - need(FRAMES) - need(INVALID)
        heartbeat = need(HEARTBEAT)
        hide = room - heartbeat < names[0] + MIN_STATE
        if table.isColumnHidden(HEARTBEAT) != hide:
            table.setColumnHidden(HEARTBEAT, hide)
        if not hide:
            room -= heartbeat
        room = max(room, 2 * 24)
        station = min(names[0], max(room // 2, room - MIN_STATE))
        for column, width in ((STATION, station), (STATE, room - station)):
            if table.columnWidth(column) != width:
                table.setColumnWidth(column, width)

    def _chosen_name(self) -> str:
        rows = {index.row() for index in self.table.selectedIndexes()}
        item = self.table.item(rows.pop(), 0) if rows else None
        return item.text() if item else ""

    def _chosen(self) -> None:
        self.station_chosen.emit(self._chosen_name())


class _Table(QTableWidget):
    """A table that says when it was resized (the panel then shares out its columns)."""

    resized = Signal()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.resized.emit()
