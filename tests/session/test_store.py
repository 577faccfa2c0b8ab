"""RecordStore: a session file's records from a compact index, read back on demand."""

import pytest

from app.session.columns import append_widening
from app.session.message import RecordKind
from app.session.sessionfile import SessionReader
from app.session.store import RecordStore
from tests.benchmarks.make_session import write_session
from tests.factories import loaded_session
from tests.session.test_sessionfile import sample_records, write


def indexed(path):
    store = RecordStore(path)
    for offset, message in SessionReader.open(path).located():
        store.add(offset, message)
    return store


def test_records_read_back_equal_the_ones_read_from_the_file(tmp_path):
    path = tmp_path / "s.jsonl"
    write(path, sample_records())
    store = indexed(path)
    assert len(store) == 7
    assert [store[i] for i in range(7)] == sample_records()
    assert list(store) == sample_records() and store == sample_records()
    assert store[-1] == sample_records()[-1] and store[1:3] == sample_records()[1:3]


def test_the_index_answers_without_reading_a_record_back(tmp_path):
    path = tmp_path / "s.jsonl"
    write(path, sample_records())
    store = indexed(path)
    assert store.index_of(3) == 2 and store.index_of(99) is None
    assert store.station_at(0) == "CP-1" and store.connection_at(0) == "c1"
    assert store.kind_at(4) is RecordKind.BINARY
    assert store.memory() < 60 * len(store)


def test_renumbered_records_keep_the_seq_the_reader_gave_them(tmp_path):
    path = tmp_path / "s.jsonl"
    records = sample_records()
    write(path, records + records[:2])  # joined files: seqs 1 and 2 again
    store = indexed(path)
    assert [m.seq for m in store] == list(range(1, 10))
    assert store[7].meta["file_seq"] == 1
    assert list(store) == list(SessionReader.open(path))


def test_a_file_changed_under_the_store_gives_a_stand_in_not_an_error(tmp_path):
    path = tmp_path / "s.jsonl"
    write(path, sample_records())
    store = indexed(path)
    path.write_text("garbage\n" * 20)
    record = store[1]
    assert record.seq == 2 and record.station == "CP-1" and record.text == ""
    assert record.message_type == 2 and record.action == "Heartbeat"
    assert "unreadable" in record.meta


def test_appended_records_stay_in_memory(tmp_path):
    path = tmp_path / "s.jsonl"
    write(path, sample_records()[:3])
    store = indexed(path)
    extra = sample_records()[3]
    store.append(extra)
    assert len(store) == 4 and store[3] is extra and store.index_of(4) == 3


def test_a_loaded_session_is_held_as_an_index_of_its_file(tmp_path):
    path = tmp_path / "big.jsonl"
    write_session(path, 3000)
    loader = loaded_session(path)
    assert isinstance(loader.messages, RecordStore)
    assert loader.messages == list(SessionReader.open(path))
    assert next(loader.messages.lines([0])).startswith(b'{"seq":1,')


def test_seqs_beyond_32_bits_and_many_stations_are_indexed_as_given(tmp_path):
    from dataclasses import replace

    store = RecordStore(tmp_path / "none.jsonl")
    first = sample_records()[0]
    store.append(first)
    store.append(replace(first, seq=2**40, station="CP-far"))
    for number in range(70_000):  # more stations than a 2-byte id can name
        store.add(-1, replace(first, seq=2**40 + 1 + number, station=f"CP-{number}"))
    assert store.index_of(2**40) == 1 and store.station_at(1) == "CP-far"
    assert store.station_at(len(store) - 1) == "CP-69999" and store[0] == first


def test_column_types_let_another_store_read_widened_columns_at_their_size(tmp_path):
    path = tmp_path / "s.jsonl"
    write(path, sample_records())
    store = indexed(path)
    assert store.column_types()["seqs"] == "I"
    store.seqs = append_widening(store.seqs, 2**40)  # as a wide seq would widen it
    store.seqs.pop()
    types = store.column_types()
    assert types["seqs"] == "q" and types["stations"] == "H"
    with open(tmp_path / "seqs", "wb") as stream:
        store.seqs.tofile(stream)
    other = RecordStore(path)
    other.use_column_types(types)
    with open(tmp_path / "seqs", "rb") as stream:
        other.seqs.fromfile(stream, len(store))
    assert list(other.seqs) == [record.seq for record in sample_records()]
    with pytest.raises(ValueError, match="already holds rows"):
        other.use_column_types({"seqs": "q"})


def test_raw_lines_read_in_blocks_are_the_lines_read_one_by_one(tmp_path):
    path = tmp_path / "s.jsonl"
    write(path, sample_records())
    store = indexed(path)
    store.append(sample_records()[0])  # kept in memory: no line
    positions = [0, 2, 3, 5, 6, 7, 1]  # in file order, then one back
    assert list(store.raw_lines(positions)) == [store.raw_line(p) for p in positions]
    assert list(store.raw_lines([7])) == [None]
    path.unlink()
    assert list(store.raw_lines([0, 1])) == [None, None]
