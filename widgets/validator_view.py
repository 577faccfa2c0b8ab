"""The validator: paste frames (one, several, a JSON list, or lines copied out of a log) or
a bare payload, and get every finding per frame, each highlighted in the text where it is.

Frames are read and judged as `ocppscope validate` reads and judges a file
(`app.inputs.frames_in_text`, `app.ocpp.checker.FrameChecker`): answers are paired with
their CALLs by message id, directions are inferred, so the verdicts are the same.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFont
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

from app.inputs import InputFrame, frames_in_text
from app.ocpp import catalog
from app.ocpp.checker import FrameChecker, Verdict, shared_validator
from app.ocpp.findings import Finding, Severity, worst
from app.ocpp.frames import Call, CallResult
from app.ocpp.jsontext import PrettyText, locate, spans_in
from app.ocpp.schemas import PayloadKind
from widgets.detail import finding_item, frame_path, text_colour
from widgets.json_editor import JsonEditor
from widgets.wheel_guard import guard_wheel

FRAME = "Frames: one, one per line, a JSON list, or log lines"
_KINDS = {Call: "CALL", CallResult: "CALLRESULT"}


@dataclass(frozen=True, slots=True)
class Judged:
    """One frame of the text: where it starts, as read, and its verdict."""

    start: int
    item: InputFrame
    verdict: Verdict

    @property
    def text(self) -> str:
        return str(self.item.text)

    @property
    def prefix(self) -> str:
        """Where the payload sits in the frame, for finding paths (which are the payload's)."""
        frame = self.verdict.frame
        return "[3]" if isinstance(frame, Call) else "[2]" if isinstance(frame, CallResult) else ""

    @property
    def label(self) -> str:
        frame = self.verdict.frame
        if frame is None:
            return "malformed frame"
        label = f"{_KINDS.get(type(frame), 'CALLERROR')} {self.verdict.action or ''}".strip()
        if isinstance(frame, CallResult) and self.verdict.action is None:
            label += " (its CALL is not here, so the payload cannot be checked)"
        return label


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
            'Paste a frame such as [2,"19223201","BootNotification",{…}]; several, one per '
            "line or as a JSON list; or lines of a log with a frame in each "
            '(10:00:01 [INFO] → [2,"1","Heartbeat",{}]). Or a bare payload: choose its '
            "action above.")
        self.findings = QListWidget()
        self.findings.setWordWrap(True)
        self.findings.itemClicked.connect(self._clicked)
        self.findings.itemActivated.connect(self._clicked)
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
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
        self.judged: list[Judged] = []

    def check_as(self, action: str, kind: PayloadKind = PayloadKind.REQUEST) -> None:
        self.what.setCurrentIndex(self.what.findData(f"{action} {kind.value}"))

    @property
    def checking(self) -> tuple[str, PayloadKind] | None:
        """The action and half chosen, or None for frames."""
        data = self.what.currentData()
        if not data:
            return None
        action, kind = data.split(" ")
        return action, PayloadKind(kind)

    def validate(self) -> list[Finding]:
        """Judge the text now; every finding, of all frames in order."""
        self._debounce.stop()
        text = self.input.toPlainText()
        what = self.checking
        self.judged = []
        self.findings.clear()
        if not text.strip():
            self.current = []
            self.summary.setText("")
            self.input.mark_spans([])
            return []
        if what is None:
            self._judge_frames(text)
        else:
            self._judge_payload(text, *what)
        self._mark()
        return self.current

    # --- judging --------------------------------------------------------------------------

    def _judge_frames(self, text: str) -> None:
        read = frames_in_text(text)
        checker = FrameChecker()
        for start, item in read.frames:
            verdict = checker.check(item.text, connection=item.connection,
                                    direction=item.direction, seq=item.seq, time=item.time,
                                    binary=item.binary, station=item.station or None)
            self.judged.append(Judged(start, item, verdict))
        self.current = [f for judged in self.judged for f in judged.verdict.findings]
        skipped = (f"; {len(read.skipped)} line{'s' if len(read.skipped) != 1 else ''} "
                   "without a frame skipped" if read.skipped else "")
        if not self.judged:
            self.summary.setText("no OCPP-J frame found" + skipped)
            return
        if len(self.judged) == 1:  # one frame: its findings, without a heading
            judged = self.judged[0]
            self.summary.setText(f"{judged.label}: {_verdict(judged.verdict.findings)}"
                                 + skipped)
            self._list(0, judged.verdict.findings, indent="")
            return
        bad = sum(not judged.verdict.valid for judged in self.judged)
        self.summary.setText(f"{len(self.judged)} frames: "
                             + (f"{bad} invalid" if bad else "all valid") + skipped)
        bold = QFont(self.findings.font())
        bold.setBold(True)
        for index, judged in enumerate(self.judged):
            findings = judged.verdict.findings
            head = QListWidgetItem(f"{judged.item.position} · {judged.label}: "
                                   f"{_verdict(findings)}")
            head.setData(Qt.ItemDataRole.UserRole, (index, None))
            head.setFont(bold)
            severity = worst(list(findings))
            if severity is not None:
                head.setForeground(text_colour(severity))
            self.findings.addItem(head)
            self._list(index, findings, indent="    ", quiet=True)

    def _judge_payload(self, text: str, action: str, kind: PayloadKind) -> None:
        try:
            payload = json.loads(text)
        except (ValueError, RecursionError) as exc:
            self.current = []
            self.summary.setText(f"not JSON: {exc}")
            return
        self.current = shared_validator().validate(action, kind, payload)
        self.summary.setText(f"{action} {kind.value}: {_verdict(tuple(self.current))}")
        self._list(-1, tuple(self.current), indent="")

    def _list(self, index: int, findings: tuple[Finding, ...] | list[Finding], indent: str,
              quiet: bool = False) -> None:
        for finding in findings:
            item = finding_item(finding)
            item.setText(indent + item.text())
            item.setData(Qt.ItemDataRole.UserRole, (index, finding.path))
            self.findings.addItem(item)
        if not findings and not quiet:
            self.findings.addItem("✓ no findings")

    # --- where findings are in the text ----------------------------------------------------

    def _pieces(self) -> list[tuple[int, str, str, tuple[Finding, ...]]]:
        """(start, text, payload prefix, findings) of each judged part of the text."""
        if self.checking is not None:
            return [(0, self.input.toPlainText(), "", tuple(self.current))]
        return [(j.start, j.text, j.prefix, j.verdict.findings) for j in self.judged]

    def _mark(self) -> None:
        errors: list[tuple[int, int]] = []
        warnings: list[tuple[int, int]] = []
        for start, text, prefix, findings in self._pieces():
            spans = _spans(text)
            if spans is None:
                continue
            for finding in findings:
                if not (finding.path or finding.code.startswith("schema.")):
                    continue
                span = locate(spans, frame_path(prefix, finding.path))
                if span is not None:
                    (errors if finding.severity is Severity.ERROR else warnings).append(
                        (start + span[0], start + span[1]))
        self.input.mark_spans(errors, warnings)

    def _clicked(self, item: QListWidgetItem) -> None:
        data = item.data(Qt.ItemDataRole.UserRole)
        if data is None:
            return
        index, path = data
        pieces = self._pieces()
        start, text, prefix, _ = pieces[max(index, 0)]
        if path is None:  # a frame's heading: the whole frame
            self.input.select_span((start, start + len(text)))
            return
        spans = _spans(text)
        span = locate(spans, frame_path(prefix, path)) if spans is not None else None
        if span:
            self.input.select_span((start + span[0], start + span[1]))


def _spans(text: str) -> PrettyText | None:
    try:
        return spans_in(text)
    except ValueError:
        return None


def _verdict(findings: tuple[Finding, ...]) -> str:
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    others = len(findings) - errors
    if errors:
        return f"{errors} error{'s' if errors != 1 else ''}"
    if others:
        return f"valid, {others} warning{'s' if others != 1 else ''}"
    return "valid"
