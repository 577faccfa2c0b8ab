"""The editors of single fields of a payload form: text, date-time, enum, numbers, booleans
and `customData`, each a `FieldEditor` that gives and takes a JSON value.

They are apart from `payload_form` (which nests them into objects and lists) so that each
file holds one concern: how one value is edited, versus how a payload is laid out.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QDateTime, Qt, QTime, QTimeZone, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.ocpp.schema_tree import FieldSpec, describe_type
from widgets.wheel_guard import guard_wheel

INT_MIN, INT_MAX = -(2 ** 31), 2 ** 31 - 1
ERROR_STYLE = "border: 1px solid #d03030;"
WARNING_STYLE = "border: 1px solid #d09000;"


class NotRepresentable(ValueError):
    """JSON that this form cannot show; the message says where and why."""


class FieldEditor(QWidget):
    """One field of the form. `changed` fires on every edit the user makes."""

    changed = Signal()

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.header: QWidget | None = None  # the name line of a nested object or list
        self.setToolTip(field_tooltip(spec))

    def value(self) -> Any:
        raise NotImplementedError

    def set_value(self, value: Any) -> None:
        raise NotImplementedError

    def mark(self, message: str | None, warning: bool = False) -> None:
        """Pin a finding to this field (None clears it), framed in its severity's colour."""
        target = self.focus_widget()
        target.setStyleSheet((WARNING_STYLE if warning else ERROR_STYLE) if message else "")
        target.setToolTip(f"{message}\n\n{field_tooltip(self.spec)}" if message else
                          field_tooltip(self.spec))

    def focus_widget(self) -> QWidget:
        return self

    def child_editor(self, token: str | int) -> FieldEditor | None:
        return None


def field_tooltip(spec: FieldSpec) -> str:
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
        # opens at the field's time when it holds one (an edit, not a fresh start)
        shown = _field_time(self.line.text().strip())
        edit = QDateTimeEdit(shown if shown.isValid() else QDateTime.currentDateTimeUtc())
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


def _field_time(text: str) -> QDateTime:
    """The moment a field's text names, invalid when it names none. A time without offset is
    UTC, as everywhere else in the program. Qt would read it in this machine's zone: OK on
    an unchanged time would then move it by the zone, and a time inside the local clock's
    daylight-saving gap (02:30 on a spring-forward night) would already have moved an hour
    before any zone could be set, so such a time is read with a `Z` after it instead."""
    moment = QDateTime.fromString(text, Qt.DateFormat.ISODateWithMs)
    if not moment.isValid() or moment.timeSpec() != Qt.TimeSpec.LocalTime:
        return moment  # no time, or one with its offset
    as_utc = QDateTime.fromString(text + "Z", Qt.DateFormat.ISODateWithMs)
    if as_utc.isValid():
        return as_utc
    # a date alone (which takes no "Z"): its midnight, UTC
    return QDateTime(moment.date(), QTime(0, 0), QTimeZone.utc())


class EnumEditor(FieldEditor):
    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.combo = QComboBox()
        self.combo.addItems(list(spec.enum))
        # a long value ("ChargingStationExternalConstraints") must not widen the whole form
        self.combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(12)
        self.combo.currentIndexChanged.connect(lambda _: self.changed.emit())
        guard_wheel(self.combo)
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
        guard_wheel(self.spin)
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
    """Shows numbers without padding zeros (230.1, not 230.100000), with the decimal point
    of the spin box's locale: it reads its text back in that locale, so "7.5" shown where
    the point groups thousands (German) would become 75 at the next Enter."""

    def textFromValue(self, value: float) -> str:
        return f"{value:.6f}".rstrip("0").rstrip(".").replace(".", self.decimal_point())

    def decimal_point(self) -> str:
        return self.locale().decimalPoint()


class NumberEditor(FieldEditor):
    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.spin = _NumberSpin()
        self.spin.setDecimals(6)
        self.spin.setRange(-1e15 if spec.minimum is None else spec.minimum,
                           1e15 if spec.maximum is None else spec.maximum)
        self.spin.valueChanged.connect(self._edited)
        self.fractional = False  # keep 32.0 as 32.0 and 32 as 32, as they came
        guard_wheel(self.spin)
        _single(self, self.spin)

    def _edited(self, _value: float) -> None:
        self.fractional = self.spin.decimal_point() in self.spin.cleanText()
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
    """`customData` (and DataTransfer's open `data`): vendor JSON, edited as text on one
    line, since it is rarely used and must not take the room of the fields that are."""

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.text = QLineEdit('{"vendorId": ""}')
        self.text.setPlaceholderText("JSON")
        self.text.textChanged.connect(lambda _: self.changed.emit())
        _single(self, self.text)

    def value(self) -> Any:
        try:
            return json.loads(self.text.text())
        except (ValueError, RecursionError):
            return self.text.text()  # kept as text: the validator will say why

    def set_value(self, value: Any) -> None:
        self.text.blockSignals(True)
        self.text.setText(json.dumps(value, ensure_ascii=False))
        self.text.setCursorPosition(0)
        self.text.blockSignals(False)

    def focus_widget(self) -> QWidget:
        return self.text


def _single(editor: FieldEditor, widget: QWidget) -> None:
    layout = QHBoxLayout(editor)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(widget, 1)
