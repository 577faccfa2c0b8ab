"""Queued sinks: the producer never waits, and nothing is lost without being said."""

import errno
import json
import signal
import threading

import pytest

from app.session.message import RecordKind, frame_message
from app.session.sessionfile import SessionWriter, make_header, record_from_json
from app.session.sinks import Loss, QueuedSink, describe_failure, recording_sink
from app.wording import count
from tests.session.fake_disk import SmallDisk, StuckWriter, wait_until


def identity(item: int) -> int:
    return item


def make_sink(write, notices, **options):
    return QueuedSink("console output", write, seq=identity, notice=notices.append, **options)


def test_put_never_blocks_while_the_writer_is_stuck():
    writer, notices = StuckWriter(), []
    sink = make_sink(writer, notices, capacity=100, batch=10)
    try:
        assert sink.put(1)
        assert writer.entered.wait(10)          # the writer now holds record 1, blocked
        accepted: list[bool] = []
        # 2000 puts against a dead stop, in a thread: one that waited for the writer would
        # wait for ever (it is released only below), which the join notices
        putting = threading.Thread(target=lambda: accepted.extend(
            sink.put(seq) for seq in range(2, 2002)), daemon=True)
        putting.start()
        putting.join(60)
        assert not putting.is_alive(), "a put waited for the stuck writer"
        assert accepted.count(True) == 100        # the queue's capacity
        assert sink.lost == 1900
        assert sink.queued == 100
        assert len(notices) == 1
        assert notices[0].startswith("console output cannot keep up (100 records waiting)")
    finally:
        writer.release.set()
        sink.close()


def test_a_writer_that_catches_up_gets_the_gap_and_the_user_hears_once():
    writer, notices = StuckWriter(), []
    sink = make_sink(writer, notices, capacity=5, batch=100)
    sink.put(1)
    assert writer.entered.wait(10)
    for seq in range(2, 7):
        sink.put(seq)                              # queued: 2..6
    for seq in range(7, 10):
        sink.put(seq)                              # dropped: 7, 8, 9
    writer.release.set()
    wait_until(lambda: writer.written == [1, 2, 3, 4, 5, 6], what="the queued records")
    sink.put(10)                                   # the first record after the gap
    wait_until(lambda: 10 in writer.written, what="record 10")
    report = sink.close()
    batch, gap = writer.calls[-1]
    assert batch == [10]
    assert gap == Loss(3, 7, 9, ["console output could not keep up"])
    assert notices == [
        "console output cannot keep up (5 records waiting); dropping records until it "
        "catches up (forwarding goes on)",
        "console output resumed after a gap of 3 records"]
    assert (report.written, report.lost, report.finished) == (7, 3, True)


def test_records_dropped_at_the_end_are_noted_as_a_gap_at_close():
    writer, notices = StuckWriter(), []
    sink = make_sink(writer, notices, capacity=1)
    sink.put(1)
    assert writer.entered.wait(10)
    sink.put(2)
    sink.put(3)                                    # dropped, and nothing comes after it
    writer.release.set()
    report = sink.close()
    assert writer.calls[-1] == ([], Loss(1, 3, 3, ["console output could not keep up"]))
    assert (report.written, report.lost) == (2, 1)


def test_close_does_not_wait_for_a_writer_stuck_for_good():
    writer, notices = StuckWriter(), []
    sink = make_sink(writer, notices)
    for seq in range(1, 11):
        sink.put(seq)
    assert writer.entered.wait(10)
    report = sink.close(timeout=0.2)               # returns: the writer is still stuck
    assert not report.finished
    assert report.lost == 10                       # in flight or queued: none confirmed
    assert "was stuck when the program ended" in report.reason
    writer.release.set()


def test_a_reader_that_went_away_stops_the_sink_for_good_with_one_notice():
    calls, notices = [], []

    def write(batch, gap):
        calls.append(batch)
        raise BrokenPipeError(errno.EPIPE, "Broken pipe")

    sink = make_sink(write, notices)
    sink.put(1)
    wait_until(lambda: sink.lost == 1, what="the first failure")
    for seq in range(2, 50):
        sink.put(seq)
    report = sink.close()
    assert calls == [[1]]                           # never tried again
    assert report.lost == 49 and report.written == 0
    assert notices == ["console output stopped: the reader went away (Broken pipe); "
                       "1 record not written (forwarding goes on)"]


def test_a_writer_bug_costs_its_batch_not_the_sink():
    batches, notices = [], []

    def write(batch, gap):
        if batch == [1]:
            raise RuntimeError("a bug")
        batches.append((batch, gap))

    sink = make_sink(write, notices)
    sink.put(1)
    wait_until(lambda: sink.lost == 1, what="the failed batch")
    sink.put(2)
    report = sink.close()
    assert batches == [([2], Loss(1, 1, 1, ["console output failed (an internal error)"]))]
    assert (report.written, report.lost) == (1, 1)


def test_a_full_disk_is_told_once_counted_and_marked_in_the_file():
    disk, notices = SmallDisk(free=4096), []
    writer = SessionWriter("fake.jsonl", make_header("proxy"), stream=disk)
    sink = recording_sink(writer, notices.append, retry=0.0, batch=1)
    records = [frame_message(seq, f'[2,"{seq}","Heartbeat",{{}}]') for seq in range(1, 301)]
    for record in records[:200]:
        assert sink.put(record) is True           # never a refusal while the queue has room
    wait_until(lambda: sink.written + sink.lost == 200, what="the first 200 records")
    assert sink.lost > 0 and disk.failures > 0
    assert len(notices) == 1
    assert notices[0].startswith("recording stopped: disk full (No space left on device); ")
    assert notices[0].endswith(" not written (forwarding goes on)")
    disk.free = 1 << 20                            # room again
    for record in records[200:]:
        sink.put(record)
    report = sink.close()
    assert notices[1:] == [f"recording resumed after a gap of {count(report.lost, 'record')}"]
    assert report.written + report.lost == 300
    lines = disk.lines()
    assert all(line.endswith(b"\n") for line in lines)   # no torn fragment anywhere
    stored = [record_from_json(json.loads(line)) for line in lines[1:]]
    gaps = [m for m in stored if m.kind is RecordKind.GAP]
    frames = [m.seq for m in stored if m.kind is RecordKind.FRAME]
    assert sum(g.meta["lost"] for g in gaps) == report.lost
    assert len(frames) == report.written and frames[-1] == 300
    for gap in gaps:                               # each gap stands where its records were
        lost = range(gap.meta["first_seq"], gap.meta["last_seq"] + 1)
        assert len(lost) == gap.meta["lost"] and not set(lost) & set(frames)
        assert gap.meta["reason"] == "disk full (No space left on device)"
    seqs = [m.seq for m in stored]
    assert seqs == sorted(seqs)


def test_records_lost_when_the_disk_stays_full_are_counted_at_close():
    disk, notices = SmallDisk(free=600), []
    writer = SessionWriter("fake.jsonl", make_header("proxy"), stream=disk)
    sink = recording_sink(writer, notices.append, retry=0.0)
    for seq in range(1, 101):
        sink.put(frame_message(seq, f'[2,"{seq}","Heartbeat",{{}}]'))
    report = sink.close()
    assert report.lost > 0 and report.written + report.lost == 100
    assert report.reason == "disk full (No space left on device)"
    assert len(notices) == 1


def test_failures_are_described_for_people():
    assert describe_failure(OSError(errno.ENOSPC, "No space left on device")) == (
        "disk full (No space left on device)", False)
    assert describe_failure(BrokenPipeError(errno.EPIPE, "Broken pipe")) == (
        "the reader went away (Broken pipe)", True)
    assert describe_failure(OSError(errno.EIO, "Input/output error")) == (
        "write failed (Input/output error)", False)
    assert describe_failure(ValueError("I/O operation on closed file")) == (
        "the output was closed", True)


def test_a_sink_hovering_at_its_limit_does_not_flood_the_terminal():
    writer, notices = StuckWriter(), []
    writer.release.set()
    sink = make_sink(writer, notices, capacity=1, quiet=60.0)
    for _round in range(3):
        writer.release.clear()
        writer.entered.clear()
        sink.put(len(writer.written) + 100)
        assert writer.entered.wait(10)
        base = 1000 * (_round + 1)
        sink.put(base)
        sink.put(base + 1)                           # dropped
        writer.release.set()
        wait_until(lambda b=base: b in writer.written, what="the queued record")
    sink.close()
    assert sum("cannot keep up" in n for n in notices) == 1


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="needs setitimer (Unix)")
def test_a_ctrl_c_while_closing_still_knows_the_writer_is_stuck():
    writer, notices = StuckWriter(), []
    sink = make_sink(writer, notices)
    for seq in range(1, 6):
        sink.put(seq)
    assert writer.entered.wait(10)

    def interrupt(*_):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.1)
        with pytest.raises(KeyboardInterrupt):
            sink.close(timeout=10)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    report = sink.close(0)
    assert not report.finished and report.lost == 5
    writer.release.set()


def test_the_notice_callback_reads_whether_the_sink_is_failing():
    disk, told = SmallDisk(free=600), []
    writer = SessionWriter("fake.jsonl", make_header("proxy"), stream=disk)
    sink = recording_sink(writer, lambda text: told.append((text, sink.failing)), retry=0.0,
                          batch=1)
    assert not sink.failing
    for seq in range(1, 51):
        sink.put(frame_message(seq, f'[2,"{seq}","Heartbeat",{{}}]'))
    wait_until(lambda: sink.written + sink.lost == 50, what="the first 50 records")
    disk.free = 1 << 20
    sink.put(frame_message(51, '[2,"51","Heartbeat",{}]'))
    wait_until(lambda: len(told) == 2, what="the resume notice")
    sink.close()
    assert [(text.split(" ")[1], failing) for text, failing in told] == [
        ("stopped:", True), ("resumed", False)]


def test_a_recording_file_deleted_mid_run_is_restored_and_the_user_is_told(tmp_path):
    path = tmp_path / "s.jsonl"
    told = []
    sink = recording_sink(SessionWriter(path, make_header("proxy")), told.append, retry=0.01)
    sink.put(frame_message(1, '[2,"1","Heartbeat",{}]'))
    wait_until(lambda: sink.written == 1)
    path.unlink()
    sink.put(frame_message(2, '[2,"2","Heartbeat",{}]'))
    report = sink.close()
    assert report.written == 2 and report.lost == 0
    seqs = [json.loads(line).get("seq") for line in path.read_text().splitlines()[1:]]
    assert seqs == [1, 2]
    assert any("deleted" in text and str(path) in text for text in told)


def test_a_recording_file_deleted_after_its_last_batch_is_restored_at_close(tmp_path):
    path = tmp_path / "s.jsonl"
    told = []
    sink = recording_sink(SessionWriter(path, make_header("proxy")), told.append)
    sink.put(frame_message(1, '[2,"1","Heartbeat",{}]'))
    wait_until(lambda: sink.written == 1)
    path.unlink()
    sink.close()
    assert [json.loads(line).get("seq") for line in path.read_text().splitlines()] == [None, 1]
    assert any("deleted" in text for text in told)


def test_a_recording_whose_name_was_taken_goes_on_beside_it_and_the_user_is_told(tmp_path):
    path = tmp_path / "s.jsonl"
    told = []
    writer = SessionWriter(path, make_header("proxy"))
    sink = recording_sink(writer, told.append)
    sink.put(frame_message(1, '[2,"1","Heartbeat",{}]'))
    wait_until(lambda: sink.written == 1)
    path.unlink()
    path.write_text("someone else's\n")
    sink.put(frame_message(2, '[2,"2","Heartbeat",{}]'))
    report = sink.close()
    assert report.written == 2 and report.lost == 0
    sibling = tmp_path / "s.restored.jsonl"
    seqs = [json.loads(line).get("seq") for line in sibling.read_text().splitlines()[1:]]
    assert seqs == [1, 2] and path.read_text() == "someone else's\n"
    assert any("took its name" in text and str(sibling) in text for text in told)
