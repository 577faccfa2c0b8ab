"""Colouring rules: the first enabled rule that selects a record gives its colour; answers
are remembered per record; stored rules read back leniently."""

from __future__ import annotations

from app.query.colouring import (
    Colouring,
    ColourRule,
    colour_problem,
    rules_from_json,
    rules_to_json,
)
from app.query.record_view import RecordContext
from tests.factories import boot, judged_capture, tx_event

SCRIPT = [*boot(), *tx_event("t1", "Started", "tx-1", 0), *tx_event("t2", "Ended", "tx-1", 1)]
ENDED = 'action == "TransactionEvent" && payload.eventType == "Ended"'


def colours(colouring: Colouring, capture) -> list[str | None]:  # type: ignore[no-untyped-def]
    context = RecordContext(capture)
    return [colouring.colour_of(message, context) for message in capture.messages]


def test_the_first_matching_rule_gives_the_colour() -> None:
    capture = judged_capture(SCRIPT)
    colouring = Colouring([ColourRule(ENDED, "#ff0000"),
                           ColourRule('action == "TransactionEvent"', "gold"),
                           ColourRule("type == CALL", "blue")])
    # the answer to the Ended event has its CALL's action, not its eventType
    assert colours(colouring, capture) == ["blue", None, "gold", "gold", "#ff0000", "gold"]


def test_disabled_rules_and_broken_rules_colour_nothing_and_broken_ones_are_named() -> None:
    capture = judged_capture(SCRIPT)
    colouring = Colouring([ColourRule("type == CALL", "blue", enabled=False),
                           ColourRule('action = "Heartbeat"', "red"),
                           ColourRule("type == RESULT", "not a colour!")])
    assert colours(colouring, capture) == [None] * 6
    assert not colouring
    assert colouring.problems[0].startswith("rule 2: column 8:")
    assert "rule 3" in colouring.problems[1] and "not a colour" in colouring.problems[1]


def test_an_answer_is_remembered_per_record_unless_asked_not_to() -> None:
    capture = judged_capture(SCRIPT)
    context = RecordContext(capture)
    first, unjudged = capture.messages[0], capture.messages[2]
    colouring = Colouring([ColourRule("type == CALL", "blue")])
    assert colouring.colour_of(first, context) == "blue"
    assert colouring.colour_of(unjudged, context, remember=False) == "blue"
    colouring._compiled = []      # were the rules asked again, nothing would match now
    assert colouring.colour_of(first, context) == "blue"
    assert colouring.colour_of(unjudged, context) is None
    colouring.forget()
    assert colouring.colour_of(first, context) is None


def test_rules_round_trip_through_their_json_text() -> None:
    rules = [ColourRule(ENDED, "#80ff0000"), ColourRule("!valid", "orange", enabled=False)]
    assert rules_from_json(rules_to_json(rules)) == (rules, [])


def test_damaged_stored_rules_are_skipped_with_a_sentence() -> None:
    assert rules_from_json("{not json") == (
        [], ["the stored colouring rules are not JSON; none were read"])
    assert rules_from_json('{"when": "x"}')[1] == [
        "the stored colouring rules are not a list; none were read"]
    rules, skipped = rules_from_json([{"when": "valid", "colour": "green"}, 7, {"when": 1}])
    assert rules == [ColourRule("valid", "green")]
    assert skipped == ["colouring rule 2 has no expression or colour; skipped",
                       "colouring rule 3 has no expression or colour; skipped"]
    assert rules_from_json("") == ([], [])


def test_colours_are_names_or_hex_codes() -> None:
    for good in ("gold", "#fc0", "#ffcc00", "#80ffcc00"):
        assert colour_problem(good) is None
    for bad in ("", "#ffcc0", "rgb(1,2,3)", "x"):
        assert colour_problem(bad) is not None
