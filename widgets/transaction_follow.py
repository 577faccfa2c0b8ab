"""Following a transaction in the timeline: the frame context menu's "Follow transaction",
and the same for a transaction picked in the Transactions view.

Which transaction a frame belongs to is the engine's answer (`transaction_of`) over the
session state the window tracks, read through `state_source` when needed; following sets
the filter bar's record-set chip, and the timeline filters as for any other filter.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction

from app.state.model import SessionState, TransactionState
from app.state.transaction_summary import short_id, transaction_of
from widgets.filter_bar import FilterBar


class TransactionFollow(QObject):
    followed = Signal(str)   # the id of the transaction now followed

    def __init__(self, filter_bar: FilterBar, current_seq: Callable[[], int | None],
                 state_source: Callable[[], SessionState], parent: QObject | None = None
                 ) -> None:
        super().__init__(parent)
        self.filter_bar = filter_bar
        self.current_seq = current_seq
        self.state_source = state_source
        self.action = QAction("Follow transaction", self)
        self.action.setStatusTip("Show only the frames of the transaction this frame "
                                 "belongs to")
        self.action.setEnabled(False)
        self.action.triggered.connect(self.follow_current)

    def update(self) -> None:
        """Enable the action only on a frame of a transaction (call when the selection or
        the state changes)."""
        transaction = self._current_transaction()
        self.action.setEnabled(transaction is not None)
        self.action.setText("Follow transaction" if transaction is None else
                            f"Follow transaction {short_id(transaction.transaction_id)}")

    def follow_current(self) -> bool:
        transaction = self._current_transaction()
        if transaction is None:
            return False
        self.follow(transaction.transaction_id, transaction.record_seqs)
        return True

    def follow(self, transaction_id: str, seqs: Iterable[int]) -> None:
        """Filter the timeline to these records, shown as "Transaction <id> ✕"."""
        self.filter_bar.follow_records(seqs, f"transaction {short_id(transaction_id)}")
        self.followed.emit(transaction_id)

    def _current_transaction(self) -> TransactionState | None:
        seq = self.current_seq()
        return None if seq is None else transaction_of(self.state_source(), seq)
