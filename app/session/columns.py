"""Typed columns that start narrow and widen when a value does not fit.

The compact indexes of a session (the record store's, the annotations', the state's logs)
keep one row per record or per sampled value. Most of their integers are small: seqs stay
below four billion in any session a person records, a station or action id below 65,536.
A column of 4 or 2 bytes a row instead of 8 saves a good part of the index; the one value
that does not fit (a seqNo sent as -1 or 2^40 by a peer, the 65,537th station) widens its
column once to the next type, copying it, and nothing is lost or raised.

Appending is the hot path (every frame): callers append inside `try` and call `widened`
only on `OverflowError`, which costs nothing while values fit.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from typing import Any

SEQ = "I"      # seqs, and other counts that start at 0 or 1: unsigned 4 bytes
SIGNED = "i"   # values that may carry a negative mark: signed 4 bytes
SMALL_ID = "H"  # ids into a table of names: unsigned 2 bytes

_WIDER = {"H": "I", "B": "H", "I": "q", "i": "q", "h": "i", "b": "h"}


def widened(column: array, value: int) -> array:
    """A copy of `column` in a type wide enough for `value` (and every value it holds);
    OverflowError if none is (beyond 64 bits: the caller's value is not an index entry)."""
    code = column.typecode
    while True:
        wider = _WIDER.get(code)
        if wider is None:
            raise OverflowError(f"{value} does not fit in any column type")
        code = wider
        try:
            array(code, (value,))
        except OverflowError:
            continue
        return array(code, column)


def append_widening(column: array, value: int) -> array:
    """Append `value`, widening the column if it must; returns the column to keep (the
    same one, or its wider copy). For paths where a plain `append` in `try` reads badly."""
    try:
        column.append(value)
    except OverflowError:
        column = widened(column, value)
        column.append(value)
    return column


def extend_widening(column: array, values: array) -> array:
    """Append every value of `values` (any integer array), widening the column first if its
    smallest or largest value does not fit; returns the column to keep."""
    if not len(values):
        return column
    for extreme in (min(values), max(values)):
        try:
            array(column.typecode, (extreme,))
        except OverflowError:
            column = widened(column, extreme)
    column.extend(array(column.typecode, values))
    return column


class ComparedAsList:
    """For the compact sequences that stand in for lists (the state's logs, the capture's
    notes): equal to any sequence of equal items in the same order, a list included, and,
    being mutable, unhashable, as a list is."""

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str | bytes):
            mine: Any = self  # a Sequence: each class using this one is
            return len(mine) == len(other) and all(
                a == b for a, b in zip(mine, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]
