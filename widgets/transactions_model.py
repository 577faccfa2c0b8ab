"""Qt models of the Transactions view: the list of transactions (with a proxy that filters
by station and sorts) and the events of the one selected.

Both read a `SessionState` they are given, keep their rows across updates and say what
changed (rows inserted, removed, or changed in place), never resetting for a newer state: a
selection, a scroll position and a sort survive a live update or a playback step.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from app.state.model import Change, SessionState, TransactionState
from app.state.transaction_summary import (
    TransactionSummary,
    all_transactions,
    change_mark,
    clock_text,
    latest_time,
    summarise,
)
from app.wording import count
from widgets.status_colours import AMBER, status_tint, tint
from widgets.table_model import ColumnsTableModel

Index = QModelIndex | QPersistentModelIndex
Key = tuple[str, str]          # (station, transaction id)

COLUMNS = ("Station", "Transaction", "EVSE", "idToken", "Started", "Ended", "Duration",
           "Energy (kWh)", "Peak (kW)", "Stop reason", "seqNo")
(STATION, TRANSACTION, EVSE, ID_TOKEN, STARTED, ENDED, DURATION, ENERGY, PEAK, REASON,
 SEQ_NO) = range(len(COLUMNS))
HEADER_TIPS = {
    EVSE: "EVSE / connector",
    ENERGY: "energy delivered: the import register's last reading minus its first",
    PEAK: "highest active import power",
    SEQ_NO: "TransactionEvent seqNo numbers missing: events the CSMS never got",
}
SORT_ROLE = int(Qt.ItemDataRole.UserRole) + 1   # a comparable value per column
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_GAP_TINT = tint(AMBER, 70)  # amber, as anything that needs a look


def _local_time(epoch: float | None, pattern: str) -> str:
    """`epoch` as local time written by `pattern`; "" for none or one no clock can show (a
    station's timestamp far outside the platform's range)."""
    if epoch is None:
        return ""
    try:
        return datetime.fromtimestamp(epoch).strftime(pattern)
    except (OverflowError, OSError, ValueError):
        return ""


def clock(epoch: float | None) -> str:
    """A wall-clock time as HH:MM:SS local."""
    return _local_time(epoch, "%H:%M:%S")


def full_time(epoch: float | None) -> str:
    return _local_time(epoch, "%Y-%m-%d %H:%M:%S")


def place(summary: TransactionSummary) -> str:
    if summary.evse_id is None:
        return ""
    if summary.connector_id is None:
        return str(summary.evse_id)
    return f"{summary.evse_id} / {summary.connector_id}"


class TransactionsModel(ColumnsTableModel):
    """One row per transaction of the state, in the order they first appeared."""

    columns = COLUMNS
    header_tips = HEADER_TIPS

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.keys: list[Key] = []
        self.transactions: dict[Key, TransactionState] = {}
        self.summaries: dict[Key, TransactionSummary] = {}
        self._marks: dict[Key, tuple[object, ...]] = {}
        self._pending: list[tuple[Key, TransactionState]] = []  # new rows not listed yet
        self._pending_state = SessionState()

    @property
    def pending(self) -> int:
        """Transactions of the last state not listed yet (`list_pending` lists them)."""
        return len(self._pending)

    def set_state(self, state: SessionState, budget: float | None = None) -> None:
        """Take a newer (or older) state: rows that went are removed, rows whose
        transaction changed are updated in place, new ones are appended. With `budget`
        (seconds), new rows are listed only until it is spent, and the rest wait for
        `list_pending`: a summary reads every meter sample of its transaction, and tens of
        thousands of them would hold the window for seconds."""
        current: dict[Key, TransactionState] = {}
        for transaction in all_transactions(state):
            current[(transaction.station, transaction.transaction_id)] = transaction
        for row in range(len(self.keys) - 1, -1, -1):
            key = self.keys[row]
            if key not in current:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self.keys[row]
                for table in (self.transactions, self.summaries, self._marks):
                    table.pop(key, None)
                self.endRemoveRows()
        for row, key in enumerate(self.keys):
            transaction = current[key]
            self.transactions[key] = transaction
            if self._refresh(key, transaction, state):
                self.dataChanged.emit(self.index(row, 0),
                                      self.index(row, len(COLUMNS) - 1))
        self._pending = [(key, transaction) for key, transaction in current.items()
                         if key not in self.summaries]
        self._pending_state = state
        self.list_pending(budget)

    def list_pending(self, budget: float | None = None) -> bool:
        """Summarise and append the rows `set_state` left waiting, for about `budget`
        seconds (None: all of them); True while some still wait."""
        deadline = None if budget is None else time.perf_counter() + budget
        while self._pending:
            batch: list[tuple[Key, TransactionState]] = []
            for key, transaction in self._pending:
                self._refresh(key, transaction, self._pending_state)
                batch.append((key, transaction))
                if deadline is not None and time.perf_counter() > deadline:
                    break
            del self._pending[:len(batch)]
            first = len(self.keys)
            self.beginInsertRows(QModelIndex(), first, first + len(batch) - 1)
            for key, transaction in batch:
                self.keys.append(key)
                self.transactions[key] = transaction
            self.endInsertRows()
            if deadline is not None:
                break
        return bool(self._pending)

    def _refresh(self, key: Key, transaction: TransactionState, state: SessionState) -> bool:
        now = latest_time(state, key[0])
        mark = change_mark(transaction, now)
        if self._marks.get(key) == mark:
            return False
        self._marks[key] = mark
        self.summaries[key] = summarise(transaction, now)
        return True

    def key_at(self, row: int) -> Key | None:
        return self.keys[row] if 0 <= row < len(self.keys) else None

    def row_of(self, key: Key) -> int | None:
        try:
            return self.keys.index(key)
        except ValueError:
            return None

    # --- Qt model API ----------------------------------------------------------------------

    def row_count(self) -> int:
        return len(self.keys)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.keys):
            return None
        summary = self.summaries[self.keys[index.row()]]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(summary, column)
        if role == SORT_ROLE:
            return self._sort_value(summary, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (DURATION, ENERGY, PEAK):
            return _RIGHT
        if role == Qt.ItemDataRole.BackgroundRole:
            if column == ENDED and summary.running:
                return status_tint(summary.charging_state or "Charging")
            if column == SEQ_NO and summary.missing_seq_nos:
                return _GAP_TINT
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(summary, column)
        return None

    def _text(self, summary: TransactionSummary, column: int) -> str:
        if column == STATION:
            return summary.station
        if column == TRANSACTION:
            return summary.transaction_id
        if column == EVSE:
            return place(summary)
        if column == ID_TOKEN:
            return summary.id_token or ""
        if column == STARTED:
            return clock(summary.started)
        if column == ENDED:
            if summary.running:
                state = summary.charging_state
                return f"running · {state}" if state else "running"
            return clock(summary.ended)
        if column == DURATION:
            return clock_text(summary.duration)
        if column == ENERGY:
            return "" if summary.energy_kwh is None else f"{summary.energy_kwh:,.2f}"
        if column == PEAK:
            return "" if summary.peak_power_kw is None else f"{summary.peak_power_kw:,.1f}"
        if column == REASON:
            return summary.stopped_reason or ""
        if column == SEQ_NO:
            missing = len(summary.missing_seq_nos)
            return f"⚠ {missing} missing" if missing else ""
        return ""

    def _sort_value(self, summary: TransactionSummary, column: int) -> Any:
        if column in (STARTED, ENDED, DURATION, ENERGY, PEAK, SEQ_NO):
            value = {STARTED: summary.started,
                     ENDED: float("inf") if summary.running else summary.ended,
                     DURATION: summary.duration, ENERGY: summary.energy_kwh,
                     PEAK: summary.peak_power_kw,
                     SEQ_NO: float(len(summary.missing_seq_nos))}[column]
            return float("-inf") if value is None else float(value)
        if column == EVSE:
            return float((summary.evse_id or 0) * 1000 + (summary.connector_id or 0))
        return self._text(summary, column).casefold()

    def _tooltip(self, summary: TransactionSummary, column: int) -> str | None:
        if column == STARTED:
            return full_time(summary.started) or None
        if column == ENDED and not summary.running:
            return full_time(summary.ended) or None
        if column == SEQ_NO and summary.missing_seq_nos:
            numbers = ", ".join(str(n) for n in summary.missing_seq_nos[:20])
            more = "…" if len(summary.missing_seq_nos) > 20 else ""
            return (f"seqNo {numbers}{more} never arrived: "
                    f"{count(len(summary.missing_seq_nos), 'event')} lost or not sent")
        if column == TRANSACTION:
            return "double-click to follow it in the timeline"
        return None


class TransactionsProxy(QSortFilterProxyModel):
    """Sorts by each column's value (not its text) and shows one station or all."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.station: str | None = None
        self.setSortRole(SORT_ROLE)
        self.setDynamicSortFilter(True)

    def show_station(self, station: str | None) -> None:
        if hasattr(self, "beginFilterChange"):     # Qt 6.10 on; the older call is deprecated
            self.beginFilterChange()
            self.station = station
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self.station = station
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if self.station is None:
            return True
        source = self.sourceModel()
        key = source.key_at(source_row) if isinstance(source, TransactionsModel) else None
        return key is not None and key[0] == self.station


EVENT_COLUMNS = ("Time", "Event", "Record", "Value")   # the value last: it takes the room left
EVENT_TIME, EVENT_KIND, EVENT_SEQ, EVENT_VALUE = range(len(EVENT_COLUMNS))


class TransactionEventsModel(ColumnsTableModel):
    """The selected transaction's trigger reasons and charging states, in time order."""

    columns = EVENT_COLUMNS

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.key: Key | None = None
        self.rows: list[tuple[str, Change]] = []

    def show(self, transaction: TransactionState | None) -> None:
        key = None if transaction is None else (transaction.station,
                                                transaction.transaction_id)
        rows: list[tuple[str, Change]] = []
        if transaction is not None:
            rows = [("Trigger", c) for c in transaction.trigger_reasons]
            rows += [("Charging state", c) for c in transaction.charging_states]
            rows.sort(key=lambda row: (_number(row[1].time), _number(row[1].seq),
                                       row[0] != "Trigger"))
        if key == self.key and rows[:len(self.rows)] == self.rows:
            if len(rows) > len(self.rows):
                self.beginInsertRows(QModelIndex(), len(self.rows), len(rows) - 1)
                self.rows = rows
                self.endInsertRows()
            return
        self.beginResetModel()
        self.key, self.rows = key, rows
        self.endResetModel()

    def seq_at(self, row: int) -> int | None:
        return self.rows[row][1].seq if 0 <= row < len(self.rows) else None

    def row_count(self) -> int:
        return len(self.rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        kind, change = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return {EVENT_TIME: clock(_number(change.time) or None), EVENT_KIND: kind,
                    EVENT_VALUE: str(change.value), EVENT_SEQ: f"#{change.seq}"}[column]
        if role == Qt.ItemDataRole.BackgroundRole and kind == "Charging state" \
                and column == EVENT_VALUE:
            return status_tint(str(change.value))
        if role == Qt.ItemDataRole.ToolTipRole:
            return "double-click to select this record in the timeline"
        return None


def _number(value: object) -> float:
    """A time or seq to sort by; anything odd sorts first instead of raising."""
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) \
        else float("-inf")
