"""The Import tab: shown with a session read from another tool's file (its format, what the
input lacked, every note, the count in the tab title), kept while that session is shown,
replaced by the next one, and hidden for a recorded session and for a live run."""

from PySide6.QtWidgets import QTabWidget

from app.session.import_report import ImportReport
from app.session.importing import ImportNote
from tests.factories import boot, script_messages, write_session
from tests.session.test_import_report import STEVE_LOG
from tests.widgets.conftest import open_judged, run_until
from widgets.import_info import WHAT, WHERE, ImportInfo, ImportNotesModel


def steve_log(tmp_path):
    path = tmp_path / "steve.log"
    path.write_text(STEVE_LOG)
    return path


def tab_title(window):
    tabs = window.bottom_tabs
    return tabs.tabText(tabs.indexOf(window.import_info))


def test_the_notes_model_passes_qt_model_checks(qtbot, qtmodeltester):
    model = ImportNotesModel()
    model.set_notes((ImportNote("line 2", "no OCPP frame, skipped: x"),
                     ImportNote("", "no times for any frame")))
    qtmodeltester.check(model)
    assert model.data(model.index(0, WHERE)) == "line 2"
    assert model.data(model.index(1, WHERE)) == "whole input"
    assert model.data(model.index(1, WHAT)) == "no times for any frame"


def test_a_log_with_skipped_lines_and_no_times_shows_its_notes_in_the_import_tab(
        window, qtbot, tmp_path):
    open_judged(window, qtbot, steve_log(tmp_path))
    info = window.import_info
    assert info.shown
    notes = len(info.report.notes)
    assert notes >= 2 and tab_title(window) == f"Import ({notes})"
    assert info.headline.text() == "Read as SteVe WebSocketLogger logs: 2 records"
    assert "• no times: heartbeat timing and answer timeouts not checked" in info.lacks.text()
    rows = [(info.model.data(info.model.index(r, WHERE)),
             info.model.data(info.model.index(r, WHAT))) for r in range(info.model.rowCount())]
    assert ("line 2", "no OCPP frame, skipped: server started") in rows
    window.bottom_tabs.setCurrentWidget(info)
    window.select_row(1)   # looking at records does not take the notes away
    assert info.shown and tab_title(window) == f"Import ({notes})"


def test_the_next_file_replaces_the_report_and_a_recorded_session_has_none(
        window, qtbot, tmp_path):
    open_judged(window, qtbot, steve_log(tmp_path))
    frames = tmp_path / "frames.txt"
    frames.write_text('[2,"1","Heartbeat",{}]\n[2,"2","Heartbeat",{}]\n')
    open_judged(window, qtbot, frames)
    info = window.import_info
    assert info.shown and info.headline.text().startswith("Read as text, one frame per line")
    assert "inferred from the actions' senders for 2 frames" in info.lacks.text()
    window.bottom_tabs.setCurrentWidget(info)
    open_judged(window, qtbot, write_session(tmp_path / "s.jsonl", script_messages(boot())))
    assert not info.shown and info.report is None
    assert window.bottom_tabs.currentWidget() is window.detail


def test_a_live_run_hides_the_import_tab(window, qtbot, loop, tmp_path):
    open_judged(window, qtbot, steve_log(tmp_path))
    assert window.import_info.shown
    window.start_demo()
    run_until(loop, lambda: window.runner.running is not None, timeout=30)
    assert not window.import_info.shown


def test_a_report_without_notes_says_so(qtbot):
    tabs = QTabWidget()
    qtbot.addWidget(tabs)
    info = ImportInfo(tabs)
    info.show_report(ImportReport("HAR file", 3, (), ()))
    assert info.shown and tabs.tabText(0) == "Import"
    assert info.empty.isVisibleTo(info) and not info.view.isVisibleTo(info)
    assert not info.lacks.isVisibleTo(info)
