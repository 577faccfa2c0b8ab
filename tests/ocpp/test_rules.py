"""Session rules beyond single frames, fed through the checker as traffic would be.

Every test runs twice: over a state with its whole history (a loaded session, the window)
and over one with a headless run's `HistoryLimit`, since the rules must judge alike."""

import json

import pytest

from app.ocpp import catalog
from app.ocpp.checker import FrameChecker
from app.ocpp.conversation import Direction
from app.ocpp.frames import CallError, CallResult
from app.ocpp.rules import ANSWERS_JUDGED, SessionRules
from app.state.model import HEADLESS, HistoryLimit, SessionState

UP, DOWN = Direction.STATION_TO_CSMS, Direction.CSMS_TO_STATION
NOW = "2026-01-01T00:00:00Z"
# the smallest history a state can keep: every list holds its newest entry only
TINY = HistoryLimit(entries=1, meter_samples=1, ended_transactions=1)
_limit: HistoryLimit | None = None


@pytest.fixture(autouse=True, params=[None, HEADLESS, TINY],
                ids=["whole-history", "headless-history", "tiny-history"])
def history(request, monkeypatch):
    monkeypatch.setattr(f"{__name__}._limit", request.param)
    return request.param


def new_checker():
    """A checker whose state keeps the history this test run is parametrized with."""
    return FrameChecker(state=SessionState(limit=_limit))


class Session:
    def __init__(self, timed=True):
        self.checker = new_checker()
        self.ids = 0
        self.clock = 0.0
        self.timed = timed  # False: frames from a file that carries no times

    def call(self, action, payload, direction=UP, at=None):
        self.ids += 1
        self.clock = self.clock + 1 if at is None else at
        text = json.dumps([2, str(self.ids), action, payload])
        verdict = self.checker.check(text, direction=direction,
                                     time=self.clock if self.timed else None, station="CP1")
        return [f.code for f in verdict.findings]

    def answer(self, payload, direction=DOWN):
        text = json.dumps([3, str(self.ids), payload])
        verdict = self.checker.check(text, direction=direction,
                                     time=self.clock if self.timed else None, station="CP1")
        return [f.code for f in verdict.findings]

    def boot(self, status="Accepted", interval=300):
        self.call("BootNotification", {"reason": "PowerUp",
                                       "chargingStation": {"model": "M", "vendorName": "V"}})
        return self.answer({"currentTime": NOW, "interval": interval, "status": status})

    def tx(self, event, transaction, seq_no, evse=None):
        payload = {"eventType": event, "timestamp": NOW, "triggerReason": "Authorized",
                   "seqNo": seq_no, "transactionInfo": {"transactionId": transaction}}
        if evse is not None:
            payload["evse"] = {"id": evse}
        codes = self.call("TransactionEvent", payload)
        self.answer({})
        return codes


def test_a_clean_session_has_no_findings():
    session = Session()
    assert session.boot() == []
    assert session.tx("Started", "T1", 0, evse=1) == []
    assert session.tx("Updated", "T1", 1) == []
    assert session.tx("Ended", "T1", 2) == []


def test_traffic_while_pending_is_flagged_but_boot_retries_are_not():
    session = Session()
    session.boot(status="Pending", interval=30)
    assert session.call("StatusNotification", {"timestamp": NOW,
                                               "connectorStatus": "Available", "evseId": 1,
                                               "connectorId": 1}) == ["rule.not-registered"]
    session.answer({})
    assert session.boot() == []
    assert session.call("Heartbeat", {}) == []


def test_csms_calls_are_not_station_traffic():
    session = Session()
    session.boot(status="Rejected", interval=30)
    assert session.call("TriggerMessage", {"requestedMessage": "BootNotification"},
                        direction=DOWN) == []


def test_heartbeat_interval_zero_and_early_heartbeats():
    session = Session()
    assert session.boot(interval=0) == ["rule.heartbeat-interval"]
    session = Session()
    session.boot(interval=60)
    session.call("Heartbeat", {}, at=100.0)
    session.answer({"currentTime": NOW})
    assert session.call("Heartbeat", {}, at=110.0) == ["rule.heartbeat-early"]
    session.answer({"currentTime": NOW})
    assert session.call("Heartbeat", {}, at=170.0) == []


def test_heartbeats_without_times_are_not_judged_early():
    session = Session(timed=False)
    session.boot(interval=60)
    for _ in range(3):
        assert session.call("Heartbeat", {}) == []
        session.answer({"currentTime": NOW})


def test_seq_no_repeats_gaps_and_order():
    session = Session()
    session.boot()
    session.tx("Started", "T1", 0, evse=1)
    assert session.tx("Updated", "T1", 0) == ["rule.seqno-repeat"]
    assert session.tx("Updated", "T1", 4) == ["rule.seqno-gap"]
    assert session.tx("Updated", "T1", 2) == ["rule.seqno-order"]


def test_events_after_ended_started_twice_and_overlapping_transactions():
    session = Session()
    session.boot()
    session.tx("Started", "T1", 0, evse=1)
    assert session.tx("Started", "T1", 1, evse=1) == ["rule.tx-started-twice"]
    assert session.tx("Started", "T2", 0, evse=1) == ["rule.tx-overlap"]
    session.tx("Ended", "T2", 1)
    assert session.tx("Updated", "T2", 2) == ["rule.tx-after-ended"]


def test_transactions_are_followed_across_reconnects_of_one_station():
    checker = new_checker()
    for connection, seq_no in (("c1", 0), ("c2", 0)):
        payload = {"eventType": "Updated" if seq_no else "Started", "timestamp": NOW,
                   "triggerReason": "Authorized", "seqNo": seq_no,
                   "transactionInfo": {"transactionId": "T9"}}
        verdict = checker.check(json.dumps([2, connection, "TransactionEvent", payload]),
                                connection=connection, direction=UP, station="CP1")
    assert [f.code for f in verdict.findings] == ["rule.tx-started-twice"]


def test_transaction_with_an_odd_evse_id_is_followed_without_raising():
    def event(kind, seq_no):
        payload = {"eventType": kind, "timestamp": "2026-03-14T11:02:17.845Z",
                   "triggerReason": "Authorized", "seqNo": seq_no,
                   "transactionInfo": {"transactionId": "T1"}, "evse": {"id": {"x": 1}}}
        return json.dumps([2, f"{kind}{seq_no}", "TransactionEvent", payload])

    checker = new_checker()
    for n, text in enumerate([event("Started", 0), event("Ended", 1)], start=1):
        verdict = checker.check(text, direction=Direction.STATION_TO_CSMS, seq=n, time=n)
        assert "internal.error" not in [f.code for f in verdict.findings]


def test_a_boot_notification_from_the_wrong_side_teaches_the_rules_nothing():
    """The CSMS sends a BootNotification and the station answers it: both are wrong, and the
    answer's interval must not make the station's real heartbeats 'early'."""
    session = Session()
    assert session.boot(interval=300) == []
    session.call("BootNotification", {"reason": "PowerUp",
                                      "chargingStation": {"model": "M", "vendorName": "V"}},
                 direction=DOWN)
    assert session.answer({"currentTime": NOW, "interval": 1, "status": "Rejected"},
                          direction=UP) == []
    for at in (100.0, 400.0, 700.0):
        codes = session.call("Heartbeat", {}, at=at)
        session.answer({"currentTime": NOW})
        assert "rule.heartbeat-early" not in codes and "rule.not-registered" not in codes


def test_a_call_reusing_an_outstanding_id_is_not_a_fact_either():
    session = Session()
    session.boot(interval=300)
    session.call("Heartbeat", {}, at=10.0)
    text = json.dumps([2, str(session.ids), "Heartbeat", {}])  # the same id again
    verdict = session.checker.check(text, direction=UP, time=11.0, station="CP1")
    codes = [f.code for f in verdict.findings]
    assert "protocol.duplicate-id" in codes and "rule.heartbeat-early" not in codes


def test_seq_no_rules_hold_over_a_transaction_longer_than_any_history():
    """The highest seqNo is a fact of its own: a history that forgot the early events still
    knows which number comes next."""
    session = Session()
    session.boot()
    session.tx("Started", "T1", 0, evse=1)
    for seq_no in range(1, 40):
        assert session.tx("Updated", "T1", seq_no) == []
    assert session.tx("Updated", "T1", 5) == ["rule.seqno-order"]
    assert session.tx("Updated", "T1", 39) == ["rule.seqno-repeat"]
    assert session.tx("Updated", "T1", 42) == ["rule.seqno-gap"]
    session.tx("Ended", "T1", 43)
    assert session.tx("Updated", "T1", 44) == ["rule.tx-after-ended"]


@pytest.mark.parametrize("action", sorted(catalog.ACTIONS))
def test_only_the_answers_the_checker_passes_on_are_judged(action, history):
    """The checker gives the rules no answer of an action outside `ANSWERS_JUDGED`: each
    such answer, whatever it holds, must be one the rules find nothing in and learn
    nothing from."""
    if action in ANSWERS_JUDGED:
        return
    rules = SessionRules()
    rules.last_heartbeat = 5.0
    for payload in ({}, {"status": "Accepted", "interval": 0, "currentTime": NOW}):
        for frame in (CallResult("1", payload), CallError("1", "InternalError", "", {})):
            assert rules.observe(frame, action, DOWN, 10.0, None) == []
            assert rules.observe(frame, action, UP, 10.0, None) == []
    assert rules.last_heartbeat == 5.0
