"""What every table model of the window answers alike: its column titles and their tips,
and, for a flat table, how many rows and columns it has.

Kept in one place so that the tables cannot drift apart on the details Qt relies on: a flat
table gives no rows under a valid parent (views ask, and a table that answered would show
every row again beneath each row), and a header section outside the columns gives nothing
rather than an IndexError inside a Qt call.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

Index = QModelIndex | QPersistentModelIndex


def column_header(titles: Sequence[str], section: int, orientation: Qt.Orientation, role: int,
                  tips: Mapping[int, str] | None = None) -> str | None:
    """A `headerData` answer for horizontal headers: the title of column `section`, or its
    tip; nothing for vertical headers, other roles or sections outside the columns."""
    if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(titles):
        return None
    if role == Qt.ItemDataRole.DisplayRole:
        return titles[section]
    if role == Qt.ItemDataRole.ToolTipRole:
        return tips.get(section) if tips else None
    return None


class ColumnsTableModel(QAbstractTableModel):
    """A flat table with named columns. A subclass says how many rows it holds now
    (`row_count`) and what a cell shows (`data`); it may name its columns per instance and
    change a title (`column_title`) while it lives."""

    columns: Sequence[str] = ()
    header_tips: ClassVar[Mapping[int, str]] = {}

    def row_count(self) -> int:
        raise NotImplementedError

    def column_title(self, section: int) -> str:
        return self.columns[section]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else self.row_count()

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal \
                and 0 <= section < len(self.columns):
            return self.column_title(section)
        return column_header(self.columns, section, orientation, role, self.header_tips)
