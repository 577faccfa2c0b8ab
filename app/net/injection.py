"""CALLs the user injects through the terminating proxy, and their answers kept from the
other side.

An injected CALL goes out on one hop as if the peer behind the proxy had sent it. Its answer
is ours: it is recorded, but never forwarded, because the other side never sent that CALL.
So while an answer is awaited, the relay looks at the first bytes of each frame travelling
back (`InjectionDesk.swallow`) before forwarding it; when nothing is awaited it looks at
nothing. An answer that comes after the injector stopped waiting is still kept back, and
recorded as late, for `late_answer_grace` seconds; after that its id is forgotten and such a
frame is forwarded like any other.
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.client import ClientConnection
from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from app.net.judging import LinkJudge
from app.net.peer import CallOutcome
from app.ocpp.conversation import Direction
from app.ocpp.frames import CallError, CallResult, parse_frame
from app.session.message import Message

INJECTED_ID_PREFIX = "ocppscope-"
# The start of a CALLRESULT or CALLERROR up to its message id, JSON whitespace allowed:
# enough to recognise the answer to an injected CALL without parsing the whole frame.
_ANSWER_START = re.compile(
    rb'[ \t\n\r]*\[[ \t\n\r]*([34])[ \t\n\r]*,[ \t\n\r]*"((?:[^"\\]|\\.)*)"')

# An answer to an injected CALL as it arrived: its record (None when it came before the CALL
# was recorded: it is recorded after it then), its bytes, and whether it was a text frame.
_Arrival = tuple[Message | None, bytes, bool]


@dataclass(eq=False)
class _Injection:
    """An injected CALL whose answer is awaited. The future gets the answer's arrival, or
    None when the connection closed or the injector stopped waiting."""

    future: asyncio.Future[_Arrival | None]
    sent: bool = False
    request: Message | None = None
    late: bool = False    # the injector stopped waiting; an answer is still swallowed


def _by_direction() -> dict[Direction, dict[str, _Injection]]:
    return {direction: {} for direction in Direction}


@dataclass
class AwaitedAnswers:
    """One link's injected CALLs awaiting their answer: by the direction the answer
    travels, by message id."""

    pending: dict[Direction, dict[str, _Injection]] = field(default_factory=_by_direction)

    def any_towards(self, direction: Direction) -> bool:
        """Whether a frame travelling in `direction` may be an answer to keep back."""
        return bool(self.pending[direction])

    def end(self) -> None:
        """The connection is gone: every injected CALL still waiting ends as "closed"."""
        for waiting in self.pending.values():
            for injection in waiting.values():
                if not injection.future.done():
                    injection.future.set_result(None)
            waiting.clear()


@dataclass(frozen=True)
class InjectionHop:
    """Where an injected CALL goes: the link's names, its awaited answers, and the socket
    the CALL is sent on."""

    connection: str
    station: str
    answers: AwaitedAnswers
    target: ClientConnection | ServerConnection


class InjectionDesk:
    """Sends injected CALLs, waits for their answers, and keeps those answers back."""

    def __init__(self, judge: LinkJudge, late_answer_grace: float) -> None:
        self.judge = judge
        self.late_answer_grace = late_answer_grace

    async def send(self, hop: InjectionHop, direction: Direction, text: str,
                   answer_id: str | None, timeout: float) -> CallOutcome:
        """Send `text` on `hop` as travelling in `direction`, record it, and with
        `answer_id` wait up to `timeout` seconds for the answer with that id."""
        awaiting = hop.answers.pending[direction.opposite]
        injection: _Injection | None = None
        if answer_id is not None:
            if answer_id in awaiting:
                raise ValueError(f"an answer to '{answer_id}' is awaited already")
            injection = _Injection(asyncio.get_running_loop().create_future())
            awaiting[answer_id] = injection  # before sending: the answer may be quick
        try:
            try:
                await hop.target.send(text)
            except ConnectionClosed:
                request = self._record_injected(hop, direction, text, delivered=False)
                return CallOutcome("closed", request)
            request = self._record_injected(hop, direction, text)
            if injection is None:
                return CallOutcome("sent", request)
            injection.sent, injection.request = True, request
            if injection.future.done():  # answered while the CALL was being recorded
                return self._outcome(hop, direction, injection)
            # asyncio.wait, unlike wait_for, never swallows a cancellation of the caller
            done, _ = await asyncio.wait({injection.future}, timeout=timeout)
            if not done:
                return CallOutcome("timeout", request)
            return self._outcome(hop, direction, injection)
        finally:
            if answer_id is not None and injection is not None \
                    and awaiting.get(answer_id) is injection:
                self._stop_waiting(awaiting, answer_id, injection)

    def swallow(self, connection: str, station: str, answers: AwaitedAnswers,
                direction: Direction, data: bytes, is_text: bool) -> bool:
        """Keep the answer to an injected CALL for ourselves (even one wrongly sent as a
        binary frame: it answers a CALL the other side never sent); False for any other."""
        start = _ANSWER_START.match(data)
        if start is None:
            return False
        raw_id = start.group(2)
        try:
            message_id = json.loads(b'"' + raw_id + b'"') if b"\\" in raw_id else (
                raw_id.decode("utf-8"))
        except ValueError:  # not a readable id, so not ours
            return False
        injection = answers.pending[direction].pop(message_id, None)
        if injection is None:
            return False
        if injection.late:
            self.judge.now(connection, station, direction, data, is_text,
                           {"injected": True, "late": True})
            return True
        response = None
        if injection.sent:  # the CALL is recorded: the answer can be, in arrival order
            response = self.judge.now(connection, station, direction, data, is_text,
                                      {"injected": True})
        if not injection.future.done():
            injection.future.set_result((response, data, is_text))
        return True

    def _stop_waiting(self, awaiting: dict[str, _Injection], answer_id: str,
                      injection: _Injection) -> None:
        """No answer came in time (or the caller gave up): resolve, and keep swallowing a
        late answer for a while so the other side never gets an answer to a CALL it did
        not send; then forget the id."""
        if not injection.sent:  # no answer can come
            del awaiting[answer_id]
            return
        injection.late = True
        if not injection.future.done():
            injection.future.set_result(None)

        def forget() -> None:
            if awaiting.get(answer_id) is injection:
                del awaiting[answer_id]

        asyncio.get_running_loop().call_later(self.late_answer_grace, forget)

    def _outcome(self, hop: InjectionHop, direction: Direction,
                 injection: _Injection) -> CallOutcome:
        request = injection.request
        result = injection.future.result()
        if result is None:
            return CallOutcome("closed", request)
        response, data, is_text = result
        if response is None:  # arrived before its CALL was recorded: record it after
            response = self.judge.now(hop.connection, hop.station, direction.opposite, data,
                                      is_text, {"injected": True})
        parsed = parse_frame(data, binary=not is_text)
        frame = parsed.frame
        if isinstance(frame, CallResult):
            payload = frame.payload if isinstance(frame.payload, dict) else None
            return CallOutcome("result", request, response, payload=payload)
        if isinstance(frame, CallError):
            return CallOutcome("error", request, response, error=(
                frame.error_code, frame.error_description, frame.error_details))
        # Recognised by its start (see swallow), unreadable after it: still the answer.
        start = _ANSWER_START.match(data)
        if start is not None and start.group(1) == b"4":
            what = parsed.findings[0].message if parsed.findings else "unreadable CALLERROR"
            return CallOutcome("error", request, response, error=("", what, None))
        return CallOutcome("result", request, response)

    def _record_injected(self, hop: InjectionHop, direction: Direction, text: str,
                         delivered: bool = True) -> Message | None:
        meta: dict[str, Any] = {"injected": True}
        if not delivered:
            meta["delivered"] = False
        return self.judge.now(hop.connection, hop.station, direction, text, meta=meta)
