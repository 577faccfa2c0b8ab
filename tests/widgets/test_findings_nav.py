"""F8 / Shift+F8: the next / previous invalid frame in the timeline, wrapping around, with
a word in the status bar when there is none; a record chosen elsewhere is selected even
when a filter hid it, and the status bar says the filter went."""

import pytest
from PySide6.QtCore import Qt

from app.ocpp.conversation import Direction
from app.session.capture import Capture
from app.session.message import frame_message
from tests.factories import write_session
from tests.widgets.conftest import open_judged
from widgets.findings_nav import FindingJumps
from widgets.timeline import TimelineModel

UP = Direction.STATION_TO_CSMS
VALID = '[2,"{n}","Heartbeat",{{}}]'
INVALID = '[2,"{n}","Heartbeat",{{"unexpected":1}}]'
BAD_ROWS = (2, 5, 8)   # rows (and seq - 1) of the invalid frames


def records(count=10, bad=BAD_ROWS):
    return [frame_message(n + 1, (INVALID if n in bad else VALID).format(n=n),
                          connection="c1", station="CP1" if n < 6 else "CP2", direction=UP,
                          time=1.7e9 + n, monotonic=float(n)) for n in range(count)]


class Harness:
    """A timeline model and the jumps over it, with the selection and notes recorded."""

    def __init__(self, messages, rows=None):
        self.capture = Capture()
        self.capture.adopt(messages)
        while self.capture.annotate():
            pass
        self.model = TimelineModel()
        self.model.set_capture(self.capture, rows, live=False)
        self.row = None
        self.notes = []
        self.jumps = FindingJumps(self.model, lambda: self.row, self.select, self.select_seq,
                                  self.notes.append)

    def select(self, row):
        self.row = row

    def select_seq(self, seq):
        self.model.set_rows(range(len(self.capture.messages)))   # as the window: unfilter
        self.row = self.model.row_of_position(self.capture.index_of(seq))
        return True


def test_f8_goes_to_each_invalid_frame_then_wraps_with_a_note():
    harness = Harness(records())
    seen = []
    for _ in range(4):
        harness.jumps.next_invalid()
        seen.append(harness.row)
    assert seen == [2, 5, 8, 2]
    assert harness.notes == ["wrapped around to the first invalid frame"]


def test_shift_f8_goes_backwards_and_wraps_to_the_last():
    harness = Harness(records())
    harness.row = 4
    seen = []
    for _ in range(3):
        harness.jumps.previous_invalid()
        seen.append(harness.row)
    assert seen == [2, 8, 5]
    assert harness.notes == ["wrapped around to the last invalid frame"]


def test_without_a_selection_f8_starts_at_the_top_and_shift_f8_at_the_bottom():
    harness = Harness(records())
    harness.jumps.next_invalid()
    assert harness.row == 2
    harness.row = None
    harness.jumps.previous_invalid()
    assert harness.row == 8 and harness.notes == []


def test_no_invalid_frame_is_said_in_the_status_bar():
    harness = Harness(records(bad=()))
    harness.jumps.next_invalid()
    assert harness.row is None and harness.notes == ["no invalid frame in this capture"]


def test_the_only_invalid_frame_says_so():
    harness = Harness(records(bad=(3,)))
    harness.jumps.next_invalid()
    harness.jumps.next_invalid()
    assert harness.row == 3 and harness.notes == ["this is the only invalid frame shown"]


def test_invalid_frames_the_filter_hides_are_skipped_or_reported():
    harness = Harness(records(), rows=[0, 1, 3, 4, 5, 6, 7])   # hides positions 2 and 8
    harness.jumps.next_invalid()
    assert harness.model.message_at(harness.row).seq == 6
    only_valid = Harness(records(), rows=[0, 1, 3])
    only_valid.jumps.next_invalid()
    assert only_valid.row is None
    assert only_valid.notes == ["3 invalid frames, none among the rows shown: clear the "
                                "filter to see them"]


def test_a_chosen_record_hidden_by_the_filter_is_shown_and_the_filter_cleared():
    harness = Harness(records(), rows=[0, 1])
    harness.jumps.show_record(9)
    assert harness.model.message_at(harness.row).seq == 9
    assert harness.notes == ["the filter hid record #9: it was cleared to show it"]
    harness.jumps.show_record(1)
    assert len(harness.notes) == 1   # shown already: nothing to say
    harness.jumps.show_record(99)
    assert harness.notes[-1] == "record #99 is not in this capture"


@pytest.fixture
def session_with_invalid_frames(tmp_path):
    return write_session(tmp_path / "invalid.jsonl", list(records()))


def test_f8_and_shift_f8_in_the_window(window, qtbot, session_with_invalid_frames):
    open_judged(window, qtbot, session_with_invalid_frames)
    window.activateWindow()
    qtbot.waitUntil(lambda: window.isActiveWindow())
    qtbot.keyClick(window.table, Qt.Key.Key_F8)
    assert window.detail.message.seq == 3
    qtbot.keyClick(window.table, Qt.Key.Key_F8, Qt.KeyboardModifier.ShiftModifier)
    assert window.detail.message.seq == 9
    assert "wrapped around" in window.statusBar().currentMessage()
    view = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    names = [a.text() for a in view.actions()]
    assert {"Next invalid frame", "Previous invalid frame"} <= set(names)
