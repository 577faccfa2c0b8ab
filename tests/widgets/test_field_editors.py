"""The composer's field editors keep what is typed: a number reads the same in the field,
after Enter, and in the JSON, whatever the user's locale writes as its decimal point; the
date picker edits the field's own time, read as UTC when it names no offset."""

import os
import time

import pytest
from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import QDialog

from app.ocpp.schema_tree import FieldSpec
from widgets.field_editors import DateTimeEditor, NumberEditor

GERMAN = QLocale(QLocale.Language.German, QLocale.Country.Germany)


def number_editor(qtbot, locale):
    editor = NumberEditor(FieldSpec("limit", "limit", "number", True))
    editor.spin.setLocale(locale)
    qtbot.addWidget(editor)
    editor.show()
    qtbot.waitExposed(editor)
    return editor


def test_a_fraction_survives_enter_in_a_comma_locale(qtbot):
    editor = number_editor(qtbot, GERMAN)
    editor.set_value(7.5)
    assert editor.spin.text() == "7,5"
    qtbot.keyClick(editor.spin, Qt.Key.Key_Return)
    assert editor.value() == 7.5


def test_a_fraction_typed_in_a_comma_locale_is_kept_as_typed(qtbot):
    editor = number_editor(qtbot, GERMAN)
    editor.spin.lineEdit().selectAll()
    qtbot.keyClicks(editor.spin, "7,25")
    qtbot.keyClick(editor.spin, Qt.Key.Key_Return)
    qtbot.keyClick(editor.spin, Qt.Key.Key_Return)
    assert editor.spin.text() == "7,25" and editor.value() == 7.25


def test_a_point_locale_reads_numbers_as_json_writes_them(qtbot):
    editor = number_editor(qtbot, QLocale.c())
    editor.set_value(230.1)
    assert editor.spin.text() == "230.1"
    qtbot.keyClick(editor.spin, Qt.Key.Key_Return)
    assert editor.value() == 230.1
    editor.set_value(32)
    assert editor.spin.text() == "32" and editor.value() == 32


def test_the_date_picker_opens_at_the_fields_time(qtbot, monkeypatch):
    editor = DateTimeEditor(FieldSpec("timestamp", "timestamp", "datetime", True))
    qtbot.addWidget(editor)
    editor.set_value("2024-05-14T09:27:12.000Z")
    monkeypatch.setattr(QDialog, "exec", lambda dialog: QDialog.DialogCode.Accepted)
    editor.pick()   # accepted as it opened
    assert editor.value() == "2024-05-14T09:27:12.000Z"


def test_the_date_picker_opens_now_for_a_field_that_is_no_time(qtbot, monkeypatch):
    editor = DateTimeEditor(FieldSpec("timestamp", "timestamp", "datetime", True))
    qtbot.addWidget(editor)
    editor.set_value("0")
    monkeypatch.setattr(QDialog, "exec", lambda dialog: QDialog.DialogCode.Accepted)
    editor.pick()
    assert editor.value().endswith("Z") and editor.value()[:2] == "20"


@pytest.fixture
def berlin_time():
    """The process in a zone two hours off UTC in May, restored after: a time read as local
    would then move."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "Europe/Berlin"
    time.tzset()
    yield
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


@pytest.mark.parametrize("typed", ["2024-05-14T09:27:12", "2024-05-14T09:27:12.000"])
def test_the_date_picker_reads_a_time_without_offset_as_utc(qtbot, monkeypatch, berlin_time,
                                                              typed):
    editor = DateTimeEditor(FieldSpec("timestamp", "timestamp", "datetime", True))
    qtbot.addWidget(editor)
    editor.set_value(typed)
    monkeypatch.setattr(QDialog, "exec", lambda dialog: QDialog.DialogCode.Accepted)
    editor.pick()   # accepted unchanged: the same moment, now with its offset
    assert editor.value() == "2024-05-14T09:27:12.000Z"


def test_the_date_picker_keeps_the_moment_of_a_time_with_an_offset(qtbot, monkeypatch,
                                                                    berlin_time):
    editor = DateTimeEditor(FieldSpec("timestamp", "timestamp", "datetime", True))
    qtbot.addWidget(editor)
    editor.set_value("2024-05-14T11:27:12.000+02:00")
    monkeypatch.setattr(QDialog, "exec", lambda dialog: QDialog.DialogCode.Accepted)
    editor.pick()
    assert editor.value() == "2024-05-14T09:27:12.000Z"


@pytest.mark.parametrize(("typed", "kept"), [
    ("2024-03-31T02:30:00", "2024-03-31T02:30:00.000Z"),   # Berlin's clocks skip 02:00-03:00
    ("2024-03-31T02:30:00.250", "2024-03-31T02:30:00.250Z"),
    ("2024-03-31", "2024-03-31T00:00:00.000Z"),             # a date alone: midnight UTC
])
def test_the_date_picker_keeps_a_time_without_offset_that_the_local_clock_skips(
        qtbot, monkeypatch, berlin_time, typed, kept):
    """A UTC time that falls in this machine's daylight-saving gap exists all the same: read
    as local first, it would come back an hour later."""
    editor = DateTimeEditor(FieldSpec("timestamp", "timestamp", "datetime", True))
    qtbot.addWidget(editor)
    editor.set_value(typed)
    monkeypatch.setattr(QDialog, "exec", lambda dialog: QDialog.DialogCode.Accepted)
    editor.pick()
    assert editor.value() == kept
