"""What a capture learned about its records, kept compact.

Two answers in three are annotated (the CALL they answer, their round trip), and a dict of
`Annotation` objects cost about 130 bytes for each: more than the index of the record itself,
in a window left on a busy proxy for days. `AnnotationTable` keeps annotations added in seq
order (every live frame's) in four columns of 18 bytes together, and builds its `Annotation`
when asked. Their findings are kept once per distinct set, as an id into a table: a station
that sends every heartbeat early, or every timestamp with six fractional digits, gets the
same finding on thousands of frames, and each would otherwise hold its own copy of the same
words. Anything else (a record judged out of order, one annotated again) goes into a dict as
before. The table is a mapping keyed by seq, so readers (filters, the query language, the
findings summary, parallel judging) see a dict. The links from a CALL to its answer, keyed by
the CALL's seq and so learnt out of order, have a layout of their own (`app.session.seq_links`)."""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator, MutableMapping, Sequence
from dataclasses import dataclass
from typing import overload

from app.ocpp.findings import Finding, Severity
from app.session.columns import (
    SEQ,
    SIGNED,
    SMALL_ID,
    ComparedAsList,
    append_widening,
    extend_widening,
    widened,
)

_GONE = -2        # a column entry replaced (it lives in the dict now) or deleted
_NONE = -1        # a call_seq column entry for "no CALL"
_NAN = float("nan")  # a latency column entry for "no latency"


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
        self._keys = array(SEQ)     # narrow columns, widened by a value that does not fit
        self._gone = 0

    def _position(self, seq: int) -> int | None:
        keys = self._keys
        position = bisect_left(keys, seq)
        if position < len(keys) and keys[position] == seq:
            return position
        return None

    def _appendable(self, seq: int) -> bool:
        return not self._keys or seq > self._keys[-1]

    # the mapping's removal, iteration and size: the table keeps its value column with
    # the `_GONE` marks as `_marks` and what does not fit in `_other`
    _other: dict

    @property
    def _marks(self) -> array:
        raise NotImplementedError

    def _forget_row(self, position: int) -> None:
        """The row at `position` is about to be marked `_GONE` (replaced or deleted)."""

    def _forget_other(self, value: object) -> None:
        """`value` was removed from `_other`."""

    def __delitem__(self, seq: int) -> None:
        found = self._other.pop(seq, None)
        if found is not None:
            self._forget_other(found)
            return
        position = self._position(seq)
        if position is None or self._marks[position] == _GONE:
            raise KeyError(seq)
        self._forget_row(position)
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
    """seq -> `Annotation`, compact for annotations added in seq order.

    Each distinct set of findings is kept once, with a count of the annotations that use
    it (a row of the columns, or one in the dict that shares its tuple): when the last of
    them is replaced or deleted, the set is let go and its id given to the next new set,
    so that a capture dropping old annotations (a history limit) keeps a bounded table
    however many different findings its peers earn over time. The count costs one list
    update per annotation added or removed."""

    def __init__(self) -> None:
        super().__init__()
        self._calls = array(SIGNED)     # call_seq, _NONE, or _GONE
        self._latencies = array("d")    # NaN for None
        self._findings = array(SMALL_ID)  # an id in `_finding_sets`; 0 for no findings
        self._finding_sets: list[tuple[Finding, ...]] = [()]
        self._finding_ids: dict[tuple[Finding, ...], int] = {(): 0}
        self._uses: list[int] = [0]     # annotations using each set (the empty one: kept)
        self._free_ids: list[int] = []  # ids of sets let go, for the next new ones
        self._other: dict[int, Annotation] = {}

    @property
    def _marks(self) -> array:
        return self._calls

    def __setitem__(self, seq: int, annotation: Annotation) -> None:
        position = self._position(seq) if not self._appendable(seq) else None
        if position is not None and self._calls[position] != _GONE:
            self._forget_row(position)
            self._calls[position] = _GONE   # replaced: the new one goes to the dict
            self._gone += 1
        findings = self._take_findings(annotation.findings)
        replaced = self._other.get(seq)
        if replaced is not None:  # after taking the new set: an equal one stays as it is
            self._forget_other(replaced)
        if findings is not None and replaced is None and self._appendable(seq):
            self._keys = append_widening(self._keys, seq)
            call = annotation.call_seq
            self._calls = append_widening(self._calls, _NONE if call is None else call)
            latency = annotation.latency
            self._latencies.append(float("nan") if latency is None else latency)
            self._findings = append_widening(self._findings, findings)
            return
        if findings is not None and self._finding_sets[findings] is not annotation.findings:
            # kept apart, but its findings shared with the equal ones already kept (a
            # timeout noted on every CALL of a peer that never answers)
            annotation = Annotation(self._finding_sets[findings], annotation.latency,
                                    annotation.call_seq)
        self._other[seq] = annotation

    def add_plain(self, seq: int, call_seq: int | None, latency: float | None) -> None:
        """`self[seq] = Annotation((), latency, call_seq)` without building the annotation:
        two answers in three of a session are annotated so, and their columns take the
        values as they are. A seq that is not the newest goes the general way."""
        keys = self._keys
        if (keys and seq <= keys[-1]) or (self._other and seq in self._other):
            self[seq] = Annotation((), latency, call_seq)
            return
        try:  # appends inline: `append_widening` without its calls, as it does on overflow
            keys.append(seq)
        except OverflowError:
            self._keys = widened(keys, seq)
            self._keys.append(seq)
        call = _NONE if call_seq is None else call_seq
        try:
            self._calls.append(call)
        except OverflowError:
            self._calls = widened(self._calls, call)
            self._calls.append(call)
        self._latencies.append(_NAN if latency is None else latency)
        self._findings.append(0)

    def hold(self, seq: int, annotation: Annotation) -> None:
        """Keep this annotation outside the columns, so that annotations of earlier seqs
        may still be appended to them (`extend_plain`): a worker's verdicts with findings
        arrive before the plain ones it judged around them."""
        self.pop(seq, None)
        findings = self._take_findings(annotation.findings)
        if findings is not None and self._finding_sets[findings] is not annotation.findings:
            annotation = Annotation(self._finding_sets[findings], annotation.latency,
                                    annotation.call_seq)
        self._other[seq] = annotation

    def _take_findings(self, findings: tuple[Finding, ...]) -> int | None:
        """The id of this set of findings, added if new, counting one more use of it;
        None if it cannot be a key (then it is not counted either)."""
        if not findings:
            return 0
        try:
            known = self._finding_ids.get(findings)
            if known is None:
                known = self._finding_ids[findings] = self._free_id(findings)
        except TypeError:  # not hashable: kept in the dict, as it is
            return None
        self._uses[known] += 1
        return known

    def _free_id(self, findings: tuple[Finding, ...]) -> int:
        if self._free_ids:
            known = self._free_ids.pop()
            self._finding_sets[known] = findings
            return known
        self._finding_sets.append(findings)
        self._uses.append(0)
        return len(self._finding_sets) - 1

    def _let_go(self, known: int) -> None:
        """One use fewer of set `known`; the last one lets the set go."""
        if known == 0:
            return
        self._uses[known] -= 1
        if self._uses[known] == 0:
            del self._finding_ids[self._finding_sets[known]]
            self._finding_sets[known] = ()
            self._free_ids.append(known)

    def _forget_row(self, position: int) -> None:
        self._let_go(self._findings[position])

    def _forget_other(self, value: object) -> None:
        findings = value.findings if isinstance(value, Annotation) else ()
        try:
            known = self._finding_ids.get(findings) if findings else None
        except TypeError:  # not hashable: it was never counted
            return
        if known is not None:
            self._let_go(known)

    def __getitem__(self, seq: int) -> Annotation:
        found = self._other.get(seq)
        if found is not None:
            return found
        position = self._position(seq)
        if position is None or self._calls[position] == _GONE:
            raise KeyError(seq)
        call = self._calls[position]
        latency = self._latencies[position]
        return Annotation(self._finding_sets[self._findings[position]],
                          None if latency != latency else latency,
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
        calls, findings = self._calls, self._findings
        kept = [position for position in range(len(calls))
                if calls[position] != _GONE and not findings[position]]
        if len(kept) == len(calls):
            return array("q", self._keys), array("q", calls), array("d", self._latencies)
        return (array("q", (self._keys[p] for p in kept)),
                array("q", (calls[p] for p in kept)),
                array("d", (self._latencies[p] for p in kept)))

    def others(self) -> list[tuple[int, Annotation]]:
        """The annotations `plain_columns` leaves out (those with findings), by seq."""
        calls, findings = self._calls, self._findings
        held = [(seq, self[seq]) for position, seq in enumerate(self._keys)
                if findings[position] and calls[position] != _GONE]
        return sorted(held + list(self._other.items()))

    def extend_plain(self, seqs: array, calls: array, latencies: array) -> None:
        """Add annotations without findings given as `plain_columns` gives them: in one
        go when they come after every seq held, else one by one."""
        if seqs and self._appendable(seqs[0]) and self._other.keys().isdisjoint(seqs):
            self._keys = extend_widening(self._keys, seqs)
            self._calls = extend_widening(self._calls, calls)
            self._latencies.extend(latencies)
            self._findings.extend(array(self._findings.typecode, (0,)) * len(seqs))
            return
        for seq, call, latency in zip(seqs, calls, latencies, strict=True):
            self[seq] = Annotation((), None if latency != latency else latency,
                                   None if call == _NONE else call)

    def memory(self) -> int:
        """Bytes the columns take (the dict of the others not counted)."""
        return sum(c.buffer_info()[1] * c.itemsize
                   for c in (self._keys, self._calls, self._latencies, self._findings))


class NoteLog(ComparedAsList, Sequence[tuple[int, Finding]]):
    """(seq, finding) pairs in the order they were noted: the findings a capture added to
    records after publishing them (`Capture.notes`). A peer that never answers gets the
    same timeout finding on each of its CALLs: each note is a seq and an id into a table of
    the distinct findings, 10 bytes, rather than a tuple and a finding of its own."""

    def __init__(self, notes: Iterable[tuple[int, Finding]] = ()) -> None:
        self._seqs = array("q")
        self._ids = array(SMALL_ID)
        self._findings: list[Finding] = []
        self._finding_ids: dict[Finding, int] = {}
        self.extend(notes)

    def append(self, note: tuple[int, Finding]) -> None:
        seq, finding = note
        known = self._finding_ids.get(finding)
        if known is None:
            known = self._finding_ids[finding] = len(self._findings)
            self._findings.append(finding)
        self._seqs.append(seq)
        self._ids = append_widening(self._ids, known)

    def extend(self, notes: Iterable[tuple[int, Finding]]) -> None:
        for note in notes:
            self.append(note)

    def clear(self) -> None:
        self.__init__()  # type: ignore[misc]

    def __len__(self) -> int:
        return len(self._seqs)

    @overload
    def __getitem__(self, index: int) -> tuple[int, Finding]: ...

    @overload
    def __getitem__(self, index: slice) -> list[tuple[int, Finding]]: ...

    def __getitem__(self, index: int | slice) -> tuple[int, Finding] | list[tuple[int, Finding]]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self._seqs)))]
        return self._seqs[index], self._findings[self._ids[index]]
