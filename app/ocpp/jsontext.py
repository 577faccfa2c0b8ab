"""Pretty-printed JSON that remembers where each value was written.

The detail pane shows a payload as indented JSON and highlights the field a finding points
to. Searching the printed text for a key is ambiguous (`type` appears in every `idToken` of a
report) and re-parsing it per node is slow, so the printer records the character span of
every value while it writes it. The text is byte-for-byte what
`json.dumps(value, indent=indent, ensure_ascii=False)` produces, so what the user sees is the
same JSON that is copied, saved or compared elsewhere.

Paths use the format of `findings.format_path` (`meterValue[0].sampledValue[1].value`, ""
for the root), so a `Finding.path` can be looked up directly.
"""

from __future__ import annotations

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
