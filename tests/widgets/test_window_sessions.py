"""Opening files that are not a good session, in the window: a clear sentence each time,
as a dialog (or a status bar note) for a person, as one stderr line when headless, and never
a modal box nobody can click away."""

import sys
from pathlib import Path

import pytest

from tests.widgets.bad_files import BAD_FILES, BadFile
from tests.widgets.conftest import open_judged


def _open(window, qtbot, bad: BadFile, tmp_path) -> str:
    path = tmp_path / f"{bad.name}.jsonl"
    bad.make(path)
    if bad.opens:
        open_judged(window, qtbot, path)
    else:
        window.open_session(str(path))
    shown = window.workbench if bad.opens else window.welcome
    assert window.pages.currentWidget() is shown
    assert window.model.rowCount() == bad.rows
    return str(path)


@pytest.mark.parametrize("bad", BAD_FILES, ids=lambda bad: bad.name)
def test_headless_a_bad_file_is_one_stderr_line_and_no_message_box(
        window, qtbot, tmp_path, capsys, no_message_boxes, bad):
    window.notices.headless = True
    path = _open(window, qtbot, bad, tmp_path)
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"ocppscope: {path}: ")
    assert bad.words in lines[0]
    assert window.notices.failed is not bad.opens  # what opened is no failure


@pytest.mark.parametrize("bad", BAD_FILES, ids=lambda bad: bad.name)
def test_at_the_window_a_bad_file_is_told_in_a_sentence(window, qtbot, tmp_path, dialogs,
                                                        bad):
    path = _open(window, qtbot, bad, tmp_path)
    told = [text for _, text in dialogs] or [window.statusBar().currentMessage()]
    assert len(told) == 1 and told[0].startswith(f"{path}: ") and bad.words in told[0]
    assert "Traceback" not in told[0]


def test_a_damaged_file_lists_each_skipped_line_in_its_dialog(window, qtbot, tmp_path,
                                                              dialogs):
    _open(window, qtbot, BAD_FILES[0], tmp_path)
    [(kind, text)] = dialogs
    assert kind == "information"
    assert kind == "information"
    assert "line 7: skipped, not a valid record (not JSON" in text
    assert "line 15: incomplete last line ignored" in text


def test_headless_an_unreadable_file_is_one_stderr_line(window, tmp_path, capsys,
                                                        no_message_boxes, monkeypatch):
    # chmod would not stop a test run as root: the file system's refusal is played instead
    path = tmp_path / "locked.jsonl"
    path.write_text('[2,"1","Heartbeat",{}]\n', encoding="utf-8")
    real_open = Path.open

    def refuse(self, *args, **kwargs):
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refuse)
    window.notices.headless = True
    window.open_session(str(path))
    assert capsys.readouterr().err == f"ocppscope: {path}: cannot read (Permission denied)\n"
    assert window.notices.failed and window.pages.currentWidget() is window.welcome


def test_a_bug_while_opening_is_a_sentence_not_a_traceback(window, tmp_path, dialogs,
                                                           monkeypatch, caplog):
    from app.session.loader import SessionLoader

    def fail(path, **kwargs):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(SessionLoader, "open", fail)
    window.open_session(str(tmp_path / "s.jsonl"))
    assert dialogs == [("warning", f"{tmp_path / 's.jsonl'}: cannot be opened "
                                   "(maximum recursion depth exceeded)")]
    assert "opening" in caplog.text  # the trace is for the log, not for the user
    assert window.pages.currentWidget() is window.welcome


def test_a_log_of_another_implementation_opens_with_its_import_notes(window, qtbot, tmp_path,
                                                                      dialogs):
    path = tmp_path / "steve.log"   # the content decides, not the name
    path.write_text("[chargeBoxId=cp1, sessionId=s] Received: [2,\"1\",\"Heartbeat\",{}]\n"
                    "server started\n"
                    "[chargeBoxId=cp1, sessionId=s] Sending: [3,\"1\",{\"currentTime\":"
                    "\"2024-05-01T10:00:00Z\"}]\n", encoding="utf-8")
    open_judged(window, qtbot, path)
    assert window.model.rowCount() == 2 and window.capture.pair_of(1) == 2
    assert dialogs == []   # no box to click away: the notes stay in the Import tab
    text = window.statusBar().currentMessage()
    assert "read as SteVe WebSocketLogger logs" in text
    assert "no times for any frame" in text   # the summary says which checks did not run
    assert "the Import tab lists its" in text
    notes = window.import_info.model
    assert [notes.data(notes.index(0, column)) for column in range(2)] == [
        "line 2", "no OCPP frame, skipped: server started"]


class EndlessInput:
    """A standard input that never ends (a terminal nobody types in): any read would hang."""

    @property
    def buffer(self):
        raise AssertionError("standard input was read")


def test_headless_a_dash_is_refused_in_one_line_without_reading_standard_input(
        window, capsys, no_message_boxes, monkeypatch):
    monkeypatch.setattr(sys, "stdin", EndlessInput())
    window.notices.headless = True
    window.open_session("-")
    assert capsys.readouterr().err == (
        "ocppscope: -: the window does not read standard input; save it to a file and open "
        "that (ocppscope convert - FILE.jsonl makes a session of it)\n")
    assert window.notices.failed and window.pages.currentWidget() is window.welcome
