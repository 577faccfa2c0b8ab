"""The validator: paste a frame or a bare payload, get every finding, each highlighted in
the text exactly where it is."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.ocpp import catalog
from app.ocpp.checker import FrameChecker, shared_validator
from app.ocpp.findings import Finding, Severity
from app.ocpp.frames import Call, CallResult
from app.ocpp.jsontext import locate, spans_in
from app.ocpp.schemas import PayloadKind
from widgets.json_editor import JsonEditor
from widgets.wheel_guard import guard_wheel

FRAME = "A whole frame  [2, id, action, {…}]"


class ValidatorView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.what = QComboBox()
        self.what.addItem(FRAME, None)
        for name in catalog.ACTIONS:
            for kind in PayloadKind:
                self.what.addItem(f"{name} {kind.value} payload", f"{name} {kind.value}")
        self.what.setMaxVisibleItems(24)
        guard_wheel(self.what)
        self.input = JsonEditor()
        self.input.setPlaceholderText(
            'Paste a frame such as [2,"19223201","BootNotification",{…}] or a bare payload '
            "and choose its action above.")
        self.findings = QListWidget()
        self.findings.itemClicked.connect(self._clicked)
        self.summary = QLabel("")
        top = QHBoxLayout()
        top.addWidget(QLabel("Check as"))
        top.addWidget(self.what, 1)
        top.addWidget(self.summary, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.input)
        split.addWidget(self.findings)
        split.setSizes([400, 200])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(300)
        self._debounce.timeout.connect(self.validate)
        self.input.textChanged.connect(self._debounce.start)
        self.what.currentIndexChanged.connect(lambda _: self.validate())
        self.current: list[Finding] = []
        self._prefix = ""

    def check_as(self, action: str, kind: PayloadKind = PayloadKind.REQUEST) -> None:
        self.what.setCurrentIndex(self.what.findData(f"{action} {kind.value}"))

    @property
    def checking(self) -> tuple[str, PayloadKind] | None:
        """The action and half chosen, or None for a whole frame."""
        data = self.what.currentData()
        if not data:
            return None
        action, kind = data.split(" ")
        return action, PayloadKind(kind)

    def validate(self) -> list[Finding]:
        self._debounce.stop()
        text = self.input.toPlainText()
        what = self.checking
        self._prefix = ""
        if not text.strip():
            self.current = []
            self._show([], "")
            return []
        if what is None:
            verdict = FrameChecker().check(text.strip())
            self.current = list(verdict.findings)
            frame = verdict.frame
            if isinstance(frame, Call):
                self._prefix = "[3]"
            elif isinstance(frame, CallResult):
                self._prefix = "[2]"
            label = (f"{type(frame).__name__} {verdict.action or ''}" if frame else
                     "malformed frame")
            if isinstance(frame, CallResult) and verdict.action is None:
                label += " (its CALL is not here, so the payload cannot be checked)"
        else:
            action, kind = what
            try:
                payload = json.loads(text)
            except (ValueError, RecursionError) as exc:
                self.current = []
                self._show([], f"not JSON: {exc}")
                return []
            self.current = shared_validator().validate(action, kind, payload)
            label = f"{action} {kind.value}"
        self._show(self.current, label)
        return self.current

    def _show(self, findings: list[Finding], label: str) -> None:
        self.findings.clear()
        errors = sum(1 for f in findings if f.severity is Severity.ERROR)
        self.summary.setText(f"{label}: {'valid' if not errors else f'{errors} errors'}"
                             if label else "")
        for finding in findings:
            where = f"{finding.path}: " if finding.path else ""
            item = QListWidgetItem(f"{'✗' if finding.severity is Severity.ERROR else '!'} "
                                   f"{where}{finding.message}   [{finding.code}]")
            item.setData(Qt.ItemDataRole.UserRole, finding.path)
            self.findings.addItem(item)
        if label and not findings:
            self.findings.addItem("✓ no findings")
        try:
            spans = spans_in(self.input.toPlainText())
        except ValueError:
            self.input.mark_spans([])
            return
        self.input.mark_paths(spans, [self._full(f.path) for f in findings if f.path])

    def _full(self, path: str) -> str:
        if not self._prefix:
            return path
        return self._prefix + ("" if path.startswith("[") else ".") + path

    def _clicked(self, item: QListWidgetItem) -> None:
        path = item.data(Qt.ItemDataRole.UserRole)
        if path is None:
            return
        try:
            span = locate(spans_in(self.input.toPlainText()), self._full(path))
        except ValueError:
            return
        if span:
            self.input.select_span(span)
