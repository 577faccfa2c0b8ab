"""How an endpoint answers the CALLs it receives: per action, a rule.

Rules come from a JSON file (`--responses FILE`) and later from the GUI:

    {
      "BootNotification": {"payload": {"currentTime": "...", "interval": 60, "status": "Pending"}},
      "Authorize": "reject",
      "Heartbeat": "ignore",
      "Reset": {"error": "NotSupported", "description": "no resets here"},
      "MeterValues": {"delay": 2.5}
    }

A rule is "default" (a cooperative, schema-valid answer), "reject" (the same answer with a
refusing status, where the schema has one), "ignore" (no answer at all: the peer times out),
"ask" (the request is held until someone composes the answer: see `ResponsePolicy.asker`),
{"payload": {...}} (exactly this), or {"error": CODE, "description": ..., "details": {...}}
(a CALLERROR). Any rule may add "delay": seconds before the answer.

Endpoints read the rule of each request as it arrives, so rules changed while an endpoint
runs (`ResponsePolicy.set_rule`) apply from the next request on.
"""

from __future__ import annotations

import difflib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.errors import PolicyError
from app.json_file import read_json_file
from app.ocpp import catalog, responses
from app.ocpp.findings import Finding

# What a rule may say, as words (files accept "accept" too, a synonym of "default").
MODES = ("default", "reject", "ignore", "ask", "payload", "error")
_WORDS = ("default", "accept", "reject", "ignore", "ask")


@dataclass(frozen=True, slots=True)
class Rule:
    mode: str = "default"
    payload: dict[str, Any] | None = None
    error_code: str = "GenericError"
    description: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    delay: float = 0.0


@dataclass(frozen=True, slots=True)
class Answer:
    """What to send back: a result payload, a CALLERROR, or nothing (`ignore`)."""

    payload: dict[str, Any] | None = None
    error: tuple[str, str, dict[str, Any]] | None = None
    delay: float = 0.0
    meta: dict[str, Any] | None = None   # for the answer's record (a replay's marks)

    @property
    def silent(self) -> bool:
        return self.payload is None and self.error is None


# The CALLERROR a strict endpoint returns for a request that fails its schema (OCPP-J 2.0.1).
_STRICT_ERRORS = {
    "schema.required": "OccurrenceConstraintViolation",
    "schema.min-items": "OccurrenceConstraintViolation",
    "schema.max-items": "OccurrenceConstraintViolation",
    "schema.type": "TypeConstraintViolation",
    "schema.additional-property": "FormatViolation",
}


# Given a request's action and payload, composes its answer (the GUI lets the user write it);
# None means "answer as by default".
Asker = Callable[[str, Any], Awaitable[Answer | None]]


@dataclass
class ResponsePolicy:
    rules: dict[str, Rule] = field(default_factory=dict)
    heartbeat_interval: int = 300
    strict: bool = False    # answer schema-invalid requests with the CALLERROR the spec names
    # Consulted for requests whose rule is "ask"; without one, "ask" answers like "default"
    # (a rules file may say "ask" for the window and still work on the command line).
    asker: Asker | None = None

    def rule(self, action: str) -> Rule:
        return self.rules.get(action) or self.rules.get("*") or Rule()

    def set_rule(self, action: str, rule: Rule | None) -> None:
        """Change the rule of `action` ("*": of every action without its own) while endpoints
        run; None removes it. Takes effect from the next request, as rules are looked up
        per request."""
        if action != "*" and action not in catalog.ACTIONS:
            guess = catalog.closest_action(action)
            raise ValueError(f"unknown action '{action}'"
                             + (f" (did you mean {guess}?)" if guess else ""))
        if rule is None:
            self.rules.pop(action, None)
            return
        if rule.mode not in MODES:
            raise ValueError(f"mode '{rule.mode}' is not one of {', '.join(MODES)}")
        self.rules[action] = rule

    def carry_over(self, earlier: ResponsePolicy) -> None:
        """Take the rules of `earlier` for the actions this policy has none for. Rules set
        in the window before a mode starts then hold in it, while a rules file named when
        starting wins for the actions it speaks of (it was chosen last)."""
        for action, rule in earlier.rules.items():
            self.rules.setdefault(action, rule)

    def asks(self, action: str) -> bool:
        """Whether a request for `action` goes to the asker. Unknown actions never do: they
        get the NotImplemented CALLERROR OCPP-J prescribes, as with any other rule."""
        return (self.asker is not None and action in catalog.ACTIONS
                and self.rule(action).mode == "ask")

    def answer(self, action: str, request: Any, findings: tuple[Finding, ...] = ()
               ) -> Answer:
        """The answer the rules give, without asking anyone ("ask" answers like "default")."""
        if action not in catalog.ACTIONS:
            return Answer(error=("NotImplemented", f"unknown action '{action}'", {}))
        rule = self.rule(action)
        if self.strict and rule.mode in ("default", "reject", "ask"):
            schema_errors = [f for f in findings if f.code.startswith("schema.")]
            if schema_errors:
                first = schema_errors[0]
                code = _STRICT_ERRORS.get(first.code, "PropertyConstraintViolation")
                where = f"{first.path}: " if first.path else ""
                return Answer(error=(code, f"{where}{first.message}"[:255], {}),
                              delay=rule.delay)
        request = request if isinstance(request, dict) else {}
        if rule.mode == "ignore":
            return Answer(delay=rule.delay)
        if rule.mode == "payload":
            return Answer(payload=rule.payload, delay=rule.delay)
        if rule.mode == "error":
            return Answer(error=(rule.error_code, rule.description, rule.details),
                          delay=rule.delay)
        if rule.mode == "reject":
            refusal = responses.rejecting_response(action, request)
            if refusal is not None:
                return Answer(payload=refusal, delay=rule.delay)
        return Answer(payload=responses.default_response(
            action, request, heartbeat_interval=self.heartbeat_interval), delay=rule.delay)

    @classmethod
    def from_file(cls, path: str | Path, **options: Any) -> ResponsePolicy:
        data = read_json_file(path, PolicyError)
        return cls(rules=parse_rules(data, str(Path(path))), **options)


_RULE_KEYS = ("payload", "error", "description", "details", "mode", "delay")
MAX_DELAY = 86_400  # a day: longer is no answer at all, which "ignore" says


def parse_rules(data: Any, origin: str = "rules") -> dict[str, Rule]:
    """Rules from their JSON form; every problem is reported at once."""
    if not isinstance(data, dict):
        raise PolicyError(f"{origin}: expected an object mapping actions to rules")
    rules: dict[str, Rule] = {}
    problems: list[str] = []
    for action, spec in data.items():
        if action != "*" and action not in catalog.ACTIONS:
            guess = catalog.closest_action(action)
            problems.append(f"unknown action '{action}'"
                            + (f" (did you mean {guess}?)" if guess else ""))
            continue
        try:
            rules[action] = _rule(spec)
        except (TypeError, ValueError) as exc:
            problems.append(f"{action}: {exc}")
    if problems:
        raise PolicyError(f"{origin}: " + "; ".join(problems))
    return rules


def _rule(spec: Any) -> Rule:
    if isinstance(spec, str):
        if spec not in _WORDS:
            raise ValueError(f"'{spec}' is not one of {', '.join(_WORDS)}")
        return Rule(mode="default" if spec == "accept" else spec)
    if not isinstance(spec, dict):
        raise TypeError("a rule is a word or an object")
    for key in spec:
        if key not in _RULE_KEYS:  # a misspelt key would quietly give the default answer
            guess = difflib.get_close_matches(str(key), _RULE_KEYS, n=1)
            raise ValueError(f"unknown key '{key}'"
                             + (f" (did you mean '{guess[0]}'?)" if guess else
                                f" (keys are {', '.join(_RULE_KEYS)})"))
    delay = spec.get("delay", 0.0)
    # written so that NaN fails too (JSON as Python reads it takes NaN and Infinity)
    if not isinstance(delay, int | float) or isinstance(delay, bool) or not (
            0 <= delay <= MAX_DELAY):
        raise ValueError(f"delay must be a number of seconds from 0 to {MAX_DELAY}")
    if "payload" in spec:
        if not isinstance(spec["payload"], dict):
            raise TypeError("payload must be an object")
        return Rule(mode="payload", payload=spec["payload"], delay=float(delay))
    if "error" in spec:
        code = spec["error"]
        if code not in catalog.ERROR_CODES:
            raise ValueError(f"error '{code}' is not one of {', '.join(catalog.ERROR_CODES)}")
        details = spec.get("details", {})
        if not isinstance(details, dict):
            raise TypeError("details must be an object")
        return Rule(mode="error", error_code=code, description=str(spec.get("description", "")),
                    details=details, delay=float(delay))
    mode = spec.get("mode", "default")
    if mode not in _WORDS:
        raise ValueError(f"mode '{mode}' is not one of {', '.join(_WORDS)}")
    return Rule(mode="default" if mode == "accept" else mode, delay=float(delay))
