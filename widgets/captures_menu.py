"""File > Recent captures: the files the window recorded on its own (`widgets.capture_guard`),
newest first, each with its size and, when counting is cheap, its records; and the way to
tidy the folder up, which says how many files and how much space before deleting anything.

The folder is read when the menu opens, not before: the list is then current (a run that
just stopped is there) and a window that never shows the menu never reads the folder. What
reads it, and the clean-up dialog (`widgets.captures_cleanup`), are loaded then too: the menu
itself is made with the window."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, QStandardPaths, Signal
from PySide6.QtWidgets import QMenu, QWidget

from widgets.settings_file import private_settings

if TYPE_CHECKING:
    from app.session.captures import CaptureFile

SHOWN = 15               # captures listed in the menu; the folder holds the rest
COUNT_BUDGET = 8 << 20   # bytes read to count records each time the menu opens: the
                         # window must not stall on a folder of big files (those show size)
CLEANUP_DAYS = 30        # offered the first time; then what was chosen last
_DAYS_KEY = "captures/cleanup_days"


def captures_folder() -> Path:
    """`<user data folder>/captures`: per user, and found again by the next run."""
    return Path(QStandardPaths.writableLocation(
        QStandardPaths.StandardLocation.AppDataLocation)) / "captures"


def describe(item: CaptureFile, records: int | None) -> str:
    """`2026-11-30 10:00:00  proxy  ·  1.2 MB  ·  3,456 records` (no records: not counted)."""
    from app.session.captures import describe_size

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
        from app.session.captures import list_captures

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
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.folder)))

    def clean_up(self) -> None:
        """Ask which age and show what that deletes; delete only on consent."""
        from app.session.captures import describe_size, remove
        from widgets.captures_cleanup import CleanupDialog

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
