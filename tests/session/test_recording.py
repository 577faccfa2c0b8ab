"""A capture recorded from its first record through the queued sink, with notices that say
whether recording is failing, and a summary at the end."""

from app.ocpp.conversation import Direction
from app.session.capture import Capture
from app.session.message import RecordKind
from app.session.recording import Recording, summary
from app.session.sessionfile import SessionReader, SessionWriter, make_header
from tests.session.fake_disk import SmallDisk, wait_until

UP = Direction.STATION_TO_CSMS


def heartbeats(capture, count, start=0):
    for n in range(start, start + count):
        capture.frame("c1", "CP-1", UP, f'[2,"{n}","Heartbeat",{{}}]')


def test_every_record_reaches_the_file_and_the_summary_says_so(tmp_path):
    capture = Capture()
    path = tmp_path / "run.jsonl"
    recording = Recording(capture, SessionWriter(path, make_header("proxy")),
                          lambda *_: None)
    capture.event(RecordKind.OPENED, "c1", "CP-1", {"subprotocol": "ocpp2.0.1"})
    heartbeats(capture, 20)
    report = recording.close()
    heartbeats(capture, 5, start=20)  # after close: no longer recorded, nothing breaks
    reader = SessionReader.open(path)
    assert [m.seq for m in reader] == list(range(1, 22))
    assert reader.header["mode"] == "proxy"
    assert (report.written, report.lost) == (21, 0)
    assert summary(report, path) == f"recorded 21 records to {path}"


def test_a_full_disk_is_told_as_failing_and_summed_up(tmp_path):
    capture, told = Capture(), []
    disk = SmallDisk(free=700)
    writer = SessionWriter(tmp_path / "full.jsonl", make_header("csms"), stream=disk)
    recording = Recording(capture, writer, lambda text, failing: told.append((text, failing)))
    heartbeats(capture, 50)
    wait_until(lambda: told, what="the notice")
    report = recording.close()
    assert told[0][1] is True and "disk full" in told[0][0]
    assert report.lost > 0
    assert summary(report, "full.jsonl").endswith(
        "records were lost (disk full (No space left on device))")


def test_the_summary_names_the_file_a_recording_went_to_when_its_name_was_taken(tmp_path):
    capture = Capture()
    path = tmp_path / "s.jsonl"
    recording = Recording(capture, SessionWriter(path, make_header("proxy")),
                          lambda *_: None)
    heartbeats(capture, 3)
    wait_until(lambda: recording.written == 3, what="the first records written")
    path.unlink()
    path.write_text("someone else's\n")
    heartbeats(capture, 3, start=3)
    report = recording.close()
    sibling = tmp_path / "s.restored.jsonl"
    assert (report.written, report.lost) == (6, 0)
    assert recording.path == sibling
    assert [m.seq for m in SessionReader.open(sibling)] == list(range(1, 7))
    text = summary(report, recording.path, recording.requested)
    assert text.startswith(f"recorded 6 records to {sibling}") and str(path) in text
    assert "lost" not in text
