"""`RecordStore`: the records of a session file, with the file as the store.

A million records held as `Message` objects cost hundreds of bytes each beyond their text,
and their text again: a session bigger than memory could not be opened, and a window showing
one would hold all of it. A store keeps instead a compact index per record, in columns
(the line's offset in the file, seq, time, kind, direction, message type, and small ids for
the station, connection and action, about 30 bytes a record), and reads a record back from
its line when someone asks for it: a row being painted, a filter that reads text, a consumer
walking the records. The few records a view shows are kept in a small cache.

It is a `Sequence[Message]`, so everything that reads `capture.messages[i]` works unchanged.
Records appended without a line in the file are kept in memory as they are; a live run's
store (`app.session.live_store.LiveStore`) drops each to the index once its line is written.
"""

from __future__ import annotations

import json
import logging
import threading
from array import array
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO, overload

from app.ocpp.conversation import Direction
from app.session.columns import SEQ, SMALL_ID, append_widening
from app.session.lines import lines_at
from app.session.message import Message, RecordKind
from app.session.record_json import record_from_json
from app.session.sessionfile import renumbered

log = logging.getLogger(__name__)

CACHE_SIZE = 4096           # records read back and kept: a few screens of rows and their pairs
KINDS: tuple[RecordKind, ...] = tuple(RecordKind)
KIND_CODES = {kind: code for code, kind in enumerate(KINDS)}
DIRECTIONS: tuple[Direction | None, ...] = (None, *Direction)
DIRECTION_CODES = {direction: code for code, direction in enumerate(DIRECTIONS)}
NO_TYPE, OTHER_TYPE = 0, 1  # message type column: none (malformed, events), or not 2/3/4
IN_MEMORY = -1             # offset of a record appended without a line in the file
ARRAY_COLUMNS = ("offsets", "seqs", "times", "stations", "connections", "actions")


class Names:
    """Strings that repeat across records (stations, connections, actions) as small ids;
    id 0 is None."""

    def __init__(self) -> None:
        self.names: list[str | None] = [None]
        self.ids: dict[str | None, int] = {None: 0}

    def id_of(self, name: str | None) -> int:
        known = self.ids.get(name)
        if known is None:
            known = self.ids[name] = len(self.names)
            self.names.append(name)
        return known

    def find(self, name: str | None) -> int | None:
        """The id of `name` if any record carries it (without adding it)."""
        return self.ids.get(name)


class RecordStore(Sequence[Message]):
    """The records of the session file at `path`, indexed by `add(offset, message)` as the
    file is read, and read back on demand. Make it with the path of the file it indexes;
    `close()` lets go of the file."""

    def __init__(self, path: str | Path, cache_size: int = CACHE_SIZE) -> None:
        self.path = Path(path)
        self.offsets = array("q")
        # narrow columns, widened by the first value that does not fit (`app.session.columns`)
        self.seqs = array(SEQ)
        self.times = array("d")
        self.kinds = bytearray()
        self.directions = bytearray()
        self.types = bytearray()
        self.stations = array(SMALL_ID)
        self.connections = array(SMALL_ID)
        self.actions = array(SMALL_ID)
        self.names = Names()
        self._pinned: dict[int, Message] = {}       # records with no line to read back
        self._cache: OrderedDict[int, Message] = OrderedDict()
        self._cache_size = cache_size
        self._file: BinaryIO | None = None
        self._lock = threading.Lock()
        self._warned = False

    # --- building the index ---------------------------------------------------------------

    def add(self, offset: int, message: Message) -> None:
        """Index `message`, whose line starts at byte `offset` of the file."""
        self.offsets.append(offset)
        self.seqs = append_widening(self.seqs, message.seq)
        self.times.append(message.time)
        self.kinds.append(KIND_CODES[message.kind])
        self.directions.append(DIRECTION_CODES.get(message.direction, 0))
        kind = message.message_type
        self.types.append(NO_TYPE if kind is None else kind if kind in (2, 3, 4)
                          else OTHER_TYPE)
        id_of = self.names.id_of
        self.stations = append_widening(self.stations, id_of(message.station))
        self.connections = append_widening(self.connections, id_of(message.connection))
        self.actions = append_widening(self.actions, id_of(message.action))

    def append(self, message: Message) -> None:
        """A record with no line in the file: kept in memory as it is."""
        self._pinned[len(self.offsets)] = message
        self.add(IN_MEMORY, message)

    def extend(self, messages: Iterable[Message]) -> None:
        for message in messages:
            self.append(message)

    # --- reading --------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.offsets)

    @overload
    def __getitem__(self, index: int) -> Message: ...

    @overload
    def __getitem__(self, index: slice) -> list[Message]: ...

    def __getitem__(self, index: int | slice) -> Message | list[Message]:
        if isinstance(index, slice):
            return [self._record(i) for i in range(*index.indices(len(self.offsets)))]
        if index < 0:
            index += len(self.offsets)
        if not 0 <= index < len(self.offsets):
            raise IndexError("record position out of range")
        return self._record(index)

    def __iter__(self) -> Iterator[Message]:
        """Every record in order, read through once (not through the cache)."""
        for position in range(len(self.offsets)):
            cached = self._cache.get(position) or self._pinned.get(position)
            yield cached if cached is not None else self._read(position)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str | bytes):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other,
                                                                          strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by content

    def station_at(self, position: int) -> str:
        return self.names.names[self.stations[position]] or ""

    def connection_at(self, position: int) -> str:
        return self.names.names[self.connections[position]] or ""

    def kind_at(self, position: int) -> RecordKind:
        return KINDS[self.kinds[position]]

    def index_of(self, seq: int) -> int | None:
        """Position of the record with this seq, from the index alone."""
        import bisect

        index = bisect.bisect_left(self.seqs, seq)
        if index < len(self.seqs) and self.seqs[index] == seq:
            return index
        return None

    def _record(self, position: int) -> Message:
        cache = self._cache
        message = cache.get(position)
        if message is not None:
            cache.move_to_end(position)
            return message
        message = self._pinned.get(position)
        if message is not None:
            return message
        message = self._read(position)
        cache[position] = message
        if len(cache) > self._cache_size:
            cache.popitem(last=False)
        return message

    def _read(self, position: int) -> Message:
        """The record at `position` from its line; never raises: a file changed or gone
        since it was indexed gives the record as the index knows it, with no text."""
        pinned = self._pinned.get(position)
        if pinned is not None:
            return pinned
        try:
            raw = self._line(self.offsets[position])
            value: Any = json.loads(raw)
            message = record_from_json(value)
        except (OSError, ValueError, KeyError, TypeError, OverflowError, RecursionError,
                AttributeError):
            return self._stand_in(position)
        seq = self.seqs[position]
        if message.seq != seq:  # the file's seqs repeated: the reader renumbered it
            message = renumbered(message, seq)
        return message

    def _line(self, offset: int) -> bytes:
        """The line that begins at `offset`; OSError if the file cannot be read."""
        with self._lock:
            if self._file is None:
                self._file = open(self.path, "rb")  # noqa: SIM115 - kept open on purpose
            self._file.seek(offset)
            return self._file.readline()

    def _stand_in(self, position: int) -> Message:
        if not self._warned:
            self._warned = True
            log.warning("%s changed or vanished since it was opened: records read back "
                        "from it show without their text", self.path)
        names = self.names.names
        kind = self.types[position]
        return Message(self.seqs[position], self.times[position], 0.0,
                       names[self.connections[position]] or "",
                       names[self.stations[position]] or "",
                       DIRECTIONS[self.directions[position]], KINDS[self.kinds[position]],
                       message_type=kind if kind >= 2 else None,
                       action=names[self.actions[position]],
                       meta={"unreadable": "the session file changed since it was opened"})

    def raw_line(self, position: int) -> bytes | None:
        """The line of the record at `position` as the file holds it, for a search that can
        rule a record out without parsing it; None for a record held in memory, or when
        the file cannot be read."""
        offset = self.offsets[position]
        if offset == IN_MEMORY or position in self._pinned:
            return None
        try:
            return self._line(offset)
        except (OSError, ValueError):
            return None

    def raw_lines(self, positions: Iterable[int]) -> Iterator[bytes | None]:
        """`raw_line` of each of `positions`, read ahead in big blocks (`lines_at`): for a
        reader that visits many records in file order, such as a judging worker, where a
        seek and a read per record would cost more than the lines themselves."""
        offsets, pinned = self.offsets, self._pinned
        return lines_at(self.path, (IN_MEMORY if position in pinned else offsets[position]
                                    for position in positions))

    def lines(self, positions: Iterable[int]) -> Iterator[bytes]:
        """The raw lines of these records, as the file holds them (a caller copying them
        elsewhere needs no parse); a record kept in memory has none and is skipped."""
        with open(self.path, "rb") as stream:
            for position in positions:
                offset = self.offsets[position]
                if offset == IN_MEMORY:
                    continue
                stream.seek(offset)
                yield stream.readline()

    def column_types(self) -> dict[str, str]:
        """The type code of each array column by attribute name. Columns start narrow and
        widen as values need (`app.session.columns`), so a process that reads columns
        written with `tofile` must make its arrays of these types before `fromfile`, or
        it reads them at the wrong item size (`use_column_types`)."""
        return {name: getattr(self, name).typecode for name in ARRAY_COLUMNS}

    def use_column_types(self, types: Mapping[str, str]) -> None:
        """Make the named array columns, still empty, of these types (`column_types` of
        the store whose columns are about to be read in); ValueError if one holds rows."""
        for name, code in types.items():
            if name not in ARRAY_COLUMNS:
                raise ValueError(f"{name!r} is not an array column of the store")
            if len(getattr(self, name)):
                raise ValueError(f"column {name!r} already holds rows")
            setattr(self, name, array(code))

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None
        self._cache.clear()

    def memory(self) -> int:
        """Bytes the index takes (columns and names), without the cached records."""
        columns = [getattr(self, name) for name in ARRAY_COLUMNS]
        size = sum(c.buffer_info()[1] * c.itemsize for c in columns)
        return size + len(self.kinds) + len(self.directions) + len(self.types)
