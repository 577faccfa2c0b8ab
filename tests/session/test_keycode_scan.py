"""KeyCode PINs found in frames that are not JSON, however they are broken or nested."""

import pytest

from app.session.keycode_scan import keycode_spans


def pins(text: str) -> list[str]:
    return [text[start:end] for start, end in keycode_spans(text)]


@pytest.mark.parametrize(("text", "expected"), [
    ('[2,"1","Authorize",{"idToken":{"idToken":"9876","type":"KeyCode"},}]', ["9876"]),
    ('[2,"1","Authorize",{"idToken":{"type":"keyCode","idToken":"42"}', ["42"]),  # unclosed
    ('[2,"3","Authorize",{"idToken":{"idToken":"55","type":"KeyCode","additionalInfo":'
     '[{"additionalIdToken":"a","type":"b"}]},}]', ["55"]),
    ('[2,"4","Authorize",{"idToken":{"idToken":"x\\"}{,:y","type":"KeyCode"}},]',
     ['x\\"}{,:y']),
    ('[2,"5","Authorize",{"idToken":{"idToken":"AB12","type":"ISO14443"},}]', []),
    ('{"type":"KeyCode"} {"idToken":"not in that object"}', []),
    ('"idToken": "1", "type": "KeyCode"', []),            # in no object at all
    ('{"idToken" : "7" , "type" : "KEYCODE"', ["7"]),
])
def test_the_pins_of_keycode_objects_and_no_others(text, expected):
    assert pins(text) == expected


def test_every_keycode_of_a_frame_is_found_in_order():
    text = ('[2,"1","TransactionEvent",{"idToken":{"idToken":"1111","type":"KeyCode"},'
            '"groupIdToken":{"type":"KeyCode","idToken":"2222"},]')
    assert pins(text) == ["1111", "2222"]


def test_a_frame_made_to_slow_a_pattern_down_is_scanned_in_one_pass():
    """Objects that never close, each saying KeyCode: the scan looks at each structural
    character once, so a frame 8x longer finds 8x the objects and costs no more a char."""
    unit = '{"type":"KeyCode","idToken":"1",'
    small, large = "[2," + unit * 1_000, "[2," + unit * 8_000
    assert len(keycode_spans(small)) == 1_000 and len(keycode_spans(large)) == 8_000
