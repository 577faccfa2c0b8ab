"""The proxy as an instrument: intercept rules applied to frames in flight.

The terminating proxy hands each text frame to `Interceptor.divert` before forwarding it, one
call per direction of each station. With no rule armed that is one attribute read; with rules,
the first enabled rule whose expression matches decides: hold (a breakpoint), rewrite, delay,
drop, duplicate, answer in place of the peer, or close the station's connection. A frame no
rule matches is forwarded by the proxy as usual, byte for byte.

Every frame a rule touched is recorded as what was sent on, its meta saying which rule did
what and, when the text changed, what arrived (`meta["intercept"]["original"]`); a frame
that was not sent on is recorded with `delivered: False`. A held frame waits alone: every
other frame, of its station (both directions) or any other, keeps flowing, and overtakes it.

Only the terminating proxy can intercept (a wire-transparent splice never holds a frame of
its own): `needs_terminating` tells a caller choosing the mode.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from app.net.intercept_rules import Rule, RuleAction, remove_path, set_path
from app.net.wire import as_text
from app.ocpp import catalog
from app.ocpp.conversation import Direction
from app.ocpp.frames import Call, CallError, CallResult, parse_frame, serialize
from app.ocpp.schemas import PayloadKind
from app.query import FrameContext
from app.session.message import Message, frame_message

log = logging.getLogger(__name__)

PEER_TIMEOUT = 30.0         # seconds a peer is assumed to wait for an answer (countdowns)
_REMEMBERED_CALLS = 1024    # CALL ids kept per connection and direction to name answers


def needs_terminating(values: Mapping[str, Any]) -> bool:
    """True when these proxy settings arm intercept rules, which only the terminating proxy
    (a WebSocket stack per hop) can apply: a rules file given, or rules set in the window."""
    return bool(values.get("rules"))


@dataclass
class Hop:
    """What the proxy lends the interceptor for one frame: where the frame goes, where it
    came from, the station's connection, and the capture. Each send returns False when that
    side is gone."""

    connection: str
    station: str
    direction: Direction
    send_on: Callable[[str], Awaitable[bool]]
    send_back: Callable[[str], Awaitable[bool]]
    close_station: Callable[[int, str], Awaitable[None]]
    record: Callable[[Direction, str, dict[str, Any]], Any]


def hop_between(connection: str, station: str, direction: Direction, source: Any,
                target: Any, record: Callable[[Direction, str, dict[str, Any]], Any]) -> Hop:
    """The Hop of a frame travelling from websocket `source` to websocket `target`."""
    station_ws = source if direction is Direction.STATION_TO_CSMS else target

    async def close_station(code: int, reason: str) -> None:
        try:
            await station_ws.close(code, reason)
        except Exception:  # already gone: nothing to close
            log.debug("closing %s for a rule failed", station, exc_info=True)

    return Hop(connection, station, direction, lambda text: _send(target, text),
               lambda text: _send(source, text), close_station, record)


async def _send(ws: Any, text: str) -> bool:
    try:
        await ws.send(text)
    except Exception:  # the peer is gone (ConnectionClosed) or the socket broke
        return False
    return True


@dataclass(eq=False)
class HeldFrame:
    """A frame stopped by a hold rule, waiting for the user."""

    id: int
    rule: str
    station: str
    connection: str
    direction: Direction
    text: str                          # as it arrived
    message: Message                   # its envelope (type, id, action) for views
    held_at: float                     # monotonic
    deadline: float                    # when its peer likely gives up (monotonic)
    future: asyncio.Future[str | None] = field(repr=False)   # text to send, None: drop
    loop: asyncio.AbstractEventLoop = field(repr=False)

    def remaining(self, now: float | None = None) -> float:
        """Seconds until the peer likely times out (negative: it probably has)."""
        return self.deadline - (time.monotonic() if now is None else now)


HeldListener = Callable[[str, HeldFrame], None]   # ("held" | "released", frame)


class Interceptor:
    """The rules in force and the frames they hold. Rules are changed live (`set_rules`,
    `set_enabled`); the window follows held frames through `subscribe`. `release`, `drop`
    and `release_all` may be called from any thread."""

    def __init__(self, rules: Iterable[Rule] = (), *, peer_timeout: float = PEER_TIMEOUT,
                 forward_on_stop: bool = True) -> None:
        self.rules: list[Rule] = list(rules)
        self.peer_timeout = peer_timeout
        self.forward_on_stop = forward_on_stop
        self.held: dict[int, HeldFrame] = {}
        self._ids = itertools.count(1)
        self._listeners: list[HeldListener] = []
        self._calls: dict[tuple[str, Direction], dict[str, str]] = {}
        self._waiting: set[asyncio.Task[None]] = set()   # held frames' tasks
        self.armed = any(rule.enabled for rule in self.rules)

    # --- rules ----------------------------------------------------------------------------

    def set_rules(self, rules: Iterable[Rule]) -> None:
        self.rules = list(rules)
        self._rearm()

    def set_enabled(self, name: str, enabled: bool) -> None:
        for rule in self.rules:
            if rule.name == name:
                rule.enabled = enabled
        self._rearm()

    def _rearm(self) -> None:
        self.armed = any(rule.enabled for rule in self.rules)

    def subscribe(self, listener: HeldListener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def _tell(self, what: str, held: HeldFrame) -> None:
        for listener in list(self._listeners):
            try:
                listener(what, held)
            except Exception:  # a view's bug must not stop the traffic
                log.exception("a held-frame listener failed")

    # --- the hook -------------------------------------------------------------------------

    async def divert(self, hop: Hop, data: bytes) -> bool:
        """Apply the first matching rule to the frame `data` on `hop`; True when a rule took
        it (sent and recorded it, or not), False when the proxy should forward it as usual.
        Never raises for the frame's content."""
        text = as_text(data)
        if text is None:
            return False
        try:
            message = self._envelope(hop, text)
            rule = self._first_match(message)
        except Exception:  # our bug: the frame must still flow
            log.exception("matching intercept rules failed on a frame of %s", hop.station)
            return False
        if rule is None:
            return False
        return await self._apply(rule, hop, text, message)

    def _envelope(self, hop: Hop, text: str) -> Message:
        """The frame's record as an expression reads it; an answer gets its CALL's action."""
        message = frame_message(0, text, connection=hop.connection, station=hop.station,
                                direction=hop.direction)
        if message.message_type == 2 and message.message_id is not None and message.action:
            calls = self._calls.setdefault((hop.connection, hop.direction), {})
            if len(calls) >= _REMEMBERED_CALLS:
                del calls[next(iter(calls))]
            calls[message.message_id] = message.action
        elif message.message_type in (3, 4) and message.message_id is not None:
            calls = self._calls.get((hop.connection, hop.direction.opposite), {})
            action = calls.pop(message.message_id, None)
            if action is not None:
                message = frame_message(0, text, connection=hop.connection,
                                        station=hop.station, direction=hop.direction,
                                        action=action)
        return message

    def _first_match(self, message: Message) -> Rule | None:
        context = FrameContext()
        for rule in self.rules:
            if rule.enabled and rule.query.matches(message, context):
                return rule
        return None

    async def _apply(self, rule: Rule, hop: Hop, text: str, message: Message) -> bool:
        action = rule.action
        meta: dict[str, Any] = {"rule": rule.name, "action": action.value}
        if action is RuleAction.DROP:
            _record(hop, text, meta, delivered=False)
        elif action is RuleAction.DELAY:
            await asyncio.sleep(rule.ms / 1000)
            meta["ms"] = rule.ms
            _record(hop, text, meta, await hop.send_on(text))
        elif action is RuleAction.DUPLICATE:
            for copy_number in (1, 2):
                sent = await hop.send_on(text)
                _record(hop, text, {**meta, "copy": copy_number}, sent)
        elif action is RuleAction.REWRITE:
            changed = rewrite(text, rule)
            if changed is None:
                return False          # nothing to rewrite in this frame: forward it as it is
            meta.update(original=text, changes=rule.describe())
            _record(hop, changed, meta, await hop.send_on(changed))
        elif action is RuleAction.ANSWER:
            answer = answer_for(message, rule)
            if answer is None:
                return False          # only a CALL can be answered
            _record(hop, text, meta, delivered=False)
            sent = await hop.send_back(answer)
            hop.record(hop.direction.opposite, answer,
                       {"injected": True, "intercept": meta, **({} if sent else
                                                                {"delivered": False})})
        elif action is RuleAction.CLOSE:
            meta.update(code=rule.code, reason=rule.reason)
            _record(hop, text, meta, delivered=False)
            await hop.close_station(rule.code, rule.reason)
        else:
            self._hold(rule, hop, text, message, meta)
        return True

    # --- holding --------------------------------------------------------------------------

    def _hold(self, rule: Rule, hop: Hop, text: str, message: Message,
              meta: dict[str, Any]) -> None:
        """Hold the frame in a task of its own, so that the frames after it (the answer to
        a CSMS's CALL, say) keep flowing while the user decides."""
        loop = asyncio.get_running_loop()
        now = time.monotonic()
        held = HeldFrame(next(self._ids), rule.name, hop.station, hop.connection,
                         hop.direction, text, message, now, now + self.peer_timeout,
                         loop.create_future(), loop)
        self.held[held.id] = held
        waiting = loop.create_task(self._wait_for_user(held, hop, meta))
        self._waiting.add(waiting)
        waiting.add_done_callback(self._waiting.discard)
        self._tell("held", held)

    async def _wait_for_user(self, held: HeldFrame, hop: Hop, meta: dict[str, Any]) -> None:
        text = held.text
        try:
            outcome = await held.future
        except asyncio.CancelledError:   # the proxy was torn down while the frame was held
            self._let_go(held, meta)
            meta.update(released="dropped", ended="the proxy stopped meanwhile")
            _record(hop, text, meta, delivered=False)
            raise
        self._let_go(held, meta)
        if outcome is None:
            meta["released"] = "dropped"
            _record(hop, text, meta, delivered=False)
            return
        meta["released"] = "edited" if outcome != text else "unchanged"
        if outcome != text:
            meta["original"] = text
        _record(hop, outcome, meta, await hop.send_on(outcome))

    def _let_go(self, held: HeldFrame, meta: dict[str, Any]) -> None:
        self.held.pop(held.id, None)
        meta["held_ms"] = round((time.monotonic() - held.held_at) * 1000)
        self._tell("released", held)

    def release(self, held_id: int, text: str | None = None) -> bool:
        """Forward a held frame: edited (`text`) or as it arrived (None). False if it is no
        longer held."""
        held = self.held.get(held_id)
        if held is None:
            return False
        self._resolve(held, held.text if text is None else text)
        return True

    def drop(self, held_id: int) -> bool:
        """Never send a held frame on (it is recorded as not delivered)."""
        held = self.held.get(held_id)
        if held is None:
            return False
        self._resolve(held, None)
        return True

    def release_all(self, forward: bool = True) -> int:
        """Forward (unchanged) or drop every held frame at once; returns how many."""
        frames = list(self.held.values())
        for held in frames:
            self._resolve(held, held.text if forward else None)
        return len(frames)

    async def finish(self) -> None:
        """Before the proxy stops: held frames go as the user chose (`forward_on_stop`), and
        get a moment to be sent before the connections close."""
        self.release_all(self.forward_on_stop)
        if self._waiting:
            await asyncio.wait(set(self._waiting), timeout=5.0)

    @staticmethod
    def _resolve(held: HeldFrame, outcome: str | None) -> None:
        def settle() -> None:
            if not held.future.done():
                held.future.set_result(outcome)
        try:
            if asyncio.get_running_loop() is held.loop:
                settle()
                return
        except RuntimeError:  # called from a thread without a loop (the window's)
            pass
        held.loop.call_soon_threadsafe(settle)


def _record(hop: Hop, text: str, intercept: dict[str, Any], delivered: bool) -> None:
    meta: dict[str, Any] = {"intercept": intercept}
    if not delivered:
        meta["delivered"] = False
    try:
        hop.record(hop.direction, text, meta)
    except Exception:  # observing must never break the traffic
        log.exception("recording an intercepted frame of %s failed", hop.station)


def rewrite(text: str, rule: Rule) -> str | None:
    """The frame with the rule's fields set and removed in its payload; None when the frame
    has no payload object to change (malformed, a CALLERROR)."""
    frame = parse_frame(text).frame
    if not isinstance(frame, Call | CallResult) or not isinstance(frame.payload, dict):
        return None
    payload = copy.deepcopy(frame.payload)
    for path, value in rule.set.items():
        set_path(payload, path, value)
    for path in rule.remove:
        remove_path(payload, path)
    if isinstance(frame, Call):
        return serialize(Call(frame.message_id, frame.action, payload))
    return serialize(CallResult(frame.message_id, payload))


def answer_for(message: Message, rule: Rule) -> str | None:
    """The answer a rule gives in place of the peer, to a CALL; None for anything else."""
    if message.message_type != 2 or message.message_id is None:
        return None
    if rule.error is not None:
        error = rule.error
        details = error.get("details", {})
        return serialize(CallError(message.message_id, str(error.get("code")),
                                   str(error.get("description", "")),
                                   details if isinstance(details, dict) else {}))
    return serialize(CallResult(message.message_id, dict(rule.payload or {})))


def editable_payload(held: HeldFrame) -> tuple[str, PayloadKind, Any] | None:
    """The action, kind and payload of a held frame, for a form of that message: a CALL's
    request, or a CALLRESULT's response whose CALL the proxy saw. None for what no form
    shows (a CALLERROR, a malformed frame, an action not in OCPP 2.0.1)."""
    action = held.message.action
    if action not in catalog.ACTIONS:
        return None
    frame = parse_frame(held.text).frame
    if isinstance(frame, Call):
        return action, PayloadKind.REQUEST, frame.payload
    if isinstance(frame, CallResult):
        return action, PayloadKind.RESPONSE, frame.payload
    return None


def with_payload(held: HeldFrame, payload: Any) -> str:
    """The held frame's text with `payload` in place of its own (same type, id and action);
    the text that arrived, byte for byte, when the payload is unchanged."""
    frame = parse_frame(held.text).frame
    if isinstance(frame, Call):
        if payload == frame.payload:
            return held.text
        return serialize(Call(frame.message_id, frame.action, payload))
    if isinstance(frame, CallResult):
        if payload == frame.payload:
            return held.text
        return serialize(CallResult(frame.message_id, payload))
    return held.text

