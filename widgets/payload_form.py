"""A form for any OCPP payload, generated from its schema's `FieldSpec` tree.

Objects become groups, enums combo boxes, numbers spin boxes with the schema's bounds,
strings line edits that stop at maxLength, date-times a line edit with "Now" and a picker,
arrays lists with add/remove/reorder, `customData` free JSON. Optional fields are visibly
off until their box is ticked. `value()` gives the JSON value; `set_value()` fills the form
from JSON and raises `NotRepresentable` for JSON the form cannot show (a wrong type, a
field the schema does not know): the composer then keeps the JSON text as the truth.
"""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.ocpp.findings import Finding, Severity
from app.ocpp.schema_tree import FieldSpec
from app.ocpp.skeleton import minimal_value
from widgets.field_editors import (
    BooleanEditor,
    CustomEditor,
    DateTimeEditor,
    EnumEditor,
    FieldEditor,
    IntegerEditor,
    NotRepresentable,
    NumberEditor,
    StringEditor,
    field_tooltip,
)

__all__ = ["ArrayEditor", "BooleanEditor", "CustomEditor", "DateTimeEditor", "EnumEditor",
           "FieldEditor", "IntegerEditor", "NotRepresentable", "NumberEditor", "ObjectEditor",
           "PayloadForm", "StringEditor", "build_editor"]

_PATH_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
NEST_INDENT = 10  # pixels each level of nesting is indented by


class _Nested(QFrame):
    """A nested object's fields, with a thin rule down their left that shows what belongs
    together, in a few pixels. Drawn here rather than by a style sheet: a style sheet on
    each of a few hundred nested frames (a long NotifyReport) made every widget added
    after them cost more, and such a form took minutes to fill."""

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(0, 0, 2, self.height(), self.palette().color(QPalette.ColorRole.Mid))


class ObjectEditor(FieldEditor):
    """An object's fields, one row each. A field holding an object or a list gets a header
    line of its own with its content indented below, instead of a label column beside it:
    each level of nesting then costs a small indent rather than the width of the longest
    label, so deep payloads (charging schedules in a profile in a report) fit a half-screen
    pane. An optional object or list that is not ticked shows only its header line."""

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.children_: dict[str, FieldEditor] = {}
        self.switches: dict[str, QCheckBox] = {}
        self._order: list[str] = []
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        # a field too wide to sit beside its label goes below it
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        # customData last: it is rarely used, and first in every object it hides the fields
        # that matter
        for child in sorted(spec.children, key=lambda c: c.name == "customData"):
            editor = build_editor(child)
            editor.changed.connect(self.changed.emit)
            self.children_[child.name] = editor
            nested = child.kind in ("object", "array")
            text = f"{child.name} (list)" if child.kind == "array" else child.name
            if child.required:
                label: QWidget = QLabel(f"<b>{text}</b>")
                label.setToolTip("required\n" + field_tooltip(child))
            else:
                switch = QCheckBox(text)
                switch.setToolTip("optional: tick to include\n" + field_tooltip(child))
                switch.toggled.connect(lambda on, e=editor: self._switch(e, on))
                self.switches[child.name] = switch
                editor.setEnabled(False)
                label = switch
            if nested:
                editor.header = label
                form.addRow(_Section(label, editor, shown=child.required))
            else:
                form.addRow(label, editor)

    def _switch(self, editor: FieldEditor, on: bool) -> None:
        _show_nested(editor, on)
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
                _show_nested(editor, name in value)

    def child_editor(self, token: str | int) -> FieldEditor | None:
        return self.children_.get(token) if isinstance(token, str) else None

    def focus_widget(self) -> QWidget:
        return self.header or self


class _Section(QWidget):
    """A nested object or list in its parent's form: its name (or tick box) on one line,
    its fields indented below, hidden while the field is not included."""

    def __init__(self, header: QWidget, editor: FieldEditor, shown: bool) -> None:
        super().__init__()
        # a list's items draw their own rules
        self.body = _Nested() if editor.spec.kind == "object" else QFrame()
        inner = QVBoxLayout(self.body)
        inner.setContentsMargins(NEST_INDENT, 2, 0, 2)
        inner.addWidget(editor)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(header)
        layout.addWidget(self.body)
        self.body.setVisible(shown)
        editor.section = self


def _show_nested(editor: FieldEditor, on: bool) -> None:
    """Include or leave out an optional field: off, it is disabled, and a nested object or
    list folds to its header line."""
    editor.setEnabled(on)
    section = getattr(editor, "section", None)
    if section is not None:
        section.body.setVisible(on)


class ArrayEditor(FieldEditor):
    """A list: its items one below the other, each with move and remove buttons, and an add
    button under them. An item that is an object gets a header line with its index and
    the buttons, so the buttons take no width beside its fields."""

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        assert spec.items is not None
        self.items: list[FieldEditor] = []
        self.rows = QVBoxLayout()
        self.rows.setContentsMargins(0, 0, 0, 0)
        add = QPushButton(f"+ Add {_item_name(spec)}")
        add.clicked.connect(self.add_item)
        body = QVBoxLayout(self)
        body.setContentsMargins(0, 0, 0, 0)
        body.addLayout(self.rows)
        body.addWidget(add, 0, Qt.AlignmentFlag.AlignLeft)
        for _ in range(spec.min_items or 0):
            self._append(build_editor(spec.items))

    def _append(self, editor: FieldEditor) -> None:
        editor.changed.connect(self.changed.emit)
        row = QWidget()
        buttons = QHBoxLayout()
        buttons.setSpacing(0)
        for text, tip, slot in (("↑", "move up", lambda: self._move(row, -1)),
                                ("↓", "move down", lambda: self._move(row, 1)),
                                ("✕", "remove", lambda: self._remove(row))):
            button = QToolButton()
            button.setText(text)
            button.setToolTip(tip)
            button.setAutoRaise(True)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        if editor.spec.kind in ("object", "array"):
            title = QLabel()
            head = QHBoxLayout()
            head.addWidget(title)
            head.addStretch(1)
            head.addLayout(buttons)
            frame = _Nested()
            inner = QVBoxLayout(frame)
            inner.setContentsMargins(NEST_INDENT, 0, 0, 2)
            inner.addWidget(editor)
            column = QVBoxLayout(row)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(0)
            column.addLayout(head)
            column.addWidget(frame)
            row.title = title  # type: ignore[attr-defined]
        else:
            line = QHBoxLayout(row)
            line.setContentsMargins(0, 0, 0, 0)
            line.addWidget(editor, 1)
            line.addLayout(buttons)
        row.editor = editor  # type: ignore[attr-defined]
        self.rows.addWidget(row)
        self.items.append(editor)
        self._number()

    def _number(self) -> None:
        """Title object items by their index, as finding paths name them (`[2]`)."""
        for index in range(self.rows.count()):
            row = self.rows.itemAt(index).widget()
            title = getattr(row, "title", None)
            if title is not None:
                title.setText(f"{_item_name(self.spec)} [{index}]")

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
        self._number()
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
        self._number()
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
        return self.header or self


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
        self.root = ObjectEditor(spec)
        self.root.changed.connect(self.changed.emit)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.root)
        layout.addStretch(1)
        self._marked: list[FieldEditor] = []

    def value(self) -> dict[str, Any]:
        return self.root.value()

    def set_value(self, value: Any) -> None:
        """Show `value`; NotRepresentable when the form cannot, among others when it would
        take more than `FORM_FIELDS_LIMIT` fields (a NotifyReport of more than about 19
        variables: each reportData entry costs some 30 fields): widgets by the thousand
        hold the window for many seconds, where the JSON text shows the same at once."""
        needed = fields_needed(self.spec, value)
        if needed > FORM_FIELDS_LIMIT:
            raise NotRepresentable(f"it needs {needed:,} fields, more than a form shows "
                                   f"({FORM_FIELDS_LIMIT:,})")
        # filled while hidden: each part shown into a form on screen is laid out and styled
        # at once, and a report of a few hundred entries took minutes; hidden, it is done
        # once, when the form shows again (in the same turn of the event loop: no flicker)
        shown = self.isVisible()
        if shown:
            self.hide()
        try:
            self.root.set_value(value)
        finally:
            if shown:
                self.show()

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

    def mark(self, findings: list[Finding]) -> None:
        """Pin findings to their fields; clears the previous marks. Errors are pinned last,
        so a field with an error and a warning shows the error."""
        for editor in self._marked:
            editor.mark(None)
        self._marked = []
        for finding in sorted(findings, key=lambda f: f.severity is Severity.ERROR):
            editor = self.editor_at(finding.path)
            if editor is None or editor is self.root:
                continue
            editor.mark(finding.message, warning=finding.severity is not Severity.ERROR)
            self._marked.append(editor)


# Fields a form builds at most: 600 take from half a second to about two seconds to build,
# by machine, and hold ~19 NotifyReport entries (~30 fields each); the longest example of
# the catalog needs 137.
FORM_FIELDS_LIMIT = 600


def fields_needed(spec: FieldSpec, value: Any) -> int:
    """How many field editors a form showing `value` builds: every field of an object
    (included or not), one per list item; a value of the wrong shape counts as empty."""
    if spec.kind == "object":
        given = value if isinstance(value, dict) else {}
        return 1 + sum(fields_needed(child, given[child.name]) if child.name in given
                       else _empty_fields(child) for child in spec.children)
    if spec.kind == "array" and spec.items is not None:
        items = value if isinstance(value, list) else []
        return 1 + sum(fields_needed(spec.items, item) for item in items)
    return 1


def _empty_fields(spec: FieldSpec) -> int:
    if spec.kind == "object":
        return 1 + sum(_empty_fields(child) for child in spec.children)
    if spec.kind == "array" and spec.items is not None:
        return 1 + (spec.min_items or 0) * _empty_fields(spec.items)
    return 1


def _discard(widget: QWidget) -> None:
    """Take a widget off the screen now; Qt deletes it when the event loop comes round."""
    widget.hide()
    widget.setParent(None)  # type: ignore[call-overload]
    widget.deleteLater()
