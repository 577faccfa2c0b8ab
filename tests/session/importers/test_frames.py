import json

from app.session.importers import frames
from tests.session.importers.samples import DOWN, HEARTBEAT, HEARTBEAT_OK, UP, rows


def test_plain_lines_with_times_and_direction_words():
    text = (f"2024-05-01T10:00:00Z -> {HEARTBEAT}\n"
            f"2024-05-01T10:00:01Z <- {HEARTBEAT_OK}\n").encode()
    imported = frames.read(text)
    assert rows(imported) == [("", UP, "Heartbeat", 2), ("", DOWN, "Heartbeat", 3)]
    assert imported.times_known and imported.directions_known


def test_without_times_or_directions_nothing_is_made_up():
    imported = frames.read(f"{HEARTBEAT}\n{HEARTBEAT_OK}\n".encode())
    assert not imported.times_known and not imported.directions_known
    assert [m.time for m in imported.messages] == [0.0, 0.0]
    assert [m.direction for m in imported.messages] == [UP, DOWN]  # from the action's sender
    assert imported.inferred == 2


def test_pretty_printed_frames_are_joined_and_chatter_is_noted():
    text = ("connected to csms\n" + json.dumps(json.loads(HEARTBEAT), indent=2) + "\n"
            + json.dumps(json.loads(HEARTBEAT_OK), indent=2) + "\n").encode()
    imported = frames.read(text)
    assert [m.message_type for m in imported.messages] == [2, 3]
    assert imported.places[0] == "lines 2–7"
    assert imported.notes[0].where == "line 1"


def test_a_json_list_of_frames_keeps_positions():
    imported = frames.read(json.dumps([json.loads(HEARTBEAT), {"oops": 1}]).encode())
    assert imported.format == frames.JSON_LIST and imported.places == ["[0]", "[1]"]


def test_text_without_frames_is_not_recognised():
    assert not frames.sniff(b"a shopping list\nmilk\n")
    assert not frames.sniff(b"[" * 1000)


def test_bytes_that_are_not_utf8_are_one_note_of_how_they_were_read():
    imported = frames.read(f"{HEARTBEAT}\n".encode() + b'[3,"x",{"currentTime":"caf\xe9"}]\n')
    [note] = [note for note in imported.notes if note.where]
    assert (note.where, note.code, note.assumed) == ("byte 50", "input.not-utf8", True)
    assert len(imported.messages) == 2
