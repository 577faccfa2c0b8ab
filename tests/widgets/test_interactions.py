"""Small interactions a user makes all the time, each checked for its effect."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from app.ocpp.schemas import PayloadKind
from tests.widgets.conftest import open_judged, run_until
from tests.widgets.test_main_window import write_session
from widgets.payload_form import ArrayEditor, DateTimeEditor


def test_stations_panel_click_filters_the_timeline(window, loop, qtbot, tmp_path):
    path = tmp_path / "s.jsonl"
    write_session(path, count=30)
    open_judged(window, qtbot, path)
    table = window.stations.table
    row = next(r for r in range(table.rowCount()) if table.item(r, 0).text() == "CP2")
    table.selectRow(row)
    run_until(loop, lambda: window.model.rowCount() == 20)
    assert {window.model.message_at(r).station for r in range(20)} == {"CP2"}
    assert window.filter_bar.station.currentText() == "CP2"


def test_relative_times_and_pause(window, loop, qtbot, tmp_path):
    path = tmp_path / "s.jsonl"
    write_session(path, count=5)
    open_judged(window, qtbot, path)
    window.delta_action.setChecked(True)
    assert window.model.headerData(0, Qt.Orientation.Horizontal) == "Δ time"
    assert window.model.data(window.model.index(1, 0)).startswith("+")
    window.pause_action.setChecked(True)
    assert window.bridge.paused
    window.pause_action.setChecked(False)
    assert not window.bridge.paused


def test_lists_grow_shrink_and_reorder_in_the_form(window):
    window.workbench.compose("GetVariables", PayloadKind.REQUEST, {"getVariableData": [
        {"component": {"name": "A"}, "variable": {"name": "x"}},
        {"component": {"name": "B"}, "variable": {"name": "y"}}]})
    composer = window.workbench.composer
    items = composer.form.editor_at("getVariableData")
    assert isinstance(items, ArrayEditor)
    items._move(items.rows.itemAt(1).widget(), -1)
    assert [i["component"]["name"] for i in composer.payload()["getVariableData"]] == [
        "B", "A"]
    items.add_item()
    assert len(composer.payload()["getVariableData"]) == 3
    items._remove(items.rows.itemAt(0).widget())
    assert composer.payload()["getVariableData"][0]["component"]["name"] == "A"
    assert composer.valid


def test_now_button_and_example_menu(window):
    window.workbench.compose("Heartbeat", PayloadKind.RESPONSE, {"currentTime": "x"})
    composer = window.workbench.composer
    assert not composer.valid
    editor = composer.form.editor_at("currentTime")
    assert isinstance(editor, DateTimeEditor)
    editor.set_now()
    assert composer.valid and composer.payload()["currentTime"].endswith("Z")
    window.workbench.compose("Authorize", PayloadKind.REQUEST)
    actions = composer.example_button.menu().actions()
    common = next(a for a in actions if a.text().startswith("Common error"))
    common.trigger()
    assert not composer.valid


def test_about_box(window, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "about", lambda *a: shown.append(a[2]))
    window.about()
    assert "OCPP Scope" in shown[0] and "OCPP 2.0.1" in shown[0]


def test_edit_as_new_ignores_actions_that_are_not_ocpp_201(window, loop):
    from app.ocpp.conversation import Direction

    window.start_demo()
    run_until(loop, lambda: window.model.rowCount() > 2, timeout=20)
    message = window.capture.frame("c9", "CP9", Direction.STATION_TO_CSMS,
                                   '[2,"x","StopTransaction",{}]')
    assert not window.workbench.edit_as_new(window.capture, message)
    assert window.workbench.composer.current_action  # the composer still works


def test_deeply_nested_frames_do_not_break_the_detail_pane(window, loop):
    from app.ocpp.conversation import Direction

    deep = "[" * 50000 + "]" * 50000
    message = window.capture.frame("c1", "CP1", Direction.STATION_TO_CSMS, deep)
    window.detail.show_message(window.capture, message)
    assert "malformed" in window.detail.header.text()
    assert window.detail.raw.toPlainText() == deep


def test_an_empty_enum_value_stays_empty(window):
    window.workbench.compose("Reset", PayloadKind.REQUEST, {"type": ""})
    composer = window.workbench.composer
    composer.form.changed.emit()
    assert composer.payload() == {"type": ""}


def test_the_window_icon_loads(qapp):
    from PySide6.QtGui import QIcon

    from widgets.app import ICON

    assert ICON.is_file() and not QIcon(str(ICON)).isNull()
