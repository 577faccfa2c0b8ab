"""The composer: any of the 64 messages from a form or as JSON, both kept in sync, checked
as you type, and sent to the peer of the running mode; the answer shows beside it.

A message that may not be what the user means (invalid, or a request the side we play never
sends) goes only after a yes: sending it on purpose is a test, by accident a fault report.
What is shown about a sent message (its answer, its status) and a waiting request's banner
belong to the action and peer they concern, and go when either changes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.ocpp import catalog, reference
from app.ocpp.checker import shared_validator
from app.ocpp.findings import Finding, Severity
from app.ocpp.jsontext import spans_in
from app.ocpp.schema_tree import field_tree
from app.ocpp.schemas import PayloadKind
from app.ocpp.skeleton import minimal_payload
from widgets.action_picker import ActionPicker
from widgets.detail import finding_item
from widgets.json_editor import JsonEditor
from widgets.payload_form import NotRepresentable, PayloadForm
from widgets.send_bar import SendBar
from widgets.wheel_guard import guard_wheel

KINDS = (PayloadKind.REQUEST, PayloadKind.RESPONSE)
_SIDE_NAMES = {catalog.Sender.STATION: "the Charging Station", catalog.Sender.CSMS: "the CSMS"}


class Composer(QWidget):
    # action, JSON text of the payload, target (station or ""), direction value (proxy) or ""
    send_requested = Signal(str, str, str, str)
    answer_ready = Signal(str, str)     # action, JSON text of an "ask me" response
    error_ready = Signal(str, str, str)  # action, code, description: an "ask me" CALLERROR
    use_as_answer = Signal(str, object)  # action, payload: answer this action with it
    use_error_as_answer = Signal(str, str, str)  # action, code, description: likewise
    save_requested = Signal(str, str, str, object)  # name, action, kind, payload

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.validator = shared_validator()
        self.form: PayloadForm | None = None
        self.findings_now: list[Finding] = []
        # the action of a request that waits for the user's answer ("ask me"), if any
        self.asking_action: str | None = None
        # what the last CALL was (action, target, direction): its outcome is shown only
        # while the composer still shows that
        self._sent: tuple[str, str, str] | None = None
        self._status_action = ""  # the action the status line speaks of
        # (name, payload) of saved messages for an action and kind; set by the window
        self.saved_lookup: Callable[[str, PayloadKind], list[tuple[str, Any]]] | None = None

        self.action = ActionPicker()
        self.kind = QComboBox()
        self.kind.addItems(["Request", "Response"])
        self.sender_label = QLabel()
        self.example_button = QToolButton()
        self.example_button.setText("Example")
        self.example_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.example_button.setMenu(QMenu(self.example_button))
        self.minimal_button = QPushButton("Minimal")
        self.minimal_button.setToolTip("Only the required fields, valid")
        self.saved_button = QToolButton()
        self.saved_button.setText("Library")
        self.saved_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.saved_button.setMenu(QMenu(self.saved_button))
        self.save_button = QPushButton("Save…")
        self.save_button.setToolTip("Keep this message in the library under a name")
        top = QHBoxLayout()
        for widget in (QLabel("Action"), self.action, self.kind, self.sender_label):
            top.addWidget(widget)
        top.addStretch(1)
        for widget in (self.example_button, self.minimal_button, self.saved_button,
                       self.save_button):
            top.addWidget(widget)

        self.form_area = QScrollArea()
        self.form_area.setWidgetResizable(True)
        self.editor = JsonEditor()
        self.notice = QLabel("")
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet("color: #b06000;")
        self.findings = QListWidget()
        self.findings.itemClicked.connect(self._finding_clicked)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.editor, 3)
        right_layout.addWidget(self.notice)
        right_layout.addWidget(self.findings, 1)
        self.bar = SendBar()
        right_layout.addWidget(self.bar.answer_box, 2)
        middle = QSplitter(Qt.Orientation.Horizontal)
        middle.addWidget(self.form_area)
        middle.addWidget(right)
        middle.setSizes([520, 480])

        # the parts tests and the workbench reach for, by their old names
        self.target, self.direction = self.bar.target, self.bar.direction
        self.send_button, self.status, self.answer = (self.bar.send_button, self.bar.status,
                                                      self.bar.answer)
        guard_wheel(self.action, self.kind)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(middle, 1)
        layout.addWidget(self.bar)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(300)
        self._debounce.timeout.connect(self._json_edited)
        self.editor.textChanged.connect(self._debounce.start)
        self.action.currentIndexChanged.connect(lambda _: self._rebuild())
        self.kind.currentIndexChanged.connect(lambda _: self._rebuild())
        self.minimal_button.clicked.connect(self.load_minimal)
        self.send_button.clicked.connect(self.send)
        self.target.currentIndexChanged.connect(lambda _: self._context_changed())
        self.direction.currentIndexChanged.connect(lambda _: self._context_changed())
        self.save_button.clicked.connect(self._save)
        self.set_targets(None, [])
        self._rebuild()

    # --- what is being composed ----------------------------------------------------------

    @property
    def current_action(self) -> str:
        return self.action.current_action

    @property
    def current_kind(self) -> PayloadKind:
        return KINDS[self.kind.currentIndex()]

    def load(self, action: str, kind: PayloadKind, payload: Any) -> None:
        """Show a message (from an example, the timeline or the library) for editing.
        Raises KeyError for an action that is not one of the 64."""
        if action not in catalog.ACTIONS:
            raise KeyError(f"'{action}' is not an OCPP 2.0.1 action")
        self.action.blockSignals(True)
        self.kind.blockSignals(True)
        self.action.choose(action)
        self.kind.setCurrentIndex(KINDS.index(kind))
        self.action.blockSignals(False)
        self.kind.blockSignals(False)
        self._rebuild(payload)

    def load_minimal(self) -> None:
        self._set_payload(minimal_payload(self.current_action, self.current_kind))

    def load_text(self, action: str, kind: PayloadKind, text: str) -> None:
        """Show payload text that may not even be JSON (kept exactly as given)."""
        self.load(action, kind, {})
        self.editor.setPlainText(text)
        self._json_edited()

    def _rebuild(self, payload: Any = None) -> None:
        action, kind = self.current_action, self.current_kind
        entry = catalog.ACTIONS[action]
        self.sender_label.setText(entry.sender.label)
        self.bar.follow_sender(action)
        self.bar.show_request_controls(kind is PayloadKind.REQUEST)
        self._context_changed()
        self.form = PayloadForm(field_tree(action, kind))
        self.form.changed.connect(self._form_edited)
        self.form_area.setWidget(self.form)
        self._fill_examples(action, kind)
        self.set_saved(self.saved_lookup(action, kind) if self.saved_lookup else [])
        if payload is None:
            examples = reference.page(action).examples_of(kind)
            payload = examples[0].payload if examples else minimal_payload(action, kind)
        self._set_payload(payload)
        self._update_send_state()

    def _fill_examples(self, action: str, kind: PayloadKind) -> None:
        menu = self.example_button.menu()
        menu.clear()
        for example in reference.page(action).examples_of(kind):
            menu.addAction(example.title, lambda p=example.payload: self._set_payload(p))
        menu.addSeparator()
        for error in reference.page(action).common_errors:
            if error.kind is kind:
                menu.addAction(f"Common error: {error.title}",
                               lambda p=error.payload: self._set_payload(p))

    def set_saved(self, items: list[tuple[str, Any]]) -> None:
        """(name, payload) of saved messages for the current action and kind."""
        menu = self.saved_button.menu()
        menu.clear()
        for name, payload in items:
            menu.addAction(name, lambda p=payload: self._set_payload(p))
        self.saved_button.setEnabled(bool(items))

    def _set_payload(self, payload: Any) -> None:
        self.editor.set_text_quietly(json.dumps(payload, indent=2, ensure_ascii=False))
        self._json_edited()

    # --- keeping form and JSON in step ---------------------------------------------------

    def _form_edited(self) -> None:
        assert self.form is not None
        self.editor.set_text_quietly(json.dumps(self.form.value(), indent=2,
                                                ensure_ascii=False))
        self.notice.setText("")
        self._validate()

    def _json_edited(self) -> None:
        self._debounce.stop()
        value = self.payload()
        if value is None:
            self.notice.setText("The JSON text does not parse; the form shows the last "
                                "valid JSON.")
        else:
            assert self.form is not None
            self.form.blockSignals(True)
            try:
                self.form.set_value(value)
                self.notice.setText("")
                self.form.setEnabled(True)
            except NotRepresentable as exc:
                self.notice.setText(f"The form cannot show this JSON ({exc}); edit it as "
                                    "text, or pick a template to start over.")
                self.form.setEnabled(False)
            finally:
                self.form.blockSignals(False)
        self._validate()

    def payload(self) -> Any:
        """The payload as JSON, or None when the text is not JSON."""
        try:
            return json.loads(self.editor.toPlainText())
        except (ValueError, RecursionError):
            return None

    def _validate(self) -> None:
        text = self.editor.toPlainText()
        value = self.payload()
        self.findings.clear()
        if value is None:
            self.findings_now = []
            self.findings.addItem("✗ not valid JSON")
            self.editor.mark_spans([])
            return
        self.findings_now = self.validator.validate(self.current_action, self.current_kind,
                                                    value)
        for finding in self.findings_now:
            self.findings.addItem(finding_item(finding, with_code=False))
        if not self.findings_now:
            self.findings.addItem("✓ valid")
        if self.form is not None and self.form.isEnabled():
            self.form.mark(self.findings_now)
        try:
            spans = spans_in(text)
        except ValueError:
            return
        self.editor.mark_paths(
            spans, [f.path for f in self.findings_now if f.severity is Severity.ERROR],
            [f.path for f in self.findings_now if f.severity is not Severity.ERROR])

    def _finding_clicked(self, item: QListWidgetItem) -> None:
        path = item.data(Qt.ItemDataRole.UserRole)
        if path is None:
            return
        from app.ocpp.jsontext import locate

        try:
            span = locate(spans_in(self.editor.toPlainText()), path)
        except ValueError:
            span = None
        if span:
            self.editor.select_span(span)
        if self.form is not None:
            editor = self.form.editor_at(path)
            if editor is not None:
                self.form_area.ensureWidgetVisible(editor)
                editor.focus_widget().setFocus()

    @property
    def valid(self) -> bool:
        return self.payload() is not None and not any(
            f.severity is Severity.ERROR for f in self.findings_now)

    # --- sending ---------------------------------------------------------------------------

    def set_targets(self, mode: str | None, stations: list[str]) -> None:
        """What the running mode lets us send to: stations (CSMS, proxy) or the CSMS."""
        if self.bar.set_targets(mode, stations):
            self._context_changed()
        self._update_send_state()

    @property
    def mode(self) -> str | None:
        return self.bar.mode

    @property
    def asking(self) -> bool:
        """Whether the composer shows the answer to a request that waits for the user."""
        return (self.asking_action is not None and self.asking_action == self.current_action
                and self.current_kind is PayloadKind.RESPONSE)

    def set_asking(self, action: str | None) -> None:
        """A request of `action` now waits for the user's answer (None: none waits)."""
        self.asking_action = action
        self._update_send_state()

    def _context(self) -> tuple[str, str, str]:
        return self.current_action, self.bar.target_name, self.bar.direction_value

    def _context_changed(self) -> None:
        """Another action, or another peer than the last CALL went to: the answer shown
        and the status line about it go. (A note about an answer given to a waiting
        request stays while its action is shown, whatever peer is chosen for sending.)"""
        if ((self._sent is not None and self._sent != self._context())
                or self.current_action != self._status_action):
            self._sent = None
            self.bar.clear_answer()
        self._status_action = self.current_action
        self._update_send_state()

    def _update_send_state(self) -> None:
        self.bar.show_banner(f"{self.asking_action} waits for your answer: edit it and press "
                             "Send answer" if self.asking else "")
        if self.current_kind is PayloadKind.RESPONSE:
            if self.asking:
                self.send_button.setText("Send answer")
                self.send_button.setToolTip("Answer the request that waits for you")
            else:
                self.send_button.setText("Use as automatic answer")
                self.send_button.setToolTip("Answer every request of this action like this "
                                            "(see the Responder tab)")
            self.send_button.setEnabled(True)
            return
        self.send_button.setText("Send")
        ready = self.mode is not None and self.target.count() > 0
        self.send_button.setEnabled(ready)
        self.send_button.setToolTip("Send to the peer (Ctrl+Return)" if ready else
                                    "Start a proxy, CSMS or station (or the demo) to send")

    def _wrong_side(self) -> bool:
        """A request the side we play never sends (a BootNotification from the CSMS)."""
        side = self.bar.our_side
        return (self.current_kind is PayloadKind.REQUEST and side is not None
                and not catalog.ACTIONS[self.current_action].sent_by(side))

    def send(self) -> None:
        if self.bar.answers_with_error:
            self._send_error()
            return
        doubts = []
        if not self.valid:
            count = sum(1 for f in self.findings_now if f.severity is Severity.ERROR)
            doubts.append("is not JSON" if self.payload() is None else
                          f"has {count} error{'s' if count != 1 else ''}")
        wrong_side = self._wrong_side()
        if wrong_side:
            side = self.bar.our_side
            assert side is not None
            sender = catalog.ACTIONS[self.current_action].sender
            doubts.append(f"is sent by {_SIDE_NAMES[sender]} in OCPP 2.0.1, and you are "
                          f"sending it as {_SIDE_NAMES[side]}")
        if doubts:
            title = ("Send from the wrong side?" if wrong_side and len(doubts) == 1
                     else "Send an invalid message?")
            answer = QMessageBox.question(
                self, title, f"This {self.current_action} {' and '.join(doubts)}. Send it "
                "anyway, to test how the peer handles it?")
            if answer != QMessageBox.StandardButton.Yes:
                return
        text = self.editor.toPlainText()
        if self.current_kind is PayloadKind.RESPONSE:
            if self.asking:
                self.answer_ready.emit(self.current_action, text)
            elif isinstance(self.payload(), dict):
                self.use_as_answer.emit(self.current_action, self.payload())
                self.status.setText(f"{self.current_action} is now answered with this payload")
            return
        self._sent = self._context()
        self.bar.clear_answer()
        self.status.setText("sending…")
        self.send_requested.emit(self.current_action, text, self.bar.target_name,
                                 self.bar.direction_value)

    def _send_error(self) -> None:
        code, text = self.bar.error_code.currentText(), self.bar.error_text.text().strip()
        if self.asking:
            self.error_ready.emit(self.current_action, code, text)
        else:
            self.use_error_as_answer.emit(self.current_action, code, text)
            self.status.setText(f"{self.current_action} is now answered with a CALLERROR "
                                f"{code}")

    def show_outcome(self, status: str, payload: Any, detail: str = "",
                     sent: tuple[str, str, str] | None = None) -> None:
        """Show how a CALL we sent ended: its answer payload and verdict. `sent` is what
        `send_requested` said (action, target, direction): an outcome for what the composer
        no longer shows is dropped, so an answer never sits under another action or peer."""
        if sent is not None and sent != self._sent:
            return
        action = sent[0] if sent is not None else self.current_action
        self.status.setText(f"{status}{': ' + detail if detail else ''}")
        if payload is None:
            self.answer.show_text("")
            self.bar.answer_box.hide()
            return
        findings = self.validator.validate(action, PayloadKind.RESPONSE,
                                           payload) if isinstance(payload, dict) else []
        self.bar.show_answer(payload, findings, action)
        if findings:
            self.status.setText(self.status.text() + f" · answer has {len(findings)} findings: "
                                + findings[0].message)

    def _save(self) -> None:
        value = self.payload()
        if value is None:
            QMessageBox.warning(self, "Save", "Only valid JSON can be saved.")
            return
        name, ok = QInputDialog.getText(self, "Save to the library",
                                        f"Name for this {self.current_action} "
                                        f"{self.current_kind.value}:")
        if ok and name.strip():
            self.save_requested.emit(name.strip(), self.current_action,
                                     self.current_kind.value, value)
