"""The comparison: alignment by direction + action + ordinal, verdicts, dotted-path diffs."""

from app.ocpp.conversation import Direction
from app.ocpp.findings import error
from app.replay.compare import (
    DEFAULT_IGNORE,
    Counts,
    Exchange,
    Ignore,
    Reply,
    Verdict,
    compare,
    differences,
)

UP, DOWN = Direction.STATION_TO_CSMS, Direction.CSMS_TO_STATION


def call(action, ordinal=1, reply=None, direction=UP, request=None, seq=1, findings=()):
    return Exchange(seq, direction, action, ordinal, request or {}, reply or Reply(),
                    findings=findings)


def result(payload, findings=()):
    return Reply("result", payload, findings=findings)


def test_a_changed_status_is_named_by_its_dotted_path():
    found = differences({"idTokenInfo": {"status": "Accepted"}},
                        {"idTokenInfo": {"status": "Invalid"}})
    assert [str(d) for d in found] == ["idTokenInfo.status: 'Accepted' -> 'Invalid'"]


def test_lists_absent_fields_and_types_are_differences():
    found = differences({"a": [1, 2], "b": 1}, {"a": [1], "b": 1.0, "c": True})
    assert [str(d) for d in found] == ["a[1]: 2 -> (absent)", "b: 1 -> 1.0",
                                       "c: (absent) -> true"]


def test_volatile_fields_are_ignored_at_any_depth():
    old = {"currentTime": "2024-01-01T00:00:00Z", "x": [{"timestamp": "a", "v": 1}]}
    new = {"currentTime": "2026-01-01T00:00:00Z", "x": [{"timestamp": "b", "v": 1}]}
    assert differences(old, new, DEFAULT_IGNORE) == []
    assert differences({"x": {"y": 1}}, {"x": {"y": 2}}, Ignore(("x.y",))) == []


def test_answers_align_by_action_and_ordinal_not_by_message_id():
    recorded = [call("Heartbeat", 1, result({}), seq=5), call("Heartbeat", 2, result({}), seq=9)]
    live = [call("Heartbeat", 2, result({}), seq=100), call("Heartbeat", 1, result({}), seq=90)]
    outcomes = compare(recorded, live, UP)
    assert [(o.ordinal, o.verdict, o.live.seq) for o in outcomes] == [
        (1, Verdict.SAME, 90), (2, Verdict.SAME, 100)]


def test_a_callerror_where_a_result_was_recorded_is_missing():
    outcomes = compare([call("Authorize", reply=result({"idTokenInfo": {}}))],
                       [call("Authorize", reply=Reply("error", error_code="InternalError"))],
                       UP)
    assert outcomes[0].verdict is Verdict.MISSING
    assert "CALLERROR InternalError" in outcomes[0].note


def test_no_live_answer_is_missing_and_an_unrecorded_call_is_extra():
    outcomes = compare([call("Authorize", reply=result({}))],
                       [call("Authorize"), call("Reset", direction=DOWN)], UP)
    assert [o.verdict for o in outcomes] == [Verdict.MISSING, Verdict.EXTRA]
    assert not Counts.of(outcomes).all_matched


def test_the_peers_own_calls_are_compared_by_their_request():
    recorded = [call("Reset", direction=DOWN, request={"type": "Immediate"})]
    live = [call("Reset", direction=DOWN, request={"type": "OnIdle"})]
    (outcome,) = compare(recorded, live, UP)
    assert outcome.verdict is Verdict.DIFFERENT
    assert [str(d) for d in outcome.differences] == ["type: 'Immediate' -> 'OnIdle'"]


def test_schema_errors_new_in_the_live_answer_make_it_different():
    bad = error("schema.enum", "not one of the allowed values", "status")
    outcomes = compare([call("Heartbeat", reply=result({}))],
                       [call("Heartbeat", reply=result({}, findings=(bad,)))], UP)
    assert outcomes[0].verdict is Verdict.DIFFERENT and outcomes[0].findings == (bad,)
    same = compare([call("Heartbeat", reply=result({}, findings=(bad,)))],
                   [call("Heartbeat", reply=result({}, findings=(bad,)))], UP)
    assert same[0].verdict is Verdict.SAME


def test_error_codes_are_compared_when_both_runs_failed():
    (outcome,) = compare([call("Reset", reply=Reply("error", error_code="NotSupported"))],
                         [call("Reset", reply=Reply("error", error_code="InternalError"))], UP)
    assert [str(d) for d in outcome.differences] == [
        "errorCode: 'NotSupported' -> 'InternalError'"]
