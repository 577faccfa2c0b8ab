"""ParallelJudge: records judged in worker processes get the verdicts of a serial pass."""

import threading

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import app.session.parallel as parallel_module
from app.ocpp.conversation import Direction
from app.session.capture import Capture
from app.session.loader import SessionLoader
from app.session.message import Message, RecordKind, frame_message
from app.session.parallel import (
    TRANSACTIONS_CHUNK,
    ParallelJudge,
    groups_of,
    share_out,
    worth_it,
)
from tests.benchmarks.make_session import write_session
from tests.session.test_sessionfile import write


def loaded(path):
    """The records of a session file, loaded as the window loads them."""
    loader = SessionLoader.open(path, freeze_gc=False)
    loader.load_all()
    return loader.messages


def judged_serially(messages):
    """A capture that judged `messages` one after the other, as the reference."""
    serial = Capture()
    serial.adopt(messages)
    while serial.annotate(1.0):
        pass
    return serial


def judged_both_ways(path, workers=2):
    messages = loaded(path)
    serial = judged_serially(messages)
    parallel = Capture()
    parallel.adopt(messages)
    judge = ParallelJudge(parallel, workers=workers)
    while judge.step(0.05):
        pass
    return serial, parallel, judge


def assert_same_verdicts(serial, parallel):
    assert parallel.annotations == serial.annotations
    assert parallel.answers == serial.answers
    assert parallel.invalid == serial.invalid
    assert list(parallel.invalid_seqs) == list(serial.invalid_seqs)
    assert parallel.notes == serial.notes
    assert list(parallel.state.stations) == list(serial.state.stations)
    assert parallel.state.stations == serial.state.stations
    assert parallel.state.pending == serial.state.pending
    assert parallel.state.upto_seq == serial.state.upto_seq
    assert parallel.judged


def test_a_realistic_session_gets_the_serial_verdicts(tmp_path):
    path = tmp_path / "s.jsonl"
    write_session(path, 6000)
    serial, parallel, judge = judged_both_ways(path)
    assert not judge.serial and judge.progress == 1.0
    assert serial.invalid > 0
    assert_same_verdicts(serial, parallel)


def test_stations_whose_transactions_come_in_several_slices_are_whole(tmp_path):
    """Two stations with more transactions each than one message carries: the slices of
    both workers arrive interleaved and must land in their own station, in order."""
    path = tmp_path / "s.jsonl"
    write_session(path, 8000, stations=2)
    serial, parallel, judge = judged_both_ways(path)
    assert not judge.serial
    assert all(len(station.transactions) > TRANSACTIONS_CHUNK
               for station in serial.state.stations.values())
    assert_same_verdicts(serial, parallel)
    for key, station in serial.state.stations.items():
        assert list(parallel.state.stations[key].transactions) == list(station.transactions)


def test_records_sharing_a_connection_or_a_station_are_judged_together():
    names = [None, "CP-1", "CP-2", "", "c1", "c2", "c3", "c4"]
    pairs = [(1, 4), (1, 5), (2, 6), (3, 7), (2, 7)]
    groups = groups_of(pairs, names)
    assert sorted(sorted(g) for g in groups) == [[(1, 4), (1, 5)], [(2, 6), (2, 7), (3, 7)]]
    from collections import Counter

    shares = share_out(groups, Counter({p: 10 for p in pairs}), workers=4)
    assert len(shares) == 2


def test_a_small_or_in_memory_session_is_not_worth_processes(tmp_path):
    capture = Capture()
    capture.adopt([frame_message(1, '[2,"1","Heartbeat",{}]')])
    assert not worth_it(capture)


def test_workers_that_fail_leave_the_judging_to_a_serial_pass(tmp_path, monkeypatch):
    path = tmp_path / "s.jsonl"
    write_session(path, 500)
    messages = loaded(path)
    expected = judged_serially(messages)
    capture = Capture()
    capture.adopt(messages)
    judge = ParallelJudge(capture)
    monkeypatch.setattr(judge, "_start", lambda: (_ for _ in ()).throw(OSError("no fork")))
    while judge.step(0.05):
        pass
    assert judge.serial
    assert_same_verdicts(expected, capture)


UP, DOWN = Direction.STATION_TO_CSMS, Direction.CSMS_TO_STATION
_FRAMES = [
    (UP, '[2,"{id}","BootNotification",{{"reason":"PowerUp","chargingStation":'
         '{{"model":"M","vendorName":"V"}}}}]'),
    (DOWN, '[3,"{id}",{{"currentTime":"2025-01-01T00:00:00Z","interval":300,'
           '"status":"Accepted"}}]'),
    (UP, '[2,"{id}","Heartbeat",{{}}]'),
    (DOWN, '[3,"{id}",{{"currentTime":"2025-01-01T00:00:00Z"}}]'),
    (UP, '[2,"{id}","StatusNotification",{{"timestamp":"2025-01-01T00:00:00",'
         '"connectorStatus":"available","evseId":1,"connectorId":1}}]'),
    (DOWN, '[4,"{id}","NotImplemented","",{{}}]'),
    (UP, '[3,"{id}",{{}}]'),
    (UP, "not json"),
]


@settings(max_examples=8, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.integers(0, 3), st.integers(0, len(_FRAMES) + 1),
                                st.integers(0, 2)), min_size=1, max_size=60))
def test_generated_sessions_get_the_serial_verdicts(tmp_path_factory, steps):
    """Stations, connections, ids, closes and odd frames in any order: the same verdicts."""
    records = []
    for seq, (station, pick, ident) in enumerate(steps, start=1):
        connection = f"conn-{station % 3}"   # stations 0 and 3 share a connection
        name = "" if station == 2 else f"CP-{station}"
        if pick == len(_FRAMES):
            records.append(Message(seq, 1.0e9 + seq, float(seq), connection, name, None,
                                   RecordKind.OPENED, meta={"subprotocol": "ocpp2.0.1"}))
        elif pick == len(_FRAMES) + 1:
            records.append(Message(seq, 1.0e9 + seq, float(seq), connection, name, None,
                                   RecordKind.CLOSED, meta={"code": 1000, "by": "station"}))
        else:
            direction, text = _FRAMES[pick]
            records.append(frame_message(seq, text.format(id=ident), connection=connection,
                                         station=name, direction=direction,
                                         time=1.0e9 + seq, monotonic=float(seq)))
    path = tmp_path_factory.mktemp("gen") / "s.jsonl"
    write(path, records)
    serial, parallel, _ = judged_both_ways(path)
    assert_same_verdicts(serial, parallel)


def test_a_step_pauses_the_garbage_collector_and_leaves_it_as_it_was(tmp_path):
    import gc

    path = tmp_path / "s.jsonl"
    write_session(path, 3000)
    messages = loaded(path)
    capture = Capture()
    capture.adopt(messages)
    judge = ParallelJudge(capture, workers=2)
    try:
        while judge.step(0.05):
            assert gc.isenabled()
            gc.disable()
            judge.step(0.0)
            assert not gc.isenabled()
            gc.enable()
    finally:
        gc.unfreeze()
    assert capture.judged


def test_verdicts_of_both_workers_stay_in_the_compact_columns(tmp_path):
    """Each worker's annotations come back in seq order of their own; merged in seq order,
    those without findings keep the bytes of the columns instead of a dict entry."""
    path = tmp_path / "s.jsonl"
    write_session(path, 6000)
    serial, parallel, judge = judged_both_ways(path)
    assert not judge.serial
    with_findings = sum(1 for seq in serial.annotations
                        if serial.annotations[seq].findings)
    assert len(parallel.annotations._other) == with_findings
    assert len(parallel.annotations._keys) == len(serial.annotations) - with_findings
    assert_same_verdicts(serial, parallel)


def test_each_worker_says_what_cpu_it_spent(tmp_path):
    path = tmp_path / "s.jsonl"
    write_session(path, 3000)
    _, _, judge = judged_both_ways(path)
    assert not judge.serial
    assert sorted(judge.worker_cpu) == [0, 1]
    assert all(seconds > 0 for seconds in judge.worker_cpu.values())


class _SlowToExit:
    """A worker process that said "done" but takes its time to end: who waits for it."""

    def __init__(self) -> None:
        self.terminated = False
        self.joined = threading.Event()
        self.joined_on: threading.Thread | None = None

    def is_alive(self) -> bool:
        return not self.joined.is_set()

    def terminate(self) -> None:
        self.terminated = True

    def join(self, timeout: float | None = None) -> None:
        self.joined_on = threading.current_thread()
        self.joined.set()


def test_stopping_never_waits_on_the_window_thread_for_workers_to_end(tmp_path):
    path = tmp_path / "s.jsonl"
    write_session(path, 100)
    capture = Capture()
    capture.adopt(loaded(path))
    judge = ParallelJudge(capture, workers=2)
    workers = [_SlowToExit(), _SlowToExit()]
    judge._processes = list(workers)
    judge.cancel()
    for worker in workers:
        assert worker.terminated
        assert worker.joined.wait(10)  # reaped all the same, by a thread of its own
        assert worker.joined_on is not threading.current_thread()
    assert judge.done


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_step_takes_another_piece_only_if_one_like_the_last_still_fits(monkeypatch):
    clock = _Clock()
    monkeypatch.setattr(parallel_module.time, "perf_counter", clock)
    pace = parallel_module._Pace(deadline=0.030)
    pieces = 0
    while pace.another():
        clock.now += 0.008      # each piece takes 8 ms
        pace.done()
        pieces += 1
    assert pieces == 3 and clock.now == 0.024   # a fourth would end at 32 ms
    slow = parallel_module._Pace(deadline=0.030)
    assert slow.another()
    clock.now = 0.024 + 0.020                   # ... but the first always runs
    slow.done()
    assert not slow.another()


def test_a_step_whose_deadline_passed_takes_no_piece(monkeypatch):
    clock = _Clock()
    clock.now = 0.031
    monkeypatch.setattr(parallel_module.time, "perf_counter", clock)
    assert not parallel_module._Pace(deadline=0.030).another()
