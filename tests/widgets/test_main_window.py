"""The window as a user drives it: demo, open files good and bad, filter, pairs."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from app.net import links
from app.ocpp.conversation import Direction
from app.session.message import frame_message, gap_record
from app.session.sessionfile import SessionWriter, make_header
from tests.widgets.conftest import open_judged, run_until
from widgets import dialogs as dialogs_module
from widgets.timeline import ACTION, TYPE

UP, DOWN = Direction.STATION_TO_CSMS, Direction.CSMS_TO_STATION


def write_session(path, count=200, torn=False):
    with SessionWriter(path, make_header("proxy")) as writer:
        for n in range(count):
            writer.write(frame_message(2 * n + 1, f'[2,"{n}","Heartbeat",{{}}]',
                                       connection="c1", station=f"CP{n % 3}", direction=UP,
                                       time=1.7e9 + n, monotonic=n))
            writer.write(frame_message(
                2 * n + 2, f'[3,"{n}",{{"currentTime":"2024-01-01T00:00:0{n % 10}Z"}}]',
                connection="c1", station=f"CP{n % 3}", direction=DOWN, time=1.7e9 + n + 0.01,
                monotonic=n + 0.01))
    if torn:
        with path.open("a") as stream:
            stream.write('{"seq": 9999, "ti')


def test_first_start_shows_the_welcome_page(window):
    assert window.pages.currentWidget() is window.welcome


def test_demo_feeds_the_timeline_live(window, loop):
    window.start_demo()
    run_until(loop, lambda: window.model.rowCount() > 20, timeout=30)
    assert window.runner.running.mode == "demo"
    assert window.windowTitle().startswith("OCPP Scope — demo ws://127.0.0.1:")
    actions = {window.model.message_at(r).action for r in range(window.model.rowCount())}
    assert {"BootNotification", "Authorize", "TransactionEvent"} <= actions
    assert "DEMO-CP-01" in window.state.stations
    window.select_row(3)
    assert window.detail.message is not None


def test_open_a_session_then_filter_and_jump_to_pairs(window, loop, qtbot, tmp_path):
    path = tmp_path / "s.jsonl"
    write_session(path)
    open_judged(window, qtbot, path)
    assert window.model.rowCount() == 400
    assert set(window.state.stations) == {"CP0", "CP1", "CP2"}
    window.select_row(0)
    assert window.detail.pair is not None and window.detail.pair.seq == 2
    window.detail.go_to_pair()
    assert window.detail.message.seq == 2
    window.filter_bar.station.setCurrentText("CP1")
    run_until(loop, lambda: window.model.rowCount() < 400)
    assert {window.model.message_at(r).station for r in range(window.model.rowCount())} == {
        "CP1"}
    # jumping to a record the filter hides clears the filter
    assert window.select_seq(1)
    assert window.detail.message.seq == 1


def test_torn_file_loads_what_is_good_and_says_what_was_skipped(window, qtbot, tmp_path,
                                                                 dialogs):
    path = tmp_path / "torn.jsonl"
    write_session(path, count=10, torn=True)
    with qtbot.waitSignal(window.load_finished, timeout=20000):
        window.open_session(str(path))
    assert window.model.rowCount() == 20
    assert dialogs and dialogs[0][0] == "information" and "skipped" in dialogs[0][1]


@pytest.mark.parametrize(("content", "words"), [
    (b"\x00\x01\x02\xff garbage", "binary"),
    (b"", "empty"),
])
def test_unusable_files_give_a_clear_message(window, tmp_path, dialogs, content, words):
    path = tmp_path / "bad.jsonl"
    path.write_bytes(content)
    window.open_session(str(path))
    assert dialogs and words in dialogs[0][1]
    assert window.pages.currentWidget() is window.welcome


def test_a_recording_with_a_gap_opens_and_shows_the_gap(window, qtbot, tmp_path):
    path = tmp_path / "gap.jsonl"
    write_session(path, count=5)
    with SessionWriter(tmp_path / "tail.jsonl", make_header("proxy")) as writer:
        writer.write(gap_record(1234, 11, 1244, "disk full (No space left on device)"))
        writer.write(frame_message(1245, '[2,"x","Heartbeat",{}]', connection="c1",
                                   station="CP0", direction=UP))
    with path.open("a", encoding="utf-8") as stream:
        stream.write("".join((tmp_path / "tail.jsonl").read_text().splitlines(True)[1:]))
    open_judged(window, qtbot, path)
    assert window.model.rowCount() == 12
    gap_row = 10
    assert window.model.data(window.model.index(gap_row, TYPE)) == "gap"
    assert window.model.data(window.model.index(gap_row, ACTION)) == "1,234 records not recorded"
    window.select_row(gap_row)
    assert window.detail.message.seq == 1244
    assert "gap" in window.detail.header.text()


def test_a_file_of_frames_opens_too(window, qtbot, tmp_path):
    path = tmp_path / "frames.json"
    path.write_text(json.dumps([[2, "1", "Heartbeat", {}],
                                [3, "1", {"currentTime": "2024-01-01T00:00:00Z"}]]))
    open_judged(window, qtbot, path)
    assert window.model.rowCount() == 2
    assert window.capture.pair_of(1) == 2


def test_save_writes_a_session_that_reopens(window, loop, qtbot, tmp_path):
    window.start_demo()
    run_until(loop, lambda: window.model.rowCount() > 10, timeout=30)
    loop.run_until_complete(window.runner.stop())
    run_until(loop, lambda: not window.capture_guard.recording_open)
    path = tmp_path / "saved.jsonl"
    count = len(window.capture.messages)
    window.save_session(str(path))  # moves the recording there: nothing is written again
    assert path.exists() and window.job is None
    with qtbot.waitSignal(window.load_finished, timeout=20000):
        window.open_session(str(path))
    assert len(window.capture.messages) == count


def test_port_in_use_is_an_error_dialog_not_a_crash(window, loop, dialogs, monkeypatch):
    import socket

    from app.net.csms import CsmsConfig
    from app.net.policy import ResponsePolicy

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        window.runner.start_csms(window._fresh_capture(), CsmsConfig(port=port),
                                 ResponsePolicy())
        run_until(loop, lambda: bool(dialogs))
    assert "already in use" in dialogs[0][1]
    assert window.runner.running is None


def test_headless_a_mode_that_fails_to_start_is_a_stderr_line(window, loop, capsys,
                                                                no_message_boxes):
    import socket

    from app.net.csms import CsmsConfig
    from app.net.policy import ResponsePolicy

    window.notices.headless = True
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        window.runner.start_csms(window._fresh_capture(),
                                 CsmsConfig(port=busy.getsockname()[1]), ResponsePolicy())
        run_until(loop, lambda: window.notices.failed)
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("ocppscope: ") and "already in use" in line


def test_scrolling_up_stops_following_and_ctrl_end_resumes(window, loop, qtbot, tmp_path):
    path = tmp_path / "s.jsonl"
    write_session(path, count=300)
    open_judged(window, qtbot, path)
    window.set_follow(True)
    bar = window.table.verticalScrollBar()
    assert bar.value() == bar.maximum()
    bar.setValue(0)
    assert not window.follow and not window.follow_action.isChecked()
    window.follow_action.setChecked(True)
    assert window.follow and bar.value() == bar.maximum()


def test_closing_the_window_stops_the_mode_properly_first(window, loop, qapp, questions):
    qapp.setQuitOnLastWindowClosed(False)  # the test's loop must outlive the window
    questions.answer = QMessageBox.StandardButton.Discard
    window.start_demo()
    run_until(loop, lambda: window.runner.running is not None, timeout=15)
    demo = window.runner.running.component
    window.close()
    assert window.isVisible()  # still open: the connections close first
    run_until(loop, lambda: not window.isVisible(), timeout=15)
    assert window.runner.running is None
    assert demo.proxy.stations == []
    qapp.setQuitOnLastWindowClosed(True)


def test_live_rows_are_not_duplicated_by_a_filter_change(window, loop):
    from app.session.filters import RecordFilter

    window.start_demo()
    run_until(loop, lambda: window.model.rowCount() > 5, timeout=20)
    window.set_paused(True)
    run_until(loop, lambda: window.bridge.pending > 3, timeout=20)
    window.apply_filter(RecordFilter(), wait=True)  # covers what the bridge still holds
    window.set_paused(False)
    window.bridge.flush()
    rows = [window.model.rows[r] for r in range(window.model.rowCount())]
    assert rows == sorted(set(rows)) == list(range(len(window.capture.messages)))
    assert "DEMO-CP-01" in window.state.stations  # station state kept up throughout


def test_a_failing_background_job_stops_and_says_why(window, loop, dialogs, monkeypatch,
                                                     tmp_path):
    from widgets.session_io import SessionSaver

    window.start_demo()
    run_until(loop, lambda: window.model.rowCount() > 3, timeout=20)
    monkeypatch.setattr(SessionSaver, "step", lambda self: 1 / 0)
    window.save_session(str(tmp_path / "never.jsonl"))  # while running: written, not moved
    run_until(loop, lambda: not window.job.running)
    assert dialogs and "Saving failed" in dialogs[-1][1]
    assert not window.progress.isVisible()


def test_opening_a_session_during_a_load_leaves_nothing_behind(window, loop, qtbot,
                                                                 tmp_path):
    old, new = tmp_path / "old.jsonl", tmp_path / "new.jsonl"
    write_session(old, count=3000)
    write_session(new, count=10)
    window.open_session(str(old))
    open_judged(window, qtbot, new)
    run_until(loop, lambda: window._judge_job is not None and not window._judge_job.running)
    assert len(window.capture.messages) == 20
    assert window.model.rowCount() == 20


def test_a_batch_flushed_while_a_newer_record_is_being_published_loses_nothing(window):
    """The engine thread appends a record and then tells the bridge; a flush in between must
    not shift the batch onto the newer record (which once hid the batch's first record)."""
    capture = window.capture

    def flush_mid_publish(message, _annotation):
        if message.seq == 2:
            window.bridge.flush()

    capture.subscribe(flush_mid_publish)
    window.bridge.attach(capture)  # the bridge now hears of each record after the above
    capture.frame("c1", "CP-1", UP, '[2,"1","Heartbeat",{}]')
    capture.frame("c1", "CP-1", DOWN, '[3,"1",{"currentTime":"2026-11-30T10:00:00Z"}]')
    window.bridge.flush()
    assert list(window.model.rows) == [0, 1]


def _start_from_its_dialog(window, loop, monkeypatch, start, **texts):
    """Run `start` (window.start_proxy...) with the dialog filled in from `texts` (a text,
    or True to tick a box) and wait until the mode runs."""
    def fill(dialog):
        for name, value in texts.items():
            if value is True:
                dialog.editors[name].setChecked(True)
            else:
                dialog.editors[name].setText(value)
        return True

    monkeypatch.setattr(dialogs_module.ModeDialog, "exec", fill)
    start()
    run_until(loop, lambda: window.runner.running is not None)


def test_the_status_bar_says_when_a_mode_is_reachable_from_the_network(
        window, loop, monkeypatch):
    # 127.0.0.1 stands in for a network address: tests never listen beyond loopback
    monkeypatch.setattr(links, "is_loopback", lambda host: False)
    _start_from_its_dialog(window, loop, monkeypatch, window.start_csms, listen="127.0.0.1:0")
    assert window.caution_label.isVisible()
    assert "reachable from the network" in window.caution_label.text()
    window.stop_mode()
    run_until(loop, lambda: window.mode_label.text() == "Stopped")
    assert not window.caution_label.isVisible()


def test_the_status_bar_shows_insecure_and_no_password(window, loop, monkeypatch):
    _start_from_its_dialog(window, loop, monkeypatch, window.start_proxy,
                           listen="127.0.0.1:0", insecure=True,
                           upstream="wss://user:hunter2@127.0.0.1:1/ocpp")
    assert window.caution_label.text().startswith("⚠ certificate checks are off")
    assert "reachable" not in window.caution_label.text()
    assert "wss://user:***@127.0.0.1:1/ocpp" in window.mode_label.text()
    assert "hunter2" not in window.mode_label.text() + window.caution_label.text()


def test_the_capture_guard_is_made_when_first_needed_and_takes_the_captures_menu(
        qtbot, loop):
    from widgets.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    window.notices.headless = True
    file_menu = window.menuBar().actions()[0].menu()
    assert window.captures_menu in [action.menu() for action in file_menu.actions()]
    assert window.captures_menu.in_use() == set()
    assert window._capture_guard is None
    guard = window.capture_guard
    assert guard is window.capture_guard  # made once
    assert guard.captures_menu is window.captures_menu and guard.headless
    assert guard.folder == window.captures_menu.folder
    window.close()  # nothing was recorded: nothing to ask


def test_closing_a_window_that_recorded_nothing_makes_no_guard(qtbot, loop):
    from widgets.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    window.close()
    assert not window.isVisible() and window._capture_guard is None


# loaded when a mode starts or a tab is first shown, never to show the window: each was a
# visible part of the start-up (tests/benchmarks/startup.py measures it)
LOADED_LATER = ("websockets", "app.net.proxy", "app.net.splice", "app.net.csms",
                "app.net.station", "app.net.peer", "app.net.intercept", "app.settings",
                "app.replay.run", "app.session.parallel", "app.session.parallel_worker",
                "app.session.plain_merge", "multiprocessing", "pygments",
                "PySide6.QtCharts", "widgets.station_view", "widgets.transactions_view",
                "widgets.schedule_view", "widgets.composer", "widgets.reference_view")
# loaded with the workspace (`widgets.workspace`) or the first capture, which the welcome
# page does not need: the capture and its judging (frame checker, schemas, rules, state
# tracker), the filter language, session reading and recording, and the workspace's widgets
LOADED_WITH_THE_WORKSPACE = (
    "app.session.capture", "widgets.capture_guard", "app.session.captures",
    "widgets.runner", "widgets.engine", "widgets.redact_export",
    "app.ocpp.checker", "app.ocpp.validation",
    "app.ocpp.schema_compiler", "app.ocpp.schema_walk", "app.ocpp.rules",
    "app.ocpp.smart_charging", "app.ocpp.frames", "app.state.tracker", "app.state.model",
    "app.session.filters", "app.query", "app.session.loader", "app.session.recording",
    "app.session.message", "widgets.workspace", "widgets.workbench", "widgets.timeline",
    "widgets.detail", "widgets.expert_info", "widgets.playback", "widgets.filter_bar",
    "widgets.stations_panel", "widgets.colouring", "widgets.session_io")
SHOW_THE_WINDOW = """
import asyncio, json, os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
import qasync
from PySide6.QtWidgets import QApplication
from widgets.app import apply_theme
from widgets.main_window import MainWindow
app = QApplication([])
apply_theme(app)
asyncio.set_event_loop(qasync.QEventLoop(app))
window = MainWindow()
window.show()
app.processEvents()
print(json.dumps({"built": window.workspace_built, "modules": sorted(sys.modules)}))
"""


def test_showing_the_window_loads_no_network_engine_charts_or_hidden_tabs(tmp_path):
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path),
           "PYTHONPATH": str(root)}
    done = subprocess.run([sys.executable, "-c", SHOW_THE_WINDOW], capture_output=True,
                          text=True, env=env, cwd=root, timeout=120)
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout.strip().splitlines()[-1])
    loaded = set(shown["modules"])
    assert "widgets.main_window" in loaded and "widgets.welcome" in loaded
    assert sorted(name for name in LOADED_LATER if name in loaded) == []
    assert not shown["built"]
    assert sorted(name for name in LOADED_WITH_THE_WORKSPACE if name in loaded) == []
