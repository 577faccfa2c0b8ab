"""The detail pane: the selected frame pretty-printed and highlighted, its raw text, its
findings (a click selects the field a finding names), and its request or response beside it."""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QGuiApplication,
    QTextCharFormat,
    QTextCursor,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.ocpp.findings import Finding, Severity
from app.ocpp.jsontext import PrettyText, locate, pretty
from app.session.capture import Capture
from app.session.filters import EVENT_KINDS
from app.session.interception import interception, interception_diff
from app.session.message import Message, RecordKind
from widgets.panes import titled

MAX_HIGHLIGHT = 20_000  # characters; bigger frames are shown plain, so a click stays quick
# Errors in red, warnings (and notes) in amber, wherever a finding is shown: a warning in
# the error colour sends a field engineer hunting for a fault that is not there.
FINDING_MARK = QColor(220, 50, 47, 90)
WARNING_MARK = QColor(235, 160, 0, 110)
SELECTED_MARK = QColor(80, 160, 255, 110)
ERROR_TEXT = QColor(200, 40, 40)
WARNING_TEXT = QColor(176, 110, 0)


def text_colour(severity: Severity) -> QColor:
    return ERROR_TEXT if severity is Severity.ERROR else WARNING_TEXT


def finding_item(finding: Finding, with_code: bool = True) -> QListWidgetItem:
    """A finding as a list row: mark, path, message (and code), in its severity's colour;
    the path rides along for a click to select the field."""
    text = _finding_text(finding)
    if not with_code:
        text = text.rsplit("   [", 1)[0]
    item = QListWidgetItem(text)
    item.setData(Qt.ItemDataRole.UserRole, finding.path)
    item.setForeground(text_colour(finding.severity))
    return item


def monospace() -> QFont:
    return QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)


def dark_palette() -> bool:
    return QGuiApplication.palette().base().color().lightness() < 128


def highlighted_json(text: str) -> str:
    """`text` (JSON) as HTML spans coloured for the palette in use. Pygments is imported
    with the first call, not with the window (it is slow to load), and each colour style's
    formatter is made once (making one builds its whole style sheet)."""
    from pygments import highlight

    return highlight(text, _json_lexer(), _html_formatter(
        "monokai" if dark_palette() else "default"))


@cache
def _json_lexer() -> Any:
    from pygments.lexers import JsonLexer

    return JsonLexer()


@cache
def _html_formatter(style: str) -> Any:
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(noclasses=True, nowrap=True, style=style)


class JsonView(QTextEdit):
    """Read-only, highlighted JSON whose character offsets match `PrettyText.text`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setFont(monospace())
        self.setLineWrapMode(QTextEdit.LineWrapMode.NoWrap)
        self.pretty_text = PrettyText("")
        self._marks: list[QTextEdit.ExtraSelection] = []

    def show_value(self, value: Any, marked_paths: list[str] | None = None,
                   warning_paths: list[str] | None = None) -> None:
        """Show a JSON value; tint the fields at `marked_paths` (paths within `value`) in
        the error colour, those at `warning_paths` in the warning colour."""
        try:
            self.pretty_text = pretty(value)
        except (TypeError, ValueError):
            self.pretty_text = PrettyText(str(value))
        self._render(self.pretty_text.text)
        # errors last, so that they show where a field has both
        self._marks = [*(self._mark(path, WARNING_MARK) for path in warning_paths or []),
                       *(self._mark(path, FINDING_MARK) for path in marked_paths or [])]
        self.setExtraSelections([m for m in self._marks if m is not None])

    def show_text(self, text: str) -> None:
        self.pretty_text = PrettyText(text)
        self.setPlainText(text)
        self.setExtraSelections([])

    def _render(self, text: str) -> None:
        if len(text) > MAX_HIGHLIGHT:
            self.setPlainText(text)
            return
        self.setHtml(f"<pre style='margin:0'>{highlighted_json(text)}</pre>")
        if self.toPlainText() != text:  # never let highlighting shift the offsets
            self.setPlainText(text)

    def _mark(self, path: str, colour: QColor) -> QTextEdit.ExtraSelection | None:
        span = locate(self.pretty_text, path)
        if span is None:
            return None
        selection = QTextEdit.ExtraSelection()
        cursor = self.textCursor()
        cursor.setPosition(span[0])
        cursor.setPosition(span[1], QTextCursor.MoveMode.KeepAnchor)
        selection.cursor = cursor
        fmt = QTextCharFormat()
        fmt.setBackground(colour)
        selection.format = fmt
        return selection

    def select_path(self, path: str) -> tuple[int, int] | None:
        """Select the field at `path` (or its nearest ancestor) and scroll to it."""
        span = locate(self.pretty_text, path)
        if span is None:
            return None
        cursor = self.textCursor()
        cursor.setPosition(span[0])
        cursor.setPosition(span[1], QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)
        self.ensureCursorVisible()
        mark = self._mark(path, SELECTED_MARK)
        self.setExtraSelections([m for m in [*self._marks, mark] if m is not None])
        return span


def describe(message: Message, times_known: bool = True) -> str:
    """One line naming a record: '#12 CALL BootNotification · id 19 · CP-1 → CSMS · 12:00:01'.
    Without `times_known` (a file that carried no times, whose records say 0) no clock is
    named, as the timeline shows none."""
    clock = (datetime.fromtimestamp(message.time).strftime("%H:%M:%S.%f")[:-3]
             if times_known else "")
    if message.kind in EVENT_KINDS:
        return "  ·  ".join(part for part in (f"#{message.seq}  {message.kind.value}",
                                              message.station, clock) if part)
    kind = {2: "CALL", 3: "CALLRESULT", 4: "CALLERROR"}.get(message.message_type or 0,
                                                           "malformed frame")
    if message.kind is RecordKind.BINARY:
        kind = "binary frame"
    side = ""
    if message.direction is not None:
        side = ("station → CSMS" if message.direction.value == "station_to_csms"
                else "CSMS → station")
    parts = [f"#{message.seq}  {kind} {message.action or ''}".rstrip()]
    if message.message_id:
        parts.append(f"id {message.message_id}")
    parts += [f"{message.station} {side}".strip(), clock]
    return "  ·  ".join(part for part in parts if part)


class DetailPane(QWidget):
    pair_requested = Signal(int)   # the seq of the record to select

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.capture: Capture | None = None
        self.message: Message | None = None
        self.pair: Message | None = None
        self.header = QLabel("Select a message")
        self.header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        bold = self.header.font()
        bold.setBold(True)
        self.header.setFont(bold)
        self.pair_button = QPushButton("Go to pair")
        self.pair_button.setToolTip("Jump to this message's request or response (Ctrl+J)")
        self.pair_button.clicked.connect(self.go_to_pair)
        self.copy_button = QPushButton("Copy JSON")
        self.copy_button.setToolTip("Copy the frame as JSON (Ctrl+Shift+C)")
        self.copy_button.clicked.connect(self.copy_json)

        self.view = JsonView()
        self.pair_view = JsonView()
        self.pair_label = QLabel("")
        self.pair_label.setWordWrap(True)  # a long description must not squeeze the message
        left = titled(QLabel("This message"), self.view, stretch=1)
        right = titled(self.pair_label, self.pair_view, stretch=1)
        sides = QSplitter(Qt.Orientation.Horizontal)
        sides.addWidget(left)
        sides.addWidget(right)
        sides.setStretchFactor(0, 3)
        sides.setStretchFactor(1, 2)
        sides.setSizes([600, 400])
        self.raw = QPlainTextEdit()
        self.raw.setReadOnly(True)
        self.raw.setFont(monospace())
        self.tabs = QTabWidget()
        self.tabs.addTab(sides, "Message")
        self.tabs.addTab(self.raw, "Raw")
        self.intercepted = QPlainTextEdit()   # a rule's doing: what arrived, what was sent
        self.intercepted.setReadOnly(True)
        self.intercepted.setFont(monospace())
        self.tabs.addTab(self.intercepted, "Intercepted")
        self.findings = QListWidget()
        self.findings.setWordWrap(True)
        self.findings.itemClicked.connect(self._finding_clicked)
        self.findings.itemActivated.connect(self._finding_clicked)

        buttons = QHBoxLayout()
        buttons.addWidget(self.header, 1)
        buttons.addWidget(self.pair_button)
        buttons.addWidget(self.copy_button)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.tabs)
        split.addWidget(self.findings)
        split.setSizes([300, 100])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(buttons)
        layout.addWidget(split, 1)
        self.show_message(None, None)

    def show_message(self, capture: Capture | None, message: Message | None) -> None:
        self.capture, self.message = capture, message
        self.findings.clear()
        self.pair = None
        if message is None or capture is None:
            self.header.setText("Select a message in the timeline")
            for view in (self.view, self.pair_view):
                view.show_text("")
            self.raw.setPlainText("")
            self.tabs.setTabVisible(2, False)
            self.pair_label.setText("")
            self.pair_button.setEnabled(False)
            self.copy_button.setEnabled(False)
            return
        self.header.setText(describe(message, capture.times_known))
        self.copy_button.setEnabled(True)
        findings = self._findings(capture, message)
        self._show_in(self.view, message, findings)
        self.raw.setPlainText(message.text if message.kind is RecordKind.FRAME else
                              message.data.hex(" ") if message.kind is RecordKind.BINARY
                              else json.dumps(dict(message.meta or {}), indent=2))
        self.intercepted.setPlainText(interception_diff(message))
        self.tabs.setTabVisible(2, bool(interception(message)))
        for finding in findings:
            self.findings.addItem(finding_item(finding))
        if not findings and message.kind not in EVENT_KINDS:
            self.findings.addItem("✓ no findings: valid OCPP 2.0.1")
        pair_seq = capture.pair_of(message.seq)
        position = capture.index_of(pair_seq) if pair_seq is not None else None
        if position is not None:
            self.pair = capture.messages[position]
            role = "Request" if self.pair.message_type == 2 else "Response"
            self.pair_label.setText(f"{role}: {describe(self.pair, capture.times_known)}")
            self._show_in(self.pair_view, self.pair, self._findings(capture, self.pair))
        else:
            waiting = message.message_type == 2
            self.pair_label.setText("No answer (yet)" if waiting else "")
            self.pair_view.show_text("")
        self.pair_button.setEnabled(self.pair is not None)

    @staticmethod
    def _findings(capture: Capture, message: Message) -> tuple[Finding, ...]:
        if message.kind in EVENT_KINDS:
            return ()
        annotation = capture.annotation(message.seq)
        if annotation.findings or message.message_type is not None:
            return annotation.findings
        return message.parse().findings

    @staticmethod
    def _show_in(view: JsonView, message: Message, findings: tuple[Finding, ...]) -> None:
        if message.kind in EVENT_KINDS:
            view.show_value(dict(message.meta or {}))
            return
        try:
            value = json.loads(message.text)
        except (ValueError, RecursionError):
            view.show_text(message.text)
            return
        prefix = payload_prefix(value)
        shown = [f for f in findings if f.path or f.code.startswith("schema.")]
        view.show_value(value,
                        [frame_path(prefix, f.path) for f in shown
                         if f.severity is Severity.ERROR],
                        [frame_path(prefix, f.path) for f in shown
                         if f.severity is not Severity.ERROR])

    def _finding_clicked(self, item: QListWidgetItem) -> None:
        path = item.data(Qt.ItemDataRole.UserRole)
        if path is None:
            return
        self.tabs.setCurrentIndex(0)
        try:
            prefix = payload_prefix(json.loads(self.message.text)) if self.message else ""
        except (ValueError, RecursionError):
            prefix = ""
        self.view.select_path(frame_path(prefix, path))

    def go_to_pair(self) -> None:
        if self.pair is not None:
            self.pair_requested.emit(self.pair.seq)

    def copy_json(self) -> None:
        if self.message is None:
            return
        text = self.view.pretty_text.text or self.message.text
        QGuiApplication.clipboard().setText(text)


def payload_prefix(frame: Any) -> str:
    """Where the payload sits in a frame array: `[3]` in a CALL, `[2]` in a CALLRESULT.

    Findings name paths inside the payload, while the view shows the whole frame."""
    if isinstance(frame, list) and frame and frame[0] in (2, 3) and not isinstance(
            frame[0], bool):
        return "[3]" if frame[0] == 2 else "[2]"
    return ""


def frame_path(prefix: str, payload_path: str) -> str:
    if not prefix or not payload_path:
        return prefix or payload_path
    return prefix + ("" if payload_path.startswith("[") else ".") + payload_path


def _finding_text(finding: Finding) -> str:
    where = f"{finding.path}: " if finding.path else ""
    mark = {"error": "✗", "warning": "!", "info": "i"}[finding.severity.value]
    return f"{mark} {where}{finding.message}   [{finding.code}]"
