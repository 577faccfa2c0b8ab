"""File > Recent captures: the files the window recorded on its own (`widgets.capture_guard`),
newest first, each with its size and, when counting is cheap, its records; and the way to
tidy the folder up, which says how many files and how much space before deleting anything.

The folder is read when the menu opens, not before: the list is then current (a run that
just stopped is there) and a window that never shows the menu never reads the folder."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QSettings, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMenu,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.session.captures import (
    CaptureFile,
    describe_size,
    list_captures,
    older_than,
    remove,
)
from widgets.settings_file import private_settings

SHOWN = 15               # captures listed in the menu; the folder holds the rest
COUNT_BUDGET = 8 << 20   # bytes read to count records each time the menu opens: the
                         # window must not stall on a folder of big files (those show size)
CLEANUP_DAYS = 30        # offered the first time; then what was chosen last
_DAYS_KEY = "captures/cleanup_days"


def describe(item: CaptureFile, records: int | None) -> str:
    """`2026-11-30 10:00:00  proxy  ·  1.2 MB  ·  3,456 records` (no records: not counted)."""
    if item.started is not None:
        parts = [f"{item.started:%Y-%m-%d %H:%M:%S}  {item.mode}"]
    else:
        parts = [item.path.name]
    parts.append(describe_size(item.size))
    if records is not None:
        parts.append(f"{records:,} record" + ("" if records == 1 else "s"))
    return "  ·  ".join(parts)


class CapturesMenu(QMenu):
    open_capture = Signal(str)   # a capture the user picked, to open
    message = Signal(str)        # a line for the status bar
    failed = Signal(str)         # one sentence for an error dialog

    def __init__(self, folder: Path, in_use: Callable[[], set[Path]],
                 parent: QWidget | None = None) -> None:
        super().__init__("Recent &captures", parent)
        self.folder = folder
        self.in_use = in_use   # files being recorded or not yet saved: not opened, kept
        self._settings: QSettings | None = None
        self.aboutToShow.connect(self.refresh)

    @property
    def settings(self) -> QSettings:
        """Where the clean-up's choice is kept: opened when it is first asked, not with the
        window (which opens the menu's folder and settings only when the menu opens)."""
        if self._settings is None:
            self._settings = private_settings()
        return self._settings

    def days(self) -> int:
        try:
            return max(1, int(self.settings.value(_DAYS_KEY, CLEANUP_DAYS)))
        except (TypeError, ValueError):
            return CLEANUP_DAYS

    def refresh(self) -> None:
        self.clear()
        files = list_captures(self.folder)
        busy = self.in_use()
        budget = COUNT_BUDGET
        for item in files[:SHOWN]:
            records = item.records(budget)
            budget -= item.size if records is not None else 0
            action = self.addAction(describe(item, records).replace("&", "&&"),
                                    lambda p=str(item.path): self.open_capture.emit(p))
            action.setToolTip(str(item.path))
            if item.path in busy:
                action.setText(action.text() + "  (current)")
                action.setEnabled(False)
        if not files:
            self.addAction("No captures yet").setEnabled(False)
        elif len(files) > SHOWN:
            self.addAction(f"… and {len(files) - SHOWN:,} older ones in the folder").setEnabled(
                False)
        self.addSeparator()
        self.addAction("Show the captures folder", self.show_folder)
        self.cleanup_action = self.addAction(
            f"Clean up captures older than {self.days()} days…", self.clean_up)
        self.cleanup_action.setEnabled(bool(files))

    def show_folder(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.folder)))

    def clean_up(self) -> None:
        """Ask which age and show what that deletes; delete only on consent."""
        dialog = CleanupDialog(self.folder, self.in_use(), self.days(), self.parentWidget())
        if not dialog.exec():
            return
        self.settings.setValue(_DAYS_KEY, dialog.days)
        removal = remove(dialog.chosen())
        self.message.emit(f"deleted {removal.deleted:,} captures, "
                          f"{describe_size(removal.freed)} freed")
        if removal.problems:
            self.failed.emit("\n".join(removal.problems))
        self.refresh()


class CleanupDialog(QDialog):
    """"Delete the captures older than N days": N can be changed, and the dialog says how
    many files that is and how much space they take before the user agrees."""

    def __init__(self, folder: Path, keep: set[Path], days: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Clean up captures")
        self.folder = folder
        self.keep = keep
        layout = QVBoxLayout(self)
        intro = QLabel(f"Delete the captures in {folder} that were last written more than "
                       "this many days ago:")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.spin = QSpinBox()
        self.spin.setRange(1, 3650)
        self.spin.setSuffix(" days")
        self.spin.setValue(days)
        layout.addWidget(self.spin)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.delete_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.delete_button.setText("Delete")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.spin.valueChanged.connect(self._update)
        self.setMinimumWidth(460)
        self._update()

    @property
    def days(self) -> int:
        return self.spin.value()

    def chosen(self) -> list[CaptureFile]:
        """What the current number of days would delete (never a file in use)."""
        return [item for item in older_than(list_captures(self.folder), self.days)
                if item.path not in self.keep]

    def _update(self) -> None:
        chosen = self.chosen()
        if not chosen:
            self.summary.setText("No capture is that old: nothing to delete.")
        else:
            size = describe_size(sum(item.size for item in chosen))
            newest = datetime.fromtimestamp(max(item.modified for item in chosen))
            noun = "capture" if len(chosen) == 1 else "captures"
            self.summary.setText(f"{len(chosen):,} {noun}, {size}, the newest last written "
                                 f"{newest:%Y-%m-%d %H:%M}. They cannot be restored.")
        self.delete_button.setEnabled(bool(chosen))
