"""A form for any OCPP payload, generated from its schema's `FieldSpec` tree.

Objects become groups, enums combo boxes, numbers spin boxes with the schema's bounds,
strings line edits that stop at maxLength, date-times a line edit with "Now" and a picker,
arrays lists with add/remove/reorder, `customData` free JSON. Optional fields are visibly
off until their box is ticked. `value()` gives the JSON value; `set_value()` fills the form
from JSON and raises `NotRepresentable` for JSON the form cannot show (a wrong type, a
field the schema does not know): the composer then keeps the JSON text as the truth.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QDateTime, Qt, QTimeZone, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.ocpp.schema_tree import FieldSpec, describe_type
from app.ocpp.skeleton import minimal_value

INT_MIN, INT_MAX = -(2 ** 31), 2 ** 31 - 1
ERROR_STYLE = "border: 1px solid #d03030;"
_PATH_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


class NotRepresentable(ValueError):
    """JSON that this form cannot show; the message says where and why."""


class FieldEditor(QWidget):
    """One field of the form. `changed` fires on every edit the user makes."""

    changed = Signal()

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.setToolTip(_tooltip(spec))

    def value(self) -> Any:
        raise NotImplementedError

    def set_value(self, value: Any) -> None:
        raise NotImplementedError

    def mark(self, message: str | None) -> None:
        """Pin a finding to this field (None clears it)."""
        target = self.focus_widget()
        target.setStyleSheet(ERROR_STYLE if message else "")
        target.setToolTip(f"{message}\n\n{_tooltip(self.spec)}" if message else
                          _tooltip(self.spec))

    def focus_widget(self) -> QWidget:
        return self

    def child_editor(self, token: str | int) -> FieldEditor | None:
        return None


def _tooltip(spec: FieldSpec) -> str:
    text = describe_type(spec)
    if spec.description:
        text += f"\n{spec.description}"
    return text


class _MaxLength(QValidator):
    """Stops typing at the schema's maxLength (text set from JSON is not checked here)."""

    def __init__(self, limit: int, parent: QWidget) -> None:
        super().__init__(parent)
        self.limit = limit

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        state = (QValidator.State.Acceptable if len(text) <= self.limit
                 else QValidator.State.Invalid)
        return state, text, pos


class StringEditor(FieldEditor):
    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.line = QLineEdit()
        if spec.max_length:
            # typing stops at maxLength; a longer value set from JSON is kept (and flagged)
            self.line.setValidator(_MaxLength(spec.max_length, self.line))
            self.line.setPlaceholderText(f"at most {spec.max_length} characters")
        self.line.textEdited.connect(lambda _: self.changed.emit())
        _single(self, self.line)

    def value(self) -> str:
        return self.line.text()

    def set_value(self, value: Any) -> None:
        if not isinstance(value, str):
            raise NotRepresentable(f"{self.spec.path or 'value'}: expected text")
        self.line.setText(value)

    def focus_widget(self) -> QWidget:
        return self.line


class DateTimeEditor(StringEditor):
    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.line.setPlaceholderText("2026-01-31T12:00:00.000Z")
        now = QPushButton("Now")
        now.setToolTip("The current time, UTC")
        now.clicked.connect(self.set_now)
        pick = QToolButton()
        pick.setText("…")
        pick.setToolTip("Pick a date and time")
        pick.clicked.connect(self.pick)
        self.layout().addWidget(now)
        self.layout().addWidget(pick)

    def set_now(self) -> None:
        self.line.setText(datetime.now(UTC).isoformat(timespec="milliseconds")
                          .replace("+00:00", "Z"))
        self.changed.emit()

    def pick(self) -> None:
        dialog = QDialog(self)
        dialog.setWindowTitle(self.spec.name or "Date and time")
        edit = QDateTimeEdit(QDateTime.currentDateTimeUtc())
        edit.setTimeZone(QTimeZone.utc())
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd HH:mm:ss 'UTC'")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(dialog.accept)
        buttons.rejected.connect(dialog.reject)
        layout = QVBoxLayout(dialog)
        layout.addWidget(edit)
        layout.addWidget(buttons)
        if dialog.exec():
            self.line.setText(edit.dateTime().toUTC().toString("yyyy-MM-ddTHH:mm:ss.zzz")
                              + "Z")
            self.changed.emit()


class EnumEditor(FieldEditor):
    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.combo = QComboBox()
        self.combo.addItems(list(spec.enum))
        self.combo.currentIndexChanged.connect(lambda _: self.changed.emit())
        _single(self, self.combo)

    def value(self) -> str:
        data = self.combo.currentData()  # set only for a value outside the enum, kept as is
        return data if data is not None else self.combo.currentText()

    def set_value(self, value: Any) -> None:
        if not isinstance(value, str):
            raise NotRepresentable(f"{self.spec.path or 'value'}: expected one of the values")
        index = self.combo.findText(value, Qt.MatchFlag.MatchExactly)
        if index < 0:  # not allowed, but shown as it is, so nothing is lost
            self.combo.addItem(f"{value}  (not allowed)", value)
            index = self.combo.count() - 1
        self.combo.blockSignals(True)
        self.combo.setCurrentIndex(index)
        self.combo.blockSignals(False)

    def focus_widget(self) -> QWidget:
        return self.combo


class IntegerEditor(FieldEditor):
    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.spin = QSpinBox()
        low = INT_MIN if spec.minimum is None else max(INT_MIN, int(spec.minimum))
        high = INT_MAX if spec.maximum is None else min(INT_MAX, int(spec.maximum))
        self.spin.setRange(low, high)
        self.spin.valueChanged.connect(lambda _: self.changed.emit())
        _single(self, self.spin)

    def value(self) -> int:
        return self.spin.value()

    def set_value(self, value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, int | float) or (
                isinstance(value, float) and not value.is_integer()):
            raise NotRepresentable(f"{self.spec.path or 'value'}: expected a whole number")
        if isinstance(value, float) or not self.spin.minimum() <= value <= self.spin.maximum():
            raise NotRepresentable(f"{self.spec.path or 'value'}: {value} is out of range")
        self.spin.blockSignals(True)
        self.spin.setValue(value)
        self.spin.blockSignals(False)

    def focus_widget(self) -> QWidget:
        return self.spin


class _NumberSpin(QDoubleSpinBox):
    """Shows numbers without padding zeros (230.1, not 230.100000)."""

    def textFromValue(self, value: float) -> str:
        return f"{value:.6f}".rstrip("0").rstrip(".")


class NumberEditor(FieldEditor):
    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.spin = _NumberSpin()
        self.spin.setDecimals(6)
        self.spin.setRange(-1e15 if spec.minimum is None else spec.minimum,
                           1e15 if spec.maximum is None else spec.maximum)
        self.spin.valueChanged.connect(self._edited)
        self.fractional = False  # keep 32.0 as 32.0 and 32 as 32, as they came
        _single(self, self.spin)

    def _edited(self, _value: float) -> None:
        self.fractional = "." in self.spin.cleanText()
        self.changed.emit()

    def value(self) -> int | float:
        number = self.spin.value()
        if number.is_integer() and not self.fractional:
            return int(number)
        return float(number)

    def set_value(self, value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise NotRepresentable(f"{self.spec.path or 'value'}: expected a number")
        if not self.spin.minimum() <= value <= self.spin.maximum() or (
                isinstance(value, float) and round(value, 6) != value):
            raise NotRepresentable(f"{self.spec.path or 'value'}: {value} cannot be shown")
        self.spin.blockSignals(True)
        self.spin.setValue(float(value))
        self.spin.blockSignals(False)
        self.fractional = isinstance(value, float)

    def focus_widget(self) -> QWidget:
        return self.spin


class BooleanEditor(FieldEditor):
    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.box = QCheckBox("true")
        self.box.toggled.connect(lambda on: (self.box.setText(str(on).lower()),
                                             self.changed.emit()))
        _single(self, self.box)

    def value(self) -> bool:
        return self.box.isChecked()

    def set_value(self, value: Any) -> None:
        if not isinstance(value, bool):
            raise NotRepresentable(f"{self.spec.path or 'value'}: expected true or false")
        self.box.blockSignals(True)
        self.box.setChecked(value)
        self.box.setText(str(value).lower())
        self.box.blockSignals(False)

    def focus_widget(self) -> QWidget:
        return self.box


class CustomEditor(FieldEditor):
    """`customData`: vendor JSON, edited as text."""

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.text = QPlainTextEdit('{"vendorId": ""}')
        self.text.setMaximumHeight(70)
        self.text.textChanged.connect(self.changed.emit)
        _single(self, self.text)

    def value(self) -> Any:
        try:
            return json.loads(self.text.toPlainText())
        except (ValueError, RecursionError):
            return self.text.toPlainText()  # kept as text: the validator will say why

    def set_value(self, value: Any) -> None:
        self.text.blockSignals(True)
        self.text.setPlainText(json.dumps(value, ensure_ascii=False))
        self.text.blockSignals(False)

    def focus_widget(self) -> QWidget:
        return self.text


class ObjectEditor(FieldEditor):
    def __init__(self, spec: FieldSpec, parent: QWidget | None = None,
                 titled: bool = True) -> None:
        super().__init__(spec, parent)
        self.children_: dict[str, FieldEditor] = {}
        self.switches: dict[str, QCheckBox] = {}
        self._order: list[str] = []
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for child in spec.children:
            editor = build_editor(child)
            editor.changed.connect(self.changed.emit)
            self.children_[child.name] = editor
            if child.required:
                label: QWidget = QLabel(f"<b>{child.name}</b>")
                label.setToolTip("required\n" + _tooltip(child))
            else:
                switch = QCheckBox(child.name)
                switch.setToolTip("optional: tick to include\n" + _tooltip(child))
                switch.toggled.connect(lambda on, e=editor: self._switch(e, on))
                self.switches[child.name] = switch
                editor.setEnabled(False)
                label = switch
            form.addRow(label, editor)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        if titled and spec.name:
            self.group = QGroupBox(spec.name)
            self.group.setLayout(form)
            outer.addWidget(self.group)
        else:
            holder = QWidget()
            holder.setLayout(form)
            outer.addWidget(holder)

    def _switch(self, editor: FieldEditor, on: bool) -> None:
        editor.setEnabled(on)
        self.changed.emit()

    def included(self, name: str) -> bool:
        switch = self.switches.get(name)
        return switch is None or switch.isChecked()

    def include(self, name: str, on: bool = True) -> None:
        switch = self.switches.get(name)
        if switch is not None:
            switch.setChecked(on)

    def value(self) -> dict[str, Any]:
        # fields keep the order they came in (then schema order), so JSON -> form -> JSON
        # gives back the same text
        names = [*self._order, *(n for n in self.children_ if n not in self._order)]
        return {name: self.children_[name].value() for name in names if self.included(name)}

    def set_value(self, value: Any) -> None:
        if not isinstance(value, dict):
            raise NotRepresentable(f"{self.spec.path or 'payload'}: expected an object")
        unknown = [key for key in value if key not in self.children_]
        if unknown:
            where = f"{self.spec.path}." if self.spec.path else ""
            raise NotRepresentable(f"{where}{unknown[0]}: not a field of this message")
        self._order = list(value)
        for name, editor in self.children_.items():
            if name in value:
                editor.set_value(value[name])
            switch = self.switches.get(name)
            if switch is not None:
                switch.blockSignals(True)
                switch.setChecked(name in value)
                switch.blockSignals(False)
                editor.setEnabled(name in value)

    def child_editor(self, token: str | int) -> FieldEditor | None:
        return self.children_.get(token) if isinstance(token, str) else None


class ArrayEditor(FieldEditor):
    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        assert spec.items is not None
        self.items: list[FieldEditor] = []
        self.group = QGroupBox(f"{spec.name or 'items'} (list)")
        self.rows = QVBoxLayout()
        add = QPushButton(f"+ Add {_item_name(spec)}")
        add.clicked.connect(self.add_item)
        body = QVBoxLayout(self.group)
        body.addLayout(self.rows)
        body.addWidget(add, 0, Qt.AlignmentFlag.AlignLeft)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.group)
        for _ in range(spec.min_items or 0):
            self._append(build_editor(spec.items))

    def _append(self, editor: FieldEditor) -> None:
        editor.changed.connect(self.changed.emit)
        row = QWidget()
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(editor, 1)
        for text, tip, slot in (("↑", "move up", lambda: self._move(row, -1)),
                                ("↓", "move down", lambda: self._move(row, 1)),
                                ("✕", "remove", lambda: self._remove(row))):
            button = QToolButton()
            button.setText(text)
            button.setToolTip(tip)
            button.clicked.connect(slot)
            line.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
        row.editor = editor  # type: ignore[attr-defined]
        self.rows.addWidget(row)
        self.items.append(editor)

    def add_item(self) -> None:
        assert self.spec.items is not None
        editor = build_editor(self.spec.items)
        editor.set_value(minimal_value(self.spec.items))
        self._append(editor)
        self.changed.emit()

    def _remove(self, row: QWidget) -> None:
        self.items.remove(row.editor)  # type: ignore[attr-defined]
        self.rows.removeWidget(row)
        _discard(row)
        self.changed.emit()

    def _move(self, row: QWidget, step: int) -> None:
        index = self.rows.indexOf(row)
        target = index + step
        if not 0 <= target < self.rows.count():
            return
        self.rows.removeWidget(row)
        self.rows.insertWidget(target, row)
        editor = self.items.pop(index)
        self.items.insert(target, editor)
        self.changed.emit()

    def value(self) -> list[Any]:
        return [editor.value() for editor in self.items]

    def set_value(self, value: Any) -> None:
        if not isinstance(value, list):
            raise NotRepresentable(f"{self.spec.path or 'value'}: expected a list")
        assert self.spec.items is not None
        while self.rows.count():
            row = self.rows.takeAt(0).widget()
            if row is not None:
                _discard(row)
        self.items = []
        for item in value:
            editor = build_editor(self.spec.items)
            editor.set_value(item)
            self._append(editor)

    def child_editor(self, token: str | int) -> FieldEditor | None:
        if isinstance(token, int) and 0 <= token < len(self.items):
            return self.items[token]
        return None

    def focus_widget(self) -> QWidget:
        return self.group


def _item_name(spec: FieldSpec) -> str:
    name = spec.name or "item"
    return name[:-1] if name.endswith("s") and len(name) > 3 else name


_EDITORS: dict[str, type[FieldEditor]] = {
    "object": ObjectEditor, "array": ArrayEditor, "string": StringEditor,
    "datetime": DateTimeEditor, "enum": EnumEditor, "integer": IntegerEditor,
    "number": NumberEditor, "boolean": BooleanEditor, "custom": CustomEditor,
}


def build_editor(spec: FieldSpec) -> FieldEditor:
    return _EDITORS[spec.kind](spec)


class PayloadForm(QWidget):
    """The whole payload: the root object editor, plus finding marks by JSON path."""

    changed = Signal()

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.root = ObjectEditor(spec, titled=False)
        self.root.changed.connect(self.changed.emit)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.root)
        layout.addStretch(1)
        self._marked: list[FieldEditor] = []

    def value(self) -> dict[str, Any]:
        return self.root.value()

    def set_value(self, value: Any) -> None:
        self.root.set_value(value)

    def editor_at(self, path: str) -> FieldEditor | None:
        """The editor of a finding's path (`meterValue[0].timestamp`), or its nearest
        ancestor that exists."""
        editor: FieldEditor = self.root
        for name, index in _PATH_TOKEN.findall(path):
            child = editor.child_editor(int(index) if index else name)
            if child is None:
                break
            editor = child
        return editor

    def mark(self, findings: list[tuple[str, str]]) -> None:
        """Pin (path, message) findings to their fields; clears the previous marks."""
        for editor in self._marked:
            editor.mark(None)
        self._marked = []
        for path, message in findings:
            editor = self.editor_at(path)
            if editor is None or editor is self.root:
                continue
            editor.mark(message)
            self._marked.append(editor)


def _discard(widget: QWidget) -> None:
    """Take a widget off the screen now; Qt deletes it when the event loop comes round."""
    widget.hide()
    widget.setParent(None)  # type: ignore[call-overload]
    widget.deleteLater()


def _single(editor: FieldEditor, widget: QWidget) -> None:
    layout = QHBoxLayout(editor)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(widget, 1)

