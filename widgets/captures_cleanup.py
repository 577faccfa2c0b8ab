"""File > Recent captures > Clean up…: the dialog that says what a clean-up of the captures
folder deletes (how many files, how much space) before the user agrees. Loaded when asked
for, not with the window (`widgets.captures_menu`)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.session.captures import CaptureFile, describe_size, list_captures, older_than


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
