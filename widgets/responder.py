"""The auto-responder panel: for the endpoint modes, how each action is answered.

It edits the `ResponsePolicy` the running endpoint consults for every request, so a change
applies to the next request at once: the default answer, a refusal, no answer, a CALLERROR,
a payload of your own, or "ask me" (the request waits in the composer for your answer).
"""

from __future__ import annotations

import json

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.net.policy import ResponsePolicy, Rule
from app.ocpp import catalog
from widgets.send_bar import BANNER_STYLE
from widgets.wheel_guard import guard_wheel

MODES = (("default", "Default answer"), ("reject", "Refuse (status)"),
         ("ignore", "No answer"), ("error", "CALLERROR"), ("payload", "This payload…"),
         ("ask", "Ask me"))
ACTION, SENDER, MODE, DETAIL, DELAY = range(5)


class ResponderPanel(QWidget):
    edit_payload = Signal(str)   # action: the user wants to write the payload in the composer

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.policy = ResponsePolicy()
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.set_mode(None)
        self.only_peer = QComboBox()
        self.only_peer.addItem("Actions a station sends (we are the CSMS)", "station")
        self.only_peer.addItem("Actions a CSMS sends (we are a station)", "csms")
        self.only_peer.addItem("All actions", "all")
        self.only_peer.currentIndexChanged.connect(lambda _: self._show_rows())
        reset = QPushButton("All to default")
        reset.clicked.connect(self.reset)
        top = QHBoxLayout()
        top.addWidget(self.only_peer)
        top.addStretch(1)
        top.addWidget(reset)
        self.table = QTableWidget(len(catalog.ACTIONS), 5)
        self.table.setHorizontalHeaderLabels(("Action", "Sent by", "Answer", "Detail",
                                              "Delay (s)"))
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(
            DETAIL, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(ACTION, 230)
        self.table.setColumnWidth(MODE, 150)
        self.table.setColumnWidth(DETAIL, 340)
        self.rows: dict[str, int] = {}
        self.codes: dict[str, QComboBox] = {}  # the CALLERROR code of each action's rule
        self.details: dict[str, QLineEdit] = {}
        for row, entry in enumerate(catalog.ACTIONS.values()):
            self.rows[entry.name] = row
            item = QTableWidgetItem(entry.name)
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.table.setItem(row, ACTION, item)
            sender = QTableWidgetItem(entry.sender.value)
            sender.setFlags(sender.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.table.setItem(row, SENDER, sender)
            mode = QComboBox()
            for key, label in MODES:
                mode.addItem(label, key)
            mode.currentIndexChanged.connect(lambda _, a=entry.name: self._changed(a))
            self.table.setCellWidget(row, MODE, mode)
            self.table.setCellWidget(row, DETAIL, self._detail_cell(entry.name))
            delay = QDoubleSpinBox()
            delay.setRange(0, 600)
            delay.setDecimals(1)
            delay.valueChanged.connect(lambda _, a=entry.name: self._changed(a))
            self.table.setCellWidget(row, DELAY, delay)
            guard_wheel(mode, delay, self.codes[entry.name])  # scrolling keeps the rules
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        self._show_rows()

    def _detail_cell(self, action: str) -> QWidget:
        """A CALLERROR's code (one of the specification's list) and description, or the
        JSON of an answer payload."""
        code = QComboBox()
        code.addItems(list(catalog.ERROR_CODES))
        code.setCurrentText("GenericError")
        code.setToolTip("The CALLERROR codes of OCPP-J 2.0.1")
        code.currentIndexChanged.connect(lambda _: self._changed(action))
        code.hide()
        detail = QLineEdit()
        detail.editingFinished.connect(lambda: self._changed(action))
        cell = QWidget()
        line = QHBoxLayout(cell)
        line.setContentsMargins(0, 0, 0, 0)
        line.setSpacing(2)
        line.addWidget(code)
        line.addWidget(detail, 1)
        self.codes[action], self.details[action] = code, detail
        return cell

    def adopt(self, policy: ResponsePolicy) -> None:
        """Show and edit this policy (e.g. loaded from a rules file when a mode starts)."""
        self.policy = policy
        for action, row in self.rows.items():
            rule = policy.rules.get(action, Rule())
            self._set_row(row, rule)
        for action in self.rows:
            self._update_detail_state(action)

    def set_mode(self, mode: str | None) -> None:
        """Say whether the running mode answers by these rules: the endpoints do; a proxy
        (and the demo, a proxy between simulators) relays the real peers' answers."""
        if mode in ("proxy", "demo"):
            self.note.setText(
                f"⚠ The {'demo' if mode == 'demo' else 'proxy'} does not answer requests: "
                "the stations and the CSMS answer each other, so these rules are not used "
                "while it runs. They apply when OCPP Scope plays the CSMS or a station.")
            self.note.setStyleSheet(BANNER_STYLE)
            return
        self.note.setStyleSheet("")
        if mode == "csms":
            self.note.setText("Answering the stations' requests as the CSMS by these rules. "
                              "Changes apply to the next request.")
        elif mode == "station":
            self.note.setText("Answering the CSMS's requests as the station by these rules. "
                              "Changes apply to the next request.")
        else:
            self.note.setText("How OCPP Scope answers requests when it plays the CSMS or a "
                              "station. Rules set now hold when such a mode starts.")

    def set_side(self, we_are: str) -> None:
        """Show the actions our peer sends: "csms" when we are the CSMS, "station"."""
        self.only_peer.setCurrentIndex(0 if we_are == "csms" else 1)

    def reset(self) -> None:
        for action in self.rows:
            self.policy.set_rule(action, None)
        self.adopt(self.policy)

    def _widgets(self, action: str) -> tuple[QComboBox, QLineEdit, QDoubleSpinBox]:
        row = self.rows[action]
        return (self.table.cellWidget(row, MODE), self.details[action],  # type: ignore[return-value]
                self.table.cellWidget(row, DELAY))

    def _set_row(self, row: int, rule: Rule) -> None:
        action = self.table.item(row, ACTION).text()
        mode, detail, delay = self._widgets(action)
        code = self.codes[action]
        for widget in (mode, detail, delay, code):
            widget.blockSignals(True)
        mode.setCurrentIndex(max(0, mode.findData(rule.mode)))
        if rule.mode == "error":
            code.setCurrentText(rule.error_code)
            detail.setText(rule.description)
        elif rule.mode == "payload":
            detail.setText(json.dumps(rule.payload, ensure_ascii=False))
        else:
            detail.setText("")
        delay.setValue(rule.delay)
        for widget in (mode, detail, delay, code):
            widget.blockSignals(False)

    def _update_detail_state(self, action: str) -> None:
        mode, detail, _ = self._widgets(action)
        key = mode.currentData()
        detail.setEnabled(key in ("error", "payload"))
        self.codes[action].setVisible(key == "error")
        detail.setPlaceholderText({
            "error": "description, e.g. not on this site",
            "payload": '{"status": "Accepted"} — or write it in the composer',
        }.get(key, ""))

    def _changed(self, action: str) -> None:
        mode, detail, delay = self._widgets(action)
        key = mode.currentData()
        self._update_detail_state(action)
        text = detail.text().strip()
        rule: Rule | None
        if key == "error":
            rule = Rule(mode="error", error_code=self.codes[action].currentText(),
                        description=text, delay=delay.value())
        elif key == "payload":
            try:
                payload = json.loads(text) if text else None
            except (ValueError, RecursionError):
                payload = None
            if not isinstance(payload, dict):
                detail.setStyleSheet("border: 1px solid #d03030;" if text else "")
                if not text:
                    self.edit_payload.emit(action)
                return
            detail.setStyleSheet("")
            rule = Rule(mode="payload", payload=payload, delay=delay.value())
        elif key == "default" and not delay.value():
            rule = None
        else:
            rule = Rule(mode=key, delay=delay.value())
        self.policy.set_rule(action, rule)

    def set_payload(self, action: str, payload: dict) -> None:
        """A payload written in the composer for this action's "This payload…" answer."""
        mode, detail, _ = self._widgets(action)
        mode.blockSignals(True)
        mode.setCurrentIndex(mode.findData("payload"))
        mode.blockSignals(False)
        detail.setText(json.dumps(payload, ensure_ascii=False))
        self._changed(action)

    def set_error(self, action: str, code: str, description: str) -> None:
        """A CALLERROR chosen in the composer as this action's answer."""
        mode, detail, _ = self._widgets(action)
        for widget in (mode, self.codes[action]):
            widget.blockSignals(True)
        mode.setCurrentIndex(mode.findData("error"))
        self.codes[action].setCurrentText(code)
        for widget in (mode, self.codes[action]):
            widget.blockSignals(False)
        detail.setText(description)
        self._changed(action)

    def _show_rows(self) -> None:
        side = self.only_peer.currentData()
        for action, row in self.rows.items():
            sender = catalog.ACTIONS[action].sender.value
            hidden = side != "all" and sender not in (side, "both")
            self.table.setRowHidden(row, hidden)
