"""Expert Info: every finding of the capture as a tree with counts, grouped by a choice
above it — by code (severity, code, station, record), by action or by station (each with
its codes, then records); a click on a record selects it in the timeline.

The tree is `widgets.findings_tree` over the engine's `FindingsSummary`. Live records
are added as their batches come, and the tree catches up on a timer (`REFRESH_MS`), so a
busy proxy costs one update a second, not one per frame. A loaded session is summarised
once judged, in slices. The tree is rebuilt only when a new heading or kind appears
(keeping what was expanded and selected); otherwise counts change in place.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QTimer, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app.ocpp.findings import Severity
from app.session.capture import Annotation, Capture
from app.session.findings_summary import FindingsSummary, Grouping, SummaryBuild, action_of
from app.session.message import Message
from widgets.findings_tree import COUNT, FINDING, TITLES, FindingsModel
from widgets.session_io import SliceJob

REFRESH_MS = 1000
GROUPINGS = ((Grouping.CODE, "Code", "severity, then finding code, then station"),
             (Grouping.ACTION, "Action", "the action of each record, then finding code"),
             (Grouping.STATION, "Station", "the station, then finding code"))

class ExpertInfo(QWidget):
    record_chosen = Signal(int)   # the seq of the record clicked
    title_changed = Signal(str)   # "Expert info (12)": for the tab, so findings show at once

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.capture = Capture()
        self.summary = FindingsSummary()
        self.live = True
        self._build: SliceJob | None = None
        self._title = ""
        self.view = QTreeView()
        # the view owns its model, so the model outlives everything the view holds of it
        self.model = FindingsModel(self.view)
        self.view.setModel(self.model)
        self.view.setUniformRowHeights(True)
        self.view.setAlternatingRowColors(True)
        header = self.view.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(FINDING, QHeaderView.ResizeMode.Interactive)
        self.view.setColumnWidth(FINDING, 260)
        self.view.setColumnWidth(COUNT, 70)
        self.view.clicked.connect(self._clicked)
        self.view.activated.connect(self._clicked)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        top = QHBoxLayout()
        top.addWidget(self.status, 1)
        top.addLayout(self._grouping_buttons())
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        self.show_capture(self.capture, live=True)

    def _grouping_buttons(self) -> QHBoxLayout:
        """"Group by: Code | Action | Station", one checked: a segmented control."""
        row = QHBoxLayout()
        row.setSpacing(0)
        row.addWidget(QLabel("Group by: "))
        self.grouping_buttons = QButtonGroup(self)
        self.grouping_buttons.setExclusive(True)
        self._buttons: dict[Grouping, QToolButton] = {}
        for grouping, text, tip in GROUPINGS:
            button = QToolButton()
            button.setText(text)
            button.setToolTip(f"group the findings by {tip}")
            button.setCheckable(True)
            button.setChecked(grouping is Grouping.CODE)
            button.setAutoRaise(False)
            button.clicked.connect(lambda _checked, g=grouping: self.set_grouping(g))
            self.grouping_buttons.addButton(button)
            self._buttons[grouping] = button
            row.addWidget(button)
        return row

    @property
    def grouping(self) -> Grouping:
        return self.model.grouping

    def grouping_button(self, grouping: Grouping) -> QToolButton:
        return self._buttons[grouping]

    def set_grouping(self, grouping: Grouping) -> None:
        """Group the findings by `grouping`: the tree is rebuilt, its top level expanded so
        that each heading's codes and their counts show at once."""
        self._buttons[grouping].setChecked(True)
        if grouping is self.model.grouping:
            return
        self.model.set_grouping(grouping)
        if grouping is not Grouping.CODE:
            self.view.expandToDepth(0)

    def show_capture(self, capture: Capture, live: bool) -> None:
        """Summarise `capture` from now on: a live one as its batches come, a loaded one
        when `summarise_judged` is called."""
        if self._build is not None and self._build.running:
            self._build.cancel()
        self.capture, self.live = capture, live
        self.summary = FindingsSummary()
        self.model.show(capture, self.summary)
        self._update_status()

    def add_batch(self, batch: list[tuple[Message, Annotation]]) -> None:
        """Count the findings of live records (the tree catches up on the timer)."""
        add, capture = self.summary.add, self.capture
        for message, annotation in batch:
            if annotation.findings:
                add(message.seq, message.station, annotation.findings,
                    action_of(capture, message, annotation))

    def summarise_judged(self) -> None:
        """Summarise every record of a loaded capture, now that each has its verdict."""
        if self._build is not None and self._build.running:
            self._build.cancel()
        capture = self.capture
        summary = self.summary = FindingsSummary()   # afresh: never count a record twice
        self.model.show(capture, summary)
        build = SummaryBuild(capture, summary)
        job = SliceJob(build.step, lambda: build.progress, self)
        job.finished.connect(lambda _complete: self.refresh())
        self._build = job
        job.start()

    @property
    def building(self) -> bool:
        return self._build is not None and self._build.running

    def refresh(self) -> None:
        if self.live:
            self.summary.follow_notes(self.capture)
        if self.building:
            return
        expanded = self._expanded_keys()
        current = self.view.currentIndex()
        current_key = self.model.key_of(current) if current.isValid() else None
        if self.model.refresh():
            for key in expanded:
                self.view.setExpanded(self.model.index_of_key(key), True)
            if current_key is not None:
                self.view.setCurrentIndex(self.model.index_of_key(current_key))
        self._update_status()

    def _expanded_keys(self) -> list[tuple[Any, ...]]:
        keys: list[tuple[Any, ...]] = []

        def visit(parent: QModelIndex) -> None:
            model = self.model
            for row in range(model.rowCount(parent) if model.seq_at(parent) is None else 0):
                index = model.index(row, 0, parent)
                if model.seq_at(index) is None and self.view.isExpanded(index):
                    keys.append(model.key_of(index))
                    visit(index)

        visit(QModelIndex())
        return keys

    def _update_status(self) -> None:
        summary = self.summary
        count = summary.count()
        title = f"Expert info ({count:,})" if count and not self.building else "Expert info"
        if title != self._title:
            self._title = title
            self.title_changed.emit(title)
        if self.building:
            self.status.setText("Summarising the findings…")
            return
        if not summary.count():
            unjudged = not self.live and not self.capture.judged
            self.status.setText("Checking the records…" if unjudged else "No findings.")
            return
        parts = [_counted(summary.count(s), s) for s in summary.severities()]
        self.status.setText(" · ".join(parts) + " — click a record to select it in the "
                            "timeline (F8 / Shift+F8: next / previous invalid frame)")

    def _clicked(self, index: QModelIndex) -> None:
        seq = self.model.seq_at(index)
        if seq is not None:
            self.record_chosen.emit(seq)


def _counted(count: int, severity: Severity) -> str:
    noun = TITLES[severity].lower()
    return f"{count:,} {noun if count != 1 else noun[:-1]}"
