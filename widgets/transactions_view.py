"""The Transactions view: every transaction of the session (all stations or one), sortable;
the one selected shows its trigger reasons and charging states over time and its meter chart,
and can be followed in the timeline.

The window calls `set_state` whenever the tracked state changes (live, or as a playback head
moves); the view updates its rows in place and keeps the selection, the sort, the scroll
position and the station chosen. Navigation goes out as signals carrying record seqs; this
widget sends nothing and filters nothing itself.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QModelIndex, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.state.model import SessionState, TransactionState
from app.state.transaction_summary import change_mark, latest_time
from app.wording import count
from widgets.meter_chart import MeterChart
from widgets.panes import titled
from widgets.transactions_model import (
    EVENT_KIND,
    EVENT_SEQ,
    EVENT_TIME,
    STARTED,
    Key,
    TransactionEventsModel,
    TransactionsModel,
    TransactionsProxy,
    full_time,
    place,
)

ALL_STATIONS = "All stations"
# Seconds of summarising per turn of the event loop when a state brings new transactions:
# with the sorting of the rows it inserts, a turn stays well under 50 ms
LISTING_STEP = 0.01


class TransactionsView(QWidget):
    # a transaction to follow in the timeline: its id and the seqs of its records (list[int])
    follow_transaction = Signal(str, object)
    record_chosen = Signal(int)       # the seq of a record to select in the timeline

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._state = SessionState()
        self._shown: tuple[Key | None, tuple[object, ...]] = (None, ())
        self._listing = QTimer(self)   # lists what `set_state` left waiting, a slice a turn
        self._listing.setSingleShot(True)
        self._listing.setInterval(0)
        self._listing.timeout.connect(self._list_more)
        self.table = QTableView()
        # the views own their models, so a model outlives what its view holds of it
        self.model = TransactionsModel(self.table)
        self.proxy = TransactionsProxy(self.table)
        self.proxy.setSourceModel(self.model)
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(STARTED, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        row_height = self.fontMetrics().height() + 8
        self.table.verticalHeader().setDefaultSectionSize(row_height)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_selected())
        self.table.doubleClicked.connect(lambda _index: self.follow_selected())
        # fitted to about a hundred rows, not all of them, and once a listing is done
        self.table.horizontalHeader().setResizeContentsPrecision(100)
        self.model.rowsInserted.connect(
            lambda *_: None if self.model.pending else self._fit_columns())

        self.station = QComboBox()
        self.station.addItem(ALL_STATIONS)
        self.station.setMinimumContentsLength(14)
        self.station.setToolTip("Show the transactions of one station, or of all")
        self.station.currentTextChanged.connect(self._station_chosen)
        self.counts = QLabel("")
        self.follow_button = QPushButton("Follow in timeline")
        self.follow_button.setToolTip("Show only this transaction's frames in the timeline "
                                      "(double-click a row does the same)")
        self.follow_button.setEnabled(False)
        self.follow_button.clicked.connect(self.follow_selected)
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(QLabel("Station:"))
        bar.addWidget(self.station)
        bar.addWidget(self.counts, 1)
        bar.addWidget(self.follow_button)

        self.heading = QLabel("")
        self.heading.setWordWrap(True)
        self.heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.events = QTableView()
        self.events_model = TransactionEventsModel(self.events)
        self.events.setModel(self.events_model)
        self.events.verticalHeader().setVisible(False)
        self.events.verticalHeader().setDefaultSectionSize(row_height)
        self.events.horizontalHeader().setStretchLastSection(True)
        self.events.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.events.setWordWrap(False)
        self.events.doubleClicked.connect(self._event_chosen)
        details = titled(self.heading, self.events, stretch=1)
        self.chart = MeterChart()

        below = QSplitter(Qt.Orientation.Horizontal)
        below.addWidget(details)
        below.addWidget(self.chart)
        below.setSizes([440, 860])
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(below)
        split.setSizes([260, 520])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(split, 1)
        self._update_counts()
        self._show_selected()

    # --- the window's side ------------------------------------------------------------------

    def set_state(self, state: SessionState) -> None:
        """Show `state`: rows change in place, what the user looks at stays. New rows are
        listed a slice (`LISTING_STEP`) at a time, between the window's other work."""
        self._state = state
        self.model.set_state(state, LISTING_STEP)
        self._listed()

    def _list_more(self) -> None:
        self.model.list_pending(LISTING_STEP)
        self._listed()

    def _listed(self) -> None:
        if self.model.pending:
            self._listing.start()
        else:
            self._fit_columns()
        self._update_stations(self._state)
        self._update_counts()
        self._show_selected()

    def selected_key(self) -> Key | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        return self.model.key_at(self.proxy.mapToSource(index).row())

    def selected_transaction(self) -> TransactionState | None:
        key = self.selected_key()
        return None if key is None else self.model.transactions.get(key)

    def select(self, station: str, transaction_id: str) -> bool:
        """Select a transaction (e.g. the one a frame belongs to), if it is listed."""
        row = self.model.row_of((station, transaction_id))
        if row is None:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():     # hidden by the station filter: show all again
            self.station.setCurrentIndex(0)
            index = self.proxy.mapFromSource(self.model.index(row, 0))
        self.table.setCurrentIndex(index)
        self.table.scrollTo(index)
        return True

    def follow_selected(self) -> None:
        transaction = self.selected_transaction()
        if transaction is not None:
            self.follow_transaction.emit(transaction.transaction_id,
                                         list(transaction.record_seqs))

    # --- inside -----------------------------------------------------------------------------

    def _update_stations(self, state: SessionState) -> None:
        """The station list follows the state; the station chosen stays while it exists."""
        stations = sorted(name for name, s in state.stations.items() if s.transactions)
        listed = [self.station.itemText(i) for i in range(1, self.station.count())]
        if stations == listed:
            return
        chosen = self.station.currentText()
        with QSignalBlocker(self.station):
            self.station.clear()
            self.station.addItem(ALL_STATIONS)
            self.station.addItems(stations)
            index = self.station.findText(chosen)
        if index < 0:
            self.station.setCurrentIndex(0)    # announced: the filter must show all again
            self._station_chosen(ALL_STATIONS)
        else:
            with QSignalBlocker(self.station):
                self.station.setCurrentIndex(index)

    def _station_chosen(self, text: str) -> None:
        self.proxy.show_station(None if text in ("", ALL_STATIONS) else text)
        self._update_counts()
        self._show_selected()

    def _update_counts(self) -> None:
        total, shown = self.model.rowCount(), self.proxy.rowCount()
        running = sum(1 for s in self.model.summaries.values() if s.running)
        if not total:
            self.counts.setText("No transactions yet.")
            return
        text = count(total, "transaction")
        if self.model.pending:
            text = f"listing transactions: {total:,} of {total + self.model.pending:,}"
        if running:
            text += f", {running:,} running"
        if shown != total:
            text += f" · {shown:,} shown"
        self.counts.setText(text)

    def _show_selected(self) -> None:
        """Details and chart of the selected transaction; redrawn only when it changed."""
        key = self.selected_key()
        transaction = None if key is None else self.model.transactions.get(key)
        now = 0.0 if key is None else latest_time(self._state, key[0])
        shown = (key, () if transaction is None else change_mark(transaction, now))
        self.follow_button.setEnabled(transaction is not None and bool(
            transaction.record_seqs))
        if shown == self._shown:
            return
        self._shown = shown
        self.events_model.show(transaction)
        self.chart.show_transaction(transaction)
        self.heading.setText(self._heading(key, transaction))
        for column in (EVENT_TIME, EVENT_KIND, EVENT_SEQ):
            self.events.resizeColumnToContents(column)

    def _heading(self, key: Key | None, transaction: TransactionState | None) -> str:
        if key is None or transaction is None:
            return "Select a transaction to see its events and meter values."
        summary = self.model.summaries[key]
        parts = [f"<b>Transaction {escape(summary.transaction_id)}</b> on "
                 f"{escape(summary.station)}"]
        if summary.evse_id is not None:
            parts.append(f"EVSE {place(summary)}")
        if summary.id_token:
            parts.append(f"idToken {escape(summary.id_token)}")
        parts.append(f"started {full_time(summary.started)}" if summary.started else
                     "no Started event seen")
        if summary.missing_seq_nos:
            parts.append(f"<span style='color:#d32f2f'>seqNo "
                         f"{', '.join(map(str, summary.missing_seq_nos[:8]))} missing</span>")
        return " · ".join(parts)

    def _event_chosen(self, index: QModelIndex) -> None:
        seq = self.events_model.seq_at(index.row())
        if seq is not None:
            self.record_chosen.emit(seq)

    def _fit_columns(self) -> None:
        if self.model.rowCount() <= 500:   # sizing reads every row: only while that is cheap
            self.table.resizeColumnsToContents()
            header = self.table.horizontalHeader()
            header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
