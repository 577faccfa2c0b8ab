import time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView

from app.ocpp.conversation import Direction
from app.session.capture import Annotation, Capture
from app.session.message import RecordKind, frame_message, gap_record
from widgets.bridge import CaptureBridge
from widgets.timeline import (
    ACTION,
    INFO,
    MESSAGE_ID,
    RTT,
    STATION,
    TIME,
    TYPE,
    UNANSWERED,
    VALID,
    TimelineModel,
)
from widgets.timeline_columns import ColumnFitter

UP, DOWN = Direction.STATION_TO_CSMS, Direction.CSMS_TO_STATION


def fill(capture):
    capture.event(RecordKind.OPENED, "c1", "CP1", {"subprotocol": "ocpp2.0.1"})
    capture.frame("c1", "CP1", UP, '[2,"1","Heartbeat",{}]')
    capture.frame("c1", "CP1", DOWN, '[3,"1",{"currentTime":"2024-01-01T00:00:00Z"}]')
    capture.frame("c1", "CP1", UP, '[2,"2","Authorize",{"idToken":{"idToken":"X",'
                                   '"type":"iso14443"}}]')
    capture.frame("c1", "CP1", UP, "not json")


def test_model_over_a_capture_passes_qt_model_checks(qtmodeltester):
    capture = Capture()
    fill(capture)
    model = TimelineModel()
    model.set_capture(capture)
    qtmodeltester.check(model)
    text = [[model.data(model.index(r, c)) for c in (TYPE, ACTION, VALID)]
            for r in range(model.rowCount())]
    assert text == [["connected", "subprotocol ocpp2.0.1", ""],
                    ["CALL", "Heartbeat", "✓"], ["RESULT", "Heartbeat", "✓"],
                    ["CALL", "Authorize", "✗ 1"], ["MALFORMED", "", "✗"]]
    assert model.data(model.index(2, RTT)).endswith(" ms")
    assert "ISO14443" in model.data(model.index(3, 0), role=3)  # tooltip: the finding


def test_bridge_delivers_records_in_batches(qtbot):
    capture = Capture()
    bridge = CaptureBridge(interval_ms=20)
    bridge.attach(capture)
    batches = []
    bridge.batch.connect(batches.append)
    with qtbot.waitSignal(bridge.batch, timeout=2000):
        fill(capture)
    assert len(batches) == 1 and len(batches[0]) == 5
    bridge.paused = True
    fill(capture)
    bridge.flush()
    assert len(batches) == 1 and bridge.pending == 5
    bridge.paused = False
    bridge.flush()
    assert len(batches) == 2 and bridge.pending == 0


def test_appending_and_filtered_rows(qtmodeltester):
    capture = Capture()
    fill(capture)
    model = TimelineModel()
    model.set_capture(capture, rows=[])
    model.append_positions([1, 3])
    assert model.rowCount() == 2
    assert model.message_at(1).action == "Authorize"
    assert model.row_of_position(3) == 1 and model.row_of_position(2) is None
    qtmodeltester.check(model)


def loaded_model():
    """A timeline over a loaded session (the records `fill` makes) not judged yet; the
    capture, to judge it, and the model."""
    source = Capture()
    fill(source)
    loaded = Capture()
    loaded.adopt(list(source.messages))
    model = TimelineModel()
    model.set_capture(loaded, live=False)
    return loaded, model


def test_loaded_records_show_pending_verdicts_until_judged():
    loaded, model = loaded_model()
    assert model.data(model.index(1, VALID)) == "…"
    while loaded.annotate():
        pass
    assert model.data(model.index(3, VALID)) == "✗ 1"


def test_a_gap_in_a_recording_shows_as_a_row_that_says_so(qtmodeltester):
    capture = Capture()
    fill(capture)
    capture.adopt([gap_record(1234, 6, 1239, "disk full (No space left on device)")])
    model = TimelineModel()
    model.set_capture(capture)
    qtmodeltester.check(model)
    row = model.rowCount() - 1
    assert [model.data(model.index(row, c)) for c in (TYPE, ACTION, MESSAGE_ID, VALID)] == [
        "gap", "1,234 records not recorded", "", ""]
    assert model.data(model.index(row, INFO)) == (
        "1234 records not recorded (seq 6–1239): disk full (No space left on device)")
    assert "seq 6 to 1239" in model.data(model.index(row, 0), role=3)  # the tooltip


def test_the_info_column_says_what_each_record_is_about():
    capture = Capture()
    fill(capture)
    model = TimelineModel()
    model.set_capture(capture)
    info = [model.data(model.index(r, INFO)) for r in range(model.rowCount())]
    assert info[0] == "subprotocol ocpp2.0.1"
    assert info[2] == "currentTime=2024-01-01T00:00:00Z"
    assert info[3].startswith("idToken.type: ") and info[3].endswith("[schema.enum]")
    assert info[4].startswith("not valid JSON")
    assert model.data(model.index(2, 0), role=3) == info[2]   # tooltip: the whole line


def test_info_lines_are_derived_once_not_on_every_paint():
    capture = Capture()
    fill(capture)
    model = TimelineModel()
    model.set_capture(capture)
    for _ in range(5):
        for row in range(model.rowCount()):
            model.data(model.index(row, INFO))
            model.data(model.index(row, INFO), role=3)
    assert model.info.derived == model.rowCount()


def test_a_loaded_record_gets_its_reason_once_judged():
    loaded, model = loaded_model()
    assert model.data(model.index(3, INFO)) == "idToken X (iso14443)"  # facts until judged
    while loaded.annotate():
        pass
    assert model.data(model.index(3, INFO)).startswith("idToken.type: ")


@pytest.mark.parametrize(("latency", "shown"), [
    (11.6152, "11.6 s"), (0.85, "850 ms"), (0.0004, "0.4 ms"), (0.0024, "2.4 ms")])
def test_round_trips_read_in_the_best_unit(latency, shown):
    capture = Capture()
    capture.adopt([frame_message(1, '[3,"1",{}]')])
    capture.annotations[1] = Annotation(latency=latency, call_seq=0)
    model = TimelineModel()
    model.set_capture(capture)
    assert model.data(model.index(0, RTT)) == shown


def test_a_file_without_times_shows_no_times_nor_round_trips():
    capture = Capture()
    capture.adopt([frame_message(1, '[2,"1","Heartbeat",{}]', time=0.0, monotonic=0.0),
                   frame_message(2, '[3,"1",{"currentTime":"2024-01-01T00:00:00Z"}]',
                                 time=0.0, monotonic=0.0)], times_known=False)
    while capture.annotate():
        pass
    capture.annotations[2] = Annotation(latency=0.0, call_seq=1)
    model = TimelineModel()
    model.set_capture(capture, live=False)
    assert [model.data(model.index(r, c)) for r in (0, 1) for c in (TIME, RTT)] == [""] * 4
    model.delta_time = True
    assert model.data(model.index(1, TIME)) == ""


def test_relative_times_read_in_the_best_unit():
    capture = Capture()
    capture.adopt([frame_message(1, '[2,"1","Heartbeat",{}]', time=100.0),
                   frame_message(2, '[2,"2","Heartbeat",{}]', time=111.6152)])
    model = TimelineModel()
    model.set_capture(capture)
    model.delta_time = True
    assert model.data(model.index(1, TIME)) == "+11.6 s"


def test_columns_fit_their_content_and_leave_the_rest_to_info(qtbot):
    capture = Capture()
    model = TimelineModel()
    model.set_capture(capture, rows=[])
    table = QTableView()
    qtbot.addWidget(table)
    table.setModel(model)
    fitter = ColumnFitter(table)
    uuid = "0f0685f9-9f3c-4c5e-a1b2-123456789abc"
    capture.frame("c1", "CP-NAMED-LONGER", UP, f'[2,"{uuid}","Heartbeat",{{}}]')
    model.append_positions([0])
    assert table.columnWidth(MESSAGE_ID) >= fitter.text_width(uuid)     # all 36 characters
    assert table.columnWidth(STATION) >= fitter.text_width("CP-NAMED-LONGER")
    assert table.columnWidth(VALID) < table.columnWidth(TIME) < table.columnWidth(MESSAGE_ID)
    assert table.columnWidth(VALID) <= fitter.text_width("✗ 99") + fitter.header_width(VALID)
    # a new capture starts the names afresh; a filter (same capture) never shrinks them
    model.set_rows([])
    assert table.columnWidth(MESSAGE_ID) >= fitter.text_width(uuid)
    model.set_capture(Capture(), rows=[])
    assert table.columnWidth(MESSAGE_ID) < fitter.text_width(uuid)


def test_a_long_close_reason_is_in_the_info_column_and_whole_in_its_tooltip():
    capture = Capture()
    reason = "the station went away during its handshake " * 3
    capture.event(RecordKind.CLOSED, "c1", "CP1", {"code": 1001, "reason": reason,
                                                   "by": "station", "clean": True,
                                                   "duration": 754.2})
    model = TimelineModel()
    model.set_capture(capture)
    line = model.data(model.index(0, INFO))
    assert line.startswith("1001 by station · “the station went away")
    assert line.endswith("after 12.6 min")
    assert model.data(model.index(0, INFO), role=3) == line   # the tooltip: all of it
    assert model.data(model.index(0, MESSAGE_ID)) == ""


def test_rows_after_the_play_head_are_dimmed_and_only_changed_rows_repaint(qtbot,
                                                                           qtmodeltester):
    from PySide6.QtCore import Qt

    from widgets.timeline import AHEAD

    capture = Capture()
    fill(capture)
    model = TimelineModel()
    model.set_capture(capture, [0, 1, 3, 4])   # record 2 filtered out
    foreground = Qt.ItemDataRole.ForegroundRole

    def dimmed() -> list[bool]:
        return [model.data(model.index(r, TYPE), foreground) == AHEAD
                for r in range(model.rowCount())]

    assert dimmed() == [False] * 4
    with qtbot.waitSignal(model.dataChanged) as changed:
        model.set_head(1)
    assert dimmed() == [False, False, True, True]
    assert (changed.args[0].row(), changed.args[1].row()) == (2, 3)
    with qtbot.waitSignal(model.dataChanged) as changed:
        model.set_head(3)
    assert dimmed() == [False, False, False, True]
    assert (changed.args[0].row(), changed.args[1].row()) == (2, 2)
    model.set_head(None)
    assert dimmed() == [False] * 4
    qtmodeltester.check(model)


@pytest.mark.parametrize(("timeout", "shown"), [(10.0, UNANSWERED), (30.0, None)])
def test_a_live_call_shows_unanswered_after_the_runs_answer_timeout(timeout, shown):
    """A CALL that crossed 15 s ago, in a run whose watch flags CALLs after `timeout`."""
    capture = Capture()
    sent = time.monotonic() - 15.0
    capture.judge_frame("c1", "CP1", UP, '[2,"1","Heartbeat",{}]', seen=(0.0, sent))
    capture.expire(timeout, now=sent)  # the watch's first look: the run's setting
    model = TimelineModel()
    model.set_capture(capture)
    assert model.data(model.index(0, TYPE), Qt.ItemDataRole.BackgroundRole) == shown
