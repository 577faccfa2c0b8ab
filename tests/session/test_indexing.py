"""index_lines: a session file's columns taken from its lines, without building records,
exactly as the reader would have them (what it skips, what it renumbers, its warnings)."""

import json

from app.session.indexing import index_lines
from app.session.sessionfile import SessionReader
from app.session.store import RecordStore
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
