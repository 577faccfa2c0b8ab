"""What a record says of an intercept rule: the timeline's mark and the detail pane's diff."""

from dataclasses import replace

from app.session.info import info_line
from app.session.interception import interception_diff, interception_mark
from tests.factories import make_message

ARRIVED = '[3,"b1",{"currentTime":"2024-01-01T00:00:00Z","interval":300,"status":"Accepted"}]'
SENT = '[3,"b1",{"currentTime":"2024-01-01T00:00:00Z","interval":300,"status":"Rejected"}]'


def rewritten():
    message = make_message(2, SENT)
    return replace(message, meta={"intercept": {"rule": "refuse", "action": "rewrite",
                                                "original": ARRIVED}})


def test_a_rewritten_frame_is_marked_and_diffed_against_what_arrived():
    message = rewritten()
    assert interception_mark(message) == "⚑ rewritten by refuse"
    diff = interception_diff(message)
    assert '-    "status": "Accepted"' in diff and '+    "status": "Rejected"' in diff
    assert info_line(message).startswith("⚑ rewritten by refuse  ")


def test_an_untouched_frame_has_no_mark_and_a_dropped_one_says_so():
    plain = make_message(1, ARRIVED)
    assert interception_mark(plain) == "" and interception_diff(plain) == ""
    dropped = replace(plain, meta={"delivered": False,
                                   "intercept": {"rule": "lose", "action": "drop"}})
    assert interception_diff(dropped).splitlines() == [
        "⚑ dropped by lose", "This frame was not sent on."]
