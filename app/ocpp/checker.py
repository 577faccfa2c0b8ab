"""One frame in context: envelope, pairing and schema, as one verdict.

This is the single entry point the proxy, the endpoints, the timeline and the `validate`
command use, so a frame is judged the same way wherever it is seen.

Judging never raises. Peer data is the input here, and a frame nobody foresaw must still be
forwarded, recorded and shown: should a check fail with an exception anyway (our bug), the
frame gets an `internal.error` finding naming it, and keeps what was found before it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache

from app.ocpp import catalog, smart_charging
from app.ocpp.conversation import ANSWER_TIMEOUT, Conversation, Direction, Lost, PendingCall
from app.ocpp.findings import Finding, Severity, internal_error
from app.ocpp.frames import Call, CallError, Frame, frame_parts
from app.ocpp.rules import ANSWERS_JUDGED, SessionRules
from app.ocpp.schemas import PayloadKind
from app.ocpp.slots import fast_constructor
from app.ocpp.validation import SchemaValidator
from app.state.model import SessionState
from app.state.tracker import apply_frame

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Verdict:
    frame: Frame | None
    action: str | None                 # a CALL's action, or the action an answer belongs to
    findings: tuple[Finding, ...]
    call: PendingCall | None = None    # for answers: the CALL answered
    latency: float | None = None       # for answers: seconds since the CALL

    @property
    def malformed(self) -> bool:
        return self.frame is None

    @property
    def valid(self) -> bool:
        return not has_error(self.findings)


# read for every frame: module attributes and enum members once
_new_verdict = fast_constructor(Verdict)
_ACTIONS = catalog.ACTIONS
_REQUEST, _RESPONSE = PayloadKind.REQUEST, PayloadKind.RESPONSE
_SMART_CHARGING = smart_charging.ACTION


@cache
def shared_validator() -> SchemaValidator:
    """One validator per process, so each schema is compiled once."""
    return SchemaValidator()


class FrameChecker:
    """Judges the frames of many connections; keeps one `Conversation` per connection."""

    def __init__(self, validator: SchemaValidator | None = None,
                 state: SessionState | None = None, *,
                 directions_inferred: bool = False,
                 answer_timeout: float | None = ANSWER_TIMEOUT) -> None:
        """`directions_inferred`: the input did not say which way its frames went, and the
        directions given to `check` were inferred from the actions' senders; the checks
        that rest on a direction then say so instead of warning (see `Conversation`).
        `answer_timeout`: seconds after which a CALL's answer is given up on, by the times
        given to `check` (None: never for its time)."""
        self._validator = validator or shared_validator()
        self.directions_inferred = directions_inferred
        self._answer_timeout = answer_timeout
        # what the latest frame made its connection give up on (`take_given_up`)
        self.given_up_now: tuple[tuple[PendingCall, Lost], ...] = ()
        # what the judged frames say about the session, filled as they are judged
        self.state = state if state is not None else SessionState()
        self._conversations: dict[str, Conversation] = {}
        self._rules: dict[str, SessionRules] = {}

    @property
    def answer_timeout(self) -> float | None:
        return self._answer_timeout

    @answer_timeout.setter
    def answer_timeout(self, timeout: float | None) -> None:
        self._answer_timeout = timeout
        for conversation in self._conversations.values():
            conversation.answer_timeout = timeout

    def conversation(self, connection: str) -> Conversation:
        conv = self._conversations.get(connection)
        if conv is None:
            conv = self._conversations[connection] = Conversation(
                self.directions_inferred, self._answer_timeout)
        return conv

    def take_given_up(self) -> tuple[tuple[PendingCall, Lost], ...]:
        """What the latest frame judged made its connection give up on (CALLs timed out,
        cleared by a reboot, overtaken), each with the reason; once. Whoever keeps
        verdicts asks after every frame, and reports each CALL on the CALL's record."""
        lost, self.given_up_now = self.given_up_now, ()
        return lost

    def pending(self) -> list[PendingCall]:
        """Every CALL still waiting for its answer, over all connections, oldest first."""
        calls = [c for conv in self._conversations.values() for c in conv.pending]
        return sorted(calls, key=lambda c: c.seq)

    def expire(self, now: float) -> list[PendingCall]:
        """Give up on every connection's CALLs whose answer is overdue at `now`, oldest
        first: at the end of a file, whose last record's time is the last `now` anyone
        saw, a CALL of a connection that went silent is judged as a live watch judged it."""
        expired = [c for conv in self._conversations.values() for c in conv.expire(now)]
        return sorted(expired, key=lambda c: c.seq)

    def close(self, connection: str, now: float | None) -> tuple[list[PendingCall],
                                                                  list[PendingCall]]:
        """A connection closed at `now` (None: time unknown): the CALLs whose answer was
        overdue by then, and those left waiting, whose answer can no longer come, each
        oldest first; then its pairing state is dropped (`forget`)."""
        conversation = self._conversations.pop(connection, None)
        if conversation is None:
            return [], []
        overdue = [] if now is None else conversation.expire(now)
        return overdue, conversation.pending

    def _time_passed(self, connection: str, time: float) -> None:
        """A frame that does not parse still shows that its connection reached `time`:
        give up on the CALLs overdue by then, as a frame that parses would have, so that
        the give-up happens at the same record live, loaded and in `validate`."""
        conversation = self._conversations.get(connection)
        if conversation is not None:
            expired = conversation.expire(time)
            if expired:
                self.given_up_now = tuple((call, Lost.TIMEOUT) for call in expired)

    def forget(self, connection: str) -> None:
        """Drop a closed connection's pairing state (its pending CALLs stay unanswered)."""
        self._conversations.pop(connection, None)

    def check(self, text: str | bytes, *, connection: str = "",
              direction: Direction | None = None, seq: int = 0, time: float | None = 0.0,
              binary: bool = True, station: str | None = None,
              wall: float | None = None) -> Verdict:
        """Judge one frame; bytes are a binary frame, or with `binary=False` a text frame
        that is not valid UTF-8. Session rules and the session's state (`self.state`) are
        kept per `station` (by default per connection), so that transactions are followed
        across reconnects. `time` is monotonic (for timing rules), `wall` the record's
        wall-clock time (for the state)."""
        return _new_verdict(*self.judge(text, connection, direction, seq, time, binary,
                                        station, wall))

    def judge(self, text: str | bytes, connection: str, direction: Direction | None,
              seq: int, time: float | None, binary: bool, station: str | None,
              wall: float | None) -> tuple[Frame | None, str | None, tuple[Finding, ...],
                                           PendingCall | None, float | None]:
        """`check`'s verdict as its parts, (frame, action, findings, call, latency), for a
        caller that keeps them elsewhere (a capture judging a loaded session stores most
        answers as two numbers) and need not build a `Verdict` for every frame. Positional
        arguments, as `check` names them."""
        findings: list[Finding] = []
        frame: Frame | None = None
        action: str | None = None
        call: PendingCall | None = None
        latency: float | None = None
        trusted = False
        stage = "parsing"
        key = station or connection
        try:
            frame, parse_findings = frame_parts(text, binary)
            if parse_findings:
                findings.extend(parse_findings)
            if frame is not None:
                is_call = frame.__class__ is Call or isinstance(frame, Call)
                if is_call:
                    action = frame.action
                stage = "pairing"
                conversation = self._conversations.get(connection) \
                    or self.conversation(connection)
                action, call, latency, exchange_findings = conversation.observe_parts(
                    frame, direction, seq, time)
                if conversation.given_up_now:
                    self.given_up_now = conversation.take_given_up()
                if exchange_findings:
                    findings.extend(exchange_findings)
                    trusted = not has_error(exchange_findings)
                else:
                    trusted = True
                if call is not None and not call.trusted:
                    trusted = False  # an answer to a CALL that broke the protocol
                stage = "schema validation"
                # an unknown action has no schema: the frame layer already said so
                if action in _ACTIONS and not isinstance(frame, CallError):
                    payload = frame.payload
                    if payload.__class__ is dict or isinstance(payload, dict):
                        schema_findings = self._validator.validate(
                            action, _REQUEST if is_call else _RESPONSE, payload)
                        if schema_findings:
                            findings.extend(schema_findings)
                stage = "session rules"
                # rules never learn from what the protocol judged wrong; they judge CALLs
                # and the answers of a few actions only
                if trusted and (is_call or action in ANSWERS_JUDGED):
                    rules = self._rules.get(key)
                    if rules is None:
                        rules = self._rules[key] = SessionRules()
                    # the rules read the state as it was before this frame
                    rule_findings = rules.observe(frame, action, direction, time,
                                                  self.state.stations.get(key))
                    if rule_findings:
                        findings.extend(rule_findings)
                    if action == _SMART_CHARGING:  # the only action it judges
                        findings.extend(smart_charging.request_findings(frame, action))
            elif time is not None:
                stage = "pairing"
                self._time_passed(connection, time)
        except Exception as exc:  # our bug, never the peer's: a finding, not a crash
            log.exception("judging a frame failed during %s", stage)
            findings.append(internal_error(stage, exc))
        state_findings = apply_frame(
            self.state, seq=seq, time=wall or 0.0, connection=connection, station=key,
            direction=direction, frame=frame, action=action,
            call_seq=call.seq if call is not None else None,
            valid=not findings or not has_error(findings), trusted=trusted)
        if state_findings:
            findings.extend(state_findings)
        return frame, action, tuple(findings) if findings else (), call, latency


def has_error(findings: list[Finding] | tuple[Finding, ...]) -> bool:
    """Whether any of `findings` is an error: asked of every frame, most with none."""
    return bool(findings) and any(f.severity is Severity.ERROR for f in findings)
