"""LiveStore: a live capture's records held in memory until the recorder has written them,
then read back from the recording."""

import os

from app.ocpp.conversation import Direction
from app.session.capture import Capture
from app.session.live_store import LiveStore, live_store
from app.session.message import RecordKind
from app.session.recording import Recording
from app.session.sessionfile import SessionReader, SessionWriter, make_header
from tests.session.fake_disk import SmallDisk, wait_until

UP = Direction.STATION_TO_CSMS


def recorded_capture(path, stream=None, notice=lambda *_: None):
    """A capture whose store is the file its recording writes, as the window makes it."""
    writer = SessionWriter(path, make_header("proxy"), stream=stream)
    if stream is not None:  # the real file must exist for the store to read it
        path.write_bytes(b"")
    capture = Capture(messages=LiveStore(path))
    return capture, Recording(capture, writer, notice)


def shape(message):
    """A record as the file keeps it (its times rounded to microseconds aside)."""
    return (message.seq, message.connection, message.station, message.direction,
            message.kind, message.text, message.message_id, message.action, message.meta)


def heartbeats(capture, count, start=0):
    return [capture.frame("c1", "CP-1", UP, f'[2,"{n}","Heartbeat",{{}}]')
            for n in range(start, start + count)]


def test_a_record_is_readable_the_moment_it_is_appended(tmp_path):
    capture, recording = recorded_capture(tmp_path / "run.jsonl")
    sent = heartbeats(capture, 3)
    assert capture.messages[2] is sent[2]  # held: the recorder has not written it yet
    assert capture.record(sent[0].seq).text == '[2,"0","Heartbeat",{}]'
    recording.close()


def test_written_records_are_dropped_to_the_index_and_read_back_from_the_file(tmp_path):
    path = tmp_path / "run.jsonl"
    capture, recording = recorded_capture(path)
    capture.event(RecordKind.OPENED, "c1", "CP-1", {"subprotocol": "ocpp2.0.1"})
    sent = heartbeats(capture, 600)
    store = capture.messages
    wait_until(lambda: store.held == 0, what="the recorder to write every record")
    assert len(store) == 601
    again = store[300]
    assert again is not sent[299]  # read back from its line
    assert [shape(m) for m in list(store)[1:]] == [shape(m) for m in sent]
    assert abs(again.time - sent[299].time) < 1e-5  # the file keeps microseconds
    recording.close()
    assert [m.seq for m in SessionReader.open(path)] == list(range(1, 602))


def test_records_the_disk_had_no_room_for_stay_in_memory(tmp_path):
    told = []
    capture, recording = recorded_capture(
        tmp_path / "full.jsonl", stream=SmallDisk(free=700),
        notice=lambda text, failing: told.append((text, failing)))
    sent = heartbeats(capture, 50)
    wait_until(lambda: told, what="the disk-full notice")
    report = recording.close()
    assert report.lost > 0 and "disk full" in told[0][0]
    assert capture.messages.held == 50 - report.written
    assert list(capture.messages) == sent  # every record, written or not


def test_a_moved_recording_is_read_from_where_it_went(tmp_path):
    capture, recording = recorded_capture(tmp_path / "auto.jsonl")
    sent = heartbeats(capture, 10)
    recording.close()
    store = capture.messages
    assert store.held == 0
    target = tmp_path / "kept.jsonl"
    os.replace(store.path, target)
    store.moved(target)
    store.close()  # forget the open file: the next read opens the new path
    assert shape(store[9]) == shape(sent[9]) and store.path == target


def test_a_store_over_a_file_that_cannot_be_read_is_not_made(tmp_path):
    assert live_store(tmp_path / "missing" / "run.jsonl") is None


def test_a_vanished_recording_reads_back_as_the_index_knows_it(tmp_path):
    capture, recording = recorded_capture(tmp_path / "auto.jsonl")
    heartbeats(capture, 5)
    recording.close()
    store = capture.messages
    store.close()
    store.path.unlink()
    record = store[4]
    assert (record.seq, record.action, record.text) == (5, "Heartbeat", "")
    assert record.meta == {"unreadable": "the session file changed since it was opened"}


def test_the_writer_says_where_each_line_of_a_batch_begins(tmp_path):
    path = tmp_path / "run.jsonl"
    capture = Capture()
    sent = heartbeats(capture, 3)
    with SessionWriter(path, make_header("proxy")) as writer:
        offsets = writer.write_batch(sent)
    data = path.read_bytes()
    assert [data[o:].split(b"\n", 1)[0].count(b'"seq":') for o in offsets] == [1, 1, 1]
    assert offsets[0] == data.index(b"\n") + 1


def test_records_written_after_a_restored_recording_still_read_back_in_the_window(tmp_path):
    path = tmp_path / "auto.jsonl"
    writer = SessionWriter(path, make_header("proxy"))
    store = LiveStore(path, cache_size=0)        # every read goes to the file
    capture = Capture(messages=store)
    recording = Recording(capture, writer, lambda *_: None)
    heartbeats(capture, 2)
    wait_until(lambda: store.held == 0, what="the first records written")
    path.unlink()                                # a cleanup deletes the file mid-run
    heartbeats(capture, 2, start=2)              # written to the file written out again
    wait_until(lambda: store.held == 0, what="the later records written")
    texts = [f'[2,"{n}","Heartbeat",{{}}]' for n in range(4)]
    assert [m.text for m in store] == texts
    recording.close()
    assert [m.text for m in store] == texts      # after the run stopped
    target = tmp_path / "kept.jsonl"
    store.close()                                # as Save… does before it moves the file
    os.replace(path, target)
    store.moved(target)
    assert [m.text for m in store] == texts      # and where Save… put it
    store.close()
