"""A held frame being edited: its payload in the form the Composer uses, the frame as it
arrived beside it (read-only), and a toggle to edit the whole frame as JSON text instead.

The form is the usual way: a breakpoint on a TransactionEvent is a chance to change one
value, and a form shows what the field may hold. The text stays for what a form cannot show
(a CALLERROR, a malformed frame, a payload with fields the schema does not know) and for
changing the envelope itself. Building the frame to send from the payload is the engine's
(`app.net.intercept.with_payload`).
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QLabel,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.net.intercept import HeldFrame, editable_payload, with_payload
from app.ocpp.schema_tree import field_tree
from widgets.json_editor import JsonEditor
from widgets.payload_form import NotRepresentable, PayloadForm

FORM, TEXT = range(2)


class HeldEditor(QWidget):
    """Edits one held frame. `show_frame` fills it; `frame_text` gives what to send."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.held: HeldFrame | None = None
        self.form: PayloadForm | None = None
        self.form_area = QScrollArea()
        self.form_area.setWidgetResizable(True)
        self.text = JsonEditor()
        self.text.setPlaceholderText("The frame to send: pick a held frame")
        self.pages = QStackedWidget()
        self.pages.addWidget(self.form_area)
        self.pages.addWidget(self.text)
        self.as_text = QCheckBox("Edit as JSON text")
        self.as_text.setToolTip("Edit the whole frame as text: for what the form cannot "
                                "show, or to change the envelope")
        self.as_text.toggled.connect(self._switch)
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet("color: #b06000;")
        self.original = JsonEditor(read_only=True)
        self.original.setPlaceholderText("As it arrived")
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.as_text)
        column.addWidget(self.pages, 1)
        column.addWidget(self.notice)
        split = QSplitter()
        split.addWidget(left)
        split.addWidget(self.original)
        split.setSizes([560, 440])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)

    def clear(self) -> None:
        self.held = None
        self.form = None
        self.form_area.takeWidget()
        self.text.clear()
        self.original.clear()
        self.notice.clear()

    def show_frame(self, held: HeldFrame) -> None:
        """Show a held frame: in the form when its payload fits one, else as text."""
        self.held = held
        self.original.setPlainText(pretty(held.text))
        self.text.setPlainText(pretty(held.text))
        self.notice.clear()
        self.form = None
        self.form_area.takeWidget()
        shown = editable_payload(held)
        if shown is not None:
            action, kind, payload = shown
            form = PayloadForm(field_tree(action, kind))
            try:
                form.set_value(payload)
            except NotRepresentable as exc:
                self.notice.setText(f"The form cannot show this payload ({exc}): edit it as "
                                    "JSON text.")
            else:
                self.form = form
                self.form_area.setWidget(form)
        elif self.notice.text() == "":
            self.notice.setText("No form shows this frame (an error, an unknown action or "
                                "malformed): edit it as JSON text.")
        self.as_text.blockSignals(True)
        self.as_text.setChecked(self.form is None)
        self.as_text.setEnabled(self.form is not None)
        self.as_text.blockSignals(False)
        self.pages.setCurrentIndex(TEXT if self.form is None else FORM)

    def _switch(self, to_text: bool) -> None:
        """Carry the edits across: the form's payload into the frame's text, or the text's
        payload into the form (staying on the text when the form cannot show it)."""
        held = self.held
        if held is None or self.form is None:
            return
        if to_text:
            self.text.setPlainText(pretty(with_payload(held, self.form.value())))
            self.pages.setCurrentIndex(TEXT)
            self.notice.clear()
            return
        payload = _payload_of(self.text.toPlainText())
        try:
            if payload is None:
                raise NotRepresentable("the text is not a frame with an object payload")
            self.form.set_value(payload)
        except NotRepresentable as exc:
            self.notice.setText(f"The form cannot show this text ({exc}); keep editing it "
                                "as text.")
            self.as_text.blockSignals(True)
            self.as_text.setChecked(True)
            self.as_text.blockSignals(False)
            return
        self.notice.clear()
        self.pages.setCurrentIndex(FORM)

    def frame_text(self) -> str:
        """What to send: the form's payload in the held frame's envelope, or the text as
        typed made compact. ValueError (with the reason) when the text is not JSON."""
        held = self.held
        if held is None:
            raise ValueError("no frame is picked")
        if self.form is not None and not self.as_text.isChecked():
            return with_payload(held, self.form.value())
        edited = json.loads(self.text.toPlainText())
        if edited == _loads(held.text):
            return held.text          # no real change: send the bytes that arrived
        return json.dumps(edited, separators=(",", ":"), ensure_ascii=False)


def pretty(text: str) -> str:
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except ValueError:
        return text


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _payload_of(text: str) -> dict[str, Any] | None:
    """The payload (last element) of a CALL or CALLRESULT written as text, if it is one."""
    frame = _loads(text)
    if isinstance(frame, list) and len(frame) in (3, 4) and isinstance(frame[-1], dict):
        return frame[-1]
    return None
