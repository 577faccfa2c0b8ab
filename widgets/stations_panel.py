"""Stations seen in the session, with their state; a click filters the timeline to one."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHeaderView, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from app.state.stations import StationState

HEADERS = ("Station", "State", "Last heartbeat", "Frames", "Invalid")


class StationsPanel(QWidget):
    station_chosen = Signal(str)   # "" for all stations

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._chosen)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        self._rows: dict[str, int] = {}

    def clear(self) -> None:
        self.table.setRowCount(0)
        self._rows.clear()

    def update_states(self, states: list[StationState]) -> None:
        for state in states:
            row = self._rows.get(state.station)
            if row is None:
                row = self._rows[state.station] = self.table.rowCount()
                self.table.insertRow(row)
            heartbeat = ("" if state.last_heartbeat is None else
                         datetime.fromtimestamp(state.last_heartbeat).strftime("%H:%M:%S"))
            values = (state.station, state.summary, heartbeat, str(state.frames),
                      str(state.invalid))
            for column, value in enumerate(values):
                item = self.table.item(row, column)
                if item is None:
                    item = QTableWidgetItem()
                    self.table.setItem(row, column, item)
                item.setText(value)
                if column == 0:
                    tip = " ".join(p for p in (state.vendor, state.model, state.firmware) if p)
                    item.setToolTip(tip or state.station)
            colour = QColor(40, 160, 60) if state.connected else QColor(150, 150, 150)
            self.table.item(row, 1).setForeground(colour)
            if state.invalid:
                self.table.item(row, 4).setForeground(QColor(200, 40, 40))

    def _chosen(self) -> None:
        rows = {index.row() for index in self.table.selectedIndexes()}
        if not rows:
            self.station_chosen.emit("")
            return
        item = self.table.item(rows.pop(), 0)
        self.station_chosen.emit(item.text() if item else "")
