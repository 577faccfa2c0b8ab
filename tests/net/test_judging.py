"""Judging the terminating proxy's frames inline or aside (on the observer thread): the
same records either way, in the order frames crossed, none lost at stop."""

import asyncio
import time

from websockets.asyncio.client import connect

from app.net.judging import LinkJudge
from app.net.proxy import Proxy, ProxyConfig
from app.ocpp.conversation import Direction
from app.session.capture import Capture
from app.session.message import RecordKind
from tests.net.peers import RecordingServer, run

UP, DOWN = Direction.STATION_TO_CSMS, Direction.CSMS_TO_STATION
SENT = ['[2,"1","Heartbeat",{}]', '{"transactionId":,}', b"\x00binary",
        '[2,"2","BootNotification",{"reason":"PowerUp"}]']


def _exchange(aside: bool) -> Capture:
    async def main():
        capture = Capture()
        async with RecordingServer(reply=lambda data: '[3,"1",{"currentTime":'
                                   '"2024-01-01T00:00:00Z"}]') as server:
            proxy = Proxy(ProxyConfig(upstream=server.url, observe_aside=aside), capture)
            await proxy.start()
            try:
                async with connect(f"{proxy.url}/x/CP1", subprotocols=["ocpp2.0.1"]) as ws:
                    for data in SENT:
                        await ws.send(data)
                        await asyncio.wait_for(ws.recv(), 5)
            finally:
                await proxy.stop()
        return capture

    return run(main())


TIMING = ("remote", "upstream", "duration", "idle", "diagnosis")  # differ run to run


def _shape(capture: Capture) -> list[tuple]:
    return [(m.seq, m.kind, m.direction, m.text, m.data, m.action,
             {k: v for k, v in (m.meta or {}).items() if k not in TIMING},
             tuple(f.code for f in capture.annotation(m.seq).findings))
            for m in capture.messages]


def test_records_judged_aside_are_the_records_judged_inline():
    inline, aside = _exchange(False), _exchange(True)
    assert len(aside.messages) == 2 + 2 * len(SENT)
    assert _shape(aside) == _shape(inline)
    assert aside.invalid == inline.invalid > 0


def test_a_frame_judged_now_comes_after_every_frame_queued_before_it():
    capture = Capture()
    judge = LinkJudge(capture, lambda text: None, aside=True)
    judge.opened("c1", "CP1", {"subprotocol": "ocpp2.0.1"})
    for n in range(200):
        judge.frame("c1", "CP1", UP, f'[2,"{n}","Heartbeat",{{}}]'.encode(), True)
    injected = judge.now("c1", "CP1", DOWN, '[2,"ocppscope-1","Reset",{"type":"Immediate"}]')
    assert injected is not None and injected.seq == 202
    assert [m.seq for m in capture.messages] == list(range(1, 203))
    judge.stop()


def test_stop_judges_and_records_everything_still_queued():
    capture = Capture()
    recorded = []
    capture.subscribe(lambda message, _annotation: recorded.append(message.seq))
    judge = LinkJudge(capture, lambda text: None, aside=True)
    judge.opened("c1", "CP1", {})
    for n in range(2000):
        judge.frame("c1", "CP1", UP, f'[2,"{n}","Heartbeat",{{}}]'.encode(), True)
    judge.closed("c1", "CP1", {"code": 1000, "reason": "", "by": "station", "clean": True})
    assert judge.stop() == 0
    assert recorded == list(range(1, 2003))
    assert judge.behind == 0
    assert capture.messages[-1].kind is RecordKind.CLOSED


def test_a_record_judged_aside_says_when_its_frame_was_forwarded():
    capture = Capture()
    judge = LinkJudge(capture, lambda text: None, aside=True)
    judge.opened("c1", "CP1", {})
    before = time.monotonic()
    judge.frame("c1", "CP1", UP, b'[2,"1","Heartbeat",{}]', True)
    after = time.monotonic()
    judge.stop()
    frame = next(m for m in capture.messages if m.kind is RecordKind.FRAME)
    assert before <= frame.monotonic <= after


def test_frames_over_the_budget_are_forwarded_unjudged_and_counted_at_close():
    capture = Capture()
    notices = []
    judge = LinkJudge(capture, notices.append, aside=True)
    assert judge.observing is not None
    judge.observing.budget = 0  # nothing may wait: every frame is over the budget
    judge.opened("c1", "CP1", {})
    judge.frame("c1", "CP1", UP, b'[2,"1","Heartbeat",{}]', True)
    judge.closed("c1", "CP1", {"code": 1006, "reason": "", "by": "csms", "clean": False})
    judge.stop()
    closed = capture.messages[-1]
    assert [m.kind for m in capture.messages] == [RecordKind.OPENED, RecordKind.CLOSED]
    assert closed.meta["unjudged_frames"] == 1 and closed.meta["unobserved_bytes"] > 0


def test_inline_judging_records_at_once():
    capture = Capture()
    judge = LinkJudge(capture, lambda text: None)
    judge.opened("c1", "CP1", {})
    judge.frame("c1", "CP1", UP, b'[2,"1","Heartbeat",{}]', True)
    assert [m.kind for m in capture.messages] == [RecordKind.OPENED, RecordKind.FRAME]
    assert judge.behind == 0 and judge.stop() == 0
