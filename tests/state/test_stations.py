from dataclasses import replace

from app.ocpp.conversation import Direction
from app.session.capture import Capture
from app.session.message import RecordKind
from app.state.stations import StationTracker

UP, DOWN = Direction.STATION_TO_CSMS, Direction.CSMS_TO_STATION


def test_station_state_follows_its_records():
    capture = Capture()
    tracker = StationTracker()
    capture.subscribe(tracker.apply)
    capture.event(RecordKind.OPENED, "c1", "CP1", {"subprotocol": "ocpp2.0.1"})
    capture.frame("c1", "CP1", UP, '[2,"1","BootNotification",{"reason":"PowerUp",'
                                   '"chargingStation":{"model":"AC22","vendorName":"Voltra",'
                                   '"firmwareVersion":"4.2"}}]')
    state = tracker.stations["CP1"]
    assert state.connected and not state.booted and state.summary == "connected"
    capture.frame("c1", "CP1", DOWN, '[3,"1",{"currentTime":"2024-01-01T00:00:00Z",'
                                     '"interval":300,"status":"Accepted"}]')
    assert state.booted and state.summary == "booted"
    assert (state.vendor, state.model, state.firmware) == ("Voltra", "AC22", "4.2")
    capture.frame("c1", "CP1", UP, '[2,"2","Heartbeat",{}]')
    assert state.last_heartbeat is not None
    capture.frame("c1", "CP1", UP, "garbage")
    assert state.invalid == 1 and state.frames == 4
    capture.event(RecordKind.CLOSED, "c1", "CP1", {"code": 1006, "by": "station"})
    assert not state.connected and state.summary == "disconnected (1006 by station)"


def test_pending_registration_is_shown():
    capture = Capture()
    tracker = StationTracker()
    capture.subscribe(tracker.apply)
    capture.event(RecordKind.OPENED, "c1", "CP9", {})
    capture.frame("c1", "CP9", UP, '[2,"1","BootNotification",{"reason":"PowerUp",'
                                   '"chargingStation":{"model":"m","vendorName":"v"}}]')
    capture.frame("c1", "CP9", DOWN, '[3,"1",{"currentTime":"2024-01-01T00:00:00Z",'
                                     '"interval":30,"status":"Pending"}]')
    assert tracker.stations["CP9"].summary == "registration Pending"


def test_a_boot_answer_loaded_from_a_file_sets_the_registration():
    # a file's answers name no action: only their annotation says which CALL they answer
    live = Capture()
    live.event(RecordKind.OPENED, "c1", "CP9", {})
    live.frame("c1", "CP9", UP, '[2,"1","BootNotification",{"reason":"PowerUp",'
                                '"chargingStation":{"model":"m","vendorName":"v"}}]')
    live.frame("c1", "CP9", DOWN, '[3,"1",{"currentTime":"2024-01-01T00:00:00Z",'
                                  '"interval":30,"status":"Accepted"}]')
    loaded = Capture()
    loaded.adopt([replace(m, action=None) if m.message_type == 3 else m
                  for m in live.messages])
    while loaded.annotate():
        pass
    tracker = StationTracker()
    for message in loaded.messages:
        tracker.apply(message, loaded.annotation(message.seq))
    assert tracker.stations["CP9"].summary == "booted"
