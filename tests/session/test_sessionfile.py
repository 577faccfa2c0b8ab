"""Session files: round trip, streaming, and surviving damage."""

import errno
import json
import os

import pytest

from app.ocpp.conversation import Direction
from app.session import sessionfile
from app.session.capture import Capture
from app.session.message import Message, RecordKind, frame_message, gap_record
from app.session.sessionfile import (
    FORMAT_VERSION,
    SessionFileError,
    SessionReader,
    SessionWriter,
    is_session_file,
    make_header,
)
from tests.session.fake_disk import CrampedFile, SmallDisk


def sample_records():
    opened = Message(1, 1700000000.123456, 5.0, "c1", "CP-1", None, RecordKind.OPENED,
                     meta={"subprotocol": "ocpp2.0.1", "remote": "127.0.0.1:50000"})
    call = frame_message(2, '[2,"1","Heartbeat",{}]', connection="c1", station="CP-1",
                         direction=Direction.STATION_TO_CSMS, time=1700000000.2, monotonic=5.1)
    result = frame_message(3, '[3,"1",{"currentTime":"2024-01-01T00:00:00Z"}]',
                           connection="c1", station="CP-1",
                           direction=Direction.CSMS_TO_STATION, time=1700000000.25,
                           monotonic=5.15)
    odd = frame_message(4, "not json ✓", connection="c1", station="CP-1",
                        direction=Direction.STATION_TO_CSMS, time=1700000000.3, monotonic=5.2)
    binary = Message(5, 1700000000.4, 5.3, "c1", "CP-1", Direction.STATION_TO_CSMS,
                     RecordKind.BINARY, data=b"\x00\xffbin")
    not_utf8 = Message(6, 1700000000.5, 5.4, "c1", "CP-1", Direction.STATION_TO_CSMS,
                       RecordKind.FRAME, text="[\ufffd]", data=b"[\xff]")
    closed = Message(7, 1700000001.0, 6.0, "c1", "CP-1", None, RecordKind.CLOSED,
                     meta={"code": 1006, "reason": "", "by": "station"})
    return [opened, call, result, odd, binary, not_utf8, closed]


def write(path, records):
    with SessionWriter(path, make_header("proxy", listen="127.0.0.1:9000")) as writer:
        for record in records:
            writer.write(record)


def test_round_trip_keeps_every_field(tmp_path):
    path = tmp_path / "s.jsonl"
    records = sample_records()
    write(path, records)
    reader = SessionReader.open(path)
    assert reader.header["mode"] == "proxy"
    assert reader.header["version"] == FORMAT_VERSION
    loaded = list(reader)
    assert loaded == records
    assert reader.warnings == []


def test_envelope_summary_is_stored_for_fast_loading(tmp_path):
    path = tmp_path / "s.jsonl"
    write(path, sample_records())
    lines = [json.loads(text) for text in path.read_text().splitlines()]
    line = lines[2]
    assert (line["type"], line["id"], line["action"]) == (2, "1", "Heartbeat")
    assert line["dir"] == "station_to_csms" and line["time"].endswith("Z")
    assert lines[6]["kind"] == "frame" and lines[6]["data"] == "W/9d"  # exact bytes kept


def test_each_record_is_flushed_as_written(tmp_path):
    path = tmp_path / "s.jsonl"
    writer = SessionWriter(path, make_header("csms"))
    writer.write(sample_records()[1])
    assert len(list(SessionReader.open(path))) == 1  # readable before close
    writer.close()


def test_a_recording_is_readable_by_its_owner_only(tmp_path, usual_umask):
    path = tmp_path / "s.jsonl"
    write(path, sample_records())
    assert path.stat().st_mode & 0o777 == 0o600


def test_recording_over_a_file_others_could_read_makes_it_private(tmp_path, usual_umask):
    path = tmp_path / "s.jsonl"
    path.write_text("an older recording\n")
    path.chmod(0o644)
    write(path, sample_records())
    assert path.stat().st_mode & 0o777 == 0o600
    assert len(list(SessionReader.open(path))) == len(sample_records())


def test_torn_last_line_is_ignored_with_a_warning(tmp_path):
    path = tmp_path / "s.jsonl"
    write(path, sample_records())
    with path.open("a") as stream:
        stream.write('{"seq":7,"time":"2024-01-01T00:00:00Z","ki')
    reader = SessionReader.open(path)
    assert len(list(reader)) == 7
    assert reader.skipped == 1
    assert "incomplete last line" in reader.warnings[0]


def test_damaged_line_in_the_middle_keeps_the_rest(tmp_path):
    path = tmp_path / "s.jsonl"
    write(path, sample_records())
    lines = path.read_text().splitlines(keepends=True)
    lines.insert(3, "garbage\n")
    lines.insert(4, '{"seq": "x"}\n')
    path.write_text("".join(lines))
    reader = SessionReader.open(path)
    assert [m.seq for m in reader] == [1, 2, 3, 4, 5, 6, 7]
    assert reader.skipped == 2
    assert all("skipped" in w for w in reader.warnings)


def test_a_line_without_a_needed_field_names_the_field(tmp_path):
    path = tmp_path / "s.jsonl"
    write(path, sample_records())
    lines = path.read_text().splitlines(keepends=True)
    lines.insert(2, '{"seq": 2, "time": "2024-01-01T00:00:00Z"}\n')
    path.write_text("".join(lines))
    reader = SessionReader.open(path)
    assert len(list(reader)) == 7
    assert reader.warnings == ["line 3: skipped, not a valid record (no 'kind' field)"]


def test_not_a_session_file(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text('[2,"1","Heartbeat",{}]\n')
    with pytest.raises(SessionFileError, match="not an OCPP Scope session"):
        SessionReader.open(path)


def test_newer_format_version_is_refused_clearly(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text(json.dumps({"format": "ocppscope-session", "version": 99}) + "\n")
    with pytest.raises(SessionFileError, match="newer"):
        SessionReader.open(path)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(SessionFileError, match="no such file"):
        SessionReader.open(tmp_path / "nope")
    with pytest.raises(SessionFileError, match="directory"):
        SessionReader.open(tmp_path)


def test_text_with_a_lone_surrogate_is_written_and_read_back(tmp_path):
    path = tmp_path / "s.jsonl"
    odd = frame_message(1, '[2,"1","DataTransfer",{"vendorId":"x","data":"\ud800"}]')
    write(path, [odd])
    assert next(iter(SessionReader.open(path))).text == odd.text


def test_joined_sessions_are_renumbered_keeping_their_own_seq(tmp_path):
    path = tmp_path / "joined.jsonl"
    records = sample_records()
    write(path, records)
    second = [json.dumps({"seq": r.seq, "time": "2023-11-14T22:13:21Z", "mono": 9.0,
                          "conn": "c2", "station": "CP-1", "dir": "station_to_csms",
                          "kind": "frame", "text": '[2,"1","Heartbeat",{}]'})
              for r in records[:2]]
    with path.open("a", encoding="utf-8") as stream:
        stream.write("\n".join(second) + "\n")
    reader = SessionReader.open(path)
    messages = list(reader)
    seqs = [m.seq for m in messages]
    assert seqs == sorted(set(seqs)) == list(range(1, len(records) + 3))
    assert [m.meta["file_seq"] for m in messages[-2:]] == [1, 2]
    assert reader.skipped == 0
    assert any("does not follow 7" in w and "file_seq" in w for w in reader.warnings)


def test_joined_sessions_keep_each_verdict_and_pair_apart(tmp_path):
    path = tmp_path / "joined.jsonl"
    call = frame_message(1, '[2,"1","Heartbeat",{}]', connection="c1", station="CP-1",
                         direction=Direction.STATION_TO_CSMS, time=1700000000.0, monotonic=1)
    bad = frame_message(2, '[3,"1",{"currentTime":"yesterday"}]', connection="c1",
                        station="CP-1", direction=Direction.CSMS_TO_STATION,
                        time=1700000000.1, monotonic=1.1)
    good = frame_message(2, '[3,"1",{"currentTime":"2024-01-01T00:00:00Z"}]', connection="c2",
                         station="CP-1", direction=Direction.CSMS_TO_STATION,
                         time=1700000001.1, monotonic=2.1)
    write(path, [call, bad])
    other = tmp_path / "other.jsonl"
    write(other, [frame_message(1, call.text, connection="c2", station="CP-1",
                                direction=Direction.STATION_TO_CSMS, time=1700000001.0,
                                monotonic=2), good])
    with path.open("a", encoding="utf-8") as stream:
        stream.write("\n".join(other.read_text(encoding="utf-8").splitlines()[1:]) + "\n")
    capture = Capture()
    capture.adopt(list(SessionReader.open(path)))
    while capture.annotate(1.0):
        pass
    assert [m.seq for m in capture.messages] == [1, 2, 3, 4]
    assert not capture.annotation(2).valid and capture.annotation(4).valid
    assert capture.pair_of(1) == 2 and capture.pair_of(3) == 4


def test_a_gap_record_is_written_and_read_back(tmp_path):
    path = tmp_path / "s.jsonl"
    gap = gap_record(40, 11, 50, "disk full (No space left on device)", time=1700000002.0)
    write(path, [*sample_records(), gap])
    loaded = list(SessionReader.open(path))
    assert loaded[-1].kind is RecordKind.GAP and loaded[-1].seq == 50
    assert loaded[-1].meta == {"lost": 40, "first_seq": 11, "last_seq": 50,
                               "reason": "disk full (No space left on device)"}
    assert json.loads(path.read_text().splitlines()[-1])["kind"] == "gap"


def test_a_write_that_fills_the_disk_leaves_only_whole_lines(tmp_path):
    disk = SmallDisk(free=300)
    writer = SessionWriter(tmp_path / "unused", make_header("csms"), stream=disk)
    records = [frame_message(seq, f'[2,"{seq}","Heartbeat",{{}}]') for seq in range(1, 4)]
    with pytest.raises(OSError, match="No space left"):
        writer.write_batch(records)             # part of it fitted, then the disk was full
    assert len(disk.lines()) == 1 and disk.data.endswith(b"\n")  # the header, whole
    disk.free = 10_000
    writer.write_batch(records)
    assert [json.loads(line)["seq"] for line in disk.lines()[1:]] == [1, 2, 3]


def test_a_fragment_that_cannot_be_cut_off_stays_on_a_line_of_its_own(tmp_path):
    class NoTruncate(SmallDisk):
        def truncate(self, size=None):
            raise OSError(errno.EIO, "Input/output error")

    disk = NoTruncate(free=300)
    writer = SessionWriter(tmp_path / "unused", make_header("csms"), stream=disk)
    records = [frame_message(seq, f'[2,"{seq}","Heartbeat",{{}}]') for seq in range(1, 4)]
    with pytest.raises(OSError):
        writer.write_batch(records)
    disk.free = 10_000
    writer.write_batch(records[2:])
    path = tmp_path / "s.jsonl"
    path.write_bytes(bytes(disk.data))
    reader = SessionReader.open(path)
    assert [m.seq for m in reader][-1] == 3     # the fragment did not swallow record 3
    assert reader.skipped == 1                  # the fragment, skipped with a warning


def test_a_recording_deleted_while_it_runs_is_written_again_with_what_it_held(tmp_path):
    folder = tmp_path / "captures"
    folder.mkdir()
    path = folder / "s.jsonl"
    records = sample_records()
    writer = SessionWriter(path, make_header("proxy"))
    writer.write_batch(records[:3])
    path.unlink()
    folder.rmdir()                               # a cleanup took the folder with it
    offsets = writer.write_batch(records[3:])
    writer.close()
    reader = SessionReader.open(path)
    assert list(reader) == records               # nothing written before the loss is gone
    assert reader.header["mode"] == "proxy"
    assert writer.restored == 1
    assert path.read_bytes()[offsets[0]:].startswith(b'{"seq":4,')  # offsets still hold
    assert path.stat().st_mode & 0o777 == 0o600


def test_a_recording_whose_name_was_taken_is_written_again_beside_that_file(tmp_path):
    path = tmp_path / "s.jsonl"
    records = sample_records()
    writer = SessionWriter(path, make_header("proxy"))
    writer.write_batch(records[:3])
    path.unlink()
    path.write_text("someone else's notes\n")
    (tmp_path / "s.restored.jsonl").write_text("and more of theirs\n")
    offsets = writer.write_batch(records[3:])
    writer.close()
    assert path.read_text() == "someone else's notes\n"            # never overwritten
    assert (tmp_path / "s.restored.jsonl").read_text() == "and more of theirs\n"
    assert writer.path == tmp_path / "s.restored-2.jsonl" and writer.requested == path
    assert list(SessionReader.open(writer.path)) == records
    assert writer.path.read_bytes()[offsets[0]:].startswith(b'{"seq":4,')


def test_a_session_saved_again_with_a_byte_order_mark_is_still_a_session(tmp_path):
    path = tmp_path / "s.jsonl"
    write(path, sample_records())
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())   # what Notepad's UTF-8 does
    assert is_session_file(path.read_bytes()[:4096])
    reader = SessionReader.open(path)
    assert reader.header["mode"] == "proxy"
    assert list(reader) == sample_records() and reader.warnings == []


def test_a_recording_written_again_short_of_room_is_removed_and_tried_again_later(
        tmp_path, monkeypatch):
    path = tmp_path / "s.jsonl"
    records = sample_records()
    writer = SessionWriter(path, make_header("proxy"))
    writer.write_batch(records[:3])
    whole = path.stat().st_size
    room = [whole // 2]                          # the disk takes half of it, then is full
    real_open = sessionfile.open_private

    def cramped(*args, **kwargs):
        stream = real_open(*args, **kwargs)
        descriptor = os.dup(stream.fileno())
        stream.close()
        return CrampedFile(descriptor, room)

    monkeypatch.setattr(sessionfile, "open_private", cramped)
    path.unlink()
    with pytest.raises(OSError, match="deleted") as failure:
        writer.write_batch(records[3:5])         # lost, and said why
    assert failure.value.errno == errno.ENOSPC
    assert not path.exists()                     # no file cut short under the name
    assert writer.restored == 0
    room[0] = 1 << 20                            # room made: the next batch restores it
    offsets = writer.write_batch(records[5:])
    writer.close()
    assert writer.restored == 1
    assert [m.seq for m in SessionReader.open(path)] == [1, 2, 3, 6, 7]
    assert path.read_bytes()[offsets[0]:].startswith(b'{"seq":6,')


@pytest.mark.parametrize(("version", "words"), [
    ("1", "its version is '1', not a whole number"),
    (None, "its version is missing"),
    (1.5, "its version is 1.5, not a whole number"),
])
def test_a_header_whose_version_is_no_number_is_called_damaged_not_newer(tmp_path, version,
                                                                         words):
    header = {"format": "ocppscope-session"}
    if version is not None:
        header["version"] = version
    path = tmp_path / "x.jsonl"
    path.write_text(json.dumps(header) + "\n")
    with pytest.raises(SessionFileError) as refused:
        SessionReader.open(path)
    assert str(refused.value) == f"{path}: the session header is damaged: {words}"
