"""The Import tab beside Detail and Expert info: for a session read from another tool's
file, what it was read as, what the input lacked and which checks therefore did not run,
and every note the import made (where, and what was skipped or assumed and why).

The report is the engine's `ImportReport`; this module only lays it out. The tab is there
for as long as that session is shown, so the notes cannot be clicked away like a dialog;
another session replaces it, and a live run or a recorded session has none.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHeaderView, QLabel, QTableView, QTabWidget, QVBoxLayout, QWidget

from app.session.import_report import ImportReport
from app.session.importing import ImportNote
from widgets.table_model import ColumnsTableModel

COLUMNS = ("Where", "What")
WHERE, WHAT = range(len(COLUMNS))
TITLE = "Import"

Index = QModelIndex | QPersistentModelIndex


class ImportNotesModel(ColumnsTableModel):
    """The import's notes, one a row; a note without a place is about the whole input."""

    columns = COLUMNS

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.notes: tuple[ImportNote, ...] = ()

    def set_notes(self, notes: tuple[ImportNote, ...]) -> None:
        self.beginResetModel()
        self.notes = notes
        self.endResetModel()

    def row_count(self) -> int:
        return len(self.notes)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.notes):
            return None
        note = self.notes[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if index.column() == WHERE:
                return note.where or "whole input"
            return note.text
        return None


class ImportInfo(QWidget):
    """Adds itself to `tabs` as a hidden tab; `show_report` fills and shows it, or hides it
    for a session that was not imported."""

    def __init__(self, tabs: QTabWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tabs = tabs
        self.report: ImportReport | None = None
        self.headline = QLabel()
        font = QFont(self.headline.font())
        font.setBold(True)
        self.headline.setFont(font)
        self.lacks = QLabel()
        self.lacks.setWordWrap(True)
        self.lacks.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.view = QTableView()
        self.model = ImportNotesModel(self.view)
        self.view.setModel(self.model)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(self.view.fontMetrics().height() + 6)
        self.view.setWordWrap(False)
        self.view.setAlternatingRowColors(True)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(WHERE, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.empty = QLabel("The import made no notes: every line was read as a frame.")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.headline)
        layout.addWidget(self.lacks)
        layout.addWidget(self.empty)
        layout.addWidget(self.view, 1)
        tabs.addTab(self, TITLE)
        self.show_report(None)

    @property
    def shown(self) -> bool:
        return self.tabs.isTabVisible(self.tabs.indexOf(self))

    def show_report(self, report: ImportReport | None) -> None:
        """Show what the session's file was read as, or hide the tab (None: a live run, a
        recorded session, or a session still loading)."""
        self.report = report
        index = self.tabs.indexOf(self)
        if report is None:
            if self.tabs.currentIndex() == index:
                self.tabs.setCurrentIndex(0)
            self.tabs.setTabVisible(index, False)
            self.model.set_notes(())
            return
        self.headline.setText(report.headline)
        self.lacks.setText("What the input lacks, and the checks left out for it:\n"
                           + "\n".join(f"• {line}" for line in report.lacks))
        self.lacks.setVisible(bool(report.lacks))
        self.model.set_notes(report.notes)
        self.empty.setVisible(not report.notes)
        self.view.setVisible(bool(report.notes))
        notes = len(report.notes)
        self.tabs.setTabText(index, f"{TITLE} ({notes:,})" if notes else TITLE)
        self.tabs.setTabToolTip(index, f"{report.headline}; what the import skipped or "
                                       "assumed, and the checks it left out")
        self.tabs.setTabVisible(index, True)
