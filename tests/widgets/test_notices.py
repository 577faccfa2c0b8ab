"""Notices: dialogs for a person at the window, one stderr line each when headless."""

import pytest
from PySide6.QtWidgets import QMainWindow

from widgets.notices import Notices


@pytest.fixture
def main_window(qtbot):
    window = QMainWindow()
    qtbot.addWidget(window)
    return window


def test_headless_error_is_one_line_on_stderr_and_marks_failure(main_window, capsys,
                                                                  no_message_boxes):
    notices = Notices(main_window, headless=True)
    notices.error("s.jsonl: the file is empty")
    assert capsys.readouterr().err == "ocppscope: s.jsonl: the file is empty\n"
    assert notices.failed
    # a screenshot of the window says it too
    assert main_window.statusBar().currentMessage() == "s.jsonl: the file is empty"


def test_headless_warning_names_its_first_detail_and_is_no_failure(main_window, capsys,
                                                                     no_message_boxes):
    notices = Notices(main_window, headless=True)
    notices.warning("Some lines were skipped", "s.jsonl: 2 damaged lines skipped",
                    ["line 3: not JSON", "line 9: torn"])
    assert capsys.readouterr().err == (
        "ocppscope: s.jsonl: 2 damaged lines skipped (first: line 3: not JSON)\n")
    assert not notices.failed


def test_headless_text_with_line_breaks_stays_one_line(main_window, capsys, no_message_boxes):
    notices = Notices(main_window, headless=True)
    notices.error("bad\nname.jsonl: the file\r\nis empty")
    notices.note("x.jsonl:\nno records")
    assert capsys.readouterr().err.splitlines() == [
        "ocppscope: bad name.jsonl: the file is empty", "ocppscope: x.jsonl: no records"]


def test_at_the_window_an_error_is_a_dialog(main_window, dialogs, capsys):
    notices = Notices(main_window)
    notices.error("s.jsonl: the file is empty")
    assert dialogs == [("warning", "s.jsonl: the file is empty")]
    assert capsys.readouterr().err == "" and not notices.failed


def test_at_the_window_a_warning_lists_its_details(main_window, dialogs):
    Notices(main_window).warning("Skipped", "2 lines skipped", ["line 3: a", "line 9: b"])
    assert dialogs == [("information", "2 lines skipped\n\nline 3: a\nline 9: b")]


def test_at_the_window_a_note_goes_to_the_status_bar(main_window, dialogs):
    Notices(main_window).note("x.jsonl: no records")
    assert main_window.statusBar().currentMessage() == "x.jsonl: no records"
    assert dialogs == []
