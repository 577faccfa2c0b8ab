"""The dialogs that start a mode, built from the engine's table of settings (`app.settings`),
so that they offer what the command line offers, with the same defaults and the same checks.

This module owns only the widgets and what QSettings remembers between runs: each dialog fills
in what was entered last time, except secrets (the password) and settings that weaken safety
(`insecure`, keeping passwords in the record), which start from their default on every run.
A URL is remembered without its password and with its token values emptied
(`app.net.secrets.forget_secrets`): the dialog then shows what to type again. The settings
file itself is readable by its owner only (`widgets.settings_file`).
Values are checked by `app.settings.check` before the dialog closes, so a wrong URL is caught
here, in the same words the command line uses.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app import settings
from app.net import secrets
from app.settings import Setting
from widgets.settings_file import private_settings

_INT_LIMIT = 2 ** 31 - 1  # what a QSpinBox holds


class ModeDialog(QDialog):
    """A form over the settings of one mode; `values()` has the shape `app.settings` takes."""

    def __init__(self, mode: str, title: str, intro: str, parent: QWidget | None = None,
                 fields: tuple[Setting, ...] | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.mode = mode
        self.fields = settings.dialog_settings(mode) if fields is None else fields
        self.settings = private_settings()
        self.editors: dict[str, QWidget] = {}
        layout = QVBoxLayout(self)
        text = QLabel(intro)
        text.setWordWrap(True)
        layout.addWidget(text)
        forms: dict[str, QFormLayout] = {}
        for field in self.fields:
            if field.group not in forms:
                forms[field.group] = self._form(layout, field.group)
            editor, shown = self._editor(field)
            self.editors[field.name] = editor
            label = QLabel(field.label)
            tip = field.help if field.remembered else f"{field.help}; not remembered"
            label.setToolTip(tip)
            editor.setToolTip(tip)
            forms[field.group].addRow(label, shown)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Start")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(620)

    def _form(self, layout: QVBoxLayout, group: str) -> QFormLayout:
        """The main settings go straight into the dialog, each group into a box of its own."""
        if not group:
            form = QFormLayout()
            layout.addLayout(form)
            return form
        box = QGroupBox(group[:1].upper() + group[1:])
        layout.addWidget(box)
        return QFormLayout(box)

    def _key(self, field: Setting) -> str:
        return f"dialogs/{self.mode}/{field.name}"

    def _initial(self, field: Setting) -> Any:
        """Last time's value if it is remembered and still readable, else the default."""
        stored = self.settings.value(self._key(field)) if field.remembered else None
        if stored is None:
            return field.default
        if field.kind == "url" and isinstance(stored, str):
            safe = secrets.forget_secrets(stored)
            if safe != stored:  # kept by an older version: forget it now
                self.settings.setValue(self._key(field), safe)
            stored = safe
        try:
            if field.type is bool:
                return str(stored).lower() in ("true", "1")
            value = field.type(stored)
        except (TypeError, ValueError):
            return field.default
        return value if not field.choices or value in field.choices else field.default

    def _editor(self, field: Setting) -> tuple[QWidget, QWidget]:
        """The widget holding the value, and the widget to put in the form (for a file, the
        line edit with its browse button beside it)."""
        value = self._initial(field)
        if field.type is bool:
            box = QCheckBox()
            box.setChecked(value)
            return box, box
        if field.choices:
            combo = QComboBox()
            for choice in field.choices:
                combo.addItem(str(choice), choice)
            combo.setCurrentIndex(field.choices.index(value))
            return combo, combo
        if field.type in (int, float):
            spin = _spin_box(field)
            spin.setValue(value)
            return spin, spin
        line = QLineEdit(str(value))
        line.setPlaceholderText(field.zero or field.help)
        if field.secret:
            line.setEchoMode(QLineEdit.EchoMode.Password)
        if field.kind not in ("file", "output"):
            return line, line
        holder = QWidget(self)
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        browse = QPushButton("…")
        browse.setFixedWidth(28)
        browse.setToolTip("Choose a file")
        browse.clicked.connect(lambda: self._browse(line, field))
        row.addWidget(line, 1)
        row.addWidget(browse)
        return line, holder

    def _browse(self, line: QLineEdit, field: Setting) -> None:
        """A file to read, or (an "output" setting) where to write one: the save dialog asks
        before naming a file that exists."""
        if field.kind == "output":
            kinds = "Sessions (*.jsonl)" if field.name == "record" else "All files (*)"
            path, _ = QFileDialog.getSaveFileName(self, field.label, line.text(), kinds)
        else:
            path, _ = QFileDialog.getOpenFileName(self, "Choose a file", line.text())
        if path:
            line.setText(path)

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for field in self.fields:
            editor = self.editors[field.name]
            if isinstance(editor, QCheckBox):
                out[field.name] = editor.isChecked()
            elif isinstance(editor, QComboBox):
                out[field.name] = editor.currentData()
            elif isinstance(editor, QSpinBox | QDoubleSpinBox):
                out[field.name] = field.type(editor.value())
            else:
                text = editor.text()  # type: ignore[attr-defined]
                out[field.name] = text if field.secret else text.strip()
        return out

    def problems(self) -> list[str]:
        """What stops the mode from starting, in the words the command line uses."""
        return settings.check(self.mode, self.values())

    def told_problems(self) -> bool:
        """Whether something stops the mode from starting; if so, the user is shown all of
        it in one box and the dialog stays open (every mode's dialog refuses alike)."""
        problems = self.problems()
        if problems:
            QMessageBox.warning(self, self.windowTitle(), "\n".join(problems))
        return bool(problems)

    def accept(self) -> None:
        if self.told_problems():
            return
        values = self.values()
        for field in self.fields:
            if field.remembered:
                value = values[field.name]
                if field.kind == "url":
                    value = secrets.forget_secrets(value)
                self.settings.setValue(self._key(field), value)
            else:  # also clears what an older version may have kept
                self.settings.remove(self._key(field))
        super().accept()


def _spin_box(field: Setting) -> QSpinBox | QDoubleSpinBox:
    spin: QSpinBox | QDoubleSpinBox
    if field.type is int:
        spin = QSpinBox()
        spin.setRange(int(field.minimum if field.minimum is not None else -_INT_LIMIT),
                      int(min(field.maximum if field.maximum is not None else _INT_LIMIT,
                              _INT_LIMIT)))
    else:
        spin = QDoubleSpinBox()
        spin.setDecimals(2)
        spin.setRange(field.minimum if field.minimum is not None else -1e9,
                      field.maximum if field.maximum is not None else 1e9)
    spin.setGroupSeparatorShown(field.kind == "size")
    if field.zero:
        spin.setSpecialValueText(field.zero)  # shown at the minimum, 0
    return spin


def proxy_dialog(parent: QWidget | None = None) -> ModeDialog:
    return ModeDialog("proxy", "Start the proxy",
                      "Stations connect here and are relayed to the CSMS; every frame is "
                      "forwarded unchanged, then checked and shown.", parent)


def csms_dialog(parent: QWidget | None = None) -> ModeDialog:
    return ModeDialog("csms", "Act as a CSMS",
                      "Stations connect to OCPP Scope, which answers all 64 actions with "
                      "schema-valid defaults (change them with an answer rules file).", parent)


def station_dialog(parent: QWidget | None = None) -> ModeDialog:
    return ModeDialog("station", "Act as a charging station",
                      "OCPP Scope connects to the CSMS as a station: BootNotification, "
                      "status, heartbeats, and an answer to every request.", parent)
