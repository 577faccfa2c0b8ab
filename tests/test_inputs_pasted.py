"""`app.inputs.frames_in_text`: frames pasted into the window, log prefixes and all.

(Apart from test_inputs.py, which reads files, since pasted text has its own rules: where
each frame starts in the text, lines of log chatter skipped.)"""

from app.inputs import frames_in_text
from app.ocpp.conversation import Direction


def test_pasted_log_lines_give_their_frames_with_where_each_starts():
    text = ("2026-11-30 10:00:01 [INFO] connected\n"
            '2026-11-30 10:00:01 [INFO] → [2,"1","Heartbeat",{}]\n'
            "\n"
            '2026-11-30 10:00:02 [INFO] ← [3,"1",{"currentTime":"2026-11-30T10:00:02Z"}]\n')
    read = frames_in_text(text)
    assert read.kind == "lines" and read.skipped == [1]
    assert [(f.position, f.text) for _, f in read.frames] == [
        ("line 2", '[2,"1","Heartbeat",{}]'),
        ("line 4", '[3,"1",{"currentTime":"2026-11-30T10:00:02Z"}]')]
    for start, frame in read.frames:
        assert text[start:start + len(frame.text)] == frame.text
    # directions inferred as for a file: the Heartbeat from the station, its answer back
    assert [f.direction for _, f in read.frames] == [Direction.STATION_TO_CSMS,
                                                     Direction.CSMS_TO_STATION]


def test_pasted_json_is_a_list_of_frames_or_one_frame():
    listed = ' [[2,"a","Heartbeat",{}],\n  [3,"a",{"currentTime":"x"}]]'
    read = frames_in_text(listed)
    assert read.kind == "json"
    assert [(start, f.position, f.text) for start, f in read.frames] == [
        (2, "[0]", '[2,"a","Heartbeat",{}]'), (28, "[1]", '[3,"a",{"currentTime":"x"}]')]
    one = '\n[2, "b",\n "Heartbeat", {}]\n'
    assert [(start, f.position, f.text) for start, f in frames_in_text(one).frames] == [
        (1, "frame", '[2, "b",\n "Heartbeat", {}]')]
    assert frames_in_text("  \n ").frames == []


def test_a_broken_frame_over_several_lines_is_judged_whole():
    text = '[2, "b",\n "Heartbeat",\n {]'
    read = frames_in_text(text)
    assert [(start, f.text) for start, f in read.frames] == [(0, text)]


def test_a_broken_frame_among_good_lines_stays_on_its_line():
    text = '[2,"a","Heartbeat",{}]\n[2,"b","Heartbeat",{]\n'
    assert [(f.position, f.text) for _, f in frames_in_text(text).frames] == [
        ("line 1", '[2,"a","Heartbeat",{}]'), ("line 2", '[2,"b","Heartbeat",{]')]
