from app.ocpp.conversation import Direction
from app.session.capture import Capture
from app.session.message import RecordKind, gap_record
from widgets.bridge import CaptureBridge
from widgets.timeline import ACTION, MESSAGE_ID, RTT, TYPE, VALID, TimelineModel

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
                    ["CALL", "Authorize", "✗ 1"], ["MALFORMED", "", "✗ malformed"]]
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


def test_loaded_records_show_pending_verdicts_until_judged():
    source = Capture()
    fill(source)
    loaded = Capture()
    loaded.adopt(list(source.messages))
    model = TimelineModel()
    model.set_capture(loaded, live=False)
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
        "gap", "1234 records not recorded", "disk full (No space left on device)", ""]
    assert "seq 6 to 1239" in model.data(model.index(row, 0), role=3)  # the tooltip
