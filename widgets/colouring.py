"""View > Colouring rules…: the user's rules that tint timeline rows, edited in a small dialog
and kept with the window's settings.

The rules themselves (matching, first match wins, remembering per record) are the engine's
(`app.query.colouring`); here they are only listed, edited, checked as typed and stored. The
dialog refuses to close on OK while an expression or a colour is wrong, and says which rule,
at which column, in words.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QSettings, Qt
from PySide6.QtGui import QAction, QBrush, QColor
from PySide6.QtWidgets import (
    QColorDialog,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.query import FIELD_HELP, check_query
from app.query.colouring import (
    Colouring,
    ColourRule,
    colour_problem,
    rules_from_json,
    rules_to_json,
)
from widgets.timeline import TimelineModel

SETTINGS_KEY = "timeline/colouring"
ON, WHEN, COLOUR = range(3)
_WRONG = QBrush(QColor(220, 50, 47, 70))


def load_colouring(settings: QSettings) -> tuple[list[ColourRule], list[str]]:
    """The rules stored in `settings`, and a sentence for each stored entry skipped."""
    stored = settings.value(SETTINGS_KEY, "")
    return rules_from_json(stored if isinstance(stored, str) else "")


def save_colouring(settings: QSettings, rules: list[ColourRule]) -> None:
    settings.setValue(SETTINGS_KEY, rules_to_json(rules))


def rule_problems(rule: ColourRule) -> tuple[str | None, str | None]:
    """What is wrong with one rule as typed: (its expression's problem, its colour's)."""
    expression = None
    if not rule.when.strip():
        expression = "write an expression, e.g. action == \"Heartbeat\""
    elif (error := check_query(rule.when)) is not None:
        expression = f"expression, {error}"
    colour = colour_problem(rule.colour)
    if colour is None and not QColor.isValidColorName(rule.colour):
        colour = f"'{rule.colour}' is not a colour name Qt knows; try a code like #ffcc00"
    return expression, colour


class ColouringDialog(QDialog):
    """The rules as a table: a tick (enabled), the expression, the colour. Add, remove,
    move up and down, pick a colour; problems are listed below as they are typed."""

    def __init__(self, rules: list[ColourRule], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Colouring rules")
        self.resize(720, 360)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["On", "Expression", "Colour"])
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(WHEN, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(ON, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.itemChanged.connect(lambda _: self.check())
        self.problems = QLabel()
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet("color: #c0392b;")
        hint = QLabel("The first enabled rule whose expression selects a row colours it. "
                      "Invalid frames, errors and unanswered calls keep their own colours. "
                      f"Fields: {FIELD_HELP}.")
        hint.setWordWrap(True)
        buttons = QHBoxLayout()
        self.add_button = self._button("Add", lambda: self.add_rule(), buttons)
        self.remove_button = self._button("Remove", self.remove_selected, buttons)
        self.up_button = self._button("Move up", lambda: self.move_selected(-1), buttons)
        self.down_button = self._button("Move down", lambda: self.move_selected(1), buttons)
        self.colour_button = self._button("Colour…", self.pick_colour, buttons)
        buttons.addStretch(1)
        self.box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                    | QDialogButtonBox.StandardButton.Cancel)
        self.box.accepted.connect(self.accept)
        self.box.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.problems)
        layout.addWidget(self.box)
        self._fill(rules)

    @staticmethod
    def _button(text: str, slot: object, row: QHBoxLayout) -> QPushButton:
        button = QPushButton(text)
        button.clicked.connect(slot)
        row.addWidget(button)
        return button

    # --- the rules ------------------------------------------------------------------------

    def rules(self) -> list[ColourRule]:
        found = []
        for row in range(self.table.rowCount()):
            on, when, colour = (self.table.item(row, c) for c in (ON, WHEN, COLOUR))
            found.append(ColourRule(when.text().strip() if when else "",
                                    colour.text().strip() if colour else "",
                                    on is not None and on.checkState() == Qt.CheckState.Checked))
        return found

    def _fill(self, rules: list[ColourRule], select: int | None = None) -> None:
        self.table.blockSignals(True)
        self.table.setRowCount(0)
        for rule in rules:
            self._append(rule)
        self.table.blockSignals(False)
        if select is not None and 0 <= select < len(rules):
            self.table.selectRow(select)
        self.check()

    def _append(self, rule: ColourRule) -> int:
        row = self.table.rowCount()
        self.table.insertRow(row)
        on = QTableWidgetItem()
        on.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled
                    | Qt.ItemFlag.ItemIsSelectable)
        on.setCheckState(Qt.CheckState.Checked if rule.enabled else Qt.CheckState.Unchecked)
        self.table.setItem(row, ON, on)
        self.table.setItem(row, WHEN, QTableWidgetItem(rule.when))
        self.table.setItem(row, COLOUR, QTableWidgetItem(rule.colour))
        return row

    def add_rule(self, when: str = "", colour: str = "gold") -> int:
        """A new rule at the end, selected, its expression ready to type into."""
        self.table.blockSignals(True)
        row = self._append(ColourRule(when, colour))
        self.table.blockSignals(False)
        self.table.selectRow(row)
        self.check()
        if not when:
            self.table.editItem(self.table.item(row, WHEN))
        return row

    def selected_row(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else None

    def remove_selected(self) -> None:
        row = self.selected_row()
        if row is not None:
            rules = self.rules()
            del rules[row]
            self._fill(rules, min(row, len(rules) - 1))

    def move_selected(self, step: int) -> None:
        """Earlier rules win: moving a rule up gives it the say over the ones below."""
        row = self.selected_row()
        rules = self.rules()
        if row is None or not 0 <= row + step < len(rules):
            return
        rules[row], rules[row + step] = rules[row + step], rules[row]
        self._fill(rules, row + step)

    def pick_colour(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        current = QColor(self.table.item(row, COLOUR).text())
        chosen = QColorDialog.getColor(current if current.isValid() else QColor("gold"),
                                       self, "Row colour")
        if chosen.isValid():
            self.set_colour(row, chosen.name())

    def set_colour(self, row: int, name: str) -> None:
        self.table.item(row, COLOUR).setText(name)

    # --- checking -------------------------------------------------------------------------

    def check(self) -> list[str]:
        """Mark wrong cells, list the problems, and allow OK only when there are none."""
        problems = []
        self.table.blockSignals(True)
        for row, rule in enumerate(self.rules()):
            expression_wrong, colour_wrong = rule_problems(rule)
            when, colour = self.table.item(row, WHEN), self.table.item(row, COLOUR)
            when.setBackground(_WRONG if expression_wrong else QBrush())
            when.setToolTip(expression_wrong or rule.when)
            colour.setBackground(_WRONG if colour_wrong else QBrush(QColor(rule.colour)))
            colour.setToolTip(colour_wrong or "")
            problems += [f"Rule {row + 1}: {problem}" for problem in
                         (expression_wrong, colour_wrong) if problem is not None]
        self.table.blockSignals(False)
        self.problems.setText("\n".join(problems))
        self.problems.setVisible(bool(problems))
        self.box.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not problems)
        return problems

    def accept(self) -> None:
        if not self.check():
            super().accept()


class ColouringMenu(QObject):
    """The View menu's "Colouring rules…" and the rules' life: read from the settings at
    start, applied to the timeline, written back when the dialog is accepted."""

    def __init__(self, window: QMainWindow, model: TimelineModel, settings: QSettings,
                 action: QAction | None = None) -> None:
        """`action`: the menu entry, when the window made it before the timeline existed
        (it then opens the dialog itself, building the timeline first); else one is made
        here, opening the dialog."""
        super().__init__(window)
        self.window, self.model, self.settings = window, model, settings
        self.dialog: ColouringDialog | None = None
        if action is None:
            action = QAction("Colouring rules…", window)
            action.setStatusTip("Colour timeline rows by expressions of the filter language")
            action.triggered.connect(self.open_editor)
        self.action = action
        rules, skipped = load_colouring(settings)
        self.apply(rules)
        if skipped:
            window.statusBar().showMessage(" · ".join(skipped), 10000)

    def apply(self, rules: list[ColourRule]) -> None:
        self.rules = rules
        self.model.set_colouring(Colouring(rules))

    def open_editor(self) -> ColouringDialog:
        """Show the dialog (not modal to the code: it answers through `accepted`)."""
        self.dialog = ColouringDialog(self.rules, self.window)
        self.dialog.accepted.connect(self._accepted)
        self.dialog.open()
        return self.dialog

    def _accepted(self) -> None:
        if self.dialog is None:
            return
        rules = self.dialog.rules()
        self.apply(rules)
        save_colouring(self.settings, rules)
        self.settings.sync()
