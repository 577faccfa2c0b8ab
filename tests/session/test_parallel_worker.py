"""The worker's side of parallel judging: what a worker reads, and what it sends back."""

import itertools
import json
import pickle

from app.session import parallel_worker
from app.session.answer_watch import last_time
from app.session.parallel_worker import (
    TRANSACTIONS_CHUNK,
    _send_station,
    _take_columns,
    hand_over_columns,
    judge_share,
)
from app.session.store import RecordStore
from app.state.model import StationState, TransactionState
from tests.benchmarks.make_session import write_session
from tests.session.test_parallel import (
    assert_same_verdicts,
    judged_both_ways,
    judged_serially,
    loaded,
)


class _RecordingPipe:
    """The worker's end of a pipe that keeps what is sent, each message pickled and read
    back as the real pipe carries it."""

    def __init__(self) -> None:
        self.messages: list[tuple] = []
        self.closed = False

    def send(self, message: tuple) -> None:
        self.messages.append(pickle.loads(pickle.dumps(message)))

    def close(self) -> None:
        self.closed = True


def _widened_session(tmp_path):
    """A realistic session whose seqs lie beyond 32 bits, which widens the seq column."""
    plain = tmp_path / "plain.jsonl"
    write_session(plain, 3000)
    wide = tmp_path / "wide.jsonl"
    with open(wide, "w", encoding="utf-8") as out:
        for line in plain.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            if isinstance(record.get("seq"), int):
                record["seq"] += 2**33
            out.write(json.dumps(record) + "\n")
    return wide


def test_workers_read_widened_columns_at_their_own_size(tmp_path):
    """Seqs beyond 32 bits widen the store's seq column: the workers must read it so."""
    serial, parallel, judge = judged_both_ways(_widened_session(tmp_path))
    assert judge.store.seqs.typecode == "q" and not judge.serial
    assert_same_verdicts(serial, parallel)


def test_handed_over_columns_are_read_back_as_they_were_written(tmp_path):
    path = _widened_session(tmp_path)
    store = loaded(path)
    folder = tmp_path / "columns"
    folder.mkdir()
    types = hand_over_columns(store, folder)
    assert sorted(types) == sorted(parallel_worker.COLUMNS) and types["seqs"] == "q"
    fresh = RecordStore(path)
    _take_columns(fresh, folder, len(store), types)
    for name in parallel_worker.COLUMNS:
        assert getattr(fresh, name) == getattr(store, name)


def test_a_worker_sends_its_results_in_the_order_the_window_takes_them(tmp_path, monkeypatch):
    monkeypatch.setattr(parallel_worker.os, "nice", lambda increment: 0)  # not the test's
    path = tmp_path / "s.jsonl"
    write_session(path, 3000)
    store = loaded(path)
    serial = judged_serially(store)
    folder = tmp_path / "columns"
    folder.mkdir()
    types = hand_over_columns(store, folder)
    pipe = _RecordingPipe()
    times = (serial.times_known, serial.checker.answer_timeout, last_time(store))
    judge_share(str(path), str(folder), len(store), types,
                sorted(set(zip(store.stations, store.connections, strict=True))), times, pipe)
    kinds = [kind for kind, _ in itertools.groupby(message[0] for message in pipe.messages)]
    assert kinds[:4] == ["progress", "plain", "annotations", "notes"]
    assert kinds[4] == "station" and set(kinds[4:-2]) <= {"station", "transactions"}
    assert kinds[-2:] == ["pending", "done"] and pipe.closed
    sent = {kind: [m for m in pipe.messages if m[0] == kind] for kind in kinds}
    plain = sum(len(message[1]) for message in sent["plain"])
    others = sum(len(message[1]) for message in sent["annotations"])
    assert plain + others == len(serial.annotations)
    assert others == sum(1 for seq in serial.annotations if serial.annotations[seq].findings)
    assert len(sent["station"]) == len(serial.state.stations)


def test_a_stations_transactions_follow_it_in_slices_in_order():
    ids = [f"tx-{number}" for number in range(2 * TRANSACTIONS_CHUNK + 1)]
    station = StationState("CP-1", transactions={
        tx: TransactionState(tx, "CP-1") for tx in ids})
    pipe = _RecordingPipe()
    _send_station(pipe, 7, "CP-1", station)
    head, *slices = pipe.messages
    assert head[:3] == ("station", 7, "CP-1") and head[3].transactions == {}
    assert [len(piece) for kind, piece in slices] == [TRANSACTIONS_CHUNK, TRANSACTIONS_CHUNK, 1]
    assert {kind for kind, _ in slices} == {"transactions"}
    assert [tx for _, piece in slices for tx, _ in piece] == ids


def test_a_worker_that_fails_says_why_and_closes_its_pipe(tmp_path, monkeypatch):
    monkeypatch.setattr(parallel_worker.os, "nice", lambda increment: 0)
    path = tmp_path / "s.jsonl"
    write_session(path, 100)
    pipe = _RecordingPipe()
    judge_share(str(path), str(tmp_path / "no-columns"), 100, {}, [(0, 0)],
                (True, None, None), pipe)
    [(kind, why)] = pipe.messages
    assert kind == "failed" and why.startswith("FileNotFoundError")
    assert pipe.closed
