"""A recording's script: one station's exchanges, paired and counted, and recorded answers
found for live CALLs."""

import pytest

from app.errors import InputError
from app.ocpp.conversation import Direction
from app.replay.script import AnswerBook, load_recording
from tests.net.peers import run
from tests.replay.sessions import record_session

UP, DOWN = Direction.STATION_TO_CSMS, Direction.CSMS_TO_STATION


@pytest.fixture(scope="module")
def two_stations(tmp_path_factory):
    path = tmp_path_factory.mktemp("rec") / "two.jsonl"
    run(record_session(path, ("CP-1", "CP-2")))
    return path


def test_a_station_script_pairs_calls_with_answers_and_counts_the_other_sides_calls(
        two_stations):
    script = load_recording(two_stations).script("CP-2")
    assert script.subprotocol == "ocpp2.0.1"
    assert [(e.direction, e.action, e.after) for e in script.exchanges] == [
        (UP, "BootNotification", 0), (DOWN, "GetVariables", 1), (UP, "Authorize", 1),
        (DOWN, "Reset", 2), (UP, "Heartbeat", 2)]
    assert all(e.reply.kind == "result" for e in script.exchanges)
    assert script.exchanges[2].reply.payload == {"idTokenInfo": {"status": "Accepted"}}


def test_several_stations_without_a_choice_are_named(two_stations):
    recording = load_recording(two_stations)
    with pytest.raises(InputError, match=r"2 stations \(CP-1, CP-2\): choose one with"):
        recording.script()
    with pytest.raises(InputError, match=r"no station 'CP-9' \(it holds CP-1, CP-2\)"):
        recording.script("CP-9")


def test_starting_later_drops_earlier_calls_and_recounts_the_conversation(two_stations):
    script = load_recording(two_stations).script("CP-1")
    later = script.starting_at(script.exchanges[2].seq)
    assert [(e.action, e.after, e.ordinal) for e in later.exchanges] == [
        ("Authorize", 0, 1), ("Reset", 1, 1), ("Heartbeat", 1, 1)]


def test_the_closest_recorded_call_of_the_action_gives_the_answer(two_stations):
    script = load_recording(two_stations).script("CP-1")
    book = AnswerBook(script.sent_by(UP))
    assert book.answer_for("Authorize", {"idToken": {"idToken": "X"}}).action == "Authorize"
    assert book.answer_for("Reset", {}) is None


def test_only_what_was_left_out_of_a_recording_is_told_not_how_it_was_read(tmp_path):
    path = tmp_path / "frames.txt"
    path.write_bytes('[2,"1","BootNotification",{"reason":"PowerUp","chargingStation":'
                     '{"model":"Café","vendorName":"V"}}]\n'.encode("latin-1")
                     + b"a line without a frame\n")
    assert load_recording(path).skipped == [
        "line 2: no OCPP frame, skipped: a line without a frame"]
