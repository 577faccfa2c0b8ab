"""The tables beside the schedule chart: installed profiles, rejected profiles and the
mismatches found. Each model holds the rows it was last given and, given new ones, tells
its view what changed in place (rows changed, appended or dropped at the end) so the
selection and the scroll position survive a live update; only a reordering resets it.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from datetime import datetime
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from app.state.model import InstalledProfile, RejectedProfile
from app.state.schedule_view import Mismatch, clock, parse_time
from widgets.table_model import ColumnsTableModel

Row = TypeVar("Row")
Index = QModelIndex | QPersistentModelIndex

MEASURED_COLOUR = QColor(210, 60, 60)
REPORTED_COLOUR = QColor(214, 130, 0)


class RowsModel(ColumnsTableModel, Generic[Row]):
    """A table over a list of rows, each formatted once per update into its cells."""

    columns: tuple[str, ...] = ()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[Row] = []
        self._keys: list[Hashable] = []
        self._cells: list[tuple[str, ...]] = []

    # --- what subclasses say about a row ---------------------------------------------------

    def key(self, row: Row) -> Hashable:
        raise NotImplementedError

    def cells(self, row: Row) -> tuple[str, ...]:
        raise NotImplementedError

    def seq(self, row: Row) -> int | None:
        return None

    # --- updating in place -----------------------------------------------------------------

    def update(self, rows: Sequence[Row]) -> None:
        """Show `rows`: unchanged rows stay untouched, changed ones are re-read, rows added
        or dropped at the end are inserted or removed; anything else resets."""
        keys = [self.key(row) for row in rows]
        cells = [self.cells(row) for row in rows]
        common = min(len(keys), len(self._keys))
        if keys[:common] != self._keys[:common]:
            self.beginResetModel()
            self.rows, self._keys, self._cells = list(rows), keys, cells
            self.endResetModel()
            return
        if len(keys) < len(self._keys):
            self.beginRemoveRows(QModelIndex(), len(keys), len(self._keys) - 1)
            del self.rows[len(keys):], self._keys[len(keys):], self._cells[len(keys):]
            self.endRemoveRows()
        changed = [i for i in range(common) if cells[i] != self._cells[i]]
        self.rows[:common], self._cells[:common] = list(rows[:common]), cells[:common]
        if changed:
            self.dataChanged.emit(self.index(changed[0], 0),
                                  self.index(changed[-1], len(self.columns) - 1))
        if len(keys) > common:
            self.beginInsertRows(QModelIndex(), common, len(keys) - 1)
            self.rows += rows[common:]
            self._keys += keys[common:]
            self._cells += cells[common:]
            self.endInsertRows()

    def seq_at(self, index: Index) -> int | None:
        """The record a row stands for (a click on it jumps there)."""
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        return self.seq(self.rows[index.row()])

    def key_at(self, row: int) -> Hashable | None:
        return self._keys[row] if 0 <= row < len(self._keys) else None

    def row_of(self, key: Hashable) -> int | None:
        try:
            return self._keys.index(key)
        except ValueError:
            return None

    # --- Qt model API ----------------------------------------------------------------------

    def row_count(self) -> int:
        return len(self.rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._cells):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._cells[index.row()][index.column()]
        return self.extra_data(index.row(), index.column(), role)

    def extra_data(self, row: int, column: int, role: int) -> Any:
        return None


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _moment(text: Any, day_of: float) -> str:
    """A date-time of a profile in local time: HH:MM:SS on the day it was installed, with
    the date on any other day; the peer's own text when it is not a date-time."""
    moment = parse_time(text)
    if moment is None:
        return _text(text)
    try:
        if datetime.fromtimestamp(moment).date() == datetime.fromtimestamp(day_of).date():
            return clock(moment)
        return datetime.fromtimestamp(moment).strftime("%Y-%m-%d %H:%M:%S")
    except (OverflowError, OSError, ValueError):
        return _text(text)


class ProfilesModel(RowsModel[InstalledProfile]):
    columns = ("Id", "Purpose", "Stack", "Kind", "EVSE", "Valid", "Source", "Installed",
               "Removed")

    def key(self, row: InstalledProfile) -> Hashable:
        # a profile id comes back after a removal: the record that installed it tells apart
        return (row.evse_id, repr(row.profile_id), row.seq)

    def seq(self, row: InstalledProfile) -> int | None:
        return row.seq

    def cells(self, row: InstalledProfile) -> tuple[str, ...]:
        profile = row.profile if isinstance(row.profile, dict) else {}
        kind = _text(profile.get("chargingProfileKind"))
        if profile.get("recurrencyKind"):
            kind += f" ({_text(profile.get('recurrencyKind'))})"
        start, end = profile.get("validFrom"), profile.get("validTo")
        if start is None and end is None:
            valid = "always"
        elif end is None:
            valid = f"from {_moment(start, row.installed)}"
        elif start is None:
            valid = f"until {_moment(end, row.installed)}"
        else:
            valid = f"{_moment(start, row.installed)} – {_moment(end, row.installed)}"
        evse = "station" if row.evse_id == 0 else str(row.evse_id)
        return (_text(row.profile_id), row.purpose or "?", _text(row.stack_level),
                kind, evse, valid, f"{row.source} #{row.seq}", clock(row.installed),
                "" if row.removed is None else clock(row.removed))

    def extra_data(self, row: int, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (0, 2, 4):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class RejectedModel(RowsModel[RejectedProfile]):
    columns = ("Time", "Id", "Purpose", "EVSE", "Status", "Reason", "Additional info")

    def key(self, row: RejectedProfile) -> Hashable:
        return row.seq

    def seq(self, row: RejectedProfile) -> int | None:
        return row.seq

    def cells(self, row: RejectedProfile) -> tuple[str, ...]:
        profile = row.profile if isinstance(row.profile, dict) else {}
        evse = "station" if row.evse_id == 0 else str(row.evse_id)
        return (clock(row.time), _text(profile.get("id")),
                _text(profile.get("chargingProfilePurpose")) or "?", evse, row.status,
                row.reason_code or "(none given)", row.additional_info or "")

    def extra_data(self, row: int, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and column == 4:
            return MEASURED_COLOUR
        return None


class MismatchModel(RowsModel[Mismatch]):
    """The mismatches of the chart shown, one sentence each."""

    columns = ("Mismatch",)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.unit = "A"

    def show(self, found: Sequence[Mismatch], unit: str) -> None:
        if unit != self.unit:
            self.unit = unit
            self.update([])
        self.update(found)

    def key(self, row: Mismatch) -> Hashable:
        return (row.kind, row.start, row.source)

    def cells(self, row: Mismatch) -> tuple[str, ...]:
        return (row.describe(self.unit),)

    def extra_data(self, row: int, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole:
            return MEASURED_COLOUR if self.rows[row].kind == "measured" else REPORTED_COLOUR
        return None
