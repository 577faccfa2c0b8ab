"""The workspace is built on first need: the window starts on its welcome page without it,
and every way past that page builds it first and then works as before."""

import pytest
from PySide6.QtCore import QByteArray, QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtTest import QAbstractItemModelTester

from tests.widgets.conftest import open_judged, run_until
from tests.widgets.test_main_window import _start_from_its_dialog, write_session
from widgets.main_window import MainWindow
from widgets.workbench_tabs import TAB_TITLES


def _drop(window: MainWindow, path: str) -> None:
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(path)])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, data,
                       Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)


def test_a_new_window_shows_its_welcome_page_without_a_workspace(window):
    assert not window.workspace_built
    assert window.pages.currentWidget() is window.welcome and window.pages.count() == 1
    assert window.counts_label.text() == "0 records · 0 invalid · 0 connected"


def test_opening_a_file_builds_the_workspace_and_shows_the_file(window, qtbot, tmp_path):
    path = tmp_path / "s.jsonl"
    write_session(path, count=5)
    open_judged(window, qtbot, path)
    assert window.workspace_built
    assert window.pages.currentWidget() is window.workbench
    assert window.model.rowCount() == 10
    QAbstractItemModelTester(window.model)


def test_a_dropped_file_builds_the_workspace_and_opens(window, qtbot, tmp_path):
    path = tmp_path / "dropped.jsonl"
    write_session(path, count=3)
    with qtbot.waitSignal(window.judged, timeout=20000):
        _drop(window, str(path))
    assert window.workspace_built and window.model.rowCount() == 6
    assert window.windowTitle() == "OCPP Scope — dropped.jsonl"


def test_a_recent_entry_of_the_welcome_page_builds_the_workspace_and_opens(window, qtbot,
                                                                          tmp_path):
    path = tmp_path / "recent.jsonl"
    write_session(path, count=2)
    window.recent.remember(str(path))
    window._refresh_recent()
    assert not window.workspace_built
    with qtbot.waitSignal(window.judged, timeout=20000):
        window.welcome.open_recent.emit(str(path))
    assert window.pages.currentWidget() is window.workbench
    assert window.model.rowCount() == 4


def test_the_demo_builds_the_workspace_and_feeds_it(window, loop):
    window.start_demo()
    assert window.workspace_built
    run_until(loop, lambda: window.model.rowCount() > 5, timeout=30)
    assert window.pages.currentWidget() is window.workbench
    assert window.capture is window.capture_guard.capture  # the recorded one is shown


def test_a_mode_started_from_its_dialog_builds_the_workspace(window, loop, monkeypatch):
    _start_from_its_dialog(window, loop, monkeypatch, window.start_csms, listen="127.0.0.1:0")
    assert window.workspace_built
    assert window.pages.currentWidget() is window.workbench
    assert window.runner.running.mode == "csms"
    assert window.workbench.built("responder")  # told the mode's answering rules


def test_each_tab_of_the_view_menu_builds_the_workspace_and_shows_its_tab(window):
    view_menu = window.view_menu
    titles = [action.text() for action in view_menu.actions() if action.text() in TAB_TITLES]
    assert titles == list(TAB_TITLES)
    reference = next(a for a in view_menu.actions() if a.text() == "Reference")
    reference.trigger()
    assert window.workspace_built
    workbench = window.workbench
    assert [workbench.tabText(i) for i in range(workbench.count())] == list(TAB_TITLES)
    assert workbench.currentIndex() == workbench.reference_tab
    assert window.pages.currentWidget() is workbench


def test_the_welcome_page_reference_button_builds_the_workspace(window):
    window.welcome.reference.emit()
    assert window.pages.currentWidget() is window.workbench
    assert window.workbench.currentIndex() == window.workbench.reference_tab


def test_the_colouring_rules_open_from_the_view_menu_before_anything_was_opened(window):
    assert window.colouring_action in window.view_menu.actions()
    window.colouring_action.trigger()
    assert window.workspace_built
    assert window.colouring.action is window.colouring_action
    assert window.colouring.dialog is not None and window.colouring.dialog.isVisible()
    window.colouring.dialog.reject()


def test_the_playback_menu_joins_the_view_menu_with_the_workspace(window):
    # nothing to play before a session is open: its menu comes with the timeline
    assert not any(action.menu() for action in window.view_menu.actions())
    window.build_workspace()
    actions = window.view_menu.actions()
    assert actions[actions.index(window.colouring_action) - 1].menu() is window.playback.menu


def test_reading_a_part_of_the_workspace_builds_it_once(window):
    model = window.model
    assert window.workspace_built and window.pages.count() == 2
    window.build_workspace()
    assert window.model is model and window.pages.count() == 2
    assert window.pages.currentWidget() is window.welcome  # built, not shown


def test_an_unknown_attribute_is_still_an_attribute_error(window):
    try:
        window.no_such_part  # noqa: B018
    except AttributeError as exc:
        assert "no_such_part" in str(exc)
    else:
        raise AssertionError("an unknown attribute was answered")
    assert not window.workspace_built


def test_a_property_failing_inside_says_its_own_error_not_a_missing_attribute(window,
                                                                              monkeypatch):
    def broken(*args, **kwargs):
        raise AttributeError("the guard's own fault")

    with monkeypatch.context() as patched:
        patched.setattr("widgets.capture_guard.CaptureGuard.__init__", broken)
        with pytest.raises(AttributeError, match="the guard's own fault"):
            window.capture_guard  # noqa: B018
    assert window.capture_guard is not None  # made once its maker works


def test_a_build_that_fails_half_way_leaves_nothing_and_the_next_builds_one_whole(
        window, monkeypatch):
    def broken(window):
        raise RuntimeError("state views could not be made")

    monkeypatch.setattr("widgets.workspace.connect_state_views", broken)
    with pytest.raises(RuntimeError):
        window.build_workspace()
    assert not window.workspace_built and "capture" not in vars(window)
    monkeypatch.undo()
    window.build_workspace()
    assert window.workspace_built and window.pages.count() == 2
    assert window.pages.indexOf(window.workbench) == 1


def test_closing_without_a_workspace_keeps_the_remembered_splitters(qtbot, loop):
    first = MainWindow()
    qtbot.addWidget(first)
    first.horizontal.setSizes([123, 900])
    first.close()  # remembers the splitters it built
    remembered = first.settings.value("window/horizontal")
    assert isinstance(remembered, QByteArray)
    second = MainWindow()
    qtbot.addWidget(second)
    second.close()
    assert not second.workspace_built
    assert second.settings.value("window/horizontal") == remembered
    third = MainWindow()
    qtbot.addWidget(third)
    third.build_workspace()
    assert third.horizontal.saveState() == remembered  # restored as it was left
