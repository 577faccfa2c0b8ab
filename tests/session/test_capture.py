"""Capture: live records judged at once, loaded records judged later in slices."""

from hypothesis import given, settings
from hypothesis import strategies as st

from app.ocpp.checker import FrameChecker
from app.ocpp.conversation import Direction
from app.session.annotations import Annotation
from app.session.capture import Capture
from app.session.message import Message, RecordKind, frame_message

UP, DOWN = Direction.STATION_TO_CSMS, Direction.CSMS_TO_STATION
CALL = '[2,"1","Heartbeat",{}]'
RESULT = '[3,"1",{"currentTime":"2024-01-01T00:00:00Z"}]'


def test_live_frames_are_numbered_judged_and_paired():
    capture = Capture()
    seen = []
    capture.subscribe(lambda message, annotation: seen.append((message.seq, annotation)))
    capture.event(RecordKind.OPENED, "c1", "CP1", {"subprotocol": "ocpp2.0.1"})
    call = capture.frame("c1", "CP1", UP, CALL)
    result = capture.frame("c1", "CP1", DOWN, RESULT)
    assert [s for s, _ in seen] == [1, 2, 3]
    assert result.action == "Heartbeat"          # answers carry their CALL's action
    assert capture.pair_of(call.seq) == result.seq
    assert capture.pair_of(result.seq) == call.seq
    assert capture.annotation(result.seq).latency is not None
    assert capture.judged


def test_a_failing_subscriber_does_not_stop_the_capture():
    capture = Capture()
    capture.subscribe(lambda *_: 1 / 0)
    later = []
    capture.subscribe(lambda message, _: later.append(message.seq))
    capture.frame("c1", "CP1", UP, CALL)
    assert later == [1] and len(capture.messages) == 1


def test_adopted_records_are_judged_in_slices():
    messages = []
    for n in range(2000):
        messages.append(frame_message(2 * n + 1, f'[2,"{n}","Heartbeat",{{}}]', connection="c",
                                      station="CP", direction=UP, time=1.0, monotonic=n))
        messages.append(frame_message(2 * n + 2, f'[3,"{n}",{{"currentTime":"bad"}}]',
                                      connection="c", station="CP", direction=DOWN, time=1.0,
                                      monotonic=n + 0.5))
    capture = Capture()
    capture.adopt(messages)
    assert not capture.judged
    slices = 0
    while capture.annotate(budget=0.0):
        slices += 1
    assert slices > 1 and capture.judged
    assert capture.annotation(2).findings[0].code == "schema.date-time"
    assert capture.pair_of(1) == 2 and capture.index_of(4000) == 3999


def test_index_of_handles_gaps():
    capture = Capture()
    capture.adopt([frame_message(seq, CALL) for seq in (3, 7, 9)])
    assert capture.index_of(7) == 1
    assert capture.index_of(8) is None and capture.index_of(100) is None


def test_undelivered_frames_are_marked():
    capture = Capture()
    message = capture.frame("c1", "CP1", UP, CALL, meta={"delivered": False})
    assert message.meta == {"delivered": False}


def test_calls_left_unanswered_at_close_are_flagged():
    capture = Capture()
    call = capture.frame("c1", "CP1", UP, CALL)
    capture.event(RecordKind.CLOSED, "c1", "CP1", {"code": 1006, "by": "station"})
    findings = capture.annotation(call.seq).findings
    assert [f.code for f in findings] == ["protocol.no-answer"]
    assert capture.annotation(call.seq).valid  # a warning: the CALL itself was fine


def test_loaded_sessions_flag_unanswered_calls_at_close_too():
    source = Capture()
    source.frame("c1", "CP1", UP, CALL)
    source.event(RecordKind.CLOSED, "c1", "CP1", {})
    loaded = Capture()
    loaded.adopt(list(source.messages))
    while loaded.annotate():
        pass
    assert [f.code for f in loaded.annotation(1).findings] == ["protocol.no-answer"]


def test_calls_waiting_too_long_are_flagged_once_and_not_again_at_close():
    capture = Capture()
    call = capture.frame("c1", "CP1", UP, CALL)
    answered = capture.frame("c1", "CP1", UP, '[2,"2","Heartbeat",{}]')
    capture.frame("c1", "CP1", DOWN, '[3,"2",{"currentTime":"2024-01-01T00:00:00Z"}]')
    assert capture.expire(30.0, now=call.monotonic + 10) == []
    added = capture.expire(30.0, now=call.monotonic + 31)
    assert [(seq, f.code) for seq, f in added] == [(call.seq, "protocol.answer-timeout")]
    assert capture.expire(30.0, now=call.monotonic + 60) == []
    capture.event(RecordKind.CLOSED, "c1", "CP1", {})
    assert [f.code for f in capture.annotation(call.seq).findings] == [
        "protocol.answer-timeout"]
    assert "protocol.answer-timeout" not in [
        f.code for f in capture.annotation(answered.seq).findings]


def test_adopted_records_without_times_are_not_judged_by_timing():
    boot = ('[2,"b","BootNotification",{"reason":"PowerUp",'
            '"chargingStation":{"model":"M","vendorName":"V"}}]')
    boot_ok = '[3,"b",{"currentTime":"2024-01-01T00:00:00Z","interval":60,"status":"Accepted"}]'
    texts = [boot, boot_ok] + [CALL.replace('"1"', f'"{n}"') for n in range(3)]
    messages = [frame_message(n + 1, text, station="CP", direction=DOWN if n == 1 else UP,
                              time=0.0, monotonic=0.0) for n, text in enumerate(texts)]

    def codes_when(times_known):
        capture = Capture()
        capture.adopt(messages, times_known=times_known)
        while capture.annotate():
            pass
        return {f.code for a in capture.annotations.values() for f in a.findings}

    assert "rule.heartbeat-early" in codes_when(True)
    assert "rule.heartbeat-early" not in codes_when(False)


def test_invalid_records_are_listed_in_order_of_their_seqs():
    capture = Capture()
    capture.frame("c1", "CP1", UP, CALL)
    capture.frame("c1", "CP1", UP, "not json")
    capture.frame("c1", "CP1", UP, '[2,"2","Heartbeat",{"extra":1}]')
    assert list(capture.invalid_seqs) == [2, 3] and capture.invalid == 2


def test_findings_added_after_a_record_are_noted_for_followers():
    capture = Capture()
    call = capture.frame("c1", "CP1", UP, CALL)
    capture.event(RecordKind.CLOSED, "c1", "CP1", {"code": 1006})
    assert [(seq, f.code) for seq, f in capture.notes] == [(call.seq, "protocol.no-answer")]
    assert capture.annotation(call.seq).findings == (capture.notes[0][1],)


def test_a_file_without_times_is_known_as_such():
    capture = Capture()
    assert capture.times_known
    capture.adopt([frame_message(1, CALL, time=0.0, monotonic=0.0)], times_known=False)
    assert not capture.times_known


def test_frames_of_a_connection_that_agreed_another_ocpp_version_are_not_judged_as_201():
    boot16 = '[2,"1","BootNotification",{"chargePointVendor":"V","chargePointModel":"M"}]'
    records = [
        Message(1, 1.0, 1.0, "c16", "CP", None, RecordKind.OPENED,
                 meta={"subprotocol": "ocpp1.6"}),
        frame_message(2, boot16, connection="c16", station="CP",
               direction=Direction.STATION_TO_CSMS, time=2.0, monotonic=2.0),
        frame_message(3, boot16, connection="c201", station="CP2",
               direction=Direction.STATION_TO_CSMS, time=3.0, monotonic=3.0),
    ]
    capture = Capture()
    capture.adopt(records)
    while capture.annotate():
        pass
    assert [f.code for f in capture.annotation(2).findings] == ["frame.other-version"]
    assert not capture.annotation(3).valid


def test_a_capture_that_forgets_keeps_no_record_but_counts_and_tells_subscribers():
    from app.ocpp.conversation import Direction

    capture = Capture(keep=False)
    seen = []
    capture.subscribe(lambda message, annotation: seen.append((message.seq, annotation)))
    for number in range(50):
        capture.frame("c1", "CP-1", Direction.STATION_TO_CSMS,
                      f'[2,"{number}","Heartbeat",{{}}]')
        capture.frame("c1", "CP-1", Direction.CSMS_TO_STATION,
                      f'[3,"{number}",{{"currentTime":"2025-01-01T00:00:00Z"}}]')
    capture.frame("c1", "CP-1", Direction.STATION_TO_CSMS, "not json")
    assert len(seen) == 101 and capture.published == 101
    assert seen[1][1].call_seq == 1  # subscribers still get each verdict
    assert capture.messages == [] and capture.annotations == {} and capture.answers == {}
    assert capture.invalid == 1 and list(capture.invalid_seqs) == []


def test_a_capture_that_forgets_keeps_a_waiting_call_for_its_late_finding():
    from app.ocpp.conversation import Direction

    capture = Capture(keep=False)
    call = capture.frame("c1", "CP-1", Direction.STATION_TO_CSMS, '[2,"7","Heartbeat",{}]')
    [(seq, finding)] = capture.expire(30.0, now=call.monotonic + 31)
    assert seq == call.seq and capture.record(seq) is call
    assert finding.code == "protocol.answer-timeout"
    capture.frame("c1", "CP-1", Direction.CSMS_TO_STATION,
                  '[3,"7",{"currentTime":"2025-01-01T00:00:00Z"}]')
    assert capture.record(seq) is None  # answered: nothing to keep


def test_a_capture_that_forgets_keeps_a_limited_history_and_one_that_keeps_all_of_it():
    from app.state.model import HEADLESS

    assert Capture(keep=False).state.limit is HEADLESS
    assert Capture().state.limit is None
    assert Capture(FrameChecker(), keep=False).state.limit is None  # the checker's own


def test_calls_timed_out_and_then_forgotten_are_not_remembered_as_timed_out(monkeypatch):
    """A peer that never answers: the conversation forgets its oldest CALLs, and so must
    the capture's memory of which ones it flagged."""
    from app.ocpp import conversation

    monkeypatch.setattr(conversation, "_MAX_WAITING", 5)
    capture = Capture(keep=False)
    flagged = []
    for number in range(40):
        call = capture.frame("c1", "CP-1", Direction.STATION_TO_CSMS,
                             f'[2,"{number}","Heartbeat",{{}}]')
        flagged.extend(capture.expire(30.0, now=call.monotonic + 31))
    assert len(flagged) == 40  # each CALL flagged once
    assert len(capture._timed_out) <= 5  # only the CALLs still waiting


# --- a loaded session judged as its frames were judged live ----------------------------------

_ODD_FRAMES = [
    CALL, RESULT, '[2,"1","Heartbeat",{}]', '[3,"1",{}]', '[3,"nobody",{}]',
    '[2,"2","StatusNotification",{"timestamp":"2026-11-25T09:00:00","connectorStatus":'
    '"available","evseId":1,"connectorId":1}]', '[3,"2",{}]',
    '[2,"3","BootNotification",{"reason":"PowerUp","chargingStation":{"model":"m",'
    '"vendorName":"v"}}]', '[3,"3",{"currentTime":"1970-01-01T00:00:00Z","interval":0,'
    '"status":"Accepted"}]', '[4,"9","NotImplemented","",{}]', '[2,"4","Nope",{}]',
    '[2,"5","Heartbeat",[]]', "not json", '[3,"5",{"currentTime":["x"]}]', "[]",
    '[2,"6","MeterValues",{"evseId":1,"meterValue":[{"timestamp":"2026-11-25T09:00:00.1234567Z",'
    '"sampledValue":[{"value":1e400}]}]}]', '[3,"6",{}]',
]


@settings(max_examples=60, deadline=None, database=None)
@given(script=st.lists(st.tuples(st.sampled_from(_ODD_FRAMES), st.sampled_from([UP, DOWN]),
                                 st.sampled_from(["c1", "c2"])), max_size=25),
       close=st.booleans())
def test_adopted_records_get_the_annotations_they_got_live(script, close):
    live = Capture()
    live.event(RecordKind.OPENED, "c1", "CP1", {"subprotocol": "ocpp2.0.1"})
    live.event(RecordKind.OPENED, "c2", "CP2", {"subprotocol": "ocpp1.6"})
    for text, direction, connection in script:
        live.frame(connection, "CP1" if connection == "c1" else "CP2", direction, text)
    if close:
        live.event(RecordKind.CLOSED, "c1", "CP1", {"code": 1000})
    loaded = Capture()
    loaded.adopt(list(live.messages))
    while loaded.annotate(budget=1.0):
        pass
    seqs = [message.seq for message in live.messages]
    assert [loaded.annotation(seq) for seq in seqs] == [live.annotation(seq) for seq in seqs]
    assert (loaded.invalid, list(loaded.invalid_seqs)) == (live.invalid, list(live.invalid_seqs))
    assert dict(loaded.answers.items()) == dict(live.answers.items())
    assert list(loaded.notes) == [note for note in live.notes
                                  if note[1].code == "protocol.no-answer"]


@settings(max_examples=40, deadline=None, database=None)
@given(script=st.lists(st.tuples(st.sampled_from(_ODD_FRAMES), st.sampled_from([UP, DOWN])),
                       max_size=25))
def test_a_loaded_session_keeps_each_verdict_as_the_verdict_says(script):
    """Answers without findings are kept as two numbers, the rest as annotations: either
    way a record reads back what its verdict said, as a checker judging alone gives it."""
    live = Capture()
    for text, direction in script:
        live.frame("c1", "CP1", direction, text)
    loaded = Capture()
    loaded.adopt(list(live.messages))
    while loaded.annotate(budget=1.0):
        pass
    checker = FrameChecker()
    for message in live.messages:
        verdict = checker.check(message.text, connection="c1", direction=message.direction,
                                seq=message.seq, time=message.monotonic, binary=False,
                                station="CP1", wall=message.time)
        call_seq = verdict.call.seq if verdict.call is not None else None
        assert loaded.annotation(message.seq) == Annotation(verdict.findings, verdict.latency,
                                                            call_seq)
        if call_seq is not None:
            assert loaded.answers[call_seq] == message.seq


def test_a_slice_that_runs_out_of_time_on_the_last_record_still_gives_up_overdue_calls():
    up, down = Direction.STATION_TO_CSMS, Direction.CSMS_TO_STATION
    records = [frame_message(1, '[2,"a1","Heartbeat",{}]', connection="A#1", station="A",
                             direction=up, time=0.0, monotonic=0.0)]
    for seq in range(2, 257):  # 256 records: a slice looks at the clock after the last one
        text = f'[2,"b{seq}","Heartbeat",{{}}]' if seq % 2 == 0 else f'[3,"b{seq - 1}",{{}}]'
        records.append(frame_message(seq, text, connection="B#1", station="B",
                                     direction=up if seq % 2 == 0 else down,
                                     time=seq * 0.4, monotonic=seq * 0.4))
    capture = Capture()
    capture.adopt(records)
    while capture.annotate(budget=-1.0):  # every slice out of time at its first look
        pass
    assert [f.code for f in capture.annotation(1).findings] == ["protocol.answer-timeout"]
