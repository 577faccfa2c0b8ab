"""Intercept rules as data: an expression (which frames) and an action (what to do with them),
read from and written to rules files.

A rules file is JSON or TOML, a list of rules under `rules`:

    {"rules": [
      {"name": "refuse boots", "when": "action == \\"BootNotification\\" && type == RESULT",
       "action": "rewrite", "set": {"status": "Rejected"}},
      {"name": "slow CSMS", "when": "dir == \\"down\\"", "action": "delay", "ms": 800},
      {"name": "break at Ended", "when": "payload.eventType == \\"Ended\\"", "action": "hold"}
    ]}

Actions and their fields: `hold`; `rewrite` (`set`: {path: value}, `remove`: [path]); `delay`
(`ms`); `drop`; `duplicate`; `answer` (`payload`: an object, or `error`: {"code",
"description", "details"}); `close` (`code`, `reason`). Paths are inside the payload:
`idTokenInfo.status`, `meterValue[0].sampledValue[0].value`. `enabled` (default true).
"""

from __future__ import annotations

import difflib
import itertools
import json
import re
import tomllib
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from app.errors import InputError
from app.query import Query, QueryError, compile_query


class RuleAction(StrEnum):
    HOLD = "hold"
    REWRITE = "rewrite"
    DELAY = "delay"
    DROP = "drop"
    DUPLICATE = "duplicate"
    ANSWER = "answer"
    CLOSE = "close"


@dataclass
class Rule:
    """One intercept rule. `query` is compiled from `when` when the rule is made."""

    name: str
    when: str
    action: RuleAction
    enabled: bool = True
    set: dict[str, Any] = field(default_factory=dict)     # rewrite: path -> value
    remove: list[str] = field(default_factory=list)       # rewrite: paths
    ms: int = 0                                           # delay
    payload: dict[str, Any] | None = None                 # answer: a CALLRESULT's payload
    error: dict[str, Any] | None = None                   # answer: a CALLERROR
    code: int = 1000                                      # close
    reason: str = ""                                      # close
    query: Query = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.query = compile_query(self.when)

    def describe(self) -> str:
        """What the rule does, in a few words, for a list or a record's meta."""
        if self.action is RuleAction.REWRITE:
            changes = [f"{p}={json.dumps(v)}" for p, v in self.set.items()]
            changes += [f"-{p}" for p in self.remove]
            return "rewrite " + ", ".join(changes)
        if self.action is RuleAction.DELAY:
            return f"delay {self.ms} ms"
        if self.action is RuleAction.ANSWER:
            return ("answer CALLERROR " + str((self.error or {}).get("code", "InternalError"))
                    if self.error is not None else "answer " + json.dumps(self.payload or {}))
        if self.action is RuleAction.CLOSE:
            return f"close {self.code}" + (f" {self.reason}" if self.reason else "")
        return self.action.value

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name, "when": self.when,
                                "action": self.action.value}
        if not self.enabled:
            data["enabled"] = False
        if self.action is RuleAction.REWRITE:
            data.update({"set": self.set} if self.set else {})
            data.update({"remove": self.remove} if self.remove else {})
        elif self.action is RuleAction.DELAY:
            data["ms"] = self.ms
        elif self.action is RuleAction.ANSWER:
            data.update({"error": self.error} if self.error is not None
                        else {"payload": self.payload or {}})
        elif self.action is RuleAction.CLOSE:
            data.update(code=self.code, reason=self.reason)
        return data


_RULE_KEYS = ("name", "when", "action", "enabled", "set", "remove", "ms", "payload", "error",
              "code", "reason")


def rule_from_json(data: Any, where: str = "rule") -> Rule:
    """A rule from its JSON form; InputError with one sentence naming what is wrong."""
    if not isinstance(data, dict):
        raise InputError(f"{where}: a rule is an object with when and action")
    name = str(data.get("name") or where)
    for key in data:
        if key not in _RULE_KEYS:  # a misspelt key would quietly change what the rule does
            guess = difflib.get_close_matches(str(key), _RULE_KEYS, n=1)
            raise InputError(f"{name}: unknown key '{key}'"
                             + (f" (did you mean '{guess[0]}'?)" if guess else
                                f" (keys are {', '.join(_RULE_KEYS)})"))
    when = data.get("when")
    if not isinstance(when, str) or not when.strip():
        raise InputError(f"{name}: 'when' must be an expression (text)")
    try:
        action = RuleAction(data.get("action"))
    except ValueError:
        raise InputError(f"{name}: 'action' must be one of "
                         f"{', '.join(a.value for a in RuleAction)}") from None
    values: dict[str, Any] = {"enabled": bool(data.get("enabled", True))}
    if action is RuleAction.REWRITE:
        values["set"] = _object(data.get("set", {}), name, "set")
        remove = data.get("remove", [])
        if not isinstance(remove, list) or not all(isinstance(p, str) for p in remove):
            raise InputError(f"{name}: 'remove' must be a list of paths")
        values["remove"] = remove
        for path in [*values["set"], *remove]:
            _check_path(path, name)
    elif action is RuleAction.DELAY:
        values["ms"] = _number(data.get("ms"), name, "ms", 0, 600_000)
    elif action is RuleAction.ANSWER:
        if "error" in data:
            error = _object(data["error"], name, "error")
            if not isinstance(error.get("code"), str):
                raise InputError(f"{name}: 'error' needs a 'code' such as \"NotImplemented\"")
            values["error"] = error
        else:
            values["payload"] = _object(data.get("payload", {}), name, "payload")
    elif action is RuleAction.CLOSE:
        values["code"] = _number(data.get("code", 1000), name, "code", 1000, 4999)
        values["reason"] = str(data.get("reason", ""))[:120]
    try:
        return Rule(name, when, action, **values)
    except QueryError as error:
        raise InputError(f"{name}: 'when' {error}") from None


def _object(value: Any, name: str, key: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InputError(f"{name}: '{key}' must be an object")
    return value


def _number(value: Any, name: str, key: str, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise InputError(f"{name}: '{key}' must be a whole number from {low} to {high}")
    return value


_PATH = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\[\d+\])*(\.[A-Za-z_][A-Za-z0-9_]*(\[\d+\])*)*")


def _check_path(path: str, name: str) -> None:
    if not _PATH.fullmatch(path):
        raise InputError(f"{name}: '{path}' is not a payload path like "
                         "idTokenInfo.status or meterValue[0].timestamp")


def load_rules(path: str | Path) -> list[Rule]:
    """The rules of a JSON or TOML file (by its suffix; JSON otherwise)."""
    file = Path(path)
    try:
        text = file.read_bytes().decode("utf-8-sig")  # a BOM (Notepad) is passed over
    except UnicodeDecodeError as exc:
        raise InputError(f"{file}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise InputError(f"{file}: cannot read the rules file ({exc.strerror})") from None
    try:
        data = tomllib.loads(text) if file.suffix.lower() == ".toml" else json.loads(text)
    except (ValueError, tomllib.TOMLDecodeError, RecursionError) as exc:  # "[[[[..."
        raise InputError(f"{file}: not a valid rules file ({exc})") from None
    rules = data.get("rules") if isinstance(data, dict) else data
    if not isinstance(rules, list):
        raise InputError(f"{file}: expected a list of rules under \"rules\"")
    return [rule_from_json(item, f"rule {index + 1}") for index, item in enumerate(rules)]


def save_rules(rules: list[Rule], path: str | Path) -> None:
    """Write the rules as JSON (what `load_rules` reads back)."""
    Path(path).write_text(json.dumps({"rules": [rule.to_json() for rule in rules]},
                                     indent=2) + "\n", encoding="utf-8")


# --- payload paths for rewrites -------------------------------------------------------------

_STEP = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")


def _steps(path: str) -> list[str | int]:
    return [key if key else int(index) for key, index in _STEP.findall(path)]


def set_path(payload: Any, path: str, value: Any) -> bool:
    """Set `path` in `payload` (objects on the way are created); False if it cannot be."""
    steps = _steps(path)
    node = payload
    for step, following in itertools.pairwise(steps):
        if isinstance(step, int):
            if not isinstance(node, list) or step >= len(node):
                return False
            node = node[step]
        else:
            if not isinstance(node, dict):
                return False
            if not isinstance(node.get(step), dict | list):
                node[step] = [] if isinstance(following, int) else {}
            node = node[step]
    last = steps[-1]
    if isinstance(last, int):
        if not isinstance(node, list) or last >= len(node):
            return False
        node[last] = value
        return True
    if not isinstance(node, dict):
        return False
    node[last] = value
    return True


def remove_path(payload: Any, path: str) -> bool:
    """Remove `path` from `payload`; False when it is not there."""
    steps = _steps(path)
    node = payload
    for step in steps[:-1]:
        if isinstance(step, int):
            if not isinstance(node, list) or step >= len(node):
                return False
        elif not isinstance(node, dict) or step not in node:
            return False
        node = node[step]
    last = steps[-1]
    if isinstance(last, int):
        if isinstance(node, list) and last < len(node):
            del node[last]
            return True
        return False
    if isinstance(node, dict) and last in node:
        del node[last]
        return True
    return False
