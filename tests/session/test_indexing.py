"""index_lines: a session file's columns taken from its lines, without building records,
exactly as the reader would have them (what it skips, what it renumbers, its warnings)."""

import json

from app.ocpp.conversation import Direction
from app.session.indexing import index_lines
from app.session.message import frame_message
from app.session.sessionfile import SessionReader, make_header, record_to_json
from app.session.store import RecordStore
from tests.factories import loaded_session
from tests.session.test_sessionfile import sample_records, write

COLUMNS = ("offsets", "seqs", "times", "kinds", "directions", "types", "stations",
           "connections", "actions")


def by_reader(path):
    reader = SessionReader.open(path)
    store = RecordStore(path)
    for offset, message in reader.located():
        store.add(offset, message)
    return store, reader


def by_index(path, batch=3):
    reader = SessionReader.open(path)
    store = RecordStore(path)
    added = list(index_lines(reader, store, batch))
    assert sum(added) == len(store) and all(n == batch for n in added[:-1])
    return store, reader


def columns(store):
    names = store.names.names
    return ({name: list(getattr(store, name)) for name in COLUMNS if name not in
             ("stations", "connections", "actions")},
            [names[i] for i in store.stations], [names[i] for i in store.connections],
            [names[i] for i in store.actions])


def test_the_columns_are_those_of_the_records_read_whole(tmp_path):
    path = tmp_path / "s.jsonl"
    write(path, sample_records())
    (indexed, _), (read, _) = by_index(path), by_reader(path)
    assert columns(indexed) == columns(read)
    assert list(indexed) == sample_records()  # each read back from its line


def test_odd_lines_are_skipped_or_kept_as_the_reader_decides(tmp_path):
    path = tmp_path / "s.jsonl"
    write(path, sample_records())
    good = json.loads(path.read_text().splitlines()[1])
    odd = [
        {**good, "kind": ["frame"]},          # unhashable kind: skipped
        {**good, "dir": {"up": 1}},           # unhashable direction: skipped
        {**good, "mono": None},               # not a number: skipped
        {**good, "data": None},               # not base64: skipped
        {**good, "seq": "40"},                # a number in a string: kept, as int
        {**good, "seq": 41, "type": True},    # a bool type: no type
        {**good, "seq": 42, "time": "yesterday"},
        {**good, "seq": 43, "meta": []},
        {**good, "seq": 44, "conn": 7},       # a number for a name: kept, as text
        [1, 2],
        {**good, "seq": 3},                   # goes back: renumbered from here on
    ]
    with path.open("a") as stream:
        for value in odd:
            stream.write(json.dumps(value) + "\n")
        stream.write("\n   \nnot json\n" + '{"seq": 99, "ti')
    (indexed, index_reader), (read, reader) = by_index(path), by_reader(path)
    assert columns(indexed) == columns(read)
    assert index_reader.warnings == reader.warnings and reader.skipped == 9
    assert index_reader.skipped == reader.skipped
    assert list(indexed) == list(SessionReader.open(path))


def write_lines(path, records):
    """A session file of `records` (as JSON objects), written without a writer per line."""
    head = json.dumps(make_header("proxy"))
    path.write_text(head + "\n" + "".join(json.dumps(r) + "\n" for r in records))


def heartbeat_line(seq, connection="c1", station="CP-1", action="Heartbeat"):
    """A CALL's line as the writer writes it (built once, then only its fields changed:
    parsing thousands of frames of unknown actions would cost more than the test)."""
    return {**_HEARTBEAT, "seq": seq, "conn": connection, "station": station,
            "text": f'[2,"{seq}","{action}",{{}}]', "id": str(seq), "action": action}


_HEARTBEAT = record_to_json(frame_message(
    1, '[2,"1","Heartbeat",{}]', connection="c1", station="CP-1",
    direction=Direction.STATION_TO_CSMS, time=1700000000.0, monotonic=0.0))


def test_more_names_than_a_small_id_holds_open_and_read_back(tmp_path):
    path = tmp_path / "many.jsonl"
    count = 70_000
    write_lines(path, (heartbeat_line(seq, connection=f"c{seq}", station=f"CP-{seq}",
                                      action=f"A{seq}") for seq in range(1, count + 1)))
    loader = loaded_session(path)
    store = loader.messages
    assert loader.error is None and len(store) == count
    for position in (0, 65_534, 65_535, count - 1):
        seq = position + 1
        assert store.connection_at(position) == f"c{seq}"
        assert store.station_at(position) == f"CP-{seq}"
        record = store[position]
        assert (record.seq, record.connection, record.action) == (seq, f"c{seq}", f"A{seq}")


def test_seqs_beyond_four_bytes_and_below_zero_open_and_read_back(tmp_path):
    path = tmp_path / "wide.jsonl"
    write_lines(path, [heartbeat_line(-3), heartbeat_line(7), heartbeat_line(2**32 + 5)])
    store = loaded_session(path).messages
    assert [record.seq for record in store] == [-3, 7, 2**32 + 5]
    assert store.index_of(2**32 + 5) == 2 and store.index_of(-3) == 0
    assert store[2].text == '[2,"4294967301","Heartbeat",{}]'


def test_seqs_repeated_after_a_wide_one_are_numbered_on_from_it(tmp_path):
    path = tmp_path / "joined.jsonl"
    write_lines(path, [heartbeat_line(2**32 + 5), heartbeat_line(1)])
    loader = loaded_session(path)
    assert [record.seq for record in loader.messages] == [2**32 + 5, 2**32 + 6]
    assert loader.messages[1].meta["file_seq"] == 1
    assert any("does not follow" in warning for warning in loader.warnings)


def test_a_seq_beyond_64_bits_is_skipped_as_the_reader_skips_it(tmp_path):
    path = tmp_path / "huge.jsonl"
    write_lines(path, [heartbeat_line(1), heartbeat_line(2**64), heartbeat_line(3)])
    (indexed, index_reader), (read, reader) = by_index(path), by_reader(path)
    assert [record.seq for record in indexed] == [1, 3]
    assert columns(indexed) == columns(read)
    assert index_reader.warnings == reader.warnings and reader.skipped == 1
    assert "64 bits" in reader.warnings[0]
