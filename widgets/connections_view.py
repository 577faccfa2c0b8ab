"""The Connections view: every connection attempt, grouped by station, with its diagnosis.

A tree station > attempts (time, mode, outcome, duration, the doctor's sentence). The rows
come from the engine (`app.session.attempts.connection_rows`); this view only lays them out,
filters them by the text typed, and on a double click says which record the timeline should
show (`record_chosen(seq)`: the attempt's opened or rejected record).
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QLineEdit, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from app.session.attempts import Attempt, connection_rows
from app.session.capture import Capture
from app.wording import count

COLUMNS = ("Time", "Mode", "Outcome", "Duration", "Peer", "Diagnosis")
DIAGNOSIS_COLUMN = COLUMNS.index("Diagnosis")
# A group of attempts refused before any station id was known (TLS, no path).
UNKNOWN_STATION = "(station not known)"
SEQ_ROLE = Qt.ItemDataRole.UserRole
# Milliseconds refreshes are gathered for: a busy proxy rebuilds the tree at most this often.
REFRESH_DELAY_MS = 300


class ConnectionsView(QWidget):
    record_chosen = Signal(int)   # seq of the attempt's opened or rejected record

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._capture: Capture | None = None
        self.filter_box = QLineEdit(placeholderText="Filter: station, outcome, words of the "
                                                    "diagnosis…", clearButtonEnabled=True)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(list(COLUMNS))
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.filter_box)
        layout.addWidget(self.tree)
        self._timer = QTimer(self, singleShot=True, interval=REFRESH_DELAY_MS)
        self._timer.timeout.connect(self.rebuild)
        self.filter_box.textChanged.connect(lambda _text: self.rebuild())
        self.tree.itemDoubleClicked.connect(self._chosen)

    @property
    def capture(self) -> Capture | None:
        return self._capture

    def set_capture(self, capture: Capture | None) -> None:
        """Show the attempts of `capture` (None: nothing), at once."""
        self._capture = capture
        self.rebuild()

    def refresh(self) -> None:
        """New records may have come: rebuild soon, once for a burst of calls."""
        if not self._timer.isActive():
            self._timer.start()

    def rebuild(self) -> None:
        self._timer.stop()
        text = self.filter_box.text()
        groups = connection_rows(self._capture.messages) if self._capture is not None else {}
        self.tree.clear()
        for station, attempts in groups.items():
            shown = [attempt for attempt in attempts if attempt.matches(text)
                     or text.strip().lower() in station.lower()]
            if not shown:
                continue
            refused = sum(attempt.outcome == "refused" for attempt in attempts)
            head = QTreeWidgetItem([station or UNKNOWN_STATION, "",
                                    count(len(attempts), "attempt")
                                    + (f", {refused:,} refused" if refused else "")])
            head.setData(0, SEQ_ROLE, shown[0].seq)
            head.addChildren([_row(attempt) for attempt in shown])
            self.tree.addTopLevelItem(head)
            head.setExpanded(True)
        self.tree.resizeColumnToContents(0)

    def _chosen(self, item: QTreeWidgetItem, _column: int) -> None:
        seq = item.data(0, SEQ_ROLE)
        if isinstance(seq, int):
            self.record_chosen.emit(seq)


def _row(attempt: Attempt) -> QTreeWidgetItem:
    clock = datetime.fromtimestamp(attempt.time).strftime("%H:%M:%S") if attempt.time else ""
    duration = "" if attempt.duration is None else f"{attempt.duration:.1f} s"
    item = QTreeWidgetItem([clock, attempt.role, attempt.outcome, duration, attempt.remote,
                            attempt.sentence])
    item.setData(0, SEQ_ROLE, attempt.seq)
    item.setToolTip(DIAGNOSIS_COLUMN, attempt.sentence)
    return item
