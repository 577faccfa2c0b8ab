"""Colouring rules: rows whose record an expression selects get that rule's colour.

An ordered list of (expression, colour); the first enabled rule that matches a record
decides its colour. Expressions are compiled once, when the rules are set; a record's answer
is then remembered by its sequence number, because a view asks for the same row's colour
every time it repaints it, and a payload should be read once, not on every scroll.

Colours are kept as the user wrote them (an SVG/CSS name like "gold", or "#rgb", "#rrggbb",
"#aarrggbb"); turning them into pixels is the view's business. Rules are stored as JSON (the
window keeps them with its settings) and read back leniently: stored settings are the
user's data, so a damaged entry is skipped with a sentence, never an exception.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from app.query.compiler import Query, compile_query
from app.query.record_view import RecordContext
from app.query.syntax import QueryError
from app.session.message import Message

_HEX = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")
_NAME = re.compile(r"[A-Za-z]{3,30}")


def colour_problem(colour: str) -> str | None:
    """None when `colour` is written like a colour (a name or a hex code), else why not.
    Whether a name is one of the known colours is for the view to say."""
    if _HEX.fullmatch(colour) or _NAME.fullmatch(colour):
        return None
    return f"'{colour}' is not a colour: write a name like gold or a code like #ffcc00"


@dataclass(frozen=True)
class ColourRule:
    """One rule as the user wrote it: which records, which colour, and whether it is on."""

    when: str
    colour: str
    enabled: bool = True

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"when": self.when, "colour": self.colour}
        if not self.enabled:
            data["enabled"] = False
        return data


def rules_from_json(data: Any) -> tuple[list[ColourRule], list[str]]:
    """The rules of their stored JSON form (a list of objects, or its text), and a sentence
    for each entry that had to be skipped."""
    if isinstance(data, str):
        try:
            data = json.loads(data) if data.strip() else []
        except ValueError:
            return [], ["the stored colouring rules are not JSON; none were read"]
    if not isinstance(data, list):
        return [], ["the stored colouring rules are not a list; none were read"]
    rules: list[ColourRule] = []
    skipped: list[str] = []
    for number, item in enumerate(data, 1):
        when = item.get("when") if isinstance(item, dict) else None
        colour = item.get("colour") if isinstance(item, dict) else None
        if not isinstance(when, str) or not isinstance(colour, str):
            skipped.append(f"colouring rule {number} has no expression or colour; skipped")
            continue
        rules.append(ColourRule(when, colour, item.get("enabled", True) is not False))
    return rules, skipped


def rules_to_json(rules: Iterable[ColourRule]) -> str:
    return json.dumps([rule.to_json() for rule in rules], ensure_ascii=False)


class Colouring:
    """The rules in force, compiled. `colour_of` answers for one record: the colour of the
    first enabled rule that matches, or None. Rules whose expression or colour is wrong are
    left out and named in `problems` (the editor refuses them; stored ones may be old)."""

    def __init__(self, rules: Iterable[ColourRule] = ()) -> None:
        self.rules = list(rules)
        self.problems: list[str] = []
        self._compiled: list[tuple[Query, str]] = []
        for number, rule in enumerate(self.rules, 1):
            if not rule.enabled:
                continue
            colour_wrong = colour_problem(rule.colour)
            if colour_wrong is not None:
                self.problems.append(f"rule {number}: {colour_wrong}")
                continue
            try:
                self._compiled.append((compile_query(rule.when), rule.colour))
            except QueryError as error:
                self.problems.append(f"rule {number}: {error}")
        self._known: dict[int, str | None] = {}

    def __bool__(self) -> bool:
        return bool(self._compiled)

    def colour_of(self, message: Message, context: RecordContext,
                  remember: bool = True) -> str | None:
        """The record's colour. With `remember` the answer is kept for the record's seq;
        pass False while its verdict may still change (a loaded file not judged yet), so
        that a rule reading `valid` or `finding` is asked again later."""
        known = self._known
        seq = message.seq
        if seq in known:
            return known[seq]
        colour = None
        for query, rule_colour in self._compiled:
            if query.matches(message, context):
                colour = rule_colour
                break
        if remember:
            known[seq] = colour
        return colour

    def forget(self) -> None:
        """Drop what was remembered (another capture is shown: its seqs mean other
        records)."""
        self._known.clear()
