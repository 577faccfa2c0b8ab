"""Placing the frames of a file without directions: by the sender of each action."""

import pytest

from app.ocpp.conversation import Direction
from app.ocpp.frames import parse_frame
from app.ocpp.sides import SideGuesser, sender_of

UP, DOWN = Direction.STATION_TO_CSMS, Direction.CSMS_TO_STATION


def guesses(*texts):
    guesser = SideGuesser()
    return [guesser.guess(parse_frame(text).frame) for text in texts]


@pytest.mark.parametrize(("action", "direction"), [
    ("Heartbeat", UP), ("BootNotification", UP), ("GetVariables", DOWN), ("Reset", DOWN),
    ("DataTransfer", None), ("NoSuchAction", None),
    ("StartTransaction", UP), ("RemoteStartTransaction", DOWN),  # 1.6, by their successor
])
def test_a_call_travels_from_the_side_that_sends_its_action(action, direction):
    assert sender_of(action) is direction


def test_an_answer_travels_the_other_way_than_its_call():
    assert guesses('[2,"1","Heartbeat",{}]', '[3,"1",{}]',
                   '[2,"2","Reset",{}]', '[4,"2","NotSupported","",{}]') == [
        UP, DOWN, DOWN, UP]


def test_answers_to_calls_either_side_sends_or_not_seen_stay_unknown():
    assert guesses('[2,"d","DataTransfer",{}]', '[3,"d",{}]', '[3,"zz",{}]', "not json") == [
        None, None, None, None]


def test_an_id_in_use_by_both_sides_leaves_its_answer_unknown():
    assert guesses('[2,"1","Heartbeat",{}]', '[2,"1","GetVariables",{}]', '[3,"1",{}]') == [
        UP, DOWN, None]


def test_overlapping_calls_of_both_sides_are_each_answered_the_right_way():
    assert guesses('[2,"a","Heartbeat",{}]', '[2,"b","ClearCache",{}]', '[3,"b",{}]',
                   '[3,"a",{}]') == [UP, DOWN, UP, DOWN]


def test_calls_never_answered_are_forgotten_beyond_a_bound():
    from app.ocpp.sides import _REMEMBERED_CALLS

    guesser = SideGuesser()
    for n in range(_REMEMBERED_CALLS + 10):
        guesser.guess(parse_frame(f'[2,"{n}","Heartbeat",{{}}]').frame)
    assert guesser.guess(parse_frame('[3,"0",{}]').frame) is None
    assert guesser.guess(parse_frame('[3,"100",{}]').frame) is DOWN
