"""Compact logs for the lists of the state that grow with every frame.

A transaction that charges for a day gets a TransactionEvent and a MeterValues every
minute or so: its record seqs, event seqNos, triggers and sampled values grow with the
session, and a window keeps all of them for its views. Kept as lists of Python objects they
cost a boxed int (32 bytes) per seq and an object of 60 to 100 bytes per change or sample,
more than the store's whole index of the records they came from. These logs keep the same
values in typed columns (`array`), with the few strings that repeat (measurands, units,
trigger reasons) as small ids into a table of their own, and build the `Change` or
`MeterSample` back when one is read: a view reads a transaction when it is shown, not on
every frame.

Each is a `MutableSequence` that compares equal to a list of the same items, so readers
(views, rules, the `state` command) and the tracker's list operations (`append`, `clear`,
`del items[:n]` to keep within a history limit) work unchanged. Anything a column cannot
hold (a seqNo beyond 64 bits, a time that is not a number, an int beyond 2**53 that a
double would round: odd peer data, or a test's hand-made values) turns that one log into a
plain list, so that nothing is lost, changed or raised.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator, MutableSequence
from typing import Any, Generic, TypeVar, overload

from app.session.columns import SEQ, SMALL_ID, ComparedAsList, extend_widening, widened
from app.state.entries import Change, MeterSample

T = TypeVar("T")

_INT64 = (-(2**63), 2**63 - 1)
_EXACT_IN_DOUBLE = (-(2**53), 2**53)


def _fits_int64(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) \
        and _INT64[0] <= value <= _INT64[1]


def _fits_double(value: Any) -> bool:
    """Whether a double column gives `value` back equal: any float, and an int no larger
    in magnitude than 2**53 (beyond it, a double rounds some ints to a neighbour)."""
    return isinstance(value, float) or (
        isinstance(value, int) and not isinstance(value, bool)
        and _EXACT_IN_DOUBLE[0] <= value <= _EXACT_IN_DOUBLE[1])


class Names(Generic[T]):
    """Values that repeat (strings, tuples of strings) as small ids, kept by one log; a
    log whose history is bounded rebuilds it now and then (`worth_rebuilding`), so that a
    peer sending a new value in every frame cannot grow it without end."""

    __slots__ = ("ids", "values")

    def __init__(self) -> None:
        self.values: list[T] = []
        self.ids: dict[T, int] = {}

    def id_of(self, value: T) -> int:
        known = self.ids.get(value)
        if known is None:
            known = self.ids[value] = len(self.values)
            self.values.append(value)
        return known

    def worth_rebuilding(self, entries: int) -> bool:
        """Whether the table holds many more values than a log of `entries` can use."""
        return len(self.values) > 2 * entries + 64


class _ColumnLog(ComparedAsList, MutableSequence[T]):
    """Items kept as rows of typed columns, or as a plain list once one does not fit.

    A subclass names its columns' type codes (`_CODES`, narrow ones: a column widens when
    a value does not fit, `app.session.columns`) and says how an item becomes a row
    (`_pack`, None when it does not fit) and a row an item again (`_unpack`)."""

    __slots__ = ("_columns", "_list")
    _CODES: str = ""

    def __init__(self, items: Iterable[T] = ()) -> None:
        self._columns: list[array] = [array(code) for code in self._CODES]
        self._list: list[T] | None = None
        for item in items:
            self.append(item)

    # --- what a subclass says ------------------------------------------------------------

    def _pack(self, item: T) -> tuple[Any, ...] | None:
        raise NotImplementedError

    def _unpack(self, position: int) -> T:
        raise NotImplementedError

    def _after_removal(self) -> None:
        """Called once rows were removed (a log with a table may rebuild it)."""

    # --- the sequence --------------------------------------------------------------------

    def _as_list(self) -> list[T]:
        """Give up the columns for a plain list (an item that does not fit arrived)."""
        if self._list is None:
            self._list = [self._unpack(i) for i in range(len(self._columns[0]))]
            self._columns = [array(code) for code in self._CODES]
        return self._list

    def __len__(self) -> int:
        return len(self._list) if self._list is not None else len(self._columns[0])

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> list[T]: ...

    def __getitem__(self, index: int | slice) -> T | list[T]:
        if self._list is not None:
            return self._list[index]
        size = len(self._columns[0])
        if isinstance(index, slice):
            return [self._unpack(i) for i in range(*index.indices(size))]
        if index < 0:
            index += size
        if not 0 <= index < size:
            raise IndexError("log index out of range")
        return self._unpack(index)

    def __iter__(self) -> Iterator[T]:
        if self._list is not None:
            yield from list(self._list)
            return
        for position in range(len(self._columns[0])):
            yield self._unpack(position)

    @overload
    def __setitem__(self, index: int, item: T) -> None: ...

    @overload
    def __setitem__(self, index: slice, item: Iterable[T]) -> None: ...

    def __setitem__(self, index: int | slice, item: Any) -> None:
        if isinstance(index, slice):
            self._as_list()[index] = item
            return
        row = self._pack(item) if self._list is None else None
        if row is None:
            self._as_list()[index] = item
            return
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("log assignment index out of range")
        self._fit(row)
        for column, value in zip(self._columns, row, strict=True):
            column[index] = value

    def __delitem__(self, index: int | slice) -> None:
        if self._list is not None:
            del self._list[index]
            return
        if isinstance(index, int) and not -len(self) <= index < len(self):
            raise IndexError("log assignment index out of range")
        for column in self._columns:
            del column[index]
        self._after_removal()

    def insert(self, index: int, item: T) -> None:
        row = self._pack(item) if self._list is None else None
        if row is None:
            self._as_list().insert(index, item)
            return
        self._fit(row)
        for column, value in zip(self._columns, row, strict=True):
            column.insert(index, value)

    def append(self, item: T) -> None:
        row = self._pack(item) if self._list is None else None
        if row is None:
            self._as_list().append(item)
            return
        self._append_row(row)

    def _append_row(self, row: tuple[Any, ...]) -> None:
        """Append `row` to every column or to none: a value a column refuses (our bug: the
        callers check each) must not leave the columns of unequal lengths, a log that
        says a length it cannot read."""
        columns = self._columns
        size = len(columns[0])
        try:
            for column, value in zip(columns, row, strict=True):
                column.append(value)
            return
        except OverflowError:  # a narrow column: widened below, value by value
            pass
        except BaseException:
            for column in columns:
                del column[size:]
            raise
        for column in columns:
            del column[size:]
        try:
            for position, value in enumerate(row):
                try:
                    columns[position].append(value)
                except OverflowError:
                    columns[position] = widened(columns[position], value)
                    columns[position].append(value)
        except BaseException:
            for column in columns:
                del column[size:]
            raise

    def _extend_rows(self, parts: tuple[list[Any], ...]) -> None:
        """`_append_row` for several rows at once, one list of values per column: every
        column is extended, or none is. (`fromlist` rather than `extend`: twice as quick
        from a list, and a column it fails on is left as it was.)"""
        columns = self._columns
        size = len(columns[0])
        try:
            for position, values in enumerate(parts):
                column = columns[position]
                try:
                    column.fromlist(values)
                except OverflowError:  # a narrow column: widen it for these values
                    del column[size:]
                    columns[position] = extend_widening(column, array("q", values))
        except BaseException:
            for column in columns:
                del column[size:]
            raise

    def _fit(self, row: tuple[Any, ...]) -> None:
        """Widen the columns that cannot hold their value of `row` (before an insert or an
        assignment, which must not fail halfway)."""
        for position, value in enumerate(row):
            column = self._columns[position]
            if isinstance(value, int) and column.typecode != "d":
                try:
                    array(column.typecode, (value,))
                except OverflowError:
                    self._columns[position] = widened(column, value)

    def clear(self) -> None:
        self._columns = [array(code) for code in self._CODES]
        self._list = None
        self._after_removal()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({list(self)!r})"

    def memory(self) -> int:
        """Bytes its columns take (a log turned into a list says 0)."""
        return sum(c.buffer_info()[1] * c.itemsize for c in self._columns)


class IntLog(_ColumnLog[int]):
    """Integers (record seqs, seqNos): 8 bytes each rather than a boxed int and a slot."""

    __slots__ = ()
    _CODES = SEQ

    def _pack(self, item: int) -> tuple[int] | None:
        return (item,) if _fits_int64(item) else None

    def append(self, item: int) -> None:
        # a record seq or a seqNo on every frame of a transaction: a plain int goes to the
        # column at once; one it refuses (beyond its width) takes the general path, which
        # widens the column or turns the log into a list
        if type(item) is int and self._list is None:
            try:
                self._columns[0].append(item)
                return
            except OverflowError:
                pass
        super().append(item)

    def _unpack(self, position: int) -> int:
        return self._columns[0][position]

    def __iter__(self) -> Iterator[int]:
        return iter(list(self._list) if self._list is not None else self._columns[0])

    def __getitem__(self, index: Any) -> Any:
        if self._list is not None:
            return self._list[index]
        found = self._columns[0][index]
        return found.tolist() if isinstance(found, array) else found

    def holds_in_order(self, value: int) -> bool:
        """Whether the log, kept in ascending order, holds `value`: looked for among the
        last eight entries first (an answer follows its CALL closely), else by bisection,
        both on the column at C speed (no list made of its tail)."""
        items = self._list if self._list is not None else self._columns[0]
        if value in items[-8:]:
            return True
        position = bisect_left(items, value)
        return position < len(items) and items[position] == value

    def __contains__(self, value: object) -> bool:
        """Asked of the column at C speed (a record's transaction is found by asking each
        transaction's seqs), not by `Sequence`'s loop over the items."""
        return value in (self._list if self._list is not None else self._columns[0])


class ChangeLog(_ColumnLog[Change]):
    """`Change`s (a charging state, a trigger): time, seq, and the value and source as ids
    into a table of the strings this log has seen; 16 bytes a change."""

    __slots__ = ("_names",)
    _CODES = "d" + SEQ + SMALL_ID + SMALL_ID

    def __init__(self, items: Iterable[Change] = ()) -> None:
        self._names: Names[str] = Names()
        super().__init__(items)

    def add(self, time: float, seq: int, value: str, source: str) -> None:
        """Append a change from its parts (the tracker's path: no `Change` made for it);
        parts a column cannot hold take the path of a whole change."""
        if self._list is not None or type(value) is not str or type(source) is not str \
                or not _fits_double(time) or not _fits_int64(seq):
            self.append(Change(time, seq, value, source))
            return
        id_of = self._names.id_of
        self._append_row((float(time), seq, id_of(value), id_of(source)))

    def last_value(self) -> str | None:
        """The newest change's value, without building the change (None when empty)."""
        if self._list is not None:
            return self._list[-1].value if self._list else None
        values = self._columns[2]
        return self._names.values[values[-1]] if values else None

    def _pack(self, item: Change) -> tuple[float, int, int, int] | None:
        if not isinstance(item, Change) or not _fits_double(item.time) \
                or not _fits_int64(item.seq) or not isinstance(item.value, str) \
                or not isinstance(item.source, str):
            return None
        id_of = self._names.id_of
        return (float(item.time), item.seq, id_of(item.value), id_of(item.source))

    def _unpack(self, position: int) -> Change:
        times, seqs, values, sources = self._columns
        names = self._names.values
        return Change(times[position], seqs[position], names[values[position]],
                      names[sources[position]])

    def _after_removal(self) -> None:
        if self._list is None and self._names.worth_rebuilding(len(self)):
            _rebuild(self._names, self._columns[2:])


# What a sampled value measured, as a meter log keeps it once in its table of kinds:
# measurand, unit, phase, context, location.
SampleKind = tuple[str, str, str | None, str | None, str | None]


class MeterLog(_ColumnLog[MeterSample]):
    """`MeterSample`s: time, seq and value in columns, and what was sampled (measurand,
    unit, phase, context, location) as one id into a table of the kinds this transaction
    has sampled; 22 bytes a sample."""

    __slots__ = ("_kinds",)
    _CODES = "d" + SEQ + "d" + SMALL_ID

    def __init__(self, items: Iterable[MeterSample] = ()) -> None:
        self._kinds: Names[SampleKind] = Names()
        super().__init__(items)

    def add(self, time: float, seq: int, measurand: str, value: float, unit: str,
            phase: str | None, context: str | None, location: str | None) -> None:
        """Append one sample from its parts (the tracker's path: no object made for it).
        The caller passes strings or None as the names; a time or value a double column
        cannot give back equal (not a number, an int beyond 2**53) takes the path of a
        whole sample, which keeps it as it is."""
        if self._list is not None or not _fits_int64(seq) or not _fits_double(time) \
                or not _fits_double(value):
            self.append(MeterSample(time, seq, measurand, value, unit, phase, context,
                                    location))
            return
        self._append_row((time, seq, value,
                          self._kinds.id_of((measurand, unit, phase, context, location))))

    def add_taken_together(self, time: float, seq: int, values: list[float],
                           kinds: list[SampleKind]) -> None:
        """Append the samples of one meterValue: `values[i]` (a float) sampled as
        `kinds[i]` (measurand, unit, phase, context, location), all at `time` by record
        `seq`. Every sampled value of a session comes this way, so the time and the seq
        are checked once for all of them and the columns are extended once, not row by
        row; a time or seq no column can hold takes `add`'s path, sample by sample."""
        if self._list is not None or not _fits_int64(seq) or not _fits_double(time):
            for value, (measurand, unit, phase, context, location) in zip(
                    values, kinds, strict=True):
                self.add(time, seq, measurand, value, unit, phase, context, location)
            return
        known = self._kinds.ids.get
        ids = [known(kind) for kind in kinds]
        if None in ids:  # a kind this log has not seen yet
            id_of = self._kinds.id_of
            ids = [id_of(kind) for kind in kinds]
        count = len(values)
        self._extend_rows(([time] * count, [seq] * count, values, ids))

    def _pack(self, item: MeterSample) -> tuple[float, int, float, int] | None:
        if not isinstance(item, MeterSample) or not _fits_double(item.time) \
                or not _fits_int64(item.seq) or not _fits_double(item.value) \
                or not isinstance(item.measurand, str) or not isinstance(item.unit, str) \
                or not all(isinstance(name, str | None)
                           for name in (item.phase, item.context, item.location)):
            return None
        kind = (item.measurand, item.unit, item.phase, item.context, item.location)
        return (float(item.time), item.seq, float(item.value), self._kinds.id_of(kind))

    def _unpack(self, position: int) -> MeterSample:
        times, seqs, values, kinds = self._columns
        return MeterSample(times[position], seqs[position],
                           *self._kind(kinds[position], values[position]))

    def _kind(self, kind: int, value: float) -> tuple[Any, ...]:
        measurand, unit, phase, context, location = self._kinds.values[kind]
        return (measurand, value, unit, phase, context, location)

    def __iter__(self) -> Iterator[MeterSample]:
        if self._list is not None:
            yield from list(self._list)
            return
        kinds = self._kinds.values
        for time, seq, value, kind in zip(*self._columns, strict=True):
            measurand, unit, phase, context, location = kinds[kind]
            yield MeterSample(time, seq, measurand, value, unit, phase, context, location)

    def _after_removal(self) -> None:
        if self._list is None and self._kinds.worth_rebuilding(len(self)):
            _rebuild(self._kinds, self._columns[3:])


def _rebuild(names: Names[Any], id_columns: list[array]) -> None:
    """Keep in `names` only the values its rows still use, renumbering `id_columns`."""
    old = names.values
    names.values, names.ids = [], {}
    for column in id_columns:
        for position, known in enumerate(column):
            column[position] = names.id_of(old[known])
