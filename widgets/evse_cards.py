"""One card per EVSE: its connectors with their status in colour and since when, its
availability, the transaction running on it with live figures, its reservations.

A card is built once per EVSE and then only has its texts changed, so a live update every
few hundred milliseconds neither flickers nor moves what the user is looking at. Links in a
card (a status's time, a transaction id) name the record that taught them.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.state import readings
from app.state.model import ConnectorState, EvseState, Reservation, TransactionState
from app.state.transaction_summary import short_id
from widgets.readouts import amps, clock, kw, kwh, percent, rfc3339_clock
from widgets.status_colours import status_colour

# The status a card's edge shows when its connectors differ: the one needing a look first.
_LEADING = ("faulted", "charging", "occupied", "reserved", "unavailable", "available")
ACTIVE_RESERVATIONS = ("Requested", "Accepted", "Occupied")
FIGURES = ("Energy", "Power", "Current", "SoC", "State")


def leading_status(evse: EvseState) -> str | None:
    """The connector status that speaks for the whole EVSE (Faulted before Charging...)."""
    statuses = [c.status for c in evse.connectors.values() if isinstance(c.status, str)]
    for wanted in _LEADING:
        for status in statuses:
            if status.lower() == wanted:
                return status
    return statuses[0] if statuses else None


def pill_style(colour: QColor) -> str:
    """A status label filled with its colour, text dark or white for contrast."""
    text = "#1b1b1b" if colour.lightness() > 150 or colour.green() > 140 else "#ffffff"
    return (f"QLabel {{ background: {colour.name()}; color: {text}; border-radius: 4px;"
            " padding: 1px 8px; font-weight: 600; }")


def link(seq: int | None, text: str) -> str:
    """Rich text: `text` escaped, as a link to record `seq` when there is one."""
    shown = html.escape(text)
    return f'<a href="seq:{seq}">{shown}</a>' if seq else shown


class _ConnectorRow:
    """The widgets of one connector line: its name, status pill and since when."""

    def __init__(self, connector_id: int, layout: QGridLayout, row: int,
                 on_link: object) -> None:
        self.name = QLabel(f"Connector {connector_id}")
        self.status = QLabel("")
        self.status.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.since = QLabel("")
        self.since.setTextFormat(Qt.TextFormat.RichText)
        self.since.linkActivated.connect(on_link)
        layout.addWidget(self.name, row, 0)
        layout.addWidget(self.status, row, 1)
        layout.addWidget(self.since, row, 2)
        self._style = ""

    def show(self, connector: ConnectorState) -> None:
        status = connector.status or "unknown"
        _set(self.status, status)
        style = pill_style(status_colour(connector.status))
        if style != self._style:
            self._style = style
            self.status.setStyleSheet(style)
        last = connector.history[-1] if connector.history else None
        _set(self.since, f"since {link(last.seq, clock(last.time) or '—')}" if last else "")
        self.since.setToolTip(f"reported by {last.source}; click to show the frame"
                              if last and last.source else "")


class EvseCard(QFrame):
    clicked = Signal(int)         # this card's EVSE id: the user picked the card
    record_chosen = Signal(int)   # the seq behind a link the user clicked

    def __init__(self, evse_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.evse_id = evse_id
        self.setObjectName("evseCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.selected = False
        self._style = ""
        self.title = QLabel(f"EVSE {evse_id}")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.title.setFont(font)
        self.availability = QLabel("")
        self.availability.setAlignment(Qt.AlignmentFlag.AlignRight)
        title_row = QHBoxLayout()
        title_row.addWidget(self.title)
        title_row.addStretch(1)
        title_row.addWidget(self.availability)
        self._connector_grid = QGridLayout()
        self._connector_grid.setColumnStretch(2, 1)
        self._connectors: dict[int, _ConnectorRow] = {}
        self.transaction = QLabel("")
        self.transaction.setTextFormat(Qt.TextFormat.RichText)
        self.transaction.setWordWrap(True)
        self.transaction.linkActivated.connect(self._link)
        self.figures: dict[str, QLabel] = {}
        self._figure_box = QWidget()
        grid = QGridLayout(self._figure_box)
        grid.setContentsMargins(0, 2, 0, 0)
        big = self.font()
        big.setPointSizeF(big.pointSizeF() * 1.35)
        big.setBold(True)
        for column, name in enumerate(FIGURES):
            caption = QLabel(name)
            caption.setEnabled(False)      # the palette's quiet text colour
            value = QLabel("")
            value.setFont(big)
            grid.addWidget(caption, 0, column)
            grid.addWidget(value, 1, column)
            self.figures[name] = value
        self.reservations = QLabel("")
        self.reservations.setTextFormat(Qt.TextFormat.RichText)
        self.reservations.setWordWrap(True)
        self.reservations.linkActivated.connect(self._link)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 10)
        layout.addLayout(title_row)
        layout.addLayout(self._connector_grid)
        layout.addWidget(self.transaction)
        layout.addWidget(self._figure_box)
        layout.addWidget(self.reservations)
        self._figure_box.hide()
        self.transaction.hide()
        self.reservations.hide()

    def show_evse(self, evse: EvseState, transaction: TransactionState | None,
                  reservations: list[Reservation]) -> None:
        """Show `evse` as it is now, changing only the texts that changed."""
        _set(self.availability, evse.availability or "")
        self.availability.setToolTip(
            f"availability, set by {evse.availability_history[-1].source}"
            if evse.availability_history else "availability")
        for connector_id in sorted(evse.connectors):
            row = self._connectors.get(connector_id)
            if row is None:
                row = self._connectors[connector_id] = _ConnectorRow(
                    connector_id, self._connector_grid, len(self._connectors), self._link)
            row.show(evse.connectors[connector_id])
        self._show_transaction(transaction)
        active = [r for r in reservations if r.status in ACTIVE_RESERVATIONS]
        lines = [f"Reservation {link(r.seq, str(r.reservation_id))} for "
                 f"{html.escape(r.id_token or 'any token')}"
                 f"{' until ' + html.escape(rfc3339_clock(r.expiry)) if r.expiry else ''}"
                 f" · {html.escape(r.status)}" for r in active]
        _set(self.reservations, "<br>".join(lines))
        self.reservations.setVisible(bool(lines))
        self._restyle(leading_status(evse))

    def _show_transaction(self, transaction: TransactionState | None) -> None:
        running = transaction is not None and transaction.running
        self.transaction.setVisible(running)
        self._figure_box.setVisible(running)
        if transaction is None or not running:
            return
        ident = transaction.transaction_id
        short = short_id(ident)   # a station's numbering whole, a UUID by both ends
        first = transaction.record_seqs[0] if transaction.record_seqs else None
        parts = [f"Transaction <b>{link(first, short)}</b>"]
        if transaction.id_token:
            parts.append(f"idToken {html.escape(transaction.id_token)}")
        if transaction.started:
            parts.append(f"since {clock(transaction.started)}")
        _set(self.transaction, " · ".join(parts))
        self.transaction.setToolTip(f"transaction {ident}; click its id to show its first "
                                    "frame")
        register = readings.register_kwh(transaction)
        state = transaction.charging_states[-1].value if transaction.charging_states else None
        values = {"Energy": kwh(readings.energy_kwh(transaction)),
                  "Power": kw(readings.power_kw(transaction)),
                  "Current": amps(readings.currents_a(transaction)),
                  "SoC": percent(readings.soc_percent(transaction)),
                  "State": state or "–"}
        for name, value in values.items():
            _set(self.figures[name], value)
        self.figures["Energy"].setToolTip(
            f"delivered in this transaction; meter register {kwh(register)}"
            if register is not None else "delivered in this transaction")

    def _restyle(self, status: str | None) -> None:
        edge = status_colour(status).name()
        border = "palette(highlight)" if self.selected else "palette(mid)"
        width = 2 if self.selected else 1
        style = (f"QFrame#evseCard {{ border: {width}px solid {border};"
                 f" border-left: 5px solid {edge}; border-radius: 6px; }}")
        if style != self._style:
            self._style = style
            self.setStyleSheet(style)

    def set_selected(self, selected: bool, status: str | None) -> None:
        self.selected = selected
        self._restyle(status)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(self.evse_id)
        super().mousePressEvent(event)

    def _link(self, target: str) -> None:
        if target.startswith("seq:") and target[4:].isdigit():
            self.record_chosen.emit(int(target[4:]))


def _set(label: QLabel, text: str) -> None:
    if label.text() != text:
        label.setText(text)
