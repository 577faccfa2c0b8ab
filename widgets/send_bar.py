"""The composer's lower part: where a message goes (station, side), how an answer is given
(its payload or a CALLERROR with a code from the specification's list), the banner of a
request that waits for the user's answer, and what came back.

It holds no sending logic: the composer reads its choices and the workbench delivers.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.ocpp import catalog
from app.ocpp.findings import Finding, Severity
from widgets.detail import JsonView
from widgets.wheel_guard import guard_wheel

# The side we play when sending into a proxy, by the direction the frame travels.
_PROXY_SIDE = {"station_to_csms": catalog.Sender.STATION,
               "csms_to_station": catalog.Sender.CSMS}
_DIRECTION_OF = {side: direction for direction, side in _PROXY_SIDE.items()}
BANNER_STYLE = ("background: #fff1c2; color: #5a4300; border: 1px solid #e0b400; "
                "border-radius: 3px; padding: 4px;")


class SendBar(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.mode: str | None = None
        self.request = True  # composing a request (sent to a peer), not a response
        self.target = QComboBox()
        self.target.setMinimumContentsLength(16)
        self.direction = QComboBox()
        self.direction.addItem("to the station (as the CSMS)", "csms_to_station")
        self.direction.addItem("to the CSMS (as the station)", "station_to_csms")
        self.direction.setVisible(False)
        self.reply = QComboBox()
        self.reply.addItem("with this payload", "payload")
        self.reply.addItem("with a CALLERROR", "error")
        self.reply.setToolTip("Answer with the payload above, or refuse with a CALLERROR")
        self.error_code = QComboBox()
        self.error_code.addItems(list(catalog.ERROR_CODES))
        self.error_code.setCurrentText("NotSupported")
        self.error_code.setToolTip("The CALLERROR codes of OCPP-J 2.0.1")
        self.error_text = QLineEdit()
        self.error_text.setPlaceholderText("description (optional)")
        self.error_text.setMaxLength(255)  # OCPP-J: errorDescription is at most 255 long
        self.error_text.setMinimumWidth(260)
        self.send_button = QPushButton("Send")
        self.send_button.setToolTip("Send to the peer (Ctrl+Return)")
        self.send_button.setShortcut("Ctrl+Return")
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.banner = QLabel("")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(BANNER_STYLE)
        self.banner.hide()
        # placed by the composer beside the JSON it answers; shown only with an answer, so
        # that an empty pane never takes the form's room
        self.answer = JsonView()
        self.answer_title = QLabel("")
        self.answer_box = QWidget()
        box = QVBoxLayout(self.answer_box)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.answer_title)
        box.addWidget(self.answer, 1)
        self.answer_box.hide()
        guard_wheel(self.target, self.direction, self.reply, self.error_code)

        self.to_label = QLabel("To")
        self.answer_label = QLabel("Answer")
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        for widget in (self.to_label, self.target, self.direction, self.answer_label,
                       self.reply, self.error_code, self.error_text, self.send_button):
            row.addWidget(widget)
        row.addWidget(self.status, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.banner)
        layout.addLayout(row)
        self.reply.currentIndexChanged.connect(lambda _: self._show_error_fields())
        self.show_request_controls(True)

    # --- what the user chose -------------------------------------------------------------

    @property
    def target_name(self) -> str:
        return str(self.target.currentData() or "")

    @property
    def direction_value(self) -> str:
        """The direction to inject in (proxy, demo), or "" where the mode fixes it."""
        return str(self.direction.currentData()) if self.mode in ("proxy", "demo") else ""

    @property
    def our_side(self) -> catalog.Sender | None:
        """The side a CALL sent now comes from: ours in the endpoint modes, the one chosen
        in a proxy; None while no mode runs."""
        if self.mode == "station":
            return catalog.Sender.STATION
        if self.mode == "csms":
            return catalog.Sender.CSMS
        if self.mode in ("proxy", "demo"):
            return _PROXY_SIDE[self.direction.currentData()]
        return None

    @property
    def answers_with_error(self) -> bool:
        return not self.request and self.reply.currentData() == "error"

    def follow_sender(self, action: str) -> None:
        """Point the direction the way the action's request travels; an action either side
        sends keeps the direction chosen."""
        sender = catalog.ACTIONS[action].sender
        if sender in _DIRECTION_OF:
            self.direction.setCurrentIndex(self.direction.findData(_DIRECTION_OF[sender]))

    # --- what the mode offers ------------------------------------------------------------

    def set_targets(self, mode: str | None, stations: list[str]) -> bool:
        """What the running mode lets us send to: stations (CSMS, proxy) or the CSMS.
        True when the chosen peer is no longer the same (another mode, a station gone)."""
        before = (self.mode, self.target.currentText())
        self.mode = mode
        self.target.blockSignals(True)
        self.target.clear()
        if mode == "station":
            self.target.addItem("the CSMS", "")
        elif mode in ("csms", "proxy", "demo"):
            for station in stations:
                self.target.addItem(station, station)
        index = self.target.findText(before[1])
        if index >= 0:
            self.target.setCurrentIndex(index)
        self.target.blockSignals(False)
        self.direction.setVisible(self.request and mode in ("proxy", "demo"))
        return (self.mode, self.target.currentText()) != before

    def show_request_controls(self, request: bool) -> None:
        """A request is sent to a peer; a response answers one (its payload or an error)."""
        self.request = request
        for widget in (self.to_label, self.target):
            widget.setVisible(request)
        self.direction.setVisible(request and self.mode in ("proxy", "demo"))
        for widget in (self.answer_label, self.reply):
            widget.setVisible(not request)
        self._show_error_fields()

    def _show_error_fields(self) -> None:
        error = self.answers_with_error
        self.error_code.setVisible(error)
        self.error_text.setVisible(error)

    # --- what came back ------------------------------------------------------------------

    def show_banner(self, text: str) -> None:
        self.banner.setText(text)
        self.banner.setVisible(bool(text))

    def show_answer(self, payload: object, findings: list[Finding], action: str) -> None:
        """An answer to a CALL we sent, its findings tinted by severity."""
        peer = self.target.currentText() if self.mode != "station" else "the CSMS"
        self.answer_title.setText(f"{action} answer from {peer}")
        self.answer.show_value(payload,
                               [f.path for f in findings if f.severity is Severity.ERROR],
                               [f.path for f in findings if f.severity is not Severity.ERROR])
        self.answer_box.show()

    def clear_answer(self) -> None:
        self.status.setText("")
        self.answer.show_text("")
        self.answer_box.hide()
