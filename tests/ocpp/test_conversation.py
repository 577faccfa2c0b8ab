"""Pairing answers with CALLs, and the protocol faults around pairing."""

from math import inf

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.ocpp.checker import FrameChecker
from app.ocpp.conversation import Conversation, Direction, Exchange, Lost
from app.ocpp.findings import Severity
from app.ocpp.frames import parse_frame

UP, DOWN = Direction.STATION_TO_CSMS, Direction.CSMS_TO_STATION
BOOT = ('[2,"b1","BootNotification",'
        '{"reason":"PowerUp","chargingStation":{"model":"M","vendorName":"V"}}]')
BOOT_OK = '[3,"b1",{"currentTime":"2024-01-01T00:00:00Z","interval":300,"status":"Accepted"}]'


def codes(verdict):
    return [f.code for f in verdict.findings]


def test_result_takes_the_action_and_schema_of_its_call():
    checker = FrameChecker()
    checker.check(BOOT, direction=UP, seq=1, time=10.0)
    verdict = checker.check(BOOT_OK, direction=DOWN, seq=2, time=10.25)
    assert verdict.action == "BootNotification"
    assert verdict.call.seq == 1
    assert verdict.latency == 0.25
    assert verdict.valid and not verdict.findings


def test_result_is_validated_against_the_response_schema():
    checker = FrameChecker()
    checker.check(BOOT, direction=UP, seq=1)
    verdict = checker.check('[3,"b1",{"status":"accepted"}]', direction=DOWN, seq=2)
    assert {(f.code, f.path) for f in verdict.findings} == {
        ("schema.enum", "status"), ("schema.required", "currentTime"),
        ("schema.required", "interval")}


def test_result_without_call_is_flagged():
    verdict = FrameChecker().check(BOOT_OK, direction=DOWN, seq=1)
    assert codes(verdict) == ["protocol.unmatched-result"]
    assert verdict.action is None


def test_error_without_call_is_flagged():
    verdict = FrameChecker().check('[4,"zz","GenericError","",{}]', direction=DOWN)
    assert codes(verdict) == ["protocol.unmatched-error"]


def test_second_answer_to_the_same_call_is_flagged_as_a_duplicate():
    checker = FrameChecker()
    checker.check(BOOT, direction=UP, seq=1)
    checker.check(BOOT_OK, direction=DOWN, seq=2)
    verdict = checker.check(BOOT_OK, direction=DOWN, seq=3)
    assert codes(verdict) == ["protocol.unmatched-result"]
    assert "already answered" in verdict.findings[0].message


def test_answer_must_come_from_the_other_side():
    checker = FrameChecker()
    checker.check(BOOT, direction=UP, seq=1)
    assert codes(checker.check(BOOT_OK, direction=UP, seq=2)) == ["protocol.unmatched-result"]


def test_call_resent_with_the_same_id_before_an_answer():
    checker = FrameChecker()
    checker.check('[2,"h","Heartbeat",{}]', direction=UP, seq=1)
    assert codes(checker.check('[2,"h","Heartbeat",{}]', direction=UP, seq=2)) == [
        "protocol.duplicate-id"]


def test_second_outstanding_call_in_one_direction_is_a_warning():
    checker = FrameChecker()
    checker.check('[2,"1","Heartbeat",{}]', direction=UP, seq=1)
    verdict = checker.check('[2,"2","Heartbeat",{}]', direction=UP, seq=2)
    assert codes(verdict) == ["protocol.concurrent-call"]
    assert verdict.valid  # a warning, not an error


def test_calls_in_both_directions_may_overlap():
    checker = FrameChecker()
    checker.check('[2,"1","Heartbeat",{}]', direction=UP, seq=1)
    assert codes(checker.check('[2,"1","ClearCache",{}]', direction=DOWN, seq=2)) == []
    answer = checker.check('[3,"1",{"status":"Accepted"}]', direction=UP, seq=3)
    assert answer.action == "ClearCache" and answer.valid


def test_reused_id_after_answer_is_a_warning():
    checker = FrameChecker()
    checker.check('[2,"7","Heartbeat",{}]', direction=UP, seq=1)
    checker.check('[3,"7",{"currentTime":"2024-01-01T00:00:00Z"}]', direction=DOWN, seq=2)
    assert codes(checker.check('[2,"7","Heartbeat",{}]', direction=UP, seq=3)) == [
        "protocol.reused-id"]


def test_action_sent_by_the_wrong_side():
    verdict = FrameChecker().check(BOOT, direction=DOWN)
    assert codes(verdict) == ["protocol.wrong-sender"]


def test_data_transfer_goes_both_ways():
    checker = FrameChecker()
    text = '[2,"d","DataTransfer",{"vendorId":"com.example"}]'
    assert codes(checker.check(text, connection="a", direction=DOWN)) == []
    assert codes(checker.check(text, connection="b", direction=UP)) == []


def test_connections_are_paired_separately():
    checker = FrameChecker()
    checker.check(BOOT, connection="cp1", direction=UP)
    assert codes(checker.check(BOOT_OK, connection="cp2", direction=DOWN)) == [
        "protocol.unmatched-result"]
    assert checker.check(BOOT_OK, connection="cp1", direction=DOWN).action == "BootNotification"


def test_unknown_direction_pairs_by_id_alone():
    checker = FrameChecker()
    checker.check(BOOT)
    assert checker.check(BOOT_OK).action == "BootNotification"


def test_overdue_calls():
    checker = FrameChecker()
    checker.check('[2,"1","Heartbeat",{}]', direction=UP, seq=1, time=100.0)
    conversation = checker.conversation("")
    assert conversation.overdue(now=110.0, timeout=30.0) == []
    assert [c.seq for c in conversation.overdue(now=131.0, timeout=30.0)] == [1]
    assert [c.action for c in checker.pending()] == ["Heartbeat"]


def test_callerror_answers_and_is_not_schema_checked():
    checker = FrameChecker()
    checker.check('[2,"1","Reset",{"type":"Immediate"}]', direction=DOWN)
    verdict = checker.check('[4,"1","NotSupported","no",{}]', direction=UP)
    assert verdict.action == "Reset" and verdict.findings == ()


def test_malformed_frame_leaves_pairing_alone():
    checker = FrameChecker()
    checker.check(BOOT, direction=UP)
    assert checker.check("[3,", direction=DOWN).malformed
    assert checker.check(BOOT_OK, direction=DOWN).action == "BootNotification"


def test_many_unanswered_calls_stay_cheap_and_bounded():
    from app.ocpp.conversation import _MAX_WAITING

    checker = FrameChecker()
    for n in range(_MAX_WAITING + 50):
        checker.check(f'[2,"{n}","Heartbeat",{{}}]', direction=UP, seq=n)
    pending = checker.conversation("").pending
    assert len(pending) == _MAX_WAITING and pending[0].message_id == "50"
    verdict = checker.check('[3,"60",{"currentTime":"2024-01-01T00:00:00Z"}]', direction=DOWN)
    assert verdict.action == "Heartbeat"


def test_calls_of_unknown_direction_are_not_said_to_overlap():
    """Two CALLs of a file without directions may well come from different sides."""
    checker = FrameChecker()
    checker.check('[2,"1","DataTransfer",{"vendorId":"a"}]', seq=1)
    assert codes(checker.check('[2,"2","DataTransfer",{"vendorId":"b"}]', seq=2)) == []


def test_a_call_unanswered_past_the_timeout_is_given_up_once():
    checker = FrameChecker()
    conversation = checker.conversation("")
    checker.check('[2,"1","Heartbeat",{}]', direction=UP, seq=1, time=100.0)
    assert conversation.expire(now=130.0, timeout=30.0) == []  # at the deadline: in time
    assert [c.seq for c in conversation.expire(now=130.5, timeout=30.0)] == [1]
    assert conversation.expire(now=500.0, timeout=30.0) == []
    assert checker.pending() == []
    # no longer outstanding: the next CALL does not overlap it
    assert codes(checker.check('[2,"2","Heartbeat",{}]', direction=UP, seq=2, time=140.0)) == []


def test_expire_keeps_calls_younger_than_the_timeout_and_calls_without_time():
    checker = FrameChecker()
    conversation = checker.conversation("")
    checker.check('[2,"1","Heartbeat",{}]', direction=UP, seq=1, time=None)
    checker.check('[2,"2","ClearCache",{}]', direction=DOWN, seq=2, time=100.0)
    checker.check('[2,"3","Reset",{"type":"Immediate"}]', direction=DOWN, seq=3, time=120.0)
    assert [c.seq for c in conversation.expire(now=140.0, timeout=30.0)] == [2]
    assert [c.seq for c in checker.pending()] == [1, 3]


def test_a_late_answer_to_a_call_given_up_still_pairs_quietly():
    checker = FrameChecker()
    checker.check(BOOT, direction=UP, seq=1, time=0.0)
    checker.conversation("").expire(now=60.0, timeout=30.0)
    verdict = checker.check('[3,"b1",{"status":"accepted"}]', direction=DOWN, seq=2, time=61.0)
    assert verdict.action == "BootNotification" and verdict.call.seq == 1
    assert "protocol.unmatched-result" not in codes(verdict)
    assert "schema.enum" in codes(verdict)


def test_a_new_boot_clears_what_was_outstanding_on_the_connection():
    checker = FrameChecker()
    checker.check('[2,"1","Heartbeat",{}]', direction=UP, seq=1)
    checker.check('[2,"9","GetVariables",{}]', direction=DOWN, seq=2)
    verdict = checker.check(BOOT, direction=UP, seq=3)
    assert codes(verdict) == []  # not a second outstanding CALL
    assert [(c.seq, why) for c, why in checker.take_given_up()] == [
        (1, Lost.REBOOT), (2, Lost.REBOOT)]
    assert [c.seq for c in checker.pending()] == [3]
    # the station counts its ids from the start again: not a reuse
    checker.check(BOOT_OK, direction=DOWN, seq=4)
    assert codes(checker.check('[2,"1","Heartbeat",{}]', direction=UP, seq=5)) == []


def test_a_boot_from_a_station_that_did_not_reboot_loses_no_answer():
    """A station retrying BootNotification while Pending: the CSMS's CALL sent meanwhile
    may still be answered, and then pairs as usual."""
    checker = FrameChecker()
    checker.check('[2,"9","ClearCache",{}]', direction=DOWN, seq=1)
    checker.check(BOOT, direction=UP, seq=2)
    answer = checker.check('[3,"9",{"status":"Accepted"}]', direction=UP, seq=3)
    assert answer.action == "ClearCache" and codes(answer) == []


def test_a_boot_sent_by_the_csms_clears_nothing():
    checker = FrameChecker()
    checker.check('[2,"1","Heartbeat",{}]', direction=UP, seq=1)
    checker.check(BOOT, direction=DOWN, seq=2)
    assert [c.seq for c in checker.pending()] == [1, 2]


def test_without_times_answers_have_no_latency():
    checker = FrameChecker()
    checker.check(BOOT, direction=UP, seq=1, time=None)
    verdict = checker.check(BOOT_OK, direction=DOWN, seq=2, time=None)
    assert verdict.action == "BootNotification" and verdict.latency is None


def test_without_times_a_call_overtaken_by_an_answered_one_of_its_side_is_given_up():
    """A lost answer in a log without times: the station went on, and its next CALL was
    answered; the lost one is given up then, not named again at every later CALL."""
    checker = FrameChecker()
    checker.check('[2,"1","Heartbeat",{}]', direction=UP, seq=1, time=None)
    assert codes(checker.check('[2,"2","Heartbeat",{}]', direction=UP, seq=2, time=None)) == [
        "protocol.concurrent-call"]
    checker.check('[3,"2",{"currentTime":"2024-01-01T00:00:00Z"}]', direction=DOWN, seq=3,
                  time=None)
    assert [(c.seq, why) for c, why in checker.take_given_up()] == [(1, Lost.OVERTAKEN)]
    assert checker.take_given_up() == ()  # said once
    assert checker.pending() == []
    assert codes(checker.check('[2,"3","Heartbeat",{}]', direction=UP, seq=4, time=None)) == []
    assert checker.take_given_up() == ()


def test_with_times_an_overtaken_call_waits_for_its_timeout():
    checker = FrameChecker()
    checker.check('[2,"1","Heartbeat",{}]', direction=UP, seq=1, time=1.0)
    checker.check('[2,"2","Heartbeat",{}]', direction=UP, seq=2, time=2.0)
    checker.check('[3,"2",{"currentTime":"2024-01-01T00:00:00Z"}]', direction=DOWN, seq=3,
                  time=2.5)
    assert [c.seq for c in checker.pending()] == [1]


def test_a_second_call_on_inferred_directions_is_a_note_not_a_warning():
    checker = FrameChecker(directions_inferred=True)
    checker.check('[2,"1","Heartbeat",{}]', direction=UP, seq=1, time=None)
    [finding] = checker.check('[2,"2","Heartbeat",{}]', direction=UP, seq=2,
                              time=None).findings
    assert finding.code == "protocol.concurrent-call" and finding.severity is Severity.INFO
    assert "taken as sent by the station" in finding.message


def test_the_parts_of_an_exchange_are_those_observe_gives():
    frames = [(BOOT, UP), (BOOT_OK, DOWN), ('[2,"h","Heartbeat",{}]', UP),
              ('[2,"h","Heartbeat",{}]', UP), ('[2,"x","Heartbeat",{}]', DOWN),
              ('[3,"h",{}]', DOWN), ('[3,"h",{}]', DOWN), ('[4,"q","NotImplemented","",{}]', UP),
              ('[2,"r","Reset",{"type":"Immediate"}]', None), ('[3,"r",{}]', None)]
    whole, parts = Conversation(), Conversation()
    for seq, (text, direction) in enumerate(frames, 1):
        frame = parse_frame(text).frame
        exchange = whole.observe(frame, direction, seq, float(seq))
        action, call, latency, findings = parts.observe_parts(frame, direction, seq, float(seq))
        assert exchange == Exchange(action, call, latency, list(findings))
        assert isinstance(findings, list) or findings == ()


HEARTBEAT_OK = '[3,"{}",{{"currentTime":"2024-01-01T00:00:00Z"}}]'


def test_a_call_timed_out_is_given_up_before_the_next_frame_of_its_connection_is_judged():
    """The frame that shows the timeout ran out decides, not whoever looks when: so the
    CALL no longer makes that frame a second outstanding CALL."""
    checker = FrameChecker(answer_timeout=30.0)
    checker.check('[2,"1","StatusNotification",{}]', direction=UP, seq=1, time=100.0)
    checker.check('[2,"x","ClearCache",{}]', direction=DOWN, seq=2, time=130.0)
    assert checker.take_given_up() == ()  # 30 s, the deadline itself: still waiting
    verdict = checker.check('[2,"2","Heartbeat",{}]', direction=UP, seq=3, time=130.5)
    assert "protocol.concurrent-call" not in codes(verdict)
    assert [(c.seq, why) for c, why in checker.take_given_up()] == [(1, Lost.TIMEOUT)]
    assert [c.seq for c in checker.pending()] == [2, 3]


def test_an_answer_exactly_at_the_deadline_is_in_time():
    checker = FrameChecker(answer_timeout=30.0)
    checker.check('[2,"1","Heartbeat",{}]', direction=UP, seq=1, time=2.0)
    verdict = checker.check(HEARTBEAT_OK.format(1), direction=DOWN, seq=2, time=32.0)
    assert checker.take_given_up() == ()
    assert verdict.call.seq == 1 and verdict.latency == 30.0 and codes(verdict) == []


@pytest.mark.parametrize("sent", [105.93924, 0.1, 1e6 + 0.7])
def test_an_answer_recorded_at_the_deadline_is_in_time_whatever_the_float_sum(sent):
    # 105.93924 + 30 is 135.93923999999998: a hair before the answer's recorded time
    checker = FrameChecker(answer_timeout=30.0)
    checker.check('[2,"1","Heartbeat",{}]', direction=UP, seq=1, time=sent)
    answer = float(f"{sent + 30:.6f}")  # as a session records it
    verdict = checker.check(HEARTBEAT_OK.format(1), direction=DOWN, seq=2, time=answer)
    assert checker.take_given_up() == ()
    assert verdict.call.seq == 1 and codes(verdict) == []
    checker.check('[2,"2","Heartbeat",{}]', direction=UP, seq=3, time=answer)
    checker.check('[2,"3","ClearCache",{}]', direction=DOWN, seq=4, time=answer + 30.000001)
    assert [(c.seq, why) for c, why in checker.take_given_up()] == [(3, Lost.TIMEOUT)]


def test_a_nan_time_still_gives_up_at_once():
    checker = FrameChecker(answer_timeout=30.0)
    checker.check('[2,"1","Heartbeat",{}]', direction=UP, seq=1, time=2.0)
    checker.check('[2,"2","ClearCache",{}]', direction=DOWN, seq=2, time=float("nan"))
    assert [(c.seq, why) for c, why in checker.take_given_up()] == [(1, Lost.TIMEOUT)]


@pytest.mark.parametrize("text", ['[2,"m1","MeterValues",{"evseId":1,', "[9]", b"\x00\x01"])
def test_a_frame_that_does_not_parse_gives_up_the_calls_overdue_by_its_time(text):
    checker = FrameChecker(answer_timeout=30.0)
    checker.check('[2,"1","Heartbeat",{}]', direction=UP, seq=1, time=2.0)
    checker.check(text, direction=UP, seq=2, time=32.0)
    assert checker.take_given_up() == ()  # at the deadline: still in time
    verdict = checker.check(text, direction=UP, seq=3, time=40.0)
    assert verdict.malformed
    assert [(c.seq, why) for c, why in checker.take_given_up()] == [(1, Lost.TIMEOUT)]
    assert checker.pending() == []


def test_a_late_answer_pairs_quietly_with_the_call_timed_out_before_it():
    checker = FrameChecker(answer_timeout=30.0)
    checker.check('[2,"1","Heartbeat",{}]', direction=UP, seq=1, time=0.0)
    verdict = checker.check(HEARTBEAT_OK.format(1), direction=DOWN, seq=2, time=35.0)
    assert [(c.seq, why) for c, why in checker.take_given_up()] == [(1, Lost.TIMEOUT)]
    assert verdict.call.seq == 1 and verdict.latency == 35.0 and codes(verdict) == []


def test_a_timeout_and_a_reboot_at_one_frame_are_both_said_timeout_first():
    checker = FrameChecker(answer_timeout=30.0)
    checker.check('[2,"1","Heartbeat",{}]', direction=UP, seq=1, time=0.0)
    checker.check('[2,"9","ClearCache",{}]', direction=DOWN, seq=2, time=20.0)
    checker.check(BOOT, direction=UP, seq=3, time=40.0)
    assert [(c.seq, why) for c, why in checker.take_given_up()] == [
        (1, Lost.TIMEOUT), (2, Lost.REBOOT)]


def test_without_an_answer_timeout_no_call_is_given_up_for_its_time():
    checker = FrameChecker(answer_timeout=None)
    checker.check('[2,"1","Heartbeat",{}]', direction=UP, seq=1, time=0.0)
    checker.check('[2,"2","Heartbeat",{}]', direction=UP, seq=2, time=1e9)
    assert checker.take_given_up() == ()
    assert [c.seq for c in checker.pending()] == [1, 2]


def test_a_new_answer_timeout_applies_to_the_calls_already_waiting():
    checker = FrameChecker(answer_timeout=30.0)
    checker.check('[2,"1","Heartbeat",{}]', direction=UP, seq=1, time=0.0)
    checker.answer_timeout = 5.0
    checker.check('[2,"x","ClearCache",{}]', direction=DOWN, seq=2, time=6.0)
    assert [(c.seq, why) for c, why in checker.take_given_up()] == [(1, Lost.TIMEOUT)]


class _LookingAtEveryFrame(Conversation):
    """A conversation without its shortcut: its queues looked at before every frame."""

    def observe_parts(self, frame, direction, seq, time):
        self._next_due = -inf
        return super().observe_parts(frame, direction, seq, time)


_TIMES = st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True),
                   st.floats(min_value=0, max_value=100), st.just(1e300), st.just(-0.0))
_TEXTS = {"call": '[2,"m{n}","Heartbeat",{{}}]', "again": '[2,"m{n}","Authorize",{{}}]',
          "down": '[2,"m{n}","ClearCache",{{}}]',
          "answer": '[3,"m{n}",{{"currentTime":"2024-01-01T00:00:00Z"}}]',
          "error": '[4,"m{n}","InternalError","",{{}}]',
          "boot": '[2,"b{n}","BootNotification",{{"reason":"PowerUp","chargingStation":'
                  '{{"model":"M","vendorName":"V"}}}}]'}


@settings(max_examples=300, deadline=None)
@given(frames=st.lists(st.tuples(_TIMES, st.sampled_from(sorted(_TEXTS)),
                                 st.sampled_from([UP, DOWN, None]), st.integers(0, 4)),
                       max_size=40),
       timeout=st.one_of(st.none(), st.floats(allow_nan=True),
                         st.sampled_from([0.0, 1.0, 30.0, -1.0])))
def test_the_timeout_shortcut_gives_up_what_looking_at_every_frame_gives_up(frames, timeout):
    """Times from a file may go back, repeat, be NaN, infinite or missing: the bound that
    spares a frame the look at the queues must never skip a CALL that is due."""
    results = []
    for conversation in (Conversation(answer_timeout=timeout),
                         _LookingAtEveryFrame(answer_timeout=timeout)):
        said = []
        for seq, (time, kind, direction, number) in enumerate(frames, start=1):
            frame = parse_frame(_TEXTS[kind].format(n=number)).frame
            parts = conversation.observe_parts(frame, direction, seq, time)
            said.append((repr(parts), [(c.seq, why) for c, why in
                                       conversation.take_given_up()]))
        results.append((said, [c.seq for c in conversation.pending]))
    assert results[0] == results[1]
