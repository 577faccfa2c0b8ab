"""Redacting a session so that it can be shared: secrets become consistent pseudonyms.

What is a secret is data (`app.session.redaction_rules`). The work is two passes over the
records. The first learns every secret the rules name by place (payload paths per action,
device-model variables, connection-record fields, KeyCode idTokens, station ids) and gives
each distinct value its pseudonym, so that the same original always becomes the same
pseudonym, wherever it is. The second writes each record with those values replaced, and
searches every other text (other payload strings, connection records, frames that are not
JSON, the header) for the same values and for the rules' patterns (PEM blocks, URL hosts and
credentials, IP addresses). Meter values, timestamps and everything else stay as they were:
a frame with nothing to replace keeps its text byte for byte, and a changed one keeps its
numbers exactly as written.

Pseudonyms keep the shape the schemas need (a string within the field's length, a PEM-looking
block, an IP of the documentation ranges, a URL), so a redacted session still validates and
replays. KeyCode idTokens are PINs the specification forbids showing: they become `REMOVED`
whatever the rules say. Nothing here raises for what a peer sent.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from app.session.keycode_scan import keycode_spans
from app.session.message import Message, RecordKind
from app.session.redaction_rules import Kind, RedactionRules

KEYCODE = "KeyCode"
REMOVED = "REMOVED"
_PEM_LABEL = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----")
_MIN_INSIDE = 3   # shorter secrets are replaced where they are a whole value, not inside text
_PROGRESS_EVERY = 2000
Progress = Callable[[int, int], None]  # (records done, records in all); may raise to stop


class RawNumber:
    """A JSON number as it was written, so that a rewritten frame keeps `230.10` and `1e3`."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


@dataclass
class Redacted:
    messages: list[Message]
    header: dict[str, Any]
    summary: dict[str, tuple[int, int]]   # kind -> (distinct values, places replaced)


class Pseudonyms:
    """One pseudonym per distinct original, numbered per kind, with the kind's shape."""

    def __init__(self, rules: RedactionRules) -> None:
        self.rules = rules
        self.mapping: dict[str, Any] = {}       # original -> pseudonym
        self.kinds: dict[str, str] = {}         # original -> the kind that named it first
        self.produced: set[str] = {REMOVED}     # pseudonyms: never redacted again
        self._numbers: Counter[str] = Counter()
        self.places: Counter[str] = Counter()

    @staticmethod
    def worth_hiding(value: Any) -> bool:
        """Empty values and ones already masked (`***`) hide nothing."""
        if isinstance(value, bool) or not isinstance(value, str | int):
            return False
        return not isinstance(value, str) or bool(value.strip("*"))

    def learn(self, original: Any, kind: str) -> None:
        """Give `original` its pseudonym now (KeyCodes take `REMOVED` over any other)."""
        if not self.worth_hiding(original):
            return
        key = str(original)
        if kind == KEYCODE:
            self.mapping[key], self.kinds[key] = REMOVED, KEYCODE
            return
        if key not in self.mapping and key not in self.produced:
            self.mapping[key] = self._new(original, self.rules.kind(kind))
            self.kinds[key] = kind
            self.produced.add(str(self.mapping[key]))

    def of(self, original: Any, kind: str) -> Any:
        """The pseudonym of `original` (made now if new), counted as one place replaced."""
        if not self.worth_hiding(original) or str(original) in self.produced:
            return original
        key = str(original)
        self.learn(original, kind)
        self.places[self.kinds[key]] += 1
        value = self.mapping[key]
        if isinstance(original, int) and not isinstance(value, int):
            return self._count(kind)  # a number stays a number
        return value

    def summary(self) -> dict[str, tuple[int, int]]:
        distinct = Counter(self.kinds.values())
        return {kind: (distinct[kind], self.places[kind])
                for kind in sorted(distinct, key=str.lower) if self.places[kind]}

    def _count(self, group: str) -> int:
        self._numbers[group] += 1
        return self._numbers[group]

    def _new(self, original: Any, kind: Kind) -> Any:
        text = str(original)
        if kind.shape == "number" or isinstance(original, int):
            return self._count(kind.name)
        if kind.shape in ("ip", "host"):
            address = _address(text.strip("[]"))
            if address is not None:
                fake = self._fake_ip(address.version)
                return f"[{fake}]" if text.startswith("[") else fake
            if kind.shape == "host":
                return f"host-{self._count('@host')}.example"
        if kind.shape == "pem":
            found = _PEM_LABEL.search(text)
            label = found.group(1) if found else kind.label
            body = base64.b64encode(f"redacted {kind.name} {self._count(kind.name)}".encode())
            end = "\n" if text.endswith("\n") else ""
            return f"-----BEGIN {label}-----\n{body.decode()}\n-----END {label}-----{end}"
        return f"{kind.prefix or kind.name.upper()[:10]}-{self._count(kind.name):04d}"

    def _fake_ip(self, version: int) -> str:
        """192.0.2.x, 198.51.100.x, 203.0.113.x (RFC 5737), then 198.18.0.0/15; v6 in
        2001:db8::/32 (RFC 3849): addresses that never name a real machine."""
        n = self._count(f"@ip{version}")
        if version == 6:
            return f"2001:db8::{n:x}"
        if n <= 762:
            net, host = divmod(n - 1, 254)
            return f"{('192.0.2', '198.51.100', '203.0.113')[net]}.{host + 1}"
        n -= 762
        return f"198.{18 + n // 65536 % 2}.{n // 256 % 256}.{n % 256}"


_VERSION = re.compile(r"[vV]?\d+(?:\.\d+)+")


def _is_version(key: Any, value: Any) -> bool:
    """A value that is a version number and nothing else, under a key that says so."""
    return (isinstance(key, str) and key.lower().endswith("version")
            and isinstance(value, str) and _VERSION.fullmatch(value) is not None)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


class Redactor:
    """Redacts the records of one session with one set of rules (`redact` does it all)."""

    def __init__(self, rules: RedactionRules) -> None:
        self.rules = rules
        self.names = Pseudonyms(rules)
        self._inside: re.Pattern[str] | None = None

    # --- the first pass: learning the secrets named by place ---------------------------

    def learn(self, messages: list[Message], actions: list[str | None]) -> None:
        for message, action in zip(messages, actions, strict=True):
            if message.station:
                self.names.learn(message.station, "station")
            for kind, value in self._meta_targets(message.meta):
                self._learn_all(value, kind)
            payload = _payload(message)
            if payload is not None:
                for container, key, kind in self._targets(payload, action):
                    self._learn_all(container[key], kind)
            elif message.kind is RecordKind.FRAME and message.text:
                for start, end in keycode_spans(message.text):
                    self.names.learn(message.text[start:end], KEYCODE)
        self._inside = _inside_pattern(self.names.mapping, self.names.kinds)

    def _learn_all(self, value: Any, kind: str) -> None:
        if isinstance(value, dict):
            for item in value.values():
                self._learn_all(item, kind)
        elif isinstance(value, list):
            for item in value:
                self._learn_all(item, kind)
        elif self.rules.kind(kind).shape != "url":  # a URL's parts come from the patterns
            self.names.learn(value, kind)

    def _targets(self, payload: Any, action: str | None) -> list[tuple[Any, Any, str]]:
        """Where the secrets of `payload` are: (container, key or index, kind)."""
        found: list[tuple[Any, Any, str]] = []
        paths = self.rules.paths_for(action)

        def visit(value: Any, path: str) -> None:
            if isinstance(value, dict):
                if value.get("type") == KEYCODE and isinstance(value.get("idToken"), str):
                    found.append((value, "idToken", KEYCODE))
                self._variable_targets(value, found)
                for key, item in value.items():
                    inner = f"{path}.{key}" if path else str(key)
                    if inner in paths:
                        found.append((value, key, paths[inner]))
                    else:
                        visit(item, inner)
            elif isinstance(value, list):
                inner = f"{path}[*]"
                for index, item in enumerate(value):
                    if inner in paths:
                        found.append((value, index, paths[inner]))
                    else:
                        visit(item, inner)

        visit(payload, "")
        return found

    def _variable_targets(self, value: dict[str, Any], found: list[tuple[Any, Any, str]]
                          ) -> None:
        variable = value.get("variable")
        name = variable.get("name") if isinstance(variable, dict) else None
        kind = self.rules.variables.get(name) if isinstance(name, str) else None
        if kind is None:
            return
        for path in self.rules.variable_values:
            for container, key in _places(value, path.split(".")):
                found.append((container, key, kind))

    def _meta_targets(self, meta: Any) -> list[tuple[str, Any]]:
        found = []
        for path, kind in self.rules.meta.items():
            value: Any = meta
            for part in path.split("."):
                value = value.get(part) if isinstance(value, dict) else None
            if value is not None:
                found.append((kind, value))
        return found

    # --- the second pass: writing ------------------------------------------------------

    def record(self, message: Message, action: str | None) -> Message:
        changes: dict[str, Any] = {}
        if message.station:
            changes["station"] = self.names.of(message.station, "station")
        if message.connection:  # importers name connections by station or address
            changes["connection"] = self.sweep(message.connection)
        if message.meta:
            changes["meta"] = self._meta(message.meta)
        if message.data:  # bytes as they crossed: the same replacements, byte for byte
            swept = self.sweep(message.data.decode("latin-1")).encode("latin-1", "replace")
            if swept != message.data:
                changes["data"] = swept
        if message.kind is RecordKind.FRAME and message.text:
            text = self._frame_text(message.text, action)
            if text != message.text:
                changes["text"] = text
        return replace(message, **changes) if changes else message

    def _frame_text(self, text: str, action: str | None) -> str:
        try:
            frame = json.loads(text, parse_float=RawNumber, parse_constant=RawNumber)
        except (ValueError, RecursionError):  # a PIN too short to be searched for is
            return self.sweep(self._pins_removed(text))  # however short, removed here
        try:
            payload_at = _payload_index(frame)
            if payload_at is None:
                return self.sweep(text)
            before = _dump(frame)
            for container, key, kind in self._targets(frame[payload_at], action):
                container[key] = self._replaced(container[key], kind)
            for index in range(payload_at, len(frame)):
                frame[index] = self.swept_value(frame[index])
            after = _dump(frame)
            return text if after == before else after
        except RecursionError:  # nested too deeply to walk: the text is searched instead
            return self.sweep(text)

    def _pins_removed(self, text: str) -> str:
        """`text`, a frame that is not JSON, with its KeyCode idTokens `REMOVED`."""
        parts, done = [], 0
        for start, end in keycode_spans(text):
            if text[start:end] != REMOVED:
                self.names.places[KEYCODE] += 1
            parts += [text[done:start], REMOVED]
            done = end
        return "".join(parts) + text[done:] if parts else text

    def _replaced(self, value: Any, kind: str) -> Any:
        if isinstance(value, dict):
            return {key: self._replaced(item, kind) for key, item in value.items()}
        if isinstance(value, list):
            return [self._replaced(item, kind) for item in value]
        if isinstance(value, str) and self.rules.kind(kind).shape == "url":
            swept = self.sweep(value)
            return swept if swept != value else self.names.of(value, "url")
        if isinstance(value, RawNumber):  # a fraction is a measurement, not an identity
            return value
        return self.names.of(value, kind)

    def _meta(self, meta: Any) -> dict[str, Any]:
        copy = json.loads(json.dumps(meta, default=str))
        for path, kind in self.rules.meta.items():
            *parents, last = path.split(".")
            holder: Any = copy
            for part in parents:
                holder = holder.get(part) if isinstance(holder, dict) else None
            if isinstance(holder, dict) and last in holder:
                holder[last] = self._replaced(holder[last], kind)
        return self.swept_value(copy)

    def swept_value(self, value: Any) -> Any:
        """`value` with every string in it swept (`sweep`); dict keys are left alone. A
        version number under a key that names a version (firmwareVersion: "1.0.2.15") is
        kept: it would read as an address."""
        if isinstance(value, str):
            return self.sweep(value)
        if isinstance(value, dict):
            return {key: item if _is_version(key, item) else self.swept_value(item)
                    for key, item in value.items()}
        if isinstance(value, list):
            return [self.swept_value(item) for item in value]
        return value

    def sweep(self, text: str) -> str:
        """`text` with the known secrets in it, and whatever the patterns find, replaced."""
        names = self.names
        if text in names.produced:
            return text
        if isinstance(names.mapping.get(text), str):
            return names.of(text, names.kinds[text])
        if self._inside is not None:
            text = self._inside.sub(lambda m: str(names.of(m.group(0), names.kinds[
                m.group(0)])), text)
        for pattern in self.rules.patterns:
            text = pattern.regex.sub(lambda m, kind=pattern.kind: self._patterned(m, kind),
                                     text)
        return text

    def _patterned(self, match: re.Match[str], kind: str) -> str:
        part = "value" if "value" in match.re.groupindex else 0
        value = match.group(part)
        if value is None or value in self.names.produced or not self.names.worth_hiding(value):
            return match.group(0)
        if self.rules.kind(kind).shape == "url":
            kind = "host"  # a pattern that finds whole URLs: their hosts are what identify
        start, end = match.span(part)
        offset = match.start(0)
        whole = match.group(0)
        return (whole[:start - offset] + str(self.names.of(value, kind))
                + whole[end - offset:])


def redact(messages: list[Message], header: dict[str, Any], rules: RedactionRules,
           progress: Progress | None = None) -> Redacted:
    """The records and header of a session with every secret the rules name replaced."""
    redactor = Redactor(rules)
    actions = answered_actions(messages)
    redactor.learn(messages, actions)
    total = len(messages)
    out: list[Message] = []
    for done, (message, action) in enumerate(zip(messages, actions, strict=True)):
        if progress is not None and done % _PROGRESS_EVERY == 0:
            progress(done, total)
        out.append(redactor.record(message, action))
    if progress is not None:
        progress(total, total)
    clean_header = redactor.swept_value(dict(header))
    if isinstance(header.get("station"), str):
        clean_header["station"] = redactor.names.of(header["station"], "station")
    summary = redactor.names.summary()
    return Redacted(out, clean_header, summary)


def answered_actions(messages: Iterable[Message]) -> list[str | None]:
    """Each record's action: a CALL's own; an answer's from the CALL of its message id on
    its connection (when the record does not say it already)."""
    calls: dict[tuple[str, str], str] = {}
    actions: list[str | None] = []
    for message in messages:
        action = message.action
        if message.message_type == 2 and action and message.message_id is not None:
            calls[(message.connection, message.message_id)] = action
        elif action is None and message.message_id is not None:
            action = calls.get((message.connection, message.message_id))
        actions.append(action)
    return actions


def summary_lines(summary: dict[str, tuple[int, int]]) -> list[str]:
    """'idToken: 3 values in 12 places', one line per kind; one line when nothing was found."""
    if not summary:
        return ["nothing to redact was found"]
    return [f"{kind}: {values} value{'s' * (values != 1)} in {places} "
            f"place{'s' * (places != 1)}" for kind, (values, places) in summary.items()]


def _payload(message: Message) -> Any:
    if message.kind is not RecordKind.FRAME or not message.text:
        return None
    try:
        frame = json.loads(message.text)
        index = _payload_index(frame)
    except (ValueError, RecursionError):
        return None
    return None if index is None else frame[index]


def _payload_index(frame: Any) -> int | None:
    """Where an OCPP-J frame's payload is: after the action in a CALL, after the id in a
    CALLRESULT; a CALLERROR's description and details are only searched."""
    if not isinstance(frame, list) or not frame or type(frame[0]) is not int:
        return None
    index = {2: 3, 3: 2, 4: 3}.get(frame[0])
    return index if index is not None and len(frame) > index else None


def _places(value: Any, parts: list[str]) -> list[tuple[Any, Any]]:
    """The (container, key) pairs a relative path like `variableAttribute[*].value` names."""
    if not parts:
        return []
    head, rest = parts[0], parts[1:]
    many = head.endswith("[*]")
    name = head[:-3] if many else head
    if not isinstance(value, dict) or name not in value:
        return []
    if not many:
        return [(value, name)] if not rest else _places(value[name], rest)
    items = value[name]
    if not isinstance(items, list):
        return []
    if not rest:
        return [(items, index) for index in range(len(items))]
    return [place for item in items for place in _places(item, rest)]


def _inside_pattern(mapping: dict[str, Any], kinds: dict[str, str]
                    ) -> re.Pattern[str] | None:
    """Known secrets long enough to be searched for inside other text (station ids always:
    they are in every URL path), longest first, and not inside a longer word or number
    (CP-1 is not replaced inside CP-17). Numbers (a PIN) are replaced only as numbers."""
    found = sorted((key for key, value in mapping.items() if isinstance(value, str) and (
        len(key) >= _MIN_INSIDE or kinds.get(key) == "station")), key=len, reverse=True)
    if not found:
        return None
    return re.compile(r"(?<![A-Za-z0-9])(?:" + "|".join(map(re.escape, found))
                      + r")(?![A-Za-z0-9])")


def _dump(value: Any) -> str:
    """Compact JSON with numbers as they were written."""
    if isinstance(value, RawNumber):
        return value.text
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        return "{" + ",".join(json.dumps(str(key), ensure_ascii=False) + ":" + _dump(item)
                              for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_dump(item) for item in value) + "]"
    return json.dumps(value)
