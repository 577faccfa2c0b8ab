"""Rewriting recorded payloads so that a live peer accepts them today.

A recording's timestamps are old, its station id and idTokens may be unknown to the lab's
CSMS, its transaction ids already used. Rules map fields by dotted path (`--rewrite
PATH=VALUE`): a path names a field without list indices, or by its tail, like the comparison's
ignore patterns, so `idToken.idToken=LAB-TAG` rewrites the token in Authorize and
TransactionEvent alike. The special path `@station` maps the station id (the URL's last
segment). Date-times are shifted by one offset, so the first one sent is now and their
spacing is kept. Every rewritten field's path is returned, for the replayed record's meta.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from app.errors import InputError, UsageError
from app.json_file import read_json_file
from app.ocpp.datetimes import is_rfc3339

STATION = "@station"
_INDEX = re.compile(r"\[\d+\]")


def parse_value(text: str) -> Any:
    """A rule's value: JSON when it reads as JSON (`3`, `true`, `"0042"`), else the text."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def parse_rule(text: str) -> tuple[str, Any]:
    """`PATH=VALUE` from the command line; UsageError saying the form otherwise."""
    path, sep, value = text.partition("=")
    if not sep or not path.strip():
        raise UsageError(f"--rewrite '{text}': write PATH=VALUE, for example "
                         "idToken.idToken=LAB-TAG-1")
    return path.strip(), parse_value(value)


def load_rules_file(path: str | Path) -> dict[str, Any]:
    """A JSON object of PATH: VALUE (values as they should be sent); InputError if not."""
    path = Path(path)
    data = read_json_file(path)
    if not isinstance(data, dict) or not all(isinstance(k, str) and k for k in data):
        raise InputError(f'{path}: expected an object of PATH: VALUE, like '
                         '{"idToken.idToken": "LAB-TAG-1"}')
    return data


def _matches(path: str, pattern: str) -> bool:
    bare = _INDEX.sub("", path)
    return bare == pattern or bare.endswith("." + pattern)


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("z", "Z").replace("Z", "+00:00"))


def format_time(moment: datetime) -> str:
    """UTC with milliseconds: OCPP 2.0.1 allows at most three fractional digits."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def earliest_time(payloads: Iterable[Any]) -> datetime | None:
    """The first date-time in these payloads: the anchor that a shift moves to now."""
    found: list[datetime] = []

    def visit(value: Any) -> None:
        if isinstance(value, dict):
            for item in value.values():
                visit(item)
        elif isinstance(value, list):
            for item in value:
                visit(item)
        elif isinstance(value, str) and "T" in value.upper() and is_rfc3339(value):
            found.append(parse_time(value))

    for payload in payloads:
        visit(payload)
    return min(found) if found else None


@dataclass
class Rewriter:
    """Applies the rules to a payload. `shift` is added to every date-time (None: leave
    them); `fields` maps path patterns to the value to send instead."""

    fields: Mapping[str, Any] = field(default_factory=dict)
    shift: timedelta | None = None

    @property
    def station(self) -> str | None:
        value = self.fields.get(STATION)
        return None if value is None else str(value)

    @property
    def patterns(self) -> list[str]:
        """The rewritten paths, for the comparison to ignore: their values differ on purpose."""
        return [p for p in self.fields if p != STATION]

    def anchored(self, payloads: Iterable[Any], now: datetime | None = None) -> Rewriter:
        """This rewriter with the shift that moves the first date-time of `payloads` to now."""
        first = earliest_time(payloads)
        shift = None if first is None else (now or datetime.now(UTC)) - first
        return Rewriter(self.fields, shift)

    def apply(self, payload: Any) -> tuple[Any, list[str]]:
        """The rewritten copy of `payload` and the paths it changed (with list indices)."""
        changed: list[str] = []
        return self._visit(payload, "", changed), changed

    def _visit(self, value: Any, path: str, changed: list[str]) -> Any:
        if path:
            for pattern, new in self.fields.items():
                if pattern != STATION and _matches(path, pattern):
                    if new != value:
                        changed.append(path)
                    return new
        if isinstance(value, dict):
            return {key: self._visit(item, f"{path}.{key}" if path else str(key), changed)
                    for key, item in value.items()}
        if isinstance(value, list):
            return [self._visit(item, f"{path}[{i}]", changed) for i, item in enumerate(value)]
        if (self.shift is not None and isinstance(value, str) and "T" in value.upper()
                and is_rfc3339(value)):
            try:
                moved = format_time(parse_time(value) + self.shift)
            except (ValueError, OverflowError):
                return value
            changed.append(path)
            return moved
        return value


def rewriter_from(rules: Iterable[str] = (), rules_file: str | None = None) -> Rewriter:
    """The rules of `--rewrite-file` then `--rewrite` (the command line wins)."""
    fields: dict[str, Any] = dict(load_rules_file(rules_file)) if rules_file else {}
    for text in rules:
        path, value = parse_rule(text)
        fields[path] = value
    return Rewriter(fields)
