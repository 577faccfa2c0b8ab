"""Colouring rules in the window: rows a rule selects get its colour (the built-in alarms
keep theirs), the dialog checks rules as typed, and the rules live in the settings."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QDialogButtonBox, QMainWindow

from app.ocpp.conversation import Direction
from app.query.colouring import Colouring, ColourRule
from app.session.capture import Capture
from widgets.colouring import SETTINGS_KEY, ColouringMenu, load_colouring
from widgets.settings_file import private_settings
from widgets.timeline import INVALID, TimelineModel, rule_tint

UP, DOWN = Direction.STATION_TO_CSMS, Direction.CSMS_TO_STATION
ENDED = 'action == "TransactionEvent" && payload.eventType == "Ended"'


def live_capture() -> Capture:
    capture = Capture()
    capture.frame("c1", "CP1", UP, '[2,"1","Heartbeat",{}]')
    capture.frame("c1", "CP1", DOWN, '[3,"1",{"currentTime":"2024-01-01T00:00:00Z"}]')
    capture.frame("c1", "CP1", UP, '[2,"2","Heartbeat",{"oops":1}]')   # invalid
    return capture


def backgrounds(model: TimelineModel) -> list[QColor | None]:
    return [model.data(model.index(row, 0), Qt.ItemDataRole.BackgroundRole)
            for row in range(model.rowCount())]


def test_rows_a_rule_selects_get_its_colour_and_invalid_rows_keep_theirs(qtbot):
    model = TimelineModel()
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    model.set_capture(live_capture())
    with qtbot.waitSignal(model.dataChanged):
        model.set_colouring(Colouring([ColourRule('action == "Heartbeat"', "#336699")]))
    first, answer, invalid = backgrounds(model)
    assert first == answer == rule_tint("#336699") and first.alpha() == 90
    assert invalid == INVALID
    model.set_colouring(Colouring())
    assert backgrounds(model)[:2] == [None, None]


def test_a_rule_with_its_own_alpha_keeps_it():
    assert rule_tint("#20ff0000").alpha() == 0x20
    assert rule_tint("nosuchcolour") is None


def test_the_dialog_names_the_rule_and_column_of_a_wrong_expression(qtbot):
    window = QMainWindow()
    qtbot.addWidget(window)
    menu = ColouringMenu(window, TimelineModel(), private_settings())
    dialog = menu.open_editor()
    ok = dialog.box.button(QDialogButtonBox.StandardButton.Ok)
    row = dialog.add_rule('action = "Heartbeat"', "gold")
    assert dialog.problems.text().startswith("Rule 1: expression, column 8:")
    assert not ok.isEnabled()
    dialog.table.item(row, 1).setText('action == "Heartbeat"')
    assert dialog.problems.text() == "" and ok.isEnabled()
    dialog.set_colour(row, "notacolour")
    assert "Rule 1: 'notacolour' is not a colour name" in dialog.problems.text()
    dialog.set_colour(row, "#00ff00")
    assert dialog.check() == []


def test_rules_are_added_reordered_disabled_and_removed(qtbot):
    window = QMainWindow()
    qtbot.addWidget(window)
    dialog = ColouringMenu(window, TimelineModel(), private_settings()).open_editor()
    dialog.add_rule("type == CALL", "blue")
    dialog.add_rule(ENDED, "red")
    dialog.move_selected(-1)
    assert [rule.colour for rule in dialog.rules()] == ["red", "blue"]
    dialog.table.item(1, 0).setCheckState(Qt.CheckState.Unchecked)
    assert [rule.enabled for rule in dialog.rules()] == [True, False]
    dialog.table.selectRow(0)
    dialog.remove_selected()
    assert dialog.rules() == [ColourRule("type == CALL", "blue", enabled=False)]


def test_accepted_rules_colour_the_timeline_and_are_restored_at_start(window, qtbot):
    assert window.colouring.action in window.menuBar().actions()[2].menu().actions()
    window.model.set_capture(live_capture())
    dialog = window.colouring.open_editor()
    dialog.add_rule(ENDED, "#ff0000")
    dialog.add_rule('action == "Heartbeat" && type == RESULT', "gold")
    dialog.table.item(0, 0).setCheckState(Qt.CheckState.Unchecked)
    with qtbot.waitSignal(window.model.dataChanged):
        dialog.accept()
    assert backgrounds(window.model)[1] == rule_tint("gold")
    stored, skipped = load_colouring(private_settings())
    assert stored == [ColourRule(ENDED, "#ff0000", enabled=False),
                      ColourRule('action == "Heartbeat" && type == RESULT', "gold")]
    assert skipped == []
    # as a window starting later reads them
    again = QMainWindow()
    qtbot.addWidget(again)
    model = TimelineModel()
    ColouringMenu(again, model, private_settings())
    model.set_capture(live_capture())
    assert backgrounds(model)[1] == rule_tint("gold")


def test_damaged_stored_rules_are_told_in_the_status_bar_not_raised(qtbot):
    settings = private_settings()
    settings.setValue(SETTINGS_KEY, "{broken")
    window = QMainWindow()
    qtbot.addWidget(window)
    menu = ColouringMenu(window, TimelineModel(), settings)
    assert menu.rules == []
    assert "not JSON" in window.statusBar().currentMessage()
