"""Which records a view shows: one `RecordFilter`, pure predicates, no Qt.

The timeline applies a filter to a million records in slices (`scan`), so the window stays
responsive while it works; the same predicate then decides, one by one, whether live records
join the view.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from app.ocpp.conversation import Direction
from app.query import RecordContext, compile_query
from app.session.capture import Capture
from app.session.message import Message, RecordKind
from app.session.store import DIRECTION_CODES, KIND_CODES, NO_TYPE, RecordStore

# records that are not frames: connection events, and gaps where the recorder lost records
EVENT_KINDS = (RecordKind.OPENED, RecordKind.CLOSED, RecordKind.REJECTED, RecordKind.GAP,
               RecordKind.CONTROL)


@dataclass(frozen=True)
class RecordFilter:
    stations: frozenset[str] = field(default_factory=frozenset)     # empty: all
    directions: frozenset[Direction] = field(default_factory=frozenset)
    message_types: frozenset[int] = field(default_factory=frozenset)  # 2, 3, 4
    only_invalid: bool = False      # records with an error finding (malformed included)
    only_errors: bool = False       # CALLERRORs
    show_events: bool = True        # connection opened / closed / refused, recording gaps
    text: str = ""                  # in action, message id or the frame text; case-insensitive
    # a set of records picked elsewhere (a transaction's frames): only these, whatever they are
    seqs: frozenset[int] | None = None
    label: str = ""                 # what the set is, for the filter bar ("transaction 1a2b")
    expression: str = ""            # the filter language (`app.query`); checked by the caller

    @property
    def is_empty(self) -> bool:
        return self == RecordFilter()

    def predicate(self, capture: Capture) -> Callable[[Message], bool]:
        """A test for one record; it reads annotations from `capture` at call time. The
        expression must be valid (the filter bar checks it as it is typed): QueryError."""
        quick = self._quick(capture)
        if not self.expression.strip():
            return quick
        selects = compile_query(self.expression).predicate(RecordContext(capture))
        return lambda message: quick(message) and selects(message)

    def as_expression(self) -> str:
        """The quick filters (station, direction, type, invalid, errors) written in the
        filter language, for the filter bar to show what they mean. Events and the text
        search have no exact equivalent and are left out."""
        parts: list[str] = []
        if len(self.stations) == 1:
            parts.append(f"station == {_quoted(next(iter(self.stations)))}")
        elif self.stations:
            parts.append("station in {" + ", ".join(map(_quoted, sorted(self.stations))) + "}")
        if len(self.directions) == 1:
            direction = next(iter(self.directions))
            parts.append('dir == "up"' if direction is Direction.STATION_TO_CSMS
                         else 'dir == "down"')
        names = {2: "CALL", 3: "RESULT", 4: "ERROR"}
        types = sorted(self.message_types)
        if self.only_errors:
            types = [4]
        if len(types) == 1:
            parts.append(f"type == {names[types[0]]}")
        elif 1 < len(types) < 3:
            parts.append("type in {" + ", ".join(names[t] for t in types) + "}")
        if self.only_invalid:
            parts.append("!valid")
        if self.expression.strip():
            parts.append(f"({self.expression.strip()})" if parts else self.expression.strip())
        return " && ".join(parts)

    def index_test(self, capture: Capture) -> Callable[[int], bool] | None:
        """A test on the position of a record in a `RecordStore` that reads its index
        only, False for records the predicate surely rejects (another station, direction
        or type, a valid record under "invalid only"), so that a scan reads back only the
        others; None when the records are not in a store or nothing can be told from the
        index."""
        store = capture.messages
        if not isinstance(store, RecordStore):
            return None
        names = store.names
        station_ids = ({names.find(name) for name in self.stations} - {None}
                       if self.stations else None)
        direction_codes = ({DIRECTION_CODES[d] for d in self.directions}
                           if self.directions else None)
        types = {4} if self.only_errors else set(self.message_types)
        if self.only_errors and self.message_types:
            types &= self.message_types
        hides_events = (not self.show_events or self.only_invalid or self.only_errors
                        or bool(types) or bool(direction_codes))
        chosen, only_invalid = self.seqs, self.only_invalid
        in_line = _line_search(store, self.text.casefold())
        if not (station_ids is not None or direction_codes or types or hides_events
                or chosen is not None or only_invalid or in_line is not None):
            return None
        stations, directions, type_codes = store.stations, store.directions, store.types
        kinds, seqs, annotations = store.kinds, store.seqs, capture.annotations
        event_codes = {KIND_CODES[kind] for kind in EVENT_KINDS}

        def may_accept(position: int) -> bool:
            if chosen is not None and seqs[position] not in chosen:
                return False
            if station_ids is not None and stations[position] not in station_ids:
                return False
            if kinds[position] in event_codes:
                return not hides_events
            if direction_codes and directions[position] not in direction_codes:
                return False
            code = type_codes[position]
            if types and code not in types:
                return False
            if only_invalid and code != NO_TYPE:
                annotation = annotations.get(seqs[position])
                if annotation is None or annotation.valid:
                    return False
            return in_line is None or in_line(position)

        return may_accept

    def _quick(self, capture: Capture) -> Callable[[Message], bool]:
        stations, directions, types = self.stations, self.directions, self.message_types
        needle = self.text.casefold()
        annotations = capture.annotations
        only_invalid, only_errors, show_events = (self.only_invalid, self.only_errors,
                                                  self.show_events)
        chosen = self.seqs

        def accepts(message: Message) -> bool:
            if chosen is not None and message.seq not in chosen:
                return False
            if stations and message.station not in stations:
                return False
            if message.kind in EVENT_KINDS:
                if not show_events or only_invalid or only_errors or types or directions:
                    return False
                return not needle or needle in _event_text(message)
            if directions and message.direction not in directions:
                return False
            if types and message.message_type not in types:
                return False
            if only_errors and message.message_type != 4:
                return False
            if only_invalid and message.message_type is not None:  # malformed: always shown
                annotation = annotations.get(message.seq)
                if annotation is None or annotation.valid:
                    return False
            if needle:
                return (needle in message.text.casefold()
                        or (message.action is not None and needle in message.action.casefold())
                        or (message.message_id is not None
                            and needle in message.message_id.casefold()))
            return True

        return accepts


def _line_search(store: RecordStore, needle: str) -> Callable[[int], bool] | None:
    """A test that rules a frame out of a text search from its line in the file, without
    parsing it: False when the needle is not in the line, so surely not in the frame's text,
    action or message id. JSON escapes only quotes, backslashes and control characters
    (none of which such a needle holds), `\\/` and `\\u` aside: a line holding either
    is left to the full test. None for a needle the line cannot answer for."""
    if not needle or any(c in needle for c in '"\\') or any(ord(c) < 0x20 for c in needle):
        return None
    slash = "/" in needle
    read = store.raw_line

    def may_hold(position: int) -> bool:
        line = read(position)
        if line is None or b"\\u" in line or (slash and b"\\/" in line):
            return True
        return needle in line.decode("utf-8", "replace").casefold()

    return may_hold


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _event_text(message: Message) -> str:
    return f"{message.station} {message.kind.value} {message.meta or ''}".casefold()


def scan(capture: Capture, accepts: Callable[[Message], bool], start: int,
         budget: float = 0.03, index_test: Callable[[int], bool] | None = None,
         ) -> tuple[list[int], int]:
    """Indexes of accepted records from `start` on, for about `budget` seconds. With an
    `index_test` (`RecordFilter.index_test`), only records it lets through are read back.

    Returns (indexes, next_start); next_start == len(capture.messages) when finished.
    """
    messages = capture.messages
    end = len(messages)
    found: list[int] = []
    deadline = time.perf_counter() + budget
    index = start
    while index < end:
        stop = min(end, index + 4096)
        if index_test is None:
            found.extend(i for i in range(index, stop) if accepts(messages[i]))
        else:
            found.extend(i for i in range(index, stop)
                         if index_test(i) and accepts(messages[i]))
        index = stop
        if time.perf_counter() > deadline:
            break
    return found, index


class FilterScan:
    """A filter applied to every record, one slice per `step()`, as a job the window runs
    from a timer. Records that arrive meanwhile are covered: each step reads the current
    length."""

    def __init__(self, capture: Capture, accepts: Callable[[Message], bool],
                 index_test: Callable[[int], bool] | None = None) -> None:
        """`index_test`: the filter's `index_test`, if any, so that records the index
        rules out are never read back from their file."""
        self.capture = capture
        self.accepts = accepts
        self.index_test = index_test
        self.found: list[int] = []
        self.next = 0

    def step(self, budget: float = 0.03) -> bool:
        rows, self.next = scan(self.capture, self.accepts, self.next, budget,
                               self.index_test)
        self.found.extend(rows)
        return self.next < len(self.capture.messages)

    @property
    def progress(self) -> float:
        return self.next / max(1, len(self.capture.messages))
