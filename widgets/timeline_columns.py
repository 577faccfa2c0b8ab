"""The timeline's columns sized to what they show, so the Info column gets the room.

Fixed-format columns (time, type, round trip, size, verdict) take the width of their widest
possible text in the current font; the columns of names (station, action, message id) grow
to the longest text seen, up to a cap (a message id is at most 36 characters, so a whole one
always fits). The last column, Info, takes the rest. Rows are measured as they arrive, and a
loaded session by a sample of its rows, so sizing costs nothing on a million records.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt
from PySide6.QtWidgets import QAbstractItemView, QTableView

from widgets.timeline import (
    ACTION,
    DIRECTION,
    MESSAGE_ID,
    RTT,
    SIZE,
    STATION,
    TIME,
    TYPE,
    VALID,
    TimelineModel,
)

# The widest text each fixed column shows.
WIDEST = {TIME: "00:00:00.000", DIRECTION: "→", RTT: "0.45 ms", SIZE: "99999",
          VALID: "✗ 99"}
# Columns of names: at most this many characters are measured (the rest is elided).
CAPS = {STATION: 24, TYPE: 9, ACTION: 33, MESSAGE_ID: 36}
PADDING = 14        # the cell's margins and some air, in pixels
SAMPLE = 5_000      # rows measured when a whole row list is replaced (about 20 ms)


class ColumnFitter(QObject):
    """Keeps `table`'s column widths fitted to the rows of its `TimelineModel`."""

    def __init__(self, table: QTableView) -> None:
        super().__init__(table)
        self.table = table
        self.model: TimelineModel = table.model()  # type: ignore[assignment]
        self._capture: object | None = None
        self._longest: dict[int, str] = dict.fromkeys(CAPS, "")
        self.model.modelReset.connect(self._rows_replaced)
        self.model.rowsInserted.connect(self._rows_inserted)
        for column, text in WIDEST.items():
            self.table.setColumnWidth(column, max(self.text_width(text),
                                                  self.header_width(column)))
        self._rows_replaced()

    def text_width(self, text: str) -> int:
        return self.table.fontMetrics().horizontalAdvance(text) + PADDING

    def header_width(self, column: int) -> int:
        title = self.model.headerData(column, Qt.Orientation.Horizontal) or ""
        return self.table.horizontalHeader().fontMetrics().horizontalAdvance(
            str(title)) + PADDING

    def _rows_replaced(self) -> None:
        """A new capture starts the names columns afresh; a filter only lets them grow
        (a column that shrank with each filter would make the table jump)."""
        if self.model.capture is not self._capture:
            self._capture = self.model.capture
            self._longest = dict.fromkeys(CAPS, "")
            for column in CAPS:
                self.table.setColumnWidth(column, self.header_width(column))
        count = self.model.rowCount()
        self._measure(range(0, count, max(1, count // SAMPLE)))

    def _rows_inserted(self, _parent: QModelIndex, first: int, last: int) -> None:
        self._measure(range(first, last + 1))

    def _measure(self, rows: range) -> None:
        longest = dict(self._longest)
        text = self.model.text
        for row in rows:
            for column, cap in CAPS.items():
                shown = text(row, column)
                if len(shown) > len(longest[column]):
                    longest[column] = shown[:cap]
        for column, text in longest.items():
            if text != self._longest[column]:
                width = self.text_width(text)
                if width > self.table.columnWidth(column):
                    self.table.setColumnWidth(column, width)
        self._longest = longest


def timeline_table(model: QAbstractTableModel) -> QTableView:
    """A table of records as every timeline shows them (the live one, the replay's two):
    whole rows selected one at a time, compact rows, no wrapping."""
    table = QTableView()
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 6)
    table.horizontalHeader().setStretchLastSection(True)
    table.setWordWrap(False)
    return table
