"""What a capture learned about its records, kept compact.

Two answers in three are annotated (the CALL they answer, their round trip), and a dict of
`Annotation` objects cost about 130 bytes for each: more than the index of the record itself,
in a window left on a busy proxy for days. `AnnotationTable` keeps the common case, an
annotation without findings added in seq order (every live answer), in three columns of
16 bytes together, and builds its `Annotation` when asked; anything else (findings, a record
judged out of order, one annotated again) goes into a dict as before. `SeqLinks` does the
same for the links from a CALL to its answer. Both are mappings keyed by seq, so readers
(filters, the query language, the findings summary, parallel judging) see a dict.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass

from app.ocpp.findings import Finding, Severity

_GONE = -2        # a column entry replaced (it lives in the dict now) or deleted
_NONE = -1        # a call_seq column entry for "no CALL"


@dataclass(frozen=True, slots=True)
class Annotation:
    """What was learned about a record beyond its raw data (never written into it)."""

    findings: tuple[Finding, ...] = ()
    latency: float | None = None       # answers: seconds since their CALL
    call_seq: int | None = None        # answers: the seq of the CALL they answer

    @property
    def valid(self) -> bool:
        return not self.findings or not any(f.severity is Severity.ERROR
                                            for f in self.findings)


NO_ANNOTATION = Annotation()


class _SeqColumns:
    """Keys (seqs) appended in increasing order, found by bisection; `_gone` counts the
    entries marked `_GONE` in the value column `_marks`."""

    def __init__(self) -> None:
        self._keys = array("q")
        self._gone = 0

    def _position(self, seq: int) -> int | None:
        keys = self._keys
        position = bisect_left(keys, seq)
        if position < len(keys) and keys[position] == seq:
            return position
        return None

    def _appendable(self, seq: int) -> bool:
        return not self._keys or seq > self._keys[-1]

    # the mapping's removal, iteration and size, alike for both tables: each keeps its
    # value column with the `_GONE` marks as `_marks` and what does not fit in `_other`
    _marks: array
    _other: dict

    def __delitem__(self, seq: int) -> None:
        if self._other.pop(seq, None) is not None:
            return
        position = self._position(seq)
        if position is None or self._marks[position] == _GONE:
            raise KeyError(seq)
        self._marks[position] = _GONE
        self._gone += 1

    def __iter__(self) -> Iterator[int]:
        marks = self._marks
        for position, seq in enumerate(self._keys):
            if marks[position] != _GONE:
                yield seq
        yield from list(self._other)

    def __len__(self) -> int:
        return len(self._keys) - self._gone + len(self._other)

    def clear(self) -> None:
        self.__init__()  # type: ignore[misc]


class AnnotationTable(_SeqColumns, MutableMapping[int, Annotation]):
    """seq -> `Annotation`, compact for annotations without findings added in seq order."""

    def __init__(self) -> None:
        super().__init__()
        self._calls = array("q")        # call_seq, _NONE, or _GONE
        self._marks = self._calls
        self._latencies = array("d")    # NaN for None
        self._other: dict[int, Annotation] = {}

    def __setitem__(self, seq: int, annotation: Annotation) -> None:
        position = self._position(seq) if not self._appendable(seq) else None
        if position is not None and self._calls[position] != _GONE:
            self._calls[position] = _GONE   # replaced: the new one goes to the dict
            self._gone += 1
        if not annotation.findings and seq not in self._other and self._appendable(seq):
            self._keys.append(seq)
            call = annotation.call_seq
            self._calls.append(_NONE if call is None else call)
            latency = annotation.latency
            self._latencies.append(float("nan") if latency is None else latency)
            return
        self._other[seq] = annotation

    def __getitem__(self, seq: int) -> Annotation:
        found = self._other.get(seq)
        if found is not None:
            return found
        position = self._position(seq)
        if position is None or self._calls[position] == _GONE:
            raise KeyError(seq)
        call = self._calls[position]
        latency = self._latencies[position]
        return Annotation((), None if latency != latency else latency,
                          None if call == _NONE else call)

    def get(self, seq: int, default: Annotation | None = None) -> Annotation | None:  # type: ignore[override]
        try:
            return self[seq]
        except KeyError:
            return default

    def __contains__(self, seq: object) -> bool:
        if seq in self._other:
            return True
        position = self._position(seq) if isinstance(seq, int) else None
        return position is not None and self._calls[position] != _GONE

    def plain_columns(self) -> tuple[array, array, array]:
        """The annotations without findings held in columns, in increasing seq: their
        seqs, the CALLs they answer (-1: none) and their latencies (NaN: none). What a
        worker process judged crosses over in these, not as a million objects."""
        if not self._gone:
            return array("q", self._keys), array("q", self._calls), array("d", self._latencies)
        kept = [position for position, call in enumerate(self._calls) if call != _GONE]
        return (array("q", (self._keys[p] for p in kept)),
                array("q", (self._calls[p] for p in kept)),
                array("d", (self._latencies[p] for p in kept)))

    def others(self) -> list[tuple[int, Annotation]]:
        """The annotations not held in columns (those with findings), by seq."""
        return sorted(self._other.items())

    def extend_plain(self, seqs: array, calls: array, latencies: array) -> None:
        """Add annotations without findings given as `plain_columns` gives them: in one
        go when they come after every seq held, else one by one."""
        if seqs and self._appendable(seqs[0]) and self._other.keys().isdisjoint(seqs):
            self._keys.extend(seqs)
            self._calls.extend(calls)
            self._latencies.extend(latencies)
            return
        for seq, call, latency in zip(seqs, calls, latencies, strict=True):
            self[seq] = Annotation((), None if latency != latency else latency,
                                   None if call == _NONE else call)

    def memory(self) -> int:
        """Bytes the columns take (the dict of the others not counted)."""
        return sum(c.buffer_info()[1] * c.itemsize
                   for c in (self._keys, self._calls, self._latencies))


class SeqLinks(_SeqColumns, MutableMapping[int, int]):
    """seq -> seq (a CALL to its answer), compact for links added in order of the key."""

    def __init__(self) -> None:
        super().__init__()
        self._values = array("q")       # the linked seq, or _GONE
        self._marks = self._values
        self._other: dict[int, int] = {}

    def __setitem__(self, seq: int, value: int) -> None:
        if not self._appendable(seq):
            position = self._position(seq)
            if position is not None and self._values[position] != _GONE:
                self._values[position] = _GONE
                self._gone += 1
        if value >= 0 and seq not in self._other and self._appendable(seq):
            self._keys.append(seq)
            self._values.append(value)
            return
        self._other[seq] = value

    def __getitem__(self, seq: int) -> int:
        found = self._other.get(seq)
        if found is not None:
            return found
        position = self._position(seq)
        if position is None or self._values[position] == _GONE:
            raise KeyError(seq)
        return self._values[position]

    def get(self, seq: int, default: int | None = None) -> int | None:  # type: ignore[override]
        try:
            return self[seq]
        except KeyError:
            return default

    def __contains__(self, seq: object) -> bool:
        return self.get(seq) is not None if isinstance(seq, int) else False  # type: ignore[arg-type]
