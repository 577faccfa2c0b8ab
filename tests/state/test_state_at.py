from app.ocpp.conversation import Direction
from app.session.capture import Capture
from app.session.message import RecordKind
from app.state.state_at import StateAt, stations_at

UP, DOWN = Direction.STATION_TO_CSMS, Direction.CSMS_TO_STATION

BOOT = ('[2,"b1","BootNotification",{"reason":"PowerUp",'
        '"chargingStation":{"model":"AC22","vendorName":"Voltra"}}]')
ACCEPTED = '[3,"b1",{"currentTime":"2024-01-01T00:00:00Z","interval":300,"status":"Accepted"}]'


def session() -> Capture:
    """CP1 connects (seq 1), boots (2, 3), beats (4), disconnects (5), reconnects (6)."""
    capture = Capture()
    capture.event(RecordKind.OPENED, "c1", "CP1", {"subprotocol": "ocpp2.0.1"})
    capture.frame("c1", "CP1", UP, BOOT)
    capture.frame("c1", "CP1", DOWN, ACCEPTED)
    capture.frame("c1", "CP1", UP, '[2,"h1","Heartbeat",{}]')
    capture.event(RecordKind.CLOSED, "c1", "CP1", {"code": 1006, "by": "station"})
    capture.event(RecordKind.OPENED, "c2", "CP1", {"subprotocol": "ocpp2.0.1"})
    return capture


def test_the_state_at_a_record_includes_that_record_and_nothing_after():
    states = stations_at(session())
    assert states.at(0).stations == {}
    assert states.at(1).stations["CP1"].summary == "connected"
    assert states.at(3).stations["CP1"].summary == "booted"
    assert states.at(5).stations["CP1"].summary == "disconnected (1006 by station)"
    assert states.at(6).stations["CP1"].connections == 2


def test_moving_forward_applies_only_the_new_records():
    capture = session()
    applied: list[int] = []
    states = StateAt(capture, list, lambda state, message, _: applied.append(message.seq))
    states.at(2)
    states.at(4)
    states.at(4)
    assert applied == [1, 2, 3, 4] and states.rebuilds == 0


def test_moving_back_rebuilds_the_earlier_picture():
    states = stations_at(session())
    assert states.at(6).stations["CP1"].booted
    earlier = states.at(1).stations["CP1"]
    assert earlier.connected and not earlier.booted and earlier.frames == 0
    assert states.rebuilds == 1 and states.applied == 1


def test_a_step_back_replays_from_the_nearest_checkpoint_not_the_start():
    capture = session()
    applied: list[int] = []
    states = StateAt(capture, list, lambda state, message, _: applied.append(message.seq),
                     checkpoint_every=2)
    states.at(6)
    applied.clear()
    states.at(5)
    assert applied == [5]   # from the copy kept after record 4


def test_a_seq_between_records_counts_the_earlier_and_past_the_end_counts_all():
    capture = Capture()
    capture.adopt([message for message in session().messages if message.seq != 3])
    states = stations_at(capture)
    assert states.at(3).stations["CP1"].frames == 1 and states.applied == 2
    assert states.at(99).stations["CP1"].connections == 2 and states.applied == 5


def test_a_tracker_failing_on_one_record_is_logged_and_the_rest_still_apply(caplog):
    def apply(state: list[int], message, _annotation) -> None:
        if message.seq == 2:
            raise ValueError("a bug")
        state.append(message.seq)

    states = StateAt(session(), list, apply)
    assert states.at(4) == [1, 3, 4]
    assert "tracking record 2 failed" in caplog.text


def test_each_record_is_applied_with_its_annotation():
    capture = session()
    capture.frame("c2", "CP1", UP, "not json")
    states = stations_at(capture)
    assert states.at(7).stations["CP1"].invalid == 1
    assert states.at(6).stations["CP1"].invalid == 0
