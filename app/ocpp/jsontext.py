"""Pretty-printed JSON that remembers where each value was written.

The detail pane shows a payload as indented JSON and highlights the field a finding points
to. Searching the printed text for a key is ambiguous (`type` appears in every `idToken` of a
report) and re-parsing it per node is slow, so the printer records the character span of
every value while it writes it. The text is byte-for-byte what
`json.dumps(value, indent=indent, ensure_ascii=False)` produces, so what the user sees is the
same JSON that is copied, saved or compared elsewhere.

Paths use the format of `findings.format_path` (`meterValue[0].sampledValue[1].value`, ""
for the root), so a `Finding.path` can be looked up directly.

Text the user wrote (pasted into the composer or the validator) must keep its own formatting,
so `spans_in` finds the same spans in any valid JSON text by scanning it instead of printing.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from json.encoder import encode_basestring
from typing import Any

Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class PrettyText:
    """Indented JSON text and the (start, end) offsets of every value in it.

    `spans` covers an object member from its key to the end of its value
    (`"type": "ISO14443"`), so a highlight shows the field's name too; array items and the
    root have no key, so there it equals `value_spans`, which always covers the value alone.
    When two members print the same path (a key containing "." or "[", an empty key), the
    first one written keeps it.
    """

    text: str
    spans: dict[str, Span] = field(default_factory=dict)
    value_spans: dict[str, Span] = field(default_factory=dict)


def pretty(value: Any, indent: int | str | None = 2) -> PrettyText:
    """Print `value` as `json.dumps(value, indent=indent, ensure_ascii=False)` would.

    Raises what json.dumps raises: TypeError for a value JSON cannot hold, ValueError for a
    circular reference.
    """
    writer = _Writer(indent)
    writer.write(value, "", 0, None)
    return PrettyText("".join(writer.parts), writer.spans, writer.value_spans)


def locate(pretty_text: PrettyText, path: str, *, value_only: bool = False) -> Span | None:
    """Where to highlight the value at `path`, falling back to its nearest existing ancestor.

    A finding may name a field that is not in the payload (a missing required field, an
    index past the end of an array); then the object that should hold it is the most useful
    thing to show. Returns None only when there is no text to highlight at all.
    """
    if not pretty_text.text:
        return None
    spans = pretty_text.value_spans if value_only else pretty_text.spans
    current: str | None = path
    while current is not None:
        span = spans.get(current)
        if span is not None:
            return span
        current = _parent(current)
    return (0, len(pretty_text.text))


def line_of(text: str, offset: int) -> int:
    """The 1-based line of `offset` in `text`, for scrolling a view to a highlight."""
    offset = max(0, min(offset, len(text)))
    return text.count("\n", 0, offset) + 1


def _parent(path: str) -> str | None:
    """The path one level up, "" above a top-level member, None above the root."""
    if not path:
        return None
    cut = path.rfind("[") if path.endswith("]") else path.rfind(".")
    return path[:cut] if cut > 0 else ""


def _float_text(value: float) -> str:
    # json's spelling of the values JSON has no literal for (allow_nan is on by default)
    if value != value:
        return "NaN"
    if value == float("inf"):
        return "Infinity"
    if value == float("-inf"):
        return "-Infinity"
    return float.__repr__(value)


def _key_text(key: Any) -> str:
    """A dict key as json.dumps turns it into a member name (same types, same order)."""
    if isinstance(key, str):
        return key
    if isinstance(key, float):
        return _float_text(key)
    if key is True:
        return "true"
    if key is False:
        return "false"
    if key is None:
        return "null"
    if isinstance(key, int):
        return int.__repr__(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


class _Writer:
    """Appends the text piece by piece, keeping a running offset so spans cost nothing extra.

    Straight recursion, like json's own pure-Python encoder; payloads are shallow, and the
    depth at which Python gives up is far beyond anything a station sends.
    """

    __slots__ = ("_open", "indent", "item_separator", "parts", "pos", "spans", "value_spans")

    def __init__(self, indent: int | str | None) -> None:
        if indent is None:
            self.indent: str | None = None
            self.item_separator = ", "
        else:
            self.indent = indent if isinstance(indent, str) else " " * indent
            self.item_separator = ","
        self.parts: list[str] = []
        self.pos = 0
        self.spans: dict[str, Span] = {}
        self.value_spans: dict[str, Span] = {}
        self._open: set[int] = set()  # ids of the containers being written, as json checks

    def put(self, piece: str) -> None:
        self.parts.append(piece)
        self.pos += len(piece)

    def write(self, value: Any, path: str, level: int, member_start: int | None) -> None:
        start = self.pos
        # claim the path before writing children so that the shallower, earlier value wins
        owns = path not in self.value_spans
        if owns:
            self.value_spans[path] = self.spans[path] = (start, start)

        if isinstance(value, str):
            self.put(encode_basestring(value))
        elif value is None:
            self.put("null")
        elif value is True:
            self.put("true")
        elif value is False:
            self.put("false")
        elif isinstance(value, int):
            self.put(int.__repr__(value))
        elif isinstance(value, float):
            self.put(_float_text(value))
        elif isinstance(value, list | tuple):
            self._array(value, path, level)
        elif isinstance(value, dict):
            self._object(value, path, level)
        else:
            raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")

        if owns:
            self.value_spans[path] = (start, self.pos)
            self.spans[path] = (start if member_start is None else member_start, self.pos)

    def _enter(self, container: list[Any] | tuple[Any, ...] | dict[Any, Any]) -> int:
        marker = id(container)
        if marker in self._open:
            raise ValueError("Circular reference detected")
        self._open.add(marker)
        return marker

    def _newline(self, level: int) -> str:
        return "" if self.indent is None else "\n" + self.indent * level

    def _array(self, items: list[Any] | tuple[Any, ...], path: str, level: int) -> None:
        if not items:
            self.put("[]")
            return
        marker = self._enter(items)
        inner = self._newline(level + 1)
        self.put("[")
        for index, item in enumerate(items):
            if index:
                self.put(self.item_separator)
            self.put(inner)
            self.write(item, f"{path}[{index}]", level + 1, None)
        self.put(self._newline(level))
        self.put("]")
        self._open.discard(marker)

    def _object(self, members: dict[Any, Any], path: str, level: int) -> None:
        if not members:
            self.put("{}")
            return
        marker = self._enter(members)
        inner = self._newline(level + 1)
        self.put("{")
        for index, (key, item) in enumerate(members.items()):
            if index:
                self.put(self.item_separator)
            self.put(inner)
            name = _key_text(key)
            member_start = self.pos
            self.put(encode_basestring(name))
            self.put(": ")
            self.write(item, f"{path}.{name}" if path else name, level + 1, member_start)
        self.put(self._newline(level))
        self.put("}")
        self._open.discard(marker)


# What json.loads accepts, written out so the scanner accepts exactly that: JSON's four
# whitespace characters, strings without raw control characters, the C scanner's ASCII-only
# numbers, and Python's extra constants NaN, Infinity and -Infinity.
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_STRING = re.compile(r'"[^"\\\x00-\x1f]*(?:\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\x00-\x1f]*)*"')
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_HEX = frozenset("0123456789abcdefABCDEF")
_CONSTANTS = ("true", "false", "null", "NaN", "Infinity", "-Infinity")


def spans_in(text: str) -> PrettyText:
    """The spans of every value in `text`, JSON exactly as the user wrote it.

    Same conventions as `pretty`, with one addition: when an object repeats a key, the last
    one owns the path, because that is the value `json.loads` keeps and the validator judges.
    Raises `json.JSONDecodeError` (a ValueError with `pos`, `lineno` and `colno`) for text
    that `json.loads` rejects, with the message `json.loads` gives (as of Python 3.13, which
    names a trailing comma as such).
    """
    return _Scanner(text).run()


class _Frame:
    """An object or array being scanned: what is needed to finish its span and name items."""

    __slots__ = ("is_object", "keys", "member_start", "owns", "path", "size", "start")

    def __init__(self, is_object: bool, path: str, start: int, member_start: int | None,
                 owns: bool) -> None:
        self.is_object = is_object
        self.path = path
        self.start = start
        self.member_start = member_start
        self.owns = owns
        self.size = 0
        # key -> whether that member owned its path, to let a repeated key take it over
        self.keys: dict[str, bool] = {}


class _Scanner:
    """A loop with an explicit stack rather than recursion.

    Pasted text can nest arbitrarily deep; an explicit stack turns that into memory use
    instead of a RecursionError escaping into the view.
    """

    __slots__ = ("n", "spans", "text", "value_spans")

    def __init__(self, text: str) -> None:
        self.text = text
        self.n = len(text)
        self.spans: dict[str, Span] = {}
        self.value_spans: dict[str, Span] = {}

    def fail(self, message: str, pos: int) -> json.JSONDecodeError:
        return json.JSONDecodeError(message, self.text, pos)

    def skip(self, pos: int) -> int:
        match = _WHITESPACE.match(self.text, pos)
        return match.end() if match else pos

    def claim(self, path: str) -> bool:
        if path in self.value_spans:
            return False
        self.value_spans[path] = self.spans[path] = (0, 0)  # placeholder, filled on finish
        return True

    def finish(self, path: str, start: int, end: int, member_start: int | None,
               owns: bool) -> None:
        if owns:
            self.value_spans[path] = (start, end)
            self.spans[path] = (start if member_start is None else member_start, end)

    def forget(self, path: str) -> None:
        """Drop `path` and everything under it, for a key that is written again."""
        for known in [p for p in self.value_spans
                      if p == path or p.startswith((path + ".", path + "["))]:
            del self.value_spans[known]
            del self.spans[known]

    def string_end(self, pos: int) -> int:
        match = _STRING.match(self.text, pos)
        if match:
            return match.end()
        raise self.string_error(pos)

    def string_error(self, start: int) -> json.JSONDecodeError:
        """Name the first character that makes the string at `start` invalid."""
        text, pos = self.text, start + 1
        while pos < self.n:
            char = text[pos]
            if char == '"':
                break
            if char < " ":
                return self.fail("Invalid control character at", pos)
            if char == "\\":
                escape = text[pos + 1:pos + 2]
                if escape == "u":
                    digits = text[pos + 2:pos + 6]
                    # json's C scanner also rejects an escape that ends the text
                    if pos + 6 >= self.n or any(c not in _HEX for c in digits):
                        return self.fail("Invalid \\uXXXX escape", pos + 1)
                    pos += 6
                    continue
                if not escape:
                    break
                if escape not in '"\\/bfnrt':
                    return self.fail("Invalid \\escape", pos)
                pos += 2
                continue
            pos += 1
        return self.fail("Unterminated string starting at", start)

    def key(self, pos: int, frame: _Frame) -> tuple[str, int, bool, int]:
        """Read `"name":` at `pos`: the member's path, its start, ownership, and where its
        value begins."""
        text = self.text
        if pos >= self.n or text[pos] != '"':
            raise self.fail("Expecting property name enclosed in double quotes", pos)
        end = self.string_end(pos)
        raw = text[pos + 1:end - 1]
        name = json.loads(text[pos:end]) if "\\" in raw else raw
        colon = self.skip(end)
        if colon >= self.n or text[colon] != ":":
            raise self.fail("Expecting ':' delimiter", colon)
        path = f"{frame.path}.{name}" if frame.path else name
        earlier = frame.keys.get(name)  # None the first time, else whether it owned the path
        if earlier:
            self.forget(path)
        owns = False if earlier is False else self.claim(path)
        frame.keys[name] = owns
        return path, pos, owns, self.skip(colon + 1)

    def run(self) -> PrettyText:
        text, n = self.text, self.n
        stack: list[_Frame] = []
        if text.startswith("\ufeff"):
            raise self.fail("Unexpected UTF-8 BOM (decode using utf-8-sig)", 0)
        pos = self.skip(0)
        path, member_start = "", None
        owns = self.claim("")
        while True:
            # a value starts at pos; its path is claimed (or not) as `owns`
            if pos >= n:
                raise self.fail("Expecting value", pos)
            char = text[pos]
            start = pos
            if char == "{" or char == "[":
                frame = _Frame(char == "{", path, start, member_start, owns)
                pos = self.skip(pos + 1)
                if pos < n and text[pos] == ("}" if frame.is_object else "]"):
                    pos += 1
                    self.finish(path, start, pos, member_start, owns)
                else:
                    stack.append(frame)
                    if frame.is_object:
                        path, member_start, owns, pos = self.key(pos, frame)
                    else:
                        path, member_start = f"{path}[0]", None
                        owns = self.claim(path)
                    continue
            else:
                if char == '"':
                    pos = self.string_end(pos)
                else:
                    match = _NUMBER.match(text, pos)
                    if match:
                        pos = match.end()
                    else:
                        for constant in _CONSTANTS:
                            if text.startswith(constant, pos):
                                pos += len(constant)
                                break
                        else:
                            raise self.fail("Expecting value", pos)
                self.finish(path, start, pos, member_start, owns)

            # the value just ended: close the containers it completes, or go on to the next
            while stack:
                frame = stack[-1]
                pos = self.skip(pos)
                close = "}" if frame.is_object else "]"
                if pos < n and text[pos] == ",":
                    comma, pos = pos, self.skip(pos + 1)
                    if pos < n and text[pos] == close:
                        # the commonest slip in hand-written JSON; say so instead of
                        # "Expecting value" (Python 3.13's json says the same)
                        kind = "object" if frame.is_object else "array"
                        raise self.fail(f"Illegal trailing comma before end of {kind}", comma)
                    frame.size += 1
                    if frame.is_object:
                        path, member_start, owns, pos = self.key(pos, frame)
                    else:
                        path, member_start = f"{frame.path}[{frame.size}]", None
                        owns = self.claim(path)
                    break
                if pos < n and text[pos] == close:
                    pos += 1
                    stack.pop()
                    self.finish(frame.path, frame.start, pos, frame.member_start, frame.owns)
                    continue
                raise self.fail("Expecting ',' delimiter", pos)
            else:
                end = self.skip(pos)
                if end != n:
                    raise self.fail("Extra data", end)
                return PrettyText(text, self.spans, self.value_spans)
