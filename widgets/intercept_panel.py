"""The window's part of intercepting: a Rules list (enable and disable live, load and save
files) and a Held frames list (a countdown to each peer's likely timeout; edit in the
composer's form beside the original and forward, forward unchanged, drop, release all; what
happens to held frames when the proxy stops).

The engine (`app.net.intercept.Interceptor`) owns the rules and the held frames; this panel
only shows them and passes the user's choices on. Held frames are announced on the engine's
thread and reach the panel through a queued signal.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QItemSelectionModel, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.errors import InputError
from app.net.intercept import HeldFrame, Interceptor
from app.net.intercept_rules import load_rules, save_rules
from app.wording import count
from widgets.held_editor import HeldEditor


class HeldSignals(QObject):
    """Re-emits the interceptor's held/released news on the GUI thread."""

    changed = Signal()

    def follow(self, interceptor: Interceptor) -> Callable[[], None]:
        return interceptor.subscribe(lambda what, held: self.changed.emit())


class RulesPanel(QWidget):
    """The rules in force: a tick enables one at once; Load and Save read and write files."""

    def __init__(self, interceptor: Interceptor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.interceptor = interceptor
        # why the running mode ignores these rules, in a clause (the window's answer; empty
        # when they apply, or when nothing runs to ask about)
        self.rules_not_applied: Callable[[], str] = lambda: ""
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["Rule", "When", "Does"])
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemChanged.connect(self._ticked)
        self.status = QLabel()
        self.status.setWordWrap(True)
        load = QPushButton("Load rules…")
        load.clicked.connect(self._ask_load)
        save = QPushButton("Save rules…")
        save.clicked.connect(self._ask_save)
        buttons = QHBoxLayout()
        buttons.addWidget(load)
        buttons.addWidget(save)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Intercept rules (the terminating proxy applies them)"))
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        self.refresh()

    def refresh(self) -> None:
        self.table.blockSignals(True)
        self.table.setRowCount(0)
        for rule in self.interceptor.rules:
            row = self.table.rowCount()
            self.table.insertRow(row)
            name = QTableWidgetItem(rule.name)
            name.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled
                          | Qt.ItemFlag.ItemIsSelectable)
            name.setCheckState(Qt.CheckState.Checked if rule.enabled
                               else Qt.CheckState.Unchecked)
            self.table.setItem(row, 0, name)
            for column, text in ((1, rule.when), (2, rule.describe())):
                item = QTableWidgetItem(text)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                self.table.setItem(row, column, item)
        self.table.blockSignals(False)

    def _ticked(self, item: QTableWidgetItem) -> None:
        if item.column() == 0:
            on = item.checkState() == Qt.CheckState.Checked
            self.interceptor.set_enabled(item.text(), on)
            if on and self.rules_not_applied():
                self.status.setText(f"'{item.text()}' is on" + self._not_applied())

    def load(self, path: str) -> bool:
        """Replace the rules with those of `path`; a bad file is one sentence, rules kept."""
        try:
            rules = load_rules(path)
        except InputError as exc:
            self.status.setText(str(exc))
            return False
        self.interceptor.set_rules(rules)
        self.status.setText(f"{count(len(rules), 'rule')} loaded from {path}"
                            + self._not_applied())
        self.refresh()
        return True

    def _not_applied(self) -> str:
        why = self.rules_not_applied()
        return f"; {why}" if why else ""

    def save(self, path: str) -> bool:
        try:
            save_rules(self.interceptor.rules, path)
        except OSError as exc:
            self.status.setText(f"could not save the rules to {path}: {exc.strerror}")
            return False
        self.status.setText(f"rules saved to {path}")
        return True

    def _ask_load(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Load intercept rules", "",
                                              "Rules (*.json *.toml)")
        if path:
            self.load(path)

    def _ask_save(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save intercept rules", "rules.json",
                                              "Rules (*.json)")
        if path:
            self.save(path)


class HeldPanel(QWidget):
    """Frames a hold rule stopped: pick one, edit it in the form (or as text) beside its
    original, then forward it, forward it unchanged, or drop it; or release them all."""

    COLUMNS = ("Station", "Dir", "Frame", "Rule", "Peer times out in")

    def __init__(self, interceptor: Interceptor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.interceptor = interceptor
        self.frames: list[HeldFrame] = []
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels(list(self.COLUMNS))
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.itemSelectionChanged.connect(self._picked)
        self.editor = HeldEditor()
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #c0392b;")
        self.forward = QPushButton("Forward edited")
        self.forward.clicked.connect(self.forward_edited)
        self.unchanged = QPushButton("Forward unchanged")
        self.unchanged.clicked.connect(lambda: self._act(lambda h: self.interceptor.release(
            h.id)))
        self.dropping = QPushButton("Drop")
        self.dropping.clicked.connect(lambda: self._act(lambda h: self.interceptor.drop(h.id)))
        self.release_all = QPushButton("Release all")
        self.release_all.clicked.connect(lambda: self.interceptor.release_all(True))
        self.on_stop = QComboBox()
        self.on_stop.addItems(["On stop: forward held frames", "On stop: drop held frames"])
        self.on_stop.currentIndexChanged.connect(
            lambda index: setattr(self.interceptor, "forward_on_stop", index == 0))
        buttons = QHBoxLayout()
        for button in (self.forward, self.unchanged, self.dropping, self.release_all):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.on_stop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Held frames"))
        layout.addWidget(self.table, 1)
        layout.addWidget(self.editor, 2)
        layout.addWidget(self.problem)
        layout.addLayout(buttons)
        self.signals = HeldSignals(self)
        self.signals.changed.connect(self.refresh)
        self._unfollow = self.signals.follow(interceptor)
        self.countdown = QTimer(self)
        self.countdown.setInterval(500)
        self.countdown.timeout.connect(self._tick)
        self.countdown.start()
        self.refresh()

    def refresh(self) -> None:
        """Re-list the held frames, keeping the one picked (and its edits) if still held."""
        picked = self.current()
        self.frames = sorted(self.interceptor.held.values(), key=lambda h: h.id)
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.frames))
        for row, held in enumerate(self.frames):
            kind = {2: "CALL", 3: "RESULT", 4: "ERROR"}.get(held.message.message_type or 0, "?")
            values = (held.station, held.direction.arrow,
                      f"{kind} {held.message.action or ''}".strip(), held.rule, "")
            for column, text in enumerate(values):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.blockSignals(False)
        if picked in self.frames:
            self._select(self.frames.index(picked))
        elif self.frames:
            self._select(0)
            # a row already selected before the list changed emits no selection change:
            # show the frame now picked in any case (its edits are new)
            self._picked()
        else:
            self.editor.clear()
        self._tick()
        enabled = bool(self.frames)
        for button in (self.forward, self.unchanged, self.dropping, self.release_all):
            button.setEnabled(enabled)

    def _select(self, row: int) -> None:
        """Select `row` whatever keys are held: `selectRow` reads the keyboard's modifiers
        and, with Ctrl down, toggles the row instead."""
        index = self.table.model().index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)

    def _tick(self) -> None:
        now = time.monotonic()
        for row, held in enumerate(self.frames):
            left = held.remaining(now)
            text = f"{left:.0f} s" if left > 0 else "probably timed out"
            item = self.table.item(row, 4)
            if item is not None:
                item.setText(text)

    def current(self) -> HeldFrame | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.frames):
            return None
        return self.frames[rows[0].row()]

    def _picked(self) -> None:
        held = self.current()
        if held is None:
            return
        self.editor.show_frame(held)
        self.problem.clear()

    def forward_edited(self) -> None:
        """Send what the form (or the text) holds; text that is not JSON is refused with a
        sentence."""
        held = self.current()
        if held is None:
            return
        try:
            text = self.editor.frame_text()
        except ValueError as exc:
            self.problem.setText(f"The edited frame is not JSON ({exc}); fix it or forward "
                                 "the frame unchanged.")
            return
        self.interceptor.release(held.id, text)

    def _act(self, action: Callable[[HeldFrame], object]) -> None:
        held = self.current()
        if held is not None:
            action(held)


class InterceptPanel(QWidget):
    """Rules above, held frames below: the window docks this one widget."""

    def __init__(self, interceptor: Interceptor | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.interceptor = interceptor or Interceptor()
        self.rules = RulesPanel(self.interceptor)
        self.held = HeldPanel(self.interceptor)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.rules)
        split.addWidget(self.held)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(split)
