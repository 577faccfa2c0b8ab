"""From syntax tree to one closure: `compile_query(text)` parses and checks an expression once,
and its `matches(message, context)` is then a chain of small functions with every literal,
field reader and regular expression resolved in advance.

Evaluation never raises for what a record holds: a missing field, a string where a number
was compared, a payload that is not JSON - each is simply "no match".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from app.moments import fixed_epoch
from app.ocpp.conversation import Direction
from app.query.record_view import (
    RecordContext,
    connector_of,
    error_part,
    evse_of,
    payload_of,
)
from app.query.syntax import (
    All,
    Both,
    Compare,
    Either,
    Node,
    Not,
    Path,
    Present,
    QueryError,
    Step,
    TextSearch,
    parse,
)
from app.session.message import Message, RecordKind

Match = Callable[[Message, RecordContext], bool]
Read = Callable[[Message, RecordContext], Any]

_TYPES = {"CALL": 2, "RESULT": 3, "ERROR": 4, 2: 2, 3: 3, 4: 4}
_DIRECTIONS = {
    "station_to_csms": Direction.STATION_TO_CSMS, "up": Direction.STATION_TO_CSMS,
    "to_csms": Direction.STATION_TO_CSMS, "station": Direction.STATION_TO_CSMS,
    "csms_to_station": Direction.CSMS_TO_STATION, "down": Direction.CSMS_TO_STATION,
    "to_station": Direction.CSMS_TO_STATION, "csms": Direction.CSMS_TO_STATION,
}
# fields that are attributes of the record itself: read without a function call
_ATTRIBUTES = {"station": "station", "id": "message_id", "type":
               "message_type", "dir": "direction", "size": "size", "time": "time",
               "kind": "kind"}


def _action(message: Message, context: RecordContext) -> str | None:
    """A CALL's action; an answer's is its CALL's (kept on the record, or found by pairing)."""
    action = message.action
    if action is None and message.message_type in (3, 4):
        return context.call_action(message)
    return action


def _rtt(message: Message, context: RecordContext) -> float | None:
    latency = context.annotation(message).latency
    return None if latency is None else latency * 1000.0


def _valid(message: Message, context: RecordContext) -> bool:
    if message.kind not in (RecordKind.FRAME, RecordKind.BINARY):
        return True
    return context.annotation(message).valid


def _findings(message: Message, context: RecordContext) -> list[str]:
    return [finding.code for finding in context.annotation(message).findings]


_READERS: dict[str, Read] = {
    "action": _action,
    "evse": evse_of, "connector": connector_of, "error.code": error_part("code"),
    "error.description": error_part("description"), "rtt": _rtt, "valid": _valid,
}
FIELDS = (*_ATTRIBUTES, *_READERS, "finding", "payload")
FIELD_HELP = ("action, type, dir, station, id, kind, evse, connector, error.code, "
              "error.description, rtt, size, valid, finding, time, payload.<path>")


class Query:
    """A compiled expression. `matches(message, context)` answers for one record;
    `predicate(context)` gives the one-argument test that filters and scans want."""

    def __init__(self, text: str, match: Match) -> None:
        self.text = text
        self.matches = match

    def predicate(self, context: RecordContext | None = None) -> Callable[[Message], bool]:
        match, context = self.matches, context or RecordContext()
        return lambda message: match(message, context)

    def __repr__(self) -> str:
        return f"Query({self.text!r})"


def compile_query(text: str) -> Query:
    """Parse and compile `text`; raises QueryError (with the column) when it is not valid."""
    return Query(text, _Compiler(text).node(parse(text), every=False))


def check_query(text: str) -> QueryError | None:
    """None when `text` is a valid expression, else what is wrong with it."""
    try:
        compile_query(text)
    except QueryError as error:
        return error
    return None


class _Compiler:
    def __init__(self, text: str) -> None:
        self.text = text

    def fail(self, message: str, column: int) -> QueryError:
        return QueryError(message, column, self.text)

    def node(self, node: Node, every: bool) -> Match:
        if isinstance(node, Both):
            return _chain([self.node(operand, every) for operand in node.operands], True)
        if isinstance(node, Either):
            return _chain([self.node(operand, every) for operand in node.operands], False)
        if isinstance(node, Not):
            inner = self.node(node.operand, every)
            return lambda m, c: not inner(m, c)
        if isinstance(node, All):
            return self.node(node.operand, every=True)
        if isinstance(node, TextSearch):
            needle = node.needle.casefold()
            return lambda m, c: needle in m.text.casefold() or (
                m.action is not None and needle in m.action.casefold())
        if isinstance(node, Present):
            return self.test(node.path)
        return self.compare(node, every)

    # --- fields ---------------------------------------------------------------------------

    def check_field(self, path: Path) -> None:
        if path.name not in FIELDS:
            raise self.fail(f"'{path.name}' is not a field; fields are {FIELD_HELP}",
                            path.column)
        if path.steps and path.name != "payload":
            raise self.fail(f"'{path.name}' has no parts; only payload has (payload.status)",
                            path.column)

    def test(self, path: Path) -> Match:
        """A bare field: present (for payload paths), or set and not false."""
        self.check_field(path)
        if path.name == "payload":
            values = _payload_reader(path.steps)
            return lambda m, c: bool(values(m, c))
        if path.name == "finding":
            return lambda m, c: bool(c.annotation(m).findings)
        read = self.single(path.name)
        return lambda m, c: (value := read(m, c)) is not None and value is not False

    def single(self, name: str) -> Read:
        attribute = _ATTRIBUTES.get(name)
        if attribute is not None:
            return lambda m, c: getattr(m, attribute)
        return _READERS[name]

    # --- comparisons ----------------------------------------------------------------------

    def compare(self, node: Compare, every: bool) -> Match:
        path, operator = node.path, node.operator
        self.check_field(path)
        if operator == "!=":
            equal = self.compare(Compare(path, "==", node.value, node.column), every)
            return lambda m, c: not equal(m, c)
        value = self.literal(path.name, operator, node.value, node.column)
        test = self.value_test(operator, value, node.column)
        if path.name in ("payload", "finding"):
            values = _payload_reader(path.steps) if path.name == "payload" else _findings
            if every:
                return lambda m, c: bool(found := values(m, c)) and all(map(test, found))
            return lambda m, c: any(map(test, values(m, c)))
        attribute = _ATTRIBUTES.get(path.name)
        if attribute is not None and operator == "==":     # the common case, kept short
            return lambda m, c: getattr(m, attribute) == value
        if attribute is not None and operator == "in":
            return lambda m, c: getattr(m, attribute) in value
        read = self.single(path.name)
        if path.name == "action" and operator == "==":
            return lambda m, c: (m.action or _action(m, c)) == value
        if path.name == "action" and operator == "in":
            return lambda m, c: (m.action or _action(m, c)) in value
        return lambda m, c: test(read(m, c))

    def literal(self, name: str, operator: str, value: Any, column: int) -> Any:
        """The literal as the field holds it: a type as its number, a direction as itself,
        a time as epoch seconds. A set (`in`) is converted element by element."""
        if operator == "in":
            try:
                return frozenset(self.literal(name, "==", item, column) for item in value)
            except TypeError:
                raise self.fail("a set holds text, numbers and true/false", column) from None
        if name == "type" and operator in ("==", "in"):
            if value not in _TYPES:
                raise self.fail("type is CALL, RESULT or ERROR", column)
            return _TYPES[value]
        if name == "dir" and operator in ("==", "in"):
            direction = _DIRECTIONS.get(str(value).lower())
            if direction is None:
                raise self.fail("dir is \"station_to_csms\" (or \"up\") or "
                                "\"csms_to_station\" (or \"down\")", column)
            return direction
        if name == "time" and isinstance(value, str):   # read as a command-line moment
            moment = fixed_epoch(value)
            if moment is None:
                raise self.fail(f"'{value}' is not a date and time like "
                                "\"2024-05-01T10:00:00Z\" or a date like \"2024-05-01\" "
                                "(without an offset, UTC)", column)
            return moment
        if name == "valid" and not isinstance(value, bool):
            raise self.fail("valid is true or false", column)
        return value

    def value_test(self, operator: str, value: Any, column: int) -> Callable[[Any], bool]:
        if operator == "==":
            return lambda x: _equal(x, value)
        if operator == "in":
            return lambda x: _member(x, value)
        if operator == "contains":
            if isinstance(value, str):
                needle = value.casefold()
                return lambda x: _contains_text(x, needle, value)
            return lambda x: isinstance(x, list | dict) and value in x
        if operator == "~":
            if not isinstance(value, str):
                raise self.fail("a regular expression is written in quotes", column)
            try:
                pattern = re.compile(value)
            except re.error as error:
                raise self.fail(f"this regular expression is not valid: {error.msg}",
                                column) from None
            search = pattern.search
            return lambda x: isinstance(x, str) and search(x) is not None
        if isinstance(value, bool) or value is None:
            raise self.fail(f"'{operator}' compares numbers, text or times, not "
                            f"{_spelling(value)}", column)
        return _ordering(operator, value)


# Operands a chain pairs up at most; a longer one is looped, as nested pairs would call one
# another past Python's stack (a filter of a thousand `&&` terms, written by a script)
PAIRED = 16


def _chain(parts: list[Match], both: bool) -> Match:
    """`a && b && c` as nested pairs of closures: cheaper per record than a loop."""
    if len(parts) > PAIRED:
        tests = tuple(parts)
        if both:
            return lambda m, c: all(test(m, c) for test in tests)
        return lambda m, c: any(test(m, c) for test in tests)
    match = parts[-1]
    for part in reversed(parts[:-1]):
        match = _pair(part, match, both)
    return match


def _pair(first: Match, second: Match, both: bool) -> Match:
    if both:
        return lambda m, c: first(m, c) and second(m, c)
    return lambda m, c: first(m, c) or second(m, c)


def _spelling(value: Any) -> str:
    return "null" if value is None else str(value).lower()


def _equal(found: Any, value: Any) -> bool:
    if isinstance(found, bool) or isinstance(value, bool):
        return found is value
    return bool(found == value)


def _member(found: Any, values: frozenset[Any]) -> bool:
    try:
        return found in values and not isinstance(found, bool)
    except TypeError:   # a list or an object is in no set of literals
        return False


def _contains_text(found: Any, needle: str, value: str) -> bool:
    if isinstance(found, str):
        return needle in found.casefold()
    if isinstance(found, list):
        return value in found
    if isinstance(found, dict):
        return value in found
    return False


def _ordering(operator: str, value: Any) -> Callable[[Any], bool]:
    number = isinstance(value, int | float)

    def fits(found: Any) -> bool:
        if isinstance(found, bool) or found is None:
            return False
        return isinstance(found, int | float) if number else isinstance(found, str)

    if operator == "<":
        return lambda x: fits(x) and x < value
    if operator == "<=":
        return lambda x: fits(x) and x <= value
    if operator == ">":
        return lambda x: fits(x) and x > value
    return lambda x: fits(x) and x >= value


# --- payload paths --------------------------------------------------------------------------

def _payload_reader(steps: tuple[Step, ...]) -> Callable[[Message, RecordContext], list[Any]]:
    """Every value at `steps` in the payload: none when the path is missing, several when it
    goes through `[*]` (or through an array by a key: each element is looked into)."""
    def read(message: Message, context: RecordContext) -> list[Any]:
        if message.message_type is None:
            return []
        payload = payload_of(message, context)
        return _walk([payload], steps) if payload is not None else []
    return read


def _walk(values: list[Any], steps: tuple[Step, ...]) -> list[Any]:
    for step in steps:
        found: list[Any] = []
        for value in values:
            if step is None:
                if isinstance(value, list):
                    found.extend(value)
            elif isinstance(step, int):
                if isinstance(value, list) and step < len(value):
                    found.append(value[step])
            elif isinstance(value, dict):
                if step in value:
                    found.append(value[step])
            elif isinstance(value, list):
                found.extend(item[step] for item in value
                             if isinstance(item, dict) and step in item)
        if not found:
            return found
        values = found
    return values
