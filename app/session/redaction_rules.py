"""The rules of a redacted export, as data: which fields and which patterns hold secrets.

The packaged defaults (`redaction.json` beside this module, documented in the README) name
idTokens, serial numbers, certificates, CSRs, keys, passwords, network profile connection
data and URLs per action; device-model variables whose values are secrets; the fields of
connection records that name users; and the patterns (PEM blocks, URL credentials and
hosts, IP addresses) searched in every other text. A user's file of the same shape adds to
them (`--rules FILE`): its paths and variables join the defaults', its kinds and patterns
come first. Every problem with a file is one sentence (`InputError`), never a traceback.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.errors import InputError
from app.ocpp import catalog

DEFAULT_RULES = Path(__file__).with_name("redaction.json")
SHAPES = ("text", "pem", "ip", "host", "url", "number")
ANY_ACTION = "*"


@dataclass(frozen=True, slots=True)
class Kind:
    """What a pseudonym of one kind of secret looks like (see `SHAPES`)."""

    name: str
    shape: str = "text"
    prefix: str = ""     # text: PREFIX-0001
    label: str = ""      # pem: the BEGIN/END label when the original has none


@dataclass(frozen=True, slots=True)
class Pattern:
    kind: str
    regex: re.Pattern[str]   # a group named "value", if any, is the part replaced


@dataclass
class RedactionRules:
    kinds: dict[str, Kind] = field(default_factory=dict)
    paths: dict[str, dict[str, str]] = field(default_factory=dict)  # action -> path -> kind
    variables: dict[str, str] = field(default_factory=dict)         # variable name -> kind
    variable_values: list[str] = field(default_factory=list)        # paths beside "variable"
    meta: dict[str, str] = field(default_factory=dict)              # meta path -> kind
    patterns: list[Pattern] = field(default_factory=list)

    def kind(self, name: str) -> Kind:
        """A kind the rules describe, or a text one named after it."""
        return self.kinds.get(name) or Kind(name, "text", name.upper()[:10])

    def paths_for(self, action: str | None) -> dict[str, str]:
        """The payload paths of `action` (and of every action) with their kinds."""
        return {**self.paths.get(ANY_ACTION, {}), **self.paths.get(action or "", {})}

    def extended(self, other: RedactionRules) -> RedactionRules:
        """These rules with `other`'s added: its kinds and patterns win and come first."""
        paths = {action: dict(table) for action, table in self.paths.items()}
        for action, table in other.paths.items():
            paths.setdefault(action, {}).update(table)
        return RedactionRules(
            kinds={**self.kinds, **other.kinds}, paths=paths,
            variables={**self.variables, **other.variables},
            variable_values=list(dict.fromkeys(self.variable_values + other.variable_values)),
            meta={**self.meta, **other.meta}, patterns=other.patterns + self.patterns)


def default_rules() -> RedactionRules:
    return rules_from_file(DEFAULT_RULES)


def load_rules(user_file: str | Path | None = None) -> RedactionRules:
    """The packaged rules, extended by the user's file if one is named."""
    rules = default_rules()
    return rules.extended(rules_from_file(Path(user_file))) if user_file else rules


def rules_from_file(path: Path) -> RedactionRules:
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))  # a BOM is passed over
    except FileNotFoundError:
        raise InputError(f"{path}: no such rules file") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except (ValueError, RecursionError) as exc:
        raise InputError(f"{path}: not JSON ({exc})") from None
    return rules_from_data(data, str(path))


def rules_from_data(data: Any, where: str = "rules") -> RedactionRules:
    """Rules from the parsed JSON of a rules file; InputError naming the first bad entry."""
    if not isinstance(data, dict):
        raise InputError(f'{where}: expected an object with "paths", "variables", "meta", '
                         '"patterns" or "kinds"')
    unknown = sorted(set(data) - {"about", "kinds", "paths", "variables", "meta", "patterns"})
    if unknown:
        raise InputError(f"{where}: unknown entry '{unknown[0]}' (expected paths, "
                         "variables, meta, patterns or kinds)")
    rules = RedactionRules()
    for name, spec in _object(data.get("kinds", {}), f"{where}: kinds").items():
        spec = _object(spec, f"{where}: kind '{name}'")
        shape = spec.get("shape", "text")
        if shape not in SHAPES:
            raise InputError(f"{where}: kind '{name}' has shape '{shape}'; shapes are "
                             f"{', '.join(SHAPES)}")
        rules.kinds[name] = Kind(name, shape, str(spec.get("prefix") or name.upper()[:10]),
                                 str(spec.get("label") or "CERTIFICATE"))
    for action, table in _object(data.get("paths", {}), f"{where}: paths").items():
        # a rule that can never match lets through the secret it was written for: refused
        if action != ANY_ACTION and action not in catalog.ACTIONS:
            guess = catalog.closest_action(action)
            raise InputError(f"{where}: paths: unknown action '{action}'"
                             + (f" (did you mean {guess}?)" if guess else ""))
        rules.paths[action] = _kinds_by_name(table, f"{where}: paths of '{action}'")
        for path in rules.paths[action]:
            if not _PAYLOAD_PATH.fullmatch(path):
                raise InputError(f"{where}: paths of '{action}': '{path}' is not a payload "
                                 "path: names joined by dots, with [*] for each item of a "
                                 "list (idToken.idToken, evse[*].id)")
    variables = _object(data.get("variables", {}), f"{where}: variables")
    rules.variables = _kinds_by_name(variables.get("names", {}), f"{where}: variables.names")
    values = variables.get("values", [])
    if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
        raise InputError(f"{where}: variables.values must be a list of paths")
    rules.variable_values = values
    rules.meta = _kinds_by_name(data.get("meta", {}), f"{where}: meta")
    patterns = data.get("patterns", [])
    if not isinstance(patterns, list):
        raise InputError(f'{where}: patterns must be a list of {{"kind": ..., "regex": ...}}')
    for number, entry in enumerate(patterns, 1):
        entry = _object(entry, f"{where}: pattern {number}")
        kind, text = entry.get("kind"), entry.get("regex")
        if not isinstance(kind, str) or not kind or not isinstance(text, str) or not text:
            raise InputError(f'{where}: pattern {number} needs a "kind" and a "regex"')
        try:
            regex = re.compile(text)
        except re.error as exc:
            raise InputError(f"{where}: pattern {number} is not a regular expression "
                             f"({exc})") from None
        rules.patterns.append(Pattern(kind, regex))
    return rules


# a path as the rules write it: names joined by dots, [*] after a name for a list's items
_PAYLOAD_PATH = re.compile(r"[A-Za-z_]\w*(\[\*\])?(\.[A-Za-z_]\w*(\[\*\])?)*")


def _object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InputError(f"{what} must be a JSON object")
    return value


def _kinds_by_name(value: Any, what: str) -> dict[str, str]:
    table = _object(value, what)
    for key, kind in table.items():
        if not key or not isinstance(kind, str) or not kind:
            raise InputError(f"{what}: '{key}' must name a kind, like \"idToken\"")
    return dict(table)
