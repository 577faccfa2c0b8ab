"""The observer thread: records in forwarding order with their forwarding times, gaps when a
connection's backlog passes its budget, missed pongs as findings."""

from websockets.frames import Frame, Opcode

from app.net.observing import Observing
from app.ocpp.conversation import Direction
from app.session.capture import Capture
from app.session.message import RecordKind

UP, DOWN = Direction.STATION_TO_CSMS, Direction.CSMS_TO_STATION


def text(payload: bytes, masked: bool = True) -> bytes:
    return Frame(Opcode.TEXT, payload).serialize(mask=masked)


def test_records_come_in_order_between_opened_and_closed_with_forwarding_times():
    capture = Capture()
    observing = Observing(capture)
    watched = observing.watch("c1", "CP1", {"path": "/ocpp/CP1"})
    observing.forwarded(watched, UP, text(b'[2,"1","Heartbeat",{}]'))
    observing.forwarded(watched, DOWN, text(b'[3,"1",{"currentTime":"2026-01-01T00:00:00Z"}]',
                                            masked=False))
    observing.closed(watched, {"code": 1006, "by": "station", "clean": False})
    assert observing.stop() == 0
    kinds = [m.kind for m in capture.messages]
    assert kinds == [RecordKind.OPENED, RecordKind.FRAME, RecordKind.FRAME, RecordKind.CLOSED]
    call, answer = capture.messages[1:3]
    assert capture.annotation(answer.seq).call_seq == call.seq
    assert call.monotonic <= answer.monotonic <= capture.messages[-1].monotonic


def test_a_backlog_over_budget_is_dropped_from_observation_and_told_as_a_gap():
    told: list[str] = []
    capture = Capture()
    observing = Observing(capture, told.append, budget=0)
    watched = observing.watch("c1", "CP1", {})
    observing.forwarded(watched, UP, text(b'[2,"1","Heartbeat",{}]'))   # over budget: dropped
    watched.fed = watched.taken = 0
    observing.budget = 1 << 20
    observing.forwarded(watched, UP, text(b'[2,"2","Heartbeat",{}]'))
    observing.closed(watched, {"code": 1006})
    observing.stop()
    frames = [m for m in capture.messages if m.kind is RecordKind.FRAME]
    assert [m.text for m in frames] == ['[2,"2","Heartbeat",{}]']
    assert any("were not observed" in line for line in told)
    assert capture.messages[-1].meta["unobserved_bytes"] > 0


def test_a_ping_still_unanswered_at_the_close_gets_a_missed_pong_finding():
    capture = Capture()
    observing = Observing(capture)
    watched = observing.watch("c1", "CP1", {})
    observing.forwarded(watched, UP, Frame(Opcode.PING, b"x").serialize(mask=True))
    observing.closed(watched, {"code": 1006})
    observing.stop()
    [ping] = [m for m in capture.messages if m.kind is RecordKind.CONTROL]
    [finding] = capture.annotation(ping.seq).findings
    assert finding.code == "websocket.missed-pong"


def test_a_connection_watched_with_its_own_pong_timeout_flags_a_late_pong_by_it():
    capture = Capture()
    observing = Observing(capture, threaded=False)   # its default: 10 s
    watched = observing.watch("c1", "CP1", {}, pong_timeout=1e-9)
    observing.observe([(watched, RecordKind.OPENED, {}, 0.0, 0.0)])
    observing.forwarded(watched, UP, Frame(Opcode.PING, b"x").serialize(mask=True))
    observing.observe(list(observing._queue))
    observing.check_pings()   # the connection is still open: only the timeout can flag it
    [ping] = [m for m in capture.messages if m.kind is RecordKind.CONTROL]
    [finding] = capture.annotation(ping.seq).findings
    assert finding.code == "websocket.missed-pong"


def test_the_answer_watch_never_looks_past_a_frame_waiting_to_be_judged():
    """An answer forwarded in time waits in the queue while the watch looks 30.2 s after
    its CALL: the watch is held back to the answer's time and flags nothing, and once it
    is judged the CALL is answered, as the same records loaded from a file say."""
    from tests.session.test_same_verdict_everywhere import judged_loaded, verdicts_of

    capture = Capture()
    observing = Observing(capture, threaded=False)   # judges only when caught up
    watched = observing.watch("c1", "CP1", {"subprotocol": "ocpp2.0.1"})
    observing.whole(watched, UP, '[2,"1","Heartbeat",{}]')
    observing.catch_up()
    sent = capture.messages[-1].monotonic
    observing.whole(watched, DOWN, '[3,"1",{"currentTime":"2026-01-01T00:00:00Z"}]')
    assert observing.oldest_unjudged() is not None
    assert capture.expire(30.0, now=sent + 30.2) == []       # the watch's tick
    observing.catch_up()                                       # the batch with the answer
    assert observing.oldest_unjudged() is None
    assert capture.expire(30.0, now=sent + 31.0) == []
    call, answer = capture.messages[1:3]
    assert capture.annotation(answer.seq).call_seq == call.seq
    assert verdicts_of(capture) == verdicts_of(judged_loaded(list(capture.messages)))


def test_with_nothing_waiting_the_watch_flags_a_call_past_its_deadline():
    capture = Capture()
    observing = Observing(capture, threaded=False)
    watched = observing.watch("c1", "CP1", {"subprotocol": "ocpp2.0.1"})
    observing.whole(watched, UP, '[2,"1","Heartbeat",{}]')
    observing.catch_up()
    sent = capture.messages[-1].monotonic
    [(seq, finding)] = capture.expire(30.0, now=sent + 30.2)
    assert seq == capture.messages[-1].seq and finding.code == "protocol.answer-timeout"


def test_a_batch_the_thread_is_judging_holds_the_watch_back_until_it_is_judged():
    capture = Capture()
    observing = Observing(capture)
    looks: list[tuple[int, float | None]] = []
    capture.subscribe(lambda message, _: looks.append((message.seq,
                                                       observing.oldest_unjudged())))
    with observing._turn:  # the thread takes all three at once, when it may
        watched = observing.watch("c1", "CP1", {"subprotocol": "ocpp2.0.1"})
        observing.whole(watched, UP, '[2,"1","Heartbeat",{}]')
        observing.whole(watched, DOWN, '[3,"1",{"currentTime":"2026-01-01T00:00:00Z"}]')
    assert observing.stop() == 0
    answered = capture.messages[2].monotonic
    assert [seq for seq, _ in looks] == [1, 2, 3]
    # while the answer was still to be judged, nothing later than it was "now"
    assert all(held is not None and held <= answered for _, held in looks[:2])
    assert observing.oldest_unjudged() is None
