"""Never losing a capture: each live mode records from its first frame, and quitting, opening
or starting another mode asks first (Save… / Discard / Cancel) while records are unsaved."""

import pytest
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QFileDialog, QMessageBox

from app.net.csms import CsmsConfig, CsmsEndpoint
from app.net.policy import ResponsePolicy
from app.session import sessionfile as sessionfile_module
from app.session.capture import Capture
from app.session.captures import parse_name
from app.session.filters import RecordFilter
from app.session.live_store import LiveStore
from app.session.message import RecordKind
from app.session.sessionfile import SessionReader, SessionWriter
from tests.net.peers import OcppCsmsServer
from tests.session.fake_disk import SmallDisk
from tests.widgets.conftest import run_until
from tests.widgets.test_composer import booted_station
from tests.widgets.test_main_window import write_session
from widgets import capture_guard as guard_module
from widgets import dialogs as dialogs_module

SAVE = QMessageBox.StandardButton.Save
DISCARD = QMessageBox.StandardButton.Discard
CANCEL = QMessageBox.StandardButton.Cancel


def start_from_dialog(window, loop, monkeypatch, start, **texts):
    """Run `start` (window.start_csms...) with its dialog filled in from `texts`."""
    def fill(dialog):
        for name, value in texts.items():
            dialog.editors[name].setText(value)
        return True

    monkeypatch.setattr(dialogs_module.ModeDialog, "exec", fill)
    start()
    run_until(loop, lambda: window.runner.running is not None)


def records_at_least(window, loop, count, timeout=30):
    run_until(loop, lambda: len(window.capture.messages) >= count, timeout=timeout)


def close_window(window, loop, qapp, done=lambda window: not window.isVisible()):
    """Ask the window to close and run until `done` (it closed, by default)."""
    qapp.setQuitOnLastWindowClosed(False)  # the test's loop must outlive the window
    try:
        window.close()
        run_until(loop, lambda: done(window))
    finally:
        qapp.setQuitOnLastWindowClosed(True)


def settled(window):
    guard = window.capture_guard
    return not guard.recording_open and not window.runner.busy


def choose_save_path(monkeypatch, path):
    chosen = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *args: chosen.append(args[2]) or (str(path), ""))
    return chosen


def automatic_file(window, mode):
    """The file the running mode records to: in the test's captures folder, named after
    when it started and in which mode."""
    path = window.capture_guard.file
    assert path is not None and path.parent == window.capture_guard.folder
    assert parse_name(path.name)[1] == mode
    assert window.capture_guard.auto
    return path


def quit_saving_everything(window, loop, qapp, questions, monkeypatch, tmp_path, mode):
    """Quit, answer Save… with a path, and find every record of the run in that file."""
    auto = automatic_file(window, mode)
    assert SessionReader.open(auto).header["mode"] == mode  # on disk from the start
    target = tmp_path / f"{mode}-kept.jsonl"
    suggested = choose_save_path(monkeypatch, target)
    questions.answer = SAVE
    close_window(window, loop, qapp)
    assert len(questions) == 1
    assert questions[0].startswith("Save the ") and questions[0].endswith(
        " records captured before quitting?")
    assert suggested[0].endswith(auto.name)
    saved = list(SessionReader.open(target))
    # every record, those of the stop itself included
    assert [m.seq for m in saved] == [m.seq for m in window.capture.messages]
    assert not auto.exists()  # moved, not copied
    assert str(target.resolve()) in window.recent.paths()


# --- each mode ------------------------------------------------------------------------------


def test_the_demo_is_recorded_and_quitting_saves_it(window, loop, qapp, questions,
                                                    monkeypatch, tmp_path):
    window.start_demo()
    records_at_least(window, loop, 8)
    quit_saving_everything(window, loop, qapp, questions, monkeypatch, tmp_path, "demo")


def test_the_proxy_is_recorded_and_quitting_saves_it(window, loop, qapp, questions,
                                                     monkeypatch, tmp_path):
    server = OcppCsmsServer()
    loop.run_until_complete(server.__aenter__())
    try:
        start_from_dialog(window, loop, monkeypatch, window.start_proxy,
                          listen="127.0.0.1:0", upstream=server.url)
        url = window.runner.running.component.url
        ws, task = loop.run_until_complete(booted_station(f"{url}/CP-P1"))
        records_at_least(window, loop, 3)
        quit_saving_everything(window, loop, qapp, questions, monkeypatch, tmp_path, "proxy")
        task.cancel()
        loop.run_until_complete(ws.close())
    finally:
        loop.run_until_complete(server.__aexit__(None, None, None))


def test_the_csms_is_recorded_and_quitting_saves_it(window, loop, qapp, questions,
                                                    monkeypatch, tmp_path):
    start_from_dialog(window, loop, monkeypatch, window.start_csms, listen="127.0.0.1:0")
    url = window.runner.running.component.url
    ws, task = loop.run_until_complete(booted_station(f"{url}/CP-C1"))
    records_at_least(window, loop, 3)
    quit_saving_everything(window, loop, qapp, questions, monkeypatch, tmp_path, "csms")
    task.cancel()
    loop.run_until_complete(ws.close())


def test_the_station_is_recorded_and_quitting_saves_it(window, loop, qapp, questions,
                                                       monkeypatch, tmp_path):
    csms = CsmsEndpoint(CsmsConfig(port=0), Capture(), ResponsePolicy())
    loop.run_until_complete(csms.start())
    try:
        start_from_dialog(window, loop, monkeypatch, window.start_station,
                          csms=csms.url, station_id="CP-S1")
        run_until(loop, lambda: window.runner.running.component.booted.is_set())
        records_at_least(window, loop, 3)
        quit_saving_everything(window, loop, qapp, questions, monkeypatch, tmp_path,
                               "station")
    finally:
        loop.run_until_complete(csms.stop())


# --- the answers --------------------------------------------------------------------------


def test_cancel_keeps_the_window_open_and_the_mode_running(window, loop, qapp, questions):
    window.start_demo()
    records_at_least(window, loop, 3)
    questions.answer = CANCEL
    window.close()
    assert questions and window.isVisible()
    assert window.runner.running is not None and window.capture_guard.recording is not None


def test_discard_deletes_the_automatic_file(window, loop, qapp, questions):
    window.start_demo()
    records_at_least(window, loop, 3)
    auto = automatic_file(window, "demo")
    questions.answer = DISCARD
    close_window(window, loop, qapp)
    assert questions and not auto.exists()


def test_discard_after_another_file_took_the_recordings_name_leaves_that_file_alone(
        window, loop, qapp, questions):
    window.start_demo()
    records_at_least(window, loop, 3)
    auto = automatic_file(window, "demo")
    run_until(loop, lambda: window.capture.messages.held < len(window.capture.messages))
    auto.unlink()                                   # a cleanup deleted it mid-run
    auto.write_text("someone else's\n")            # and another file took the name
    sibling = auto.with_name(auto.stem + ".restored.jsonl")
    window.stop_mode()
    run_until(loop, lambda: settled(window))
    assert window.capture_guard.file == sibling and sibling.exists()
    assert str(sibling) in window.statusBar().currentMessage()
    questions.answer = DISCARD
    close_window(window, loop, qapp)
    assert auto.read_text() == "someone else's\n" and not sibling.exists()


def test_stopping_then_quitting_still_asks_and_save_moves_the_file(
        window, loop, qapp, questions, monkeypatch, tmp_path):
    window.start_demo()
    records_at_least(window, loop, 5)
    auto = automatic_file(window, "demo")
    window.stop_mode()
    run_until(loop, lambda: settled(window))
    assert "recorded" in window.statusBar().currentMessage()  # the recording's summary
    inode = auto.stat().st_ino
    target = tmp_path / "moved.jsonl"
    choose_save_path(monkeypatch, target)
    questions.answer = SAVE
    close_window(window, loop, qapp)
    assert target.stat().st_ino == inode and not auto.exists()  # the same file, renamed
    assert len(list(SessionReader.open(target))) == len(window.capture.messages)


def test_headless_runs_are_never_asked_and_keep_the_automatic_file(window, loop, qapp):
    window.start_demo()
    records_at_least(window, loop, 3)
    auto = automatic_file(window, "demo")
    window.capture_guard.headless = True
    close_window(window, loop, qapp)  # a question would fail the test
    assert len(list(SessionReader.open(auto))) == len(window.capture.messages)


def test_a_run_without_records_asks_nothing_and_leaves_no_file(window, loop, qapp,
                                                               monkeypatch):
    start_from_dialog(window, loop, monkeypatch, window.start_csms, listen="127.0.0.1:0")
    auto = automatic_file(window, "csms")
    close_window(window, loop, qapp)  # a question would fail the test
    assert not auto.exists()


# --- other actions that would replace the capture -------------------------------------------


def test_opening_a_session_while_unsaved_asks_first(window, loop, qtbot, questions,
                                                    tmp_path):
    other = tmp_path / "other.jsonl"
    write_session(other, count=5)
    window.start_demo()
    records_at_least(window, loop, 3)
    window.stop_mode()
    run_until(loop, lambda: settled(window))
    live = window.capture
    questions.answer = CANCEL
    window.open_session(str(other))
    assert questions == [f"Save the {len(live.messages):,} records captured before opening "
                         "another session?"]
    assert window.capture is live  # cancelled: nothing opened
    questions.answer = DISCARD
    with qtbot.waitSignal(window.load_finished, timeout=20000):
        window.open_session(str(other))
    assert len(window.capture.messages) == 10


def test_the_open_dialog_asks_before_choosing_a_file(window, loop, questions, monkeypatch):
    window.start_demo()
    records_at_least(window, loop, 3)
    window.stop_mode()
    run_until(loop, lambda: settled(window))
    chosen = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        lambda *args: chosen.append(args[1]) or ("", ""))
    questions.answer = CANCEL
    window.open_dialog()
    assert len(questions) == 1 and chosen == []
    questions.answer = DISCARD
    window.open_dialog()
    assert len(questions) == 2 and chosen == ["Open a session"]


def test_starting_another_mode_while_unsaved_asks_first(window, loop, questions,
                                                        monkeypatch):
    window.start_demo()
    records_at_least(window, loop, 3)
    window.stop_mode()
    run_until(loop, lambda: settled(window))
    first = automatic_file(window, "demo")
    questions.answer = CANCEL
    start_dialogs = []
    monkeypatch.setattr(dialogs_module.ModeDialog, "exec", lambda dialog: (
        start_dialogs.append(dialog.mode), dialog.editors["listen"].setText("127.0.0.1:0"),
        True)[-1])
    window.start_csms()
    assert questions[-1].endswith("before starting a new capture?")
    assert window.runner.running is None and first.exists()
    questions.answer = DISCARD
    window.start_csms()
    run_until(loop, lambda: window.runner.running is not None)
    assert start_dialogs == ["csms", "csms"] and not first.exists()
    assert automatic_file(window, "csms") != first


# --- a file the user names ----------------------------------------------------------------


def test_a_record_to_file_is_used_and_counts_as_saved(window, loop, qapp, monkeypatch,
                                                      tmp_path):
    chosen = tmp_path / "site-visit.jsonl"
    start_from_dialog(window, loop, monkeypatch, window.start_csms, listen="127.0.0.1:0",
                      record=str(chosen))
    assert window.capture_guard.file == chosen and not window.capture_guard.auto
    url = window.runner.running.component.url
    ws, task = loop.run_until_complete(booted_station(f"{url}/CP-R1"))
    records_at_least(window, loop, 3)
    close_window(window, loop, qapp)  # saved already: a question would fail the test
    reader = SessionReader.open(chosen)
    assert reader.header["mode"] == "csms" and reader.header["listen"] == "127.0.0.1:0"
    assert [m.seq for m in reader] == [m.seq for m in window.capture.messages]
    assert list(window.capture_guard.folder.glob("*.jsonl")) == []  # no automatic file
    task.cancel()
    loop.run_until_complete(ws.close())


def test_a_record_to_file_that_cannot_be_written_stops_the_start(window, dialogs,
                                                                 monkeypatch, tmp_path):
    chosen = tmp_path / "no" / "such" / "folder.jsonl"
    monkeypatch.setattr(dialogs_module.ModeDialog, "exec", lambda dialog: (
        dialog.editors["listen"].setText("127.0.0.1:0"),
        dialog.editors["record"].setText(str(chosen)), True)[-1])
    window.start_csms()
    assert dialogs == [("warning", f"cannot write '{chosen}': No such file or directory")]
    assert not window.runner.busy and window.capture_guard.file is None


# --- when recording fails -------------------------------------------------------------------


@pytest.fixture
def small_disk(monkeypatch):
    """The window records to a disk with little room, which the test can enlarge (the
    recording's writer is looked up when it starts; saving keeps the real disk)."""
    disk = SmallDisk(free=1500)
    monkeypatch.setattr(sessionfile_module, "SessionWriter",
                        lambda path, header: SessionWriter(path, header, stream=disk))
    return disk


def test_a_full_disk_shows_the_banner_then_its_resume_and_save_writes_everything(
        window, loop, qapp, questions, monkeypatch, tmp_path, small_disk):
    banner = window.capture_guard.banner
    window.start_demo()
    run_until(loop, lambda: banner.isVisible() and banner.failing, timeout=30)
    assert banner.text().startswith("Recording stopped: disk full")
    assert "forwarding goes on" in banner.text()
    small_disk.free = 1 << 24
    run_until(loop, lambda: "resumed" in banner.text(), timeout=30)
    assert not banner.failing
    records_at_least(window, loop, 12)
    target = tmp_path / "everything.jsonl"
    choose_save_path(monkeypatch, target)
    questions.answer = SAVE
    close_window(window, loop, qapp)
    # the automatic file has a gap; the saved one has every record, written from memory
    saved = list(SessionReader.open(target))
    assert [m.seq for m in saved] == [m.seq for m in window.capture.messages]


def test_a_captures_folder_that_cannot_be_written_keeps_the_records_in_memory(
        window, loop, qapp, questions, monkeypatch, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    window.capture_guard.folder = blocker / "captures"
    window.start_demo()
    banner = window.capture_guard.banner
    assert banner.isVisible() and banner.text().startswith("Not recording: cannot write")
    records_at_least(window, loop, 5)
    target = tmp_path / "from-memory.jsonl"
    choose_save_path(monkeypatch, target)
    questions.answer = SAVE
    close_window(window, loop, qapp)
    assert len(list(SessionReader.open(target))) == len(window.capture.messages)


def test_the_question_says_where_the_records_are(window, loop):
    window.start_demo()
    records_at_least(window, loop, 3)
    box = window.capture_guard.question("quitting")
    auto = window.capture_guard.file
    assert box.informativeText() == f"They are recorded in {auto}, which Discard deletes."
    assert box.button(SAVE).text() == "Save…"
    assert {box.standardButton(b) for b in box.buttons()} == {SAVE, DISCARD, CANCEL}


def test_saving_to_another_disk_copies_into_a_private_file(tmp_path, monkeypatch,
                                                           usual_umask):
    import errno
    import os

    source, target = tmp_path / "auto.jsonl", tmp_path / "elsewhere.jsonl"
    source.write_bytes(b"x" * 3_000_000)

    def across_disks(_source, _target):
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(guard_module.os, "replace", across_disks)
    guard_module.move_private(source, target)
    assert not source.exists() and target.read_bytes() == b"x" * 3_000_000
    assert os.stat(target).st_mode & 0o777 == 0o600


def test_saving_onto_something_that_is_not_a_file_is_refused(window, loop, dialogs,
                                                             tmp_path):
    window.start_demo()
    records_at_least(window, loop, 3)
    window.stop_mode()
    run_until(loop, lambda: settled(window))
    auto = window.capture_guard.file
    window.save_session(str(tmp_path))  # a folder
    assert dialogs[-1][1] == (f"cannot save to '{tmp_path}': not a regular file; the "
                              f"records are still in {auto}")
    assert auto.exists()


def test_a_live_run_shows_its_records_read_back_from_its_recording(window, loop, qtbot):
    window.start_demo()
    QAbstractItemModelTester(window.model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    records_at_least(window, loop, 12)
    store = window.capture.messages
    assert isinstance(store, LiveStore) and store.path == automatic_file(window, "demo")
    run_until(loop, lambda: store.held < len(store) and window.model.rowCount() >= 12)
    # the oldest records are written: the rows and the details read them from the file
    assert window.model.message_at(0).kind is RecordKind.OPENED
    boot = next(row for row in range(window.model.rowCount())
                if window.model.message_at(row).action == "BootNotification")
    window.select_row(boot)
    assert '"BootNotification"' in window.detail.raw.toPlainText()
    assert window.detail.pair is not None  # its answer, found and read back too
    with qtbot.waitSignal(window.filtered, timeout=20000):
        window.apply_filter(RecordFilter(text="bootnotification"))
    assert {window.model.message_at(row).action
            for row in range(window.model.rowCount())} == {"BootNotification"}


def test_a_saved_live_run_reads_its_records_from_where_it_was_saved(window, loop, tmp_path):
    window.start_demo()
    records_at_least(window, loop, 6)
    auto = automatic_file(window, "demo")
    window.stop_mode()
    run_until(loop, lambda: settled(window))
    store = window.capture.messages
    assert store.held == 0  # every record written: memory holds the index alone
    target = tmp_path / "kept.jsonl"
    window.save_session(str(target))  # File > Save session… moves the recording
    assert target.exists() and not auto.exists() and store.path == target
    window.select_row(1)
    assert window.detail.message.seq == store.seqs[1]
    assert window.detail.raw.toPlainText()  # read back from the file where it went
    assert [m.seq for m in SessionReader.open(target)] == list(store.seqs)
