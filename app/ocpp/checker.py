"""One frame in context: envelope, pairing and schema, as one verdict.

This is the single entry point the proxy, the endpoints, the timeline and the `validate`
command use, so a frame is judged the same way wherever it is seen.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from functools import cache

from app.ocpp.conversation import Conversation, Direction, PendingCall
from app.ocpp.findings import Finding, Severity
from app.ocpp.frames import Call, CallResult, Frame, parse_frame
from app.ocpp.rules import SessionRules
from app.ocpp.schemas import PayloadKind
from app.ocpp.validation import SchemaValidator


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
        parsed = parse_frame(text, binary=binary)
        frame = parsed.frame
        if frame is None:
            return Verdict(None, None, parsed.findings)
        findings = list(parsed.findings)
        exchange = self.conversation(connection).observe(frame, direction, seq, time)
        findings.extend(exchange.findings)
        if isinstance(frame, Call | CallResult) and isinstance(frame.payload, dict):
            kind = PayloadKind.REQUEST if isinstance(frame, Call) else PayloadKind.RESPONSE
            action = exchange.action
            if action is not None:
                # an unknown action has no schema: the frame layer already said so
                with suppress(KeyError):
                    findings.extend(self._validator.validate(action, kind, frame.payload))
        rules = self._rules.get(station or connection)
        if rules is None:
            rules = self._rules[station or connection] = SessionRules()
        findings.extend(rules.observe(frame, exchange.action, direction, time))
        return Verdict(frame, exchange.action, tuple(findings), exchange.call, exchange.latency)
