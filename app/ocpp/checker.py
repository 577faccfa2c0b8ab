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
from app.ocpp.conversation import Conversation, Direction, Exchange, PendingCall
from app.ocpp.findings import Finding, Severity, error
from app.ocpp.frames import Call, CallResult, Frame, parse_frame
from app.ocpp.rules import SessionRules
from app.ocpp.schemas import PayloadKind
from app.ocpp.validation import SchemaValidator

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
        return not any(f.severity is Severity.ERROR for f in self.findings)


@cache
def shared_validator() -> SchemaValidator:
    """One validator per process, so each schema is compiled once."""
    return SchemaValidator()


class FrameChecker:
    """Judges the frames of many connections; keeps one `Conversation` per connection."""

    def __init__(self, validator: SchemaValidator | None = None) -> None:
        self._validator = validator or shared_validator()
        self._conversations: dict[str, Conversation] = {}
        self._rules: dict[str, SessionRules] = {}

    def conversation(self, connection: str) -> Conversation:
        conv = self._conversations.get(connection)
        if conv is None:
            conv = self._conversations[connection] = Conversation()
        return conv

    def pending(self) -> list[PendingCall]:
        """Every CALL still waiting for its answer, over all connections, oldest first."""
        calls = [c for conv in self._conversations.values() for c in conv.pending]
        return sorted(calls, key=lambda c: c.seq)

    def forget(self, connection: str) -> None:
        """Drop a closed connection's pairing state (its pending CALLs stay unanswered)."""
        self._conversations.pop(connection, None)

    def check(self, text: str | bytes, *, connection: str = "",
              direction: Direction | None = None, seq: int = 0, time: float | None = 0.0,
              binary: bool = True, station: str | None = None) -> Verdict:
        """Judge one frame; bytes are a binary frame, or with `binary=False` a text frame
        that is not valid UTF-8. Session rules are kept per `station` (by default per
        connection), so that transactions are followed across reconnects."""
        findings: list[Finding] = []
        frame: Frame | None = None
        action: str | None = None
        exchange = None
        stage = "parsing"
        try:
            parsed = parse_frame(text, binary=binary)
            frame = parsed.frame
            findings.extend(parsed.findings)
            if frame is None:
                return Verdict(None, None, tuple(findings))
            if isinstance(frame, Call):
                action = frame.action
            stage = "pairing"
            exchange = self.conversation(connection).observe(frame, direction, seq, time)
            action = exchange.action
            findings.extend(exchange.findings)
            stage = "schema validation"
            # an unknown action has no schema: the frame layer already said so
            if (isinstance(frame, Call | CallResult) and isinstance(frame.payload, dict)
                    and action in catalog.ACTIONS):
                kind = PayloadKind.REQUEST if isinstance(frame, Call) else PayloadKind.RESPONSE
                findings.extend(self._validator.validate(action, kind, frame.payload))
            stage = "session rules"
            if _trusted(exchange):  # rules never learn from what the protocol judged wrong
                rules = self._rules.get(station or connection)
                if rules is None:
                    rules = self._rules[station or connection] = SessionRules()
                findings.extend(rules.observe(frame, action, direction, time))
                findings.extend(smart_charging.request_findings(frame, action))
        except Exception as exc:  # our bug, never the peer's: a finding, not a crash
            log.exception("judging a frame failed during %s", stage)
            findings.append(internal_error(stage, exc))
        if exchange is None:
            return Verdict(frame, action, tuple(findings))
        return Verdict(frame, action, tuple(findings), exchange.call, exchange.latency)


def _trusted(exchange: Exchange) -> bool:
    """Whether a frame may teach the session rules: no protocol error on it, and for an
    answer none on the CALL it answers (a BootNotification the station sent the CSMS must
    not set the heartbeat interval when the CSMS answers it)."""
    if any(f.severity is Severity.ERROR for f in exchange.findings):
        return False
    return exchange.call is None or exchange.call.trusted


def internal_error(stage: str, exc: BaseException) -> Finding:
    """The finding for a failure of ours while judging a frame: the frame is kept and shown,
    and the user can report the exception type and text."""
    return error("internal.error",
                 f"OCPP Scope's {stage} failed on this frame ({type(exc).__name__}: "
                 f"{str(exc)[:200]}); the frame was forwarded and recorded as it is — "
                 "please report this")
