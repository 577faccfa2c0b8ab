"""Drives a replay over the live endpoints: as a station to a CSMS, or as a CSMS to a
station.

It reuses `OcppPeer` (fresh message ids, pairing, recording into the capture) and answers
the peer's CALLs through a `ResponsePolicy` whose asker looks up the recorded answer, so no
socket code of its own decides anything. A window drives it through `ReplayControl`
(pause, resume, step, stop) and the `progress` callback; `Script.starting_at` starts it
from a chosen record. The outcome is computed afterwards from the live capture, with the
same `exchanges_of` that read the recording.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from websockets.asyncio.client import connect

from app.errors import NotConnected
from app.net import links, secrets
from app.net.csms import CsmsConfig, CsmsEndpoint
from app.net.errors import describe_connect_error
from app.net.peer import OcppPeer
from app.net.policy import Answer, ResponsePolicy, Rule
from app.ocpp.catalog import Sender
from app.ocpp.conversation import Direction
from app.replay.compare import DEFAULT_IGNORE, Exchange, Ignore, Outcome, compare
from app.replay.rewrite import Rewriter
from app.replay.script import AnswerBook, Script, exchanges_of
from app.session.capture import Annotation, Capture
from app.session.message import Message, RecordKind

Progress = Callable[[int, int], None]   # (CALLs sent so far, CALLs to send)


class ReplayControl:
    """Pause, resume, step and stop, for a window; the runner waits at `gate()` before each
    CALL it sends. Created running; `step()` lets one CALL through and pauses again."""

    def __init__(self) -> None:
        self._go = asyncio.Event()
        self._go.set()
        self._steps = 0
        self.stopped = asyncio.Event()

    @property
    def paused(self) -> bool:
        return not self._go.is_set()

    def pause(self) -> None:
        self._go.clear()

    def resume(self) -> None:
        self._steps = 0
        self._go.set()

    def step(self) -> None:
        self._steps += 1
        self._go.set()

    def stop(self) -> None:
        self.stopped.set()
        self._go.set()

    async def gate(self) -> bool:
        """Wait until the next CALL may go; False once stopped."""
        await self._go.wait()
        if self._steps:
            self._steps -= 1
            if not self._steps:
                self._go.clear()
        return not self.stopped.is_set()


@dataclass
class ReplayOptions:
    speed: float = 0.0            # 0: as fast as the peer answers; 1: recorded timing; 10: x10
    rewriter: Rewriter = field(default_factory=Rewriter)
    ignore: Ignore = DEFAULT_IGNORE
    settle: float = 5.0           # how long to wait for recorded CALLs the peer has not sent
    call_timeout: float = 30.0
    max_size: int | None = None


class _Tally:
    """Counts what crossed, as the capture publishes it, and wakes whoever waits on it."""

    def __init__(self, ours: Direction) -> None:
        self.ours = ours
        self.their_calls = 0
        self.handled = 0            # their CALLs answered (or deliberately left silent)
        self.opened: list[str] = []
        self.changed = asyncio.Event()

    def __call__(self, message: Message, _annotation: Annotation) -> None:
        if message.kind is RecordKind.OPENED:
            self.opened.append(message.station)
        elif message.kind is RecordKind.FRAME and message.direction is not None:
            if message.direction is not self.ours and message.message_type == 2:
                self.their_calls += 1
            elif message.direction is self.ours and message.message_type in (3, 4):
                self.handled += 1
        self.changed.set()

    async def until(self, condition: Callable[[], bool], timeout: float | None,
                    stopped: asyncio.Event) -> bool:
        deadline = None if timeout is None else time.monotonic() + timeout
        while not condition():
            if stopped.is_set():
                return False
            self.changed.clear()
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                return False
            waiters = {asyncio.ensure_future(self.changed.wait()),
                       asyncio.ensure_future(stopped.wait())}
            try:
                await asyncio.wait(waiters, timeout=remaining,
                                   return_when=asyncio.FIRST_COMPLETED)
            finally:
                for waiter in waiters:
                    waiter.cancel()
        return True


class ReplayRunner:
    """One replay of `script` from one side; `outcomes()` judges it once it ran."""

    def __init__(self, script: Script, role: str, capture: Capture,
                 options: ReplayOptions | None = None, control: ReplayControl | None = None,
                 progress: Progress | None = None,
                 notice: Callable[[str], None] | None = None) -> None:
        if role not in ("station", "csms"):
            raise ValueError(f"role must be 'station' or 'csms', not {role!r}")
        self.script = script
        self.role = role
        self.capture = capture
        self.options = options or ReplayOptions()
        self.control = control or ReplayControl()
        self.progress = progress or (lambda done, total: None)
        self.notice = notice or (lambda text: None)
        self.ours = (Direction.STATION_TO_CSMS if role == "station"
                     else Direction.CSMS_TO_STATION)
        self.outgoing = script.sent_by(self.ours)
        self.incoming = script.sent_by(self.ours.opposite)
        self.book = AnswerBook(self.incoming)
        self.rewriter = self.options.rewriter.anchored(e.request for e in self.outgoing)
        self.live_station: str | None = None
        self.unexpected: list[str] = []      # actions the peer called that were never recorded
        self._tally = _Tally(self.ours)
        self._unsubscribe = capture.subscribe(self._tally)
        self._endpoint: CsmsEndpoint | None = None
        self._peer: OcppPeer | None = None

    # --- answering the peer -------------------------------------------------------------

    @property
    def policy(self) -> ResponsePolicy:
        return ResponsePolicy(rules={"*": Rule(mode="ask")}, asker=self._recorded_answer)

    async def _recorded_answer(self, action: str, payload: Any) -> Answer | None:
        recorded = self.book.answer_for(action, payload)
        if recorded is None:
            self.unexpected.append(action)
            self.notice(f"unexpected {action} from the peer (not in the recording): "
                        "answered by default")
            return None
        reply = recorded.reply
        marks: dict[str, Any] = {"of": reply.seq, "answers_recorded": recorded.seq}
        if reply.kind == "result":
            new, changed = self.rewriter.apply(reply.payload)
            marks["rewritten"] = changed
            return Answer(payload=new if isinstance(new, dict) else {},
                          meta={"replay": marks})
        if reply.kind == "error":
            details = reply.error_details if isinstance(reply.error_details, dict) else {}
            return Answer(error=(reply.error_code, reply.error_description, details),
                          meta={"replay": marks})
        self._tally.handled += 1   # recorded without an answer: stay silent, as then
        self._tally.changed.set()
        return Answer()

    # --- sending our side ---------------------------------------------------------------

    async def _play(self, peer: OcppPeer) -> None:
        total, started = len(self.outgoing), time.monotonic()
        first = self.outgoing[0].time if self.outgoing else 0.0
        stopped = self.control.stopped
        self.progress(0, total)
        for done, exchange in enumerate(self.outgoing, start=1):
            if self.role == "csms":  # the conversation must reach the recorded point
                await self._tally.until(lambda e=exchange: self._tally.handled >= e.after,
                                        self.options.settle, stopped)
            if self.options.speed > 0:
                due = started + (exchange.time - first) / self.options.speed
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stopped.wait(), max(0.0, due - time.monotonic()))
            if not await self.control.gate():
                return
            payload, changed = self.rewriter.apply(exchange.request)
            outcome = await peer.call(
                exchange.action, payload if isinstance(payload, dict) else {},
                timeout=self.options.call_timeout,
                meta={"replay": {"of": exchange.seq, "rewritten": ["messageId", *changed]}})
            self.progress(done, total)
            if outcome.status == "closed":
                self.notice("the peer closed the connection before the script ended")
                return
        expected = len(self.incoming)
        await self._tally.until(lambda: self._tally.their_calls >= expected,
                                self.options.settle, stopped)

    async def play_as_station(self, csms_url: str) -> None:
        """Connect to `csms_url`/<station> with the recorded subprotocol and play. Raises
        NotConnected (one sentence) when the CSMS cannot be reached."""
        station = self.rewriter.station or self.script.station
        self.live_station = station
        full = f"{csms_url.rstrip('/')}/{quote(station, safe='')}"
        target, credentials = secrets.split_credentials(full)
        headers = {} if credentials is None else {
            "Authorization": secrets.basic_authorization(*credentials)}
        shown = secrets.mask_url(full)
        try:
            ws = await connect(target, subprotocols=[self.script.subprotocol],  # type: ignore[list-item]
                               additional_headers=headers, open_timeout=10, proxy=None,
                               max_size=self.options.max_size or 2 ** 20 * 10)
        except Exception as exc:  # every failure to connect ends the replay in one sentence
            failure = describe_connect_error(exc, shown)
            self.capture.event(RecordKind.REJECTED, links.next_connection_id(), station,
                               {"url": shown, "reason": failure.reason})
            raise NotConnected(failure.reason) from None
        connection = links.next_connection_id()
        self.capture.event(RecordKind.OPENED, connection, station, {
            "url": shown, "subprotocol": ws.subprotocol,
            "offered": [self.script.subprotocol],
            "replay": {"of": self.script.station, "role": "station"}})
        peer = OcppPeer(ws, side=Sender.STATION, connection=connection, station=station,
                        capture=self.capture, policy=self.policy,
                        call_timeout=self.options.call_timeout)
        self._peer = peer
        reader = asyncio.create_task(peer.run())
        try:
            await self._play(peer)
        finally:
            await peer.close(1000, "replay finished")
            await asyncio.wait({reader}, timeout=5)
            info = links.close_info(ws, "csms", "station")
            self.capture.event(RecordKind.CLOSED, connection, station, {
                "code": info.code, "reason": info.reason, "by": info.by, "clean": info.clean})

    async def listen(self, config: CsmsConfig) -> CsmsEndpoint:
        """Start the CSMS side listening (ListenError if it cannot); `play_as_csms` then
        waits for the station."""
        from app.net.errors import listen

        endpoint = CsmsEndpoint(config, self.capture, self.policy, self.notice)
        await listen(endpoint, config.host, config.port)
        self._endpoint = endpoint
        return endpoint

    async def play_as_csms(self, station: str | None = None,
                           wait: float | None = None) -> None:
        """Wait for the station (`station`, or any) up to `wait` seconds (None: until
        stopped), answer its CALLs with the recorded answers and send the recorded CSMS
        CALLs where the conversation reaches them."""
        endpoint = self._endpoint
        assert endpoint is not None, "call listen() first"
        stopped = self.control.stopped

        def arrived() -> bool:
            return any(station is None or s == station for s in endpoint.peers)

        if not await self._tally.until(arrived, wait, stopped):
            if not stopped.is_set():
                self.notice(f"no station connected within {wait:g} s")
            return
        self.live_station = next(s for s in endpoint.peers if station is None or s == station)
        self.notice(f"{self.live_station} connected: replaying the CSMS side of "
                    f"{self.script.station}")
        self._peer = endpoint.peers[self.live_station]
        await self._play(self._peer)

    async def stop(self) -> None:
        """Stop sending, close the connection, stop listening; safe to call twice."""
        self.control.stop()
        if self._endpoint is not None:
            await self._endpoint.stop()
        elif self._peer is not None:
            await self._peer.close(1000, "replay stopped")

    # --- the outcome --------------------------------------------------------------------

    def live_exchanges(self) -> list[Exchange]:
        if self.live_station is None:
            return []
        return exchanges_of(self.capture, self.live_station)

    def outcomes(self) -> list[Outcome]:
        ignore = self.options.ignore.plus(self.rewriter.patterns)
        return compare(self.script.exchanges, self.live_exchanges(), self.ours, ignore)

    @property
    def ignored(self) -> list[str]:
        """Every path the comparison left out, for the report to list."""
        return [*self.options.ignore.plus(self.rewriter.patterns).patterns, "messageId"]

    def close(self) -> None:
        self._unsubscribe()
