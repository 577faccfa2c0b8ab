"""`OcppPeer`: one side of an OCPP-J conversation over one WebSocket connection.

Used by both endpoints. It sends CALLs with fresh message ids and awaits their answers,
answers the CALLs it receives through a `ResponsePolicy`, and hands every frame in and out
to the capture. A peer that sends garbage gets the CALLERROR OCPP-J prescribes; nothing the
peer sends raises here.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from websockets.asyncio.connection import Connection
from websockets.exceptions import ConnectionClosed

from app.errors import NotConnected as NotConnected  # raised here first; kept importable
from app.net import links
from app.net.policy import Answer, Asker, ResponsePolicy
from app.ocpp import catalog
from app.ocpp.checker import Verdict
from app.ocpp.conversation import Direction
from app.ocpp.frames import Call, CallError, CallResult, raw_message_id, serialize
from app.session.capture import Capture
from app.session.message import Message

log = logging.getLogger(__name__)

# Answers being built or sent on one connection before we stop reading the peer (OCPP-J
# allows one CALL in flight per direction; this is generous and still bounds memory).
MAX_ANSWERING = 64


@dataclass(frozen=True, slots=True)
class CallOutcome:
    """How a CALL we sent ended: `status` is "result", "error", "timeout" or "closed", or
    "sent" for a text the proxy injected without waiting for an answer. An answer that is
    not readable JSON still ends the wait: then `payload` is None, and for a CALLERROR
    `error` is ("", what is wrong, None)."""

    status: str
    request: Message | None = None
    response: Message | None = None
    payload: dict[str, Any] | None = None               # for "result"
    error: tuple[str, str, Any] | None = None           # for "error": code, text, details

    @property
    def ok(self) -> bool:
        return self.status == "result"


# Called once a CALLRESULT went out: (peer, action, request payload, answer payload); what
# it awaits (CALLs that follow the answer) runs in the answer's task, ended at close
Answered = Callable[["OcppPeer", str, Any, Any], Awaitable[None]]


class OcppPeer:
    def __init__(self, ws: Connection, *, side: catalog.Sender, connection: str, station: str,
                 capture: Capture, policy: ResponsePolicy, call_timeout: float = 30.0,
                 answered: Answered | None = None) -> None:
        self.ws = ws
        self.side = side
        self.connection = connection
        self.station = station
        self.capture = capture
        self.policy = policy
        self.call_timeout = call_timeout
        self.outgoing = (Direction.STATION_TO_CSMS if side is catalog.Sender.STATION
                         else Direction.CSMS_TO_STATION)
        self._waiting: dict[str, asyncio.Future[tuple[Message, Any]]] = {}
        self._ids = itertools.count(1)
        self._prefix = uuid.uuid4().hex[:8]
        self._answering: set[asyncio.Task[None]] = set()
        self._answered = answered

    @property
    def answers_in_flight(self) -> int:
        """Answers being built or sent; reading the peer pauses at `MAX_ANSWERING`."""
        return len(self._answering)

    def new_message_id(self) -> str:
        return f"{self._prefix}-{next(self._ids)}"

    async def call(self, action: str, payload: dict[str, Any], *,
                   message_id: str | None = None, timeout: float | None = None,
                   meta: dict[str, Any] | None = None) -> CallOutcome:
        """Send a CALL and wait for its answer (or the timeout, or the connection's end);
        `meta` goes into the CALL's record (a replay marks what it rewrote)."""
        message_id = message_id or self.new_message_id()
        text = serialize(Call(message_id, action, payload))
        future: asyncio.Future[tuple[Message, Any]] = (
            asyncio.get_running_loop().create_future())
        self._waiting[message_id] = future
        try:
            request = await self.send_text(text, meta=meta)
            if request is None:
                return CallOutcome("closed")
            # asyncio.wait, unlike wait_for, never swallows a cancellation of the caller
            done, _ = await asyncio.wait({future}, timeout=timeout or self.call_timeout)
            if not done:
                return CallOutcome("timeout", request)
            if future.exception() is not None:
                return CallOutcome("closed", request)
            response, frame = future.result()
        finally:
            self._waiting.pop(message_id, None)
        if isinstance(frame, CallResult):
            payload_in = frame.payload if isinstance(frame.payload, dict) else None
            return CallOutcome("result", request, response, payload=payload_in)
        return CallOutcome("error", request, response,
                           error=(frame.error_code, frame.error_description, frame.error_details))

    async def send_text(self, text: str, meta: dict[str, Any] | None = None
                        ) -> Message | None:
        """Send any text as a frame (also invalid ones, on purpose); None if closed."""
        try:
            await self.ws.send(text)
        except ConnectionClosed:
            return None
        return self.capture.frame(self.connection, self.station, self.outgoing, text,
                                  meta=meta)

    async def run(self) -> None:
        """Read until the connection closes; answers are dispatched as they come."""
        incoming = self.outgoing.opposite
        try:
            async for data in self.ws:
                message, verdict = self.capture.judge_frame(self.connection, self.station,
                                                            incoming, data)
                self._dispatch(message, verdict, data)
                if len(self._answering) >= MAX_ANSWERING:
                    # a peer that sends CALLs faster than it reads our answers: stop reading
                    # it until answers have gone out, rather than queue them without end
                    await asyncio.wait(set(self._answering),
                                       return_when=asyncio.FIRST_COMPLETED)
        except ConnectionClosed:
            pass
        finally:
            for future in self._waiting.values():
                if not future.done():
                    future.set_exception(ConnectionClosed(None, None))
            for task in list(self._answering):
                task.cancel()

    def _dispatch(self, message: Message, verdict: Verdict, data: str | bytes) -> None:
        """Act on a received frame, reading the parse that judged it (one parse a frame)."""
        frame = verdict.frame
        if frame is None:
            # OCPP-J: a message whose id cannot be read is answered with id "-1"
            self._spawn(self._send_error("-1", "FormatViolation",
                                         verdict.findings[0].message[:255]))
            return
        if isinstance(frame, CallResult | CallError):
            future = self._waiting.get(frame.message_id)
            if future is not None and not future.done():
                future.set_result((message, frame))
            return
        raw_id = raw_message_id(data) if isinstance(data, str) else None
        self._spawn(self._answer(frame, verdict.findings, raw_id))

    def _spawn(self, coroutine: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._answering.add(task)
        task.add_done_callback(self._answering.discard)

    async def _answer(self, call: Call, findings: tuple[Any, ...],
                      raw_id: str | None = None) -> None:
        """Answer one CALL by the policy, echoing its id as it came. Building the answer is
        our code, so a failure there is our bug: the peer still gets an InternalError
        CALLERROR, and the connection stays up."""
        try:
            answer: Answer | None = None
            asker = self.policy.asker
            if asker is not None and self.policy.asks(call.action):
                answer = await self._ask(asker, call)
            if answer is None:
                answer = self.policy.answer(call.action, call.payload, findings)
        except Exception as exc:
            log.exception("building the answer to %s failed", call.action)
            answer = Answer(error=("InternalError",
                                   f"OCPP Scope failed to build an answer: "
                                   f"{type(exc).__name__}"[:255], {}))
        if answer.delay:
            await asyncio.sleep(answer.delay)
        if answer.error is not None:
            code, description, details = answer.error
            await self._send_error(call.message_id, code, description, details, raw_id,
                                   answer.meta)
        elif answer.payload is not None:
            await self.send_text(serialize(CallResult(call.message_id, answer.payload),
                                           raw_id=raw_id), answer.meta)
            if self._answered is not None:  # what follows an answer goes after it
                await self._answered(self, call.action, call.payload, answer.payload)

    async def _ask(self, asker: Asker, call: Call) -> Answer | None:
        """The asker's answer, None for the default. No timeout of our own: the peer gives up
        on its side when it wants to, and a late answer is still what the user wrote."""
        try:
            answer = await asker(call.action, call.payload)
        except Exception:  # a failing asker must not leave the peer without any answer
            log.exception("asking for the answer to %s failed; answering by default",
                          call.action)
            return None
        if answer is not None and not isinstance(answer, Answer):
            log.error("the asker returned %r for %s, not an Answer; answering by default",
                      answer, call.action)
            return None
        return answer

    async def _send_error(self, message_id: str, code: str, description: str,
                          details: dict[str, Any] | None = None,
                          raw_id: str | None = None,
                          meta: dict[str, Any] | None = None) -> None:
        await self.send_text(serialize(CallError(message_id, code, description, details or {}),
                                       raw_id=raw_id), meta)

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close with `code`, cutting the connection if the peer does not take the close in
        time (see `links.close_within`); a connection already gone is closed enough."""
        await links.close_within(self.ws, code, reason)

