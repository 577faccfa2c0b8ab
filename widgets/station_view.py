"""The Station view: what one station is right now. A header with its boot information,
registration, connection and last heartbeat; a card per EVSE (`widgets/evse_cards.py`); the
status changes of the card the user picked; the device model (`widgets/device_model_view.py`).

`set_state` is called with the whole `SessionState` whenever it changes (live, coalesced;
or with the state as of the playback head). It changes only what changed: cards update
their texts, the history and the device model are synced by key, so the selection, the
tree's expansion and the scroll positions stay where the user left them.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app.state.model import (
    Change,
    Connection,
    EvseState,
    SessionState,
    StationState,
    TransactionState,
)
from app.wording import count
from widgets.device_model_view import DeviceModelView
from widgets.evse_cards import EvseCard, leading_status
from widgets.keyed_tree import SEQ_ROLE, KeyedTreeModel, TreeRow
from widgets.panes import titled
from widgets.readouts import clock
from widgets.station_title import station_title
from widgets.status_colours import AVAILABLE, FAULTED, RESERVED, UNAVAILABLE, status_colour

HISTORY_COLUMNS = ("Time", "Where", "Change", "Source")
TIME, WHERE, CHANGE, SOURCE = range(len(HISTORY_COLUMNS))
EMPTY_TEXT = ("No station yet: stations appear here as soon as one connects, or when a "
              "session with one is opened.")
_REGISTRATION_COLOURS = {"Accepted": AVAILABLE, "Pending": RESERVED, "Rejected": FAULTED}


def history_rows(station: StationState, evse_id: int | None) -> list[TreeRow]:
    """Status and availability changes of one EVSE (or all), the last reported first. Each
    row's seq is the record that reported the change. Rows go by that record, not by the
    station's time they show: a clock that jumps back must not put a change under the one
    it follows (each row's old value is the one before it in record order)."""
    rows: list[tuple[tuple[int, float], TreeRow]] = []
    for evse in station.evses.values():
        if evse_id is not None and evse.evse_id != evse_id:
            continue
        for connector in evse.connectors.values():
            where = f"EVSE {evse.evse_id} · connector {connector.connector_id}"
            rows += _changes(("status", evse.evse_id, connector.connector_id), where,
                             connector.history, coloured=True)
        rows += _changes(("availability", evse.evse_id), f"EVSE {evse.evse_id}",
                         evse.availability_history, coloured=False)
    rows.sort(key=lambda pair: pair[0], reverse=True)
    return [row for _, row in rows]


def _changes(key: tuple[object, ...], where: str, history: list[Change],
             coloured: bool) -> list[tuple[tuple[int, float], TreeRow]]:
    out = []
    previous = "—"
    for position, change in enumerate(history):
        colour = status_colour(change.value) if coloured else (
            UNAVAILABLE if change.value == "Inoperative" else None)
        row = TreeRow((*key, position, change.seq),
                      (clock(change.time), where, f"{previous} → {change.value}",
                       change.source),
                      "click to show the frame that reported it", seq=change.seq,
                      foreground=colour, colour_columns=(CHANGE,))
        out.append(((change.seq, change.time), row))
        previous = change.value
    return out


def header_html(station: StationState) -> str:
    """The station's identity, registration, connection and last news, as rich text with
    every peer-sent value escaped."""
    def esc(value: object) -> str:
        return html.escape(str(value))

    lines = [f"<span style='font-size:15pt; font-weight:600'>{esc(station.station)}</span>"
             f"&nbsp;&nbsp;{_connection(station)}"]
    identity = [f"<b>{esc(v)}</b>" for v in (station.vendor, station.model) if v]
    if station.serial:
        identity.append(f"serial {esc(station.serial)}")
    if station.firmware:
        identity.append(f"firmware {esc(station.firmware)}")
    if station.boot_reason:
        identity.append(f"booted: {esc(station.boot_reason)}")
    lines.append(" · ".join(identity) or "<i>no BootNotification seen yet</i>")
    status = []
    if station.registration:
        colour = _REGISTRATION_COLOURS.get(station.registration)
        shown = esc(station.registration)
        status.append("Registration " + (f"<b style='color:{colour.name()}'>{shown}</b>"
                                         if colour else f"<b>{shown}</b>"))
    if station.interval is not None:
        status.append(f"heartbeat every {station.interval} s")
    if station.last_heartbeat:
        status.append(f"last heartbeat {clock(station.last_heartbeat)}")
    status.append(count(station.frames, "frame") + (
        f" (<span style='color:{FAULTED.name()}'>{station.invalid:,} invalid</span>)"
        if station.invalid else ""))
    lines.append(" · ".join(status))
    news = [f"{label} <b>{esc(changes[-1].value)}</b> at {clock(changes[-1].time)}"
            for label, changes in (("Firmware", station.firmware_status),
                                   ("Log upload", station.log_status),
                                   ("Last security event", station.security_events))
            if changes]
    if news:
        lines.append(" · ".join(news))
    return "<br>".join(lines)


def _connection(station: StationState) -> str:
    if not station.connections:
        return f"<span style='color:{UNAVAILABLE.name()}'>not connected</span>"
    last = station.connections[-1]
    protocol = f" ({html.escape(last.subprotocol)})" if last.subprotocol else ""
    if last.closed is None:
        text = (f"<span style='color:{AVAILABLE.name()}'>● connected</span> since "
                f"{clock(last.opened)}{protocol}")
        earlier = [c for c in station.connections[:-1] if c.closed is not None]
        if earlier:   # a station that keeps dropping is what the engineer came for
            text += (f" · {count(len(station.connections), 'connection')} so far, the last "
                     f"{_close(earlier[-1])}")
        return text
    return (f"<span style='color:{UNAVAILABLE.name()}'>○ disconnected</span> — "
            + _close(last))


def _close(connection: Connection) -> str:
    """"closed 10:02:11, code 1006, by station, “reason”": how a connection ended."""
    closed = [f"closed {clock(connection.closed)}".strip()]
    if connection.code is not None:
        closed.append(f"code {connection.code}")
    if connection.closed_by:
        closed.append(f"by {html.escape(connection.closed_by)}")
    if connection.reason:
        closed.append(f"“{html.escape(connection.reason)}”")
    return ", ".join(closed)


def running_transaction(station: StationState, evse: EvseState) -> TransactionState | None:
    """The transaction on `evse`: the one it names, else a running one that names it."""
    if evse.transaction_id is not None and evse.transaction_id in station.transactions:
        return station.transactions[evse.transaction_id]
    return next((t for t in station.transactions.values()
                 if t.running and t.evse_id == evse.evse_id), None)


class StationView(QWidget):
    record_chosen = Signal(int)   # the seq of a record the user asked to see
    title_changed = Signal(str)   # "Station" or "Station (1 report incomplete)", for the tab

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = SessionState()
        self.station: str | None = None
        self.selected_evse: int | None = None
        self.title = "Station"
        self._stale = True
        self.chooser = QComboBox()
        self.chooser.setMinimumContentsLength(16)
        self.chooser.currentTextChanged.connect(self._chosen)
        self.chooser_label = QLabel("Station:")
        self.header = QLabel("")
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.header.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.header, 1)
        top.addWidget(self.chooser_label, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.chooser, 0, Qt.AlignmentFlag.AlignTop)

        self.cards: dict[int, EvseCard] = {}
        self._cards_box = QWidget()
        self._cards_layout = QVBoxLayout(self._cards_box)
        self._cards_layout.setContentsMargins(0, 0, 4, 0)
        self._cards_layout.addStretch(1)
        self.cards_area = QScrollArea()
        self.cards_area.setWidgetResizable(True)
        self.cards_area.setFrameShape(QScrollArea.Shape.NoFrame)
        self.cards_area.setWidget(self._cards_box)
        self.history_title = QLabel("")
        self.history = QTreeView()
        self.history_model = KeyedTreeModel(HISTORY_COLUMNS, self.history)
        self.history.setModel(self.history_model)
        self.history.setRootIsDecorated(False)
        self.history.setUniformRowHeights(True)
        self.history.setAlternatingRowColors(True)
        self.history.header().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in ((TIME, 70), (WHERE, 150), (CHANGE, 190)):
            self.history.setColumnWidth(column, width)
        self.history.clicked.connect(self._history_clicked)
        self.history.activated.connect(self._history_clicked)
        history_box = titled(self.history_title, self.history, stretch=1)
        left = QSplitter(Qt.Orientation.Vertical)
        left.addWidget(self.cards_area)
        left.addWidget(history_box)
        left.setSizes([400, 500])   # proportions: the cards first, then their history

        self.device = DeviceModelView()
        self.device.record_chosen.connect(self.record_chosen)
        self.device_title = QLabel("<b>Device model</b>")
        device_box = titled(self.device_title, self.device, stretch=1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(device_box)
        self.splitter.setSizes([560, 760])

        station_page = QWidget()
        page = QVBoxLayout(station_page)
        page.setContentsMargins(8, 6, 8, 6)
        page.addLayout(top)
        page.addWidget(self.splitter, 1)
        self.empty = QLabel(EMPTY_TEXT)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.empty)
        self.pages.addWidget(station_page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)
        self._sync_chooser([])

    # --- public API -------------------------------------------------------------------------

    def set_state(self, state: SessionState) -> None:
        """Show `state` (the session as of now, or as of the playback head). While the view
        is hidden only its title follows; the rest catches up when it is shown."""
        self.state = state
        if not self.isVisible():
            self._stale = True
            self._set_title(station_title(state, self.station))
            return
        self._stale = False
        self._sync_chooser(sorted(state.stations))
        station = state.stations.get(self.station) if self.station is not None else None
        self.pages.setCurrentIndex(0 if station is None else 1)
        if station is None:
            self._set_title("Station")
            return
        self._show(station)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.set_state(self.state)

    def show_station(self, station: str) -> None:
        """Bring `station` into view (e.g. when it is picked elsewhere in the window)."""
        if station in self.state.stations and station != self.station:
            self.chooser.setCurrentText(station)

    # --- updating ---------------------------------------------------------------------------

    def _sync_chooser(self, names: list[str]) -> None:
        current = [self.chooser.itemText(i) for i in range(self.chooser.count())]
        if current != names:
            self.chooser.blockSignals(True)
            self.chooser.clear()
            self.chooser.addItems(names)
            self.chooser.blockSignals(False)
        if self.station not in names:
            self.station = names[0] if names else None
            self.selected_evse = None
        if self.station is not None and self.chooser.currentText() != self.station:
            self.chooser.blockSignals(True)
            self.chooser.setCurrentText(self.station)
            self.chooser.blockSignals(False)
        several = len(names) > 1
        self.chooser.setVisible(several)
        self.chooser_label.setVisible(several)

    def _chosen(self, name: str) -> None:
        if name and name != self.station:
            self.station = name
            self.selected_evse = None
            self.set_state(self.state)

    def _show(self, station: StationState) -> None:
        text = header_html(station)
        if self.header.text() != text:
            self.header.setText(text)
        self._sync_cards(station)
        if self.selected_evse not in station.evses:
            self.selected_evse = None
        self._show_history(station)
        self.device.set_device_model(station.device_model)
        holes = self.device.holes
        self.device_title.setText(f"<b>Device model</b> · <span style='color:{FAULTED.name()}'>"
                                  f"⚠ {count(holes, 'report')} incomplete</span>"
                                  if holes else "<b>Device model</b>")
        self._set_title(f"Station ({count(holes, 'report')} incomplete)" if holes
                        else "Station")

    def _sync_cards(self, station: StationState) -> None:
        for evse_id in [e for e in self.cards if e not in station.evses]:
            self.cards.pop(evse_id).deleteLater()
        for position, evse_id in enumerate(sorted(station.evses)):
            evse = station.evses[evse_id]
            card = self.cards.get(evse_id)
            if card is None:
                card = self.cards[evse_id] = EvseCard(evse_id)
                card.clicked.connect(self._card_clicked)
                card.record_chosen.connect(self.record_chosen)
                self._cards_layout.insertWidget(position, card)
                card.show()   # at once, not when the layout gets round to it
            reservations = [r for r in station.reservations.values() if r.evse_id == evse_id]
            card.show_evse(evse, running_transaction(station, evse), reservations)
            card.set_selected(evse_id == self.selected_evse, leading_status(evse))

    def _show_history(self, station: StationState) -> None:
        self.history_model.sync(history_rows(station, self.selected_evse))
        where = f"EVSE {self.selected_evse}" if self.selected_evse is not None else "all EVSEs"
        hint = ("click a card to see its own" if self.selected_evse is None
                else "click the card again for all")
        text = f"<b>Status history</b> · {where} <span style='color:gray'>({hint})</span>"
        if self.history_title.text() != text:
            self.history_title.setText(text)

    def _card_clicked(self, evse_id: int) -> None:
        self.selected_evse = None if evse_id == self.selected_evse else evse_id
        station = self.state.stations.get(self.station or "")
        if station is not None:
            for other, card in self.cards.items():
                evse = station.evses.get(other)
                card.set_selected(other == self.selected_evse,
                                  leading_status(evse) if evse else None)
            self._show_history(station)

    def _history_clicked(self, index: QModelIndex) -> None:
        seq = self.history_model.data(index.siblingAtColumn(TIME), SEQ_ROLE)
        if isinstance(seq, int):
            self.record_chosen.emit(seq)

    def _set_title(self, title: str) -> None:
        if title != self.title:
            self.title = title
            self.title_changed.emit(title)
