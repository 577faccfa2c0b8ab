"""The import report: what a file of another tool was read as, its notes, and what it lacked
with the checks that did not run; none for a recorded session."""

from app.session.import_report import NO_TIMES, import_report, lacking
from tests.factories import boot, loaded_session, script_messages, write_session

STEVE_LOG = ('[chargeBoxId=cp1, sessionId=s] Received: [2,"1","Heartbeat",{}]\n'
             "server started\n"
             '[chargeBoxId=cp1, sessionId=s] Sending: [3,"1",{"currentTime":'
             '"2024-05-01T10:00:00Z"}]\n')


def test_a_log_with_a_skipped_line_and_no_times_is_reported_with_both(tmp_path):
    path = tmp_path / "steve.log"
    path.write_text(STEVE_LOG)
    report = import_report(loaded_session(path))
    assert report is not None
    assert report.headline == "Read as SteVe WebSocketLogger logs: 2 records"
    skipped = [note for note in report.notes if note.where]
    assert [(n.where, n.text) for n in skipped] == [
        ("line 2", "no OCPP frame, skipped: server started")]
    assert report.lacks == (NO_TIMES,)   # the log says which way each frame went


def test_frames_without_directions_say_how_many_were_inferred(tmp_path):
    path = tmp_path / "frames.txt"
    path.write_text('[2,"1","Heartbeat",{}]\n[3,"1",{"currentTime":"2024-05-01T10:00:00Z"}]\n'
                    '[2,"2","DataTransfer",{"vendorId":"v"}]\n')
    report = import_report(loaded_session(path))
    assert report is not None and report.lacks[0] == NO_TIMES
    assert report.lacks[1].startswith("no directions: inferred from the actions' senders "
                                      "for 2 frames; a second CALL")
    assert report.lacks[2].startswith("1 frame of unknown direction")


def test_a_recorded_session_gets_no_report(tmp_path):
    path = write_session(tmp_path / "s.jsonl", script_messages(boot()))
    assert import_report(loaded_session(path)) is None


def test_an_input_with_times_and_directions_lacks_nothing():
    assert lacking(True, True, 0, 0) == ()
    assert lacking(True, False, 0, 0)[0].startswith("directions inferred for some "
                                                    "connections (see the notes)")
