"""Shipping what was forwarded to a capture in another process: the records that come out are
the very records the observer thread makes, events keep their place among the frames, and a
child that is gone never stops the forwarding side."""

from __future__ import annotations

import itertools
import pickle
import threading
import time
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from websockets.frames import Frame, Opcode

from app.net import observing as observing_module
from app.net.observing import Observing
from app.net.shipping import Receiver, RemoteCapture, ShippingObserving
from app.ocpp.conversation import Direction
from app.ocpp.findings import warning
from app.session.capture import Capture
from app.session.message import RecordKind
from app.session.sessionfile import record_to_json

UP, DOWN = Direction.STATION_TO_CSMS, Direction.CSMS_TO_STATION


def frame(opcode: Opcode, payload: bytes, *, masked: bool = True, fin: bool = True) -> bytes:
    return Frame(opcode, payload, fin=fin).serialize(mask=masked)


class Clock:
    """Advances 1 ms at each reading on the test's thread (the forwarding side); other
    threads read it without moving it. Restarted, it gives a second run the same times."""

    def __init__(self) -> None:
        self.restart()

    def restart(self) -> None:
        self.ticks, self.now = itertools.count(), 0

    def read(self) -> float:
        if threading.current_thread() is threading.main_thread():
            self.now = next(self.ticks)
        return self.now / 1000


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    fake = SimpleNamespace(time=lambda: 1_800_000_000 + clock.read(),
                           monotonic=lambda: 5_000 + clock.read(), sleep=time.sleep)
    monkeypatch.setattr(observing_module, "time", fake)
    return clock


def traffic(observing: Observing) -> None:
    """Two connections: one spliced (a CALL and its answer, a fragmented invalid CALL, an
    unanswered ping, a binary frame), one relayed whole (a CALL left unanswered)."""
    spliced = observing.watch("c1", "CP1", {"path": "/ocpp/CP1", "subprotocol": "ocpp2.0.1"})
    relayed = observing.watch("c2", "CP2", {"path": "/ocpp/CP2", "subprotocol": "ocpp2.0.1"})
    boot = (b'[2,"1","BootNotification",{"reason":"PowerUp","chargingStation":'
            b'{"model":"M","vendorName":"V"}}]')
    observing.forwarded(spliced, UP, frame(Opcode.TEXT, boot))
    observing.whole(relayed, UP, b'[2,"h1","Heartbeat",{}]', text_frame=True)
    observing.forwarded(spliced, DOWN, frame(Opcode.TEXT, b'[3,"1",{"status":"Accepted",'
                        b'"currentTime":"2026-01-01T00:00:00Z","interval":300}]', masked=False))
    wire = frame(Opcode.TEXT, b'[2,"2","Heartbeat",', fin=False) + \
        frame(Opcode.CONT, b'{"x":1}]')
    observing.forwarded(spliced, UP, wire[:5])          # a frame split across chunks
    observing.forwarded(spliced, UP, wire[5:])
    observing.forwarded(spliced, UP, frame(Opcode.PING, b"p1"))
    observing.forwarded(spliced, DOWN, frame(Opcode.BINARY, b"\x00\x01", masked=False))
    observing.whole(relayed, DOWN, b"\xff\xfe", text_frame=True, meta={"delivered": False})
    observing.closed(spliced, {"code": 1006, "by": "station", "clean": False, "duration": 1.0})
    observing.closed(relayed, {"code": 1000, "by": "csms", "clean": True, "duration": 1.0})


def shipped(run: Callable[[ShippingObserving], None]) -> list[bytes]:
    """The batches a shipping observer writes for what `run` does to it."""
    blobs: list[bytes] = []
    shipping = ShippingObserving(blobs.append, lambda text: None)
    run(shipping)
    shipping.stop()
    return blobs


def judged_apart(blobs: list[bytes]) -> Capture:
    capture = Capture()
    receiver = Receiver(capture, lambda text: None)
    for blob in blobs:
        receiver.take(pickle.loads(blob))
    return capture


def records(capture: Capture) -> list[tuple[dict[str, Any], Any]]:
    return [(record_to_json(m), capture.annotation(m.seq)) for m in capture.messages]


def test_records_judged_in_the_child_are_the_records_the_observer_thread_makes(
        clock: Clock) -> None:
    here = Capture()
    observing = Observing(here)
    traffic(observing)
    observing.stop()
    clock.restart()
    apart = judged_apart(shipped(traffic))
    assert records(apart) == records(here)
    kinds = [m.kind for m in apart.messages]
    assert kinds.count(RecordKind.FRAME) == 5 and RecordKind.CONTROL in kinds
    [ping] = [m for m in apart.messages if m.kind is RecordKind.CONTROL]
    assert apart.annotation(ping.seq).findings[0].code == "websocket.missed-pong"


def test_events_and_findings_of_a_remote_capture_keep_their_place_and_their_record() -> None:
    def run(shipping: ShippingObserving) -> None:
        remote = RemoteCapture(shipping)
        watched = shipping.watch("c1", "CP1", {"subprotocol": "ocpp2.0.1"})
        shipping.whole(watched, UP, '[2,"1","Heartbeat",{}]')
        ping = remote.event(RecordKind.CONTROL, "c1", "CP1",
                            {"opcode": "ping", "size": 0, "by": "proxy"}, direction=DOWN)
        assert ping.seq < 0   # provisional until the child records it
        shipping.whole(watched, DOWN, '[3,"1",{"currentTime":"2026-01-01T00:00:00Z"}]')
        remote.note(ping.seq, warning("websocket.missed-pong", "no pong"))
        remote.event(RecordKind.REJECTED, "c9", "CP9", {"status": 404, "reason": "no"})
        shipping.closed(watched, {"code": 1000, "by": "station", "clean": True})

    apart = judged_apart(shipped(run))
    kinds = [m.kind for m in apart.messages]
    assert kinds == [RecordKind.OPENED, RecordKind.FRAME, RecordKind.CONTROL, RecordKind.FRAME,
                     RecordKind.REJECTED, RecordKind.CLOSED]
    ping = apart.messages[2]
    assert [f.code for f in apart.annotation(ping.seq).findings] == ["websocket.missed-pong"]
    call, answer = apart.messages[1], apart.messages[3]
    assert apart.annotation(answer.seq).call_seq == call.seq


def test_frames_left_unjudged_over_the_budget_are_counted_on_the_closed_record() -> None:
    def run(shipping: ShippingObserving) -> None:
        shipping.budget = 10
        watched = shipping.watch("c1", "CP1", {})
        shipping.whole(watched, UP, '[2,"1","Heartbeat",{}]')   # over the budget
        shipping.closed(watched, {"code": 1006})

    apart = judged_apart(shipped(run))
    closed = apart.messages[-1]
    assert closed.kind is RecordKind.CLOSED
    assert closed.meta["unjudged_frames"] == 1
    assert not [m for m in apart.messages if m.kind is RecordKind.FRAME]


def test_a_child_that_is_gone_is_told_once_and_forwarding_side_calls_never_raise() -> None:
    told: list[str] = []

    def gone(blob: bytes) -> None:
        raise BrokenPipeError("the reader went away")

    shipping = ShippingObserving(gone, told.append, lost=told.append)
    remote = RemoteCapture(shipping)
    watched = shipping.watch("c1", "CP1", {})
    for number in range(3):
        shipping.forwarded(watched, UP, frame(Opcode.TEXT, b'[2,"%d","Heartbeat",{}]' % number))
        shipping.flush()
    remote.event(RecordKind.REJECTED, "c2", "CP2", {"status": 503})
    shipping.closed(watched, {"code": 1006})
    assert shipping.stop() == 0
    assert len(told) == 1 and "BrokenPipeError" in told[0]
    assert shipping.dead and shipping.unshipped == 6 and shipping.shipped == 0


def test_a_shipped_item_the_child_cannot_read_is_skipped_and_the_rest_judged() -> None:
    capture = Capture()
    receiver = Receiver(capture, lambda text: None)
    receiver.take([("opened", "c1", "CP1", None, None, None, {}, 1.0, 1.0),
                   ("note", "not a seq", None),
                   ("chunk", "unknown", UP, b"x", 1.0, 1.0),
                   ("closed", "c1", {"code": 1000}, 2.0, 2.0, 0, 0)])
    assert [m.kind for m in capture.messages] == [RecordKind.OPENED, RecordKind.CLOSED]


def test_a_refusal_carries_the_diagnosis_the_capture_gives_it_from_the_start() -> None:
    meta = {"status": 404, "reason": "no such station", "hop": "csms", "role": "proxy"}
    here = Capture().event(RecordKind.REJECTED, "c1", "CP1", meta)
    provisional: list[Any] = []

    def run(shipping: ShippingObserving) -> None:
        provisional.append(RemoteCapture(shipping).event(RecordKind.REJECTED, "c1", "CP1",
                                                         meta))

    [apart] = judged_apart(shipped(run)).messages
    assert here.meta["diagnosis"]
    assert provisional[0].meta["diagnosis"] == apart.meta["diagnosis"] == \
        here.meta["diagnosis"]
    assert apart.meta == here.meta


def test_the_forwarding_side_tells_the_time_after_what_it_forwarded_before() -> None:
    def run(shipping: ShippingObserving) -> None:
        watched = shipping.watch("c1", "CP1", {})
        shipping.whole(watched, UP, '[2,"1","Heartbeat",{}]')
        shipping.tick()

    items = [item for blob in shipped(run) for item in pickle.loads(blob)]
    assert [item[0] for item in items] == ["opened", "frame", "clock"]
    assert items[-1][1] >= items[1][-1]  # no earlier than the frame it follows


CALL = '[2,"1","Heartbeat",{}]'
ANSWER = '[3,"1",{"currentTime":"2026-01-01T00:00:00Z"}]'


def test_the_childs_answer_watch_looks_no_later_than_the_time_it_was_told() -> None:
    """The child's watch runs on its own clock; frames and the time come through the pipe.
    A CALL at 1 s: told 30.95 s, a tick at 31.2 s flags nothing; its answer at 30.9 s comes
    in the next batch, and the CALL is answered, never flagged."""
    capture = Capture()
    receiver = Receiver(capture, lambda text: None)
    receiver.take([("opened", "c1", "CP1", None, None, None, {}, 1.0, 1.0),
                   ("frame", "c1", UP, CALL, True, None, 1.0, 1.0), ("clock", 30.95)])
    assert capture.expire(30.0, now=31.2) == []
    receiver.take([("frame", "c1", DOWN, ANSWER, True, None, 30.9, 30.9), ("clock", 32.0)])
    assert capture.expire(30.0, now=33.0) == []
    call, answer = capture.messages[1:3]
    assert capture.annotation(answer.seq).call_seq == call.seq
    assert capture.annotation(call.seq).findings == ()


def test_the_childs_answer_watch_flags_a_call_once_told_its_deadline_passed() -> None:
    capture = Capture()
    receiver = Receiver(capture, lambda text: None)
    receiver.take([("opened", "c1", "CP1", None, None, None, {}, 1.0, 1.0),
                   ("frame", "c1", UP, CALL, True, None, 1.0, 1.0), ("clock", 31.0)])
    assert capture.expire(30.0, now=40.0) == []     # told 31 s: the deadline itself
    receiver.take([("clock", 31.5)])
    [(seq, finding)] = capture.expire(30.0, now=40.0)
    assert seq == capture.messages[1].seq and finding.code == "protocol.answer-timeout"


def test_clock_items_left_in_the_queue_are_not_counted_as_frames_unshipped() -> None:
    entered, release = threading.Event(), threading.Event()

    def stuck(blob: bytes) -> None:  # a child that stopped reading: the pipe is full
        entered.set()
        release.wait(10)

    shipping = ShippingObserving(stuck, lambda text: None)
    watched = shipping.watch("c1", "CP1", {})
    shipping.tick()
    assert entered.wait(10)  # the thread is stuck shipping that first batch
    for _ in range(3):
        shipping.tick()
    shipping.forwarded(watched, UP, frame(Opcode.TEXT, b'[2,"1","Heartbeat",{}]'))
    try:
        assert shipping.stop(0.05) == 1  # the frame; the three ticks are no frames
    finally:
        release.set()
