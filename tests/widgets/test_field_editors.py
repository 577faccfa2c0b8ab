"""The composer's field editors keep what is typed: a number reads the same in the field,
after Enter, and in the JSON, whatever the user's locale writes as its decimal point."""

from PySide6.QtCore import QLocale, Qt

from app.ocpp.schema_tree import FieldSpec
from widgets.field_editors import NumberEditor

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
