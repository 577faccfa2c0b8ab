"""Rebuilding the state at any record, forward step by step and back."""

from app.state.timeline import StateTimeline, state_at
from tests.factories import START, boot, judged_capture, tx_event

SCRIPT = [("opened", {}), *boot(), *tx_event("a", "Started", "T1", 0, energy=100.0),
          *tx_event("b", "Updated", "T1", 1, energy=400.0),
          *tx_event("c", "Ended", "T1", 2, energy=900.0), ("closed", {"code": 1000,
                                                                        "by": "csms"})]


def test_state_at_the_last_record_is_the_judged_state():
    capture = judged_capture(SCRIPT)
    rebuilt = state_at(capture, capture.messages[-1].seq)
    live = capture.state
    assert rebuilt.stations["CP1"].transactions == live.stations["CP1"].transactions
    assert rebuilt.stations["CP1"].connections == live.stations["CP1"].connections
    assert rebuilt.upto_seq == live.upto_seq


def test_the_timeline_goes_forward_one_record_at_a_time_and_back():
    capture = judged_capture(SCRIPT)
    timeline = StateTimeline(capture, snapshot_every=3)
    assert timeline.at_seq(1).stations["CP1"].registration is None
    assert timeline.at_seq(3).stations["CP1"].registration == "Accepted"
    assert timeline.at_seq(4).stations["CP1"].transactions["T1"].running
    late = timeline.at_seq(9)
    assert not late.stations["CP1"].transactions["T1"].running
    assert [s.value for s in late.stations["CP1"].transactions["T1"].meter] == [
        100.0, 400.0, 900.0]
    back = timeline.at_seq(5)
    assert back.stations["CP1"].transactions["T1"].running
    assert [s.value for s in back.stations["CP1"].transactions["T1"].meter] == [100.0]
    assert "T1" not in timeline.at_seq(2).stations["CP1"].transactions
    assert timeline.at_seq(10).stations["CP1"].connected is False


def test_the_timeline_finds_a_moment_by_time():
    capture = judged_capture(SCRIPT)
    timeline = StateTimeline(capture)
    assert timeline.at_time(START + 3.5).stations["CP1"].registration == "Accepted"
    assert timeline.at_time(START).stations == {}


def test_advancing_in_slices_reaches_the_same_state_a_record_at_least_each_time():
    capture = judged_capture(SCRIPT)
    timeline = StateTimeline(capture, snapshot_every=2)
    target = len(capture.messages)
    calls = 0
    while not timeline.advance(target, budget=0.0):   # no time at all: one record a call
        calls += 1
        assert timeline.applied == calls
    assert calls == target - 1 and timeline.applied == target
    whole = StateTimeline(capture).after(target)
    assert timeline.after(target).stations["CP1"].transactions == \
        whole.stations["CP1"].transactions
    # back to an earlier record, in slices too: the same as going there at once
    while not timeline.advance(4, budget=0.0):
        pass
    assert timeline.after(4).stations["CP1"].transactions["T1"].running
