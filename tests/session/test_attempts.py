"""Connection attempts read from records: one row per attempt, grouped by station."""

from __future__ import annotations

from app.session.attempts import AttemptTracker, connection_rows
from app.session.message import Message, RecordKind


def _event(seq: int, kind: RecordKind, connection: str, station: str, meta: dict,
           mono: float = 0.0) -> Message:
    return Message(seq, 1000.0 + seq, mono, connection, station, None, kind, meta=meta)


def test_a_probe_and_its_real_session_are_one_station_story_in_order():
    records = [
        _event(1, RecordKind.OPENED, "c1", "CP1", {"path": "/ocpp/CP1",
                                                   "subprotocol": "ocpp1.6"}),
        _event(2, RecordKind.CLOSED, "c1", "CP1", {"code": 1000, "by": "station",
                                                   "duration": 2.0}),
        _event(3, RecordKind.REJECTED, "c2", "CP2", {"path": "/ocpp/CP2", "status": 400,
                                                     "offered": []}),
        _event(4, RecordKind.OPENED, "c3", "CP1", {"path": "/ocpp/CP1",
                                                   "subprotocol": "ocpp2.0.1"}),
    ]
    rows = connection_rows(records)
    assert list(rows) == ["CP1", "CP2"]
    probe, session = rows["CP1"]
    assert (probe.seq, probe.outcome, probe.duration) == (1, "closed", 2.0)
    assert "a probe before the real session" in probe.sentence
    assert (session.seq, session.outcome) == (4, "open")
    assert rows["CP2"][0].sentence == ("the charger offered no subprotocol; "
                                       "the CSMS requires ocpp2.0.1")


def test_the_tracker_adds_idle_time_and_unanswered_pings_to_the_closing_meta():
    tracker = AttemptTracker()
    tracker.saw(_event(1, RecordKind.OPENED, "c1", "CP1", {"subprotocol": "ocpp2.0.1"}, 10.0))
    tracker.saw(_event(2, RecordKind.CONTROL, "c1", "CP1", {"opcode": "ping"}, 11.0))
    meta = tracker.conclude(RecordKind.CLOSED, "c1",
                            {"code": 1011, "reason": "keepalive ping timeout", "by": "csms"},
                            40.0)
    assert (meta["idle"], meta["pings"], meta["missed_pongs"]) == (30.0, 1, 1)
    assert meta["diagnosis"] == ("the CSMS closed with 1011 (internal error) “keepalive ping "
                                 "timeout” idle for 30.0 s; pings went unanswered (1 of 1)")


def test_a_filter_matches_words_of_the_diagnosis_case_insensitively():
    rows = connection_rows([_event(1, RecordKind.REJECTED, "c1", "CP1",
                                   {"path": "/ocpp/CP1", "status": 400, "offered": []})])
    attempt = rows["CP1"][0]
    assert attempt.matches("NO SUBPROTOCOL") and not attempt.matches("tls")


def test_a_loaded_session_is_read_for_its_connection_events_only(tmp_path, monkeypatch):
    """A session held in its file (a `RecordStore`) is not read back whole to list its
    connections: its index says which records are events."""
    from app.session.sessionfile import SessionReader
    from app.session.store import RecordStore
    from tests.factories import write_session

    records = [_event(1, RecordKind.OPENED, "c1", "CP1", {"subprotocol": "ocpp2.0.1"})]
    records += [Message(seq, 1000.0 + seq, 0.0, "c1", "CP1", None, RecordKind.FRAME,
                        text='[2,"1","Heartbeat",{}]') for seq in range(2, 200)]
    records.append(_event(200, RecordKind.CLOSED, "c1", "CP1", {"code": 1000, "by": "csms"}))
    path = write_session(tmp_path / "s.jsonl", records)
    store = RecordStore(path)
    for offset, message in SessionReader.open(path).located():
        store.add(offset, message)
    read = []
    reading = RecordStore._read
    monkeypatch.setattr(RecordStore, "_read",
                        lambda self, position: read.append(position) or reading(self, position))
    [attempt] = connection_rows(store)["CP1"]
    assert (attempt.seq, attempt.outcome) == (1, "closed")
    assert sorted(set(read)) == [0, 199]
