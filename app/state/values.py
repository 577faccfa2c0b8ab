"""Reading values out of peer payloads without trusting them.

A payload that reaches the tracker may be anything the peer sent (the schema check reports
what is wrong, it does not stop the frame): these helpers give a value of the expected type
or None, so that the tracker skips what it cannot use instead of raising.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any


def as_dict(value: Any) -> dict[str, Any]:
    """The value if it is an object, else an empty one."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def as_int(value: Any) -> int | None:
    """An integer (not a bool, not a float): ids, seqNos, stack levels."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return None


def as_number(value: Any) -> float | None:
    """`value` as a float, or None when it is no number, or an integer no float holds
    (a peer may send one of any size: JSON sets no bound)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return float(value)
        except OverflowError:
            return None
    return None


def as_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


# Moments of recent date-time strings: a payload stamps each of its meter values with the
# moment of the event itself, so most strings were just read. Bounded against a peer that
# never repeats one.
_EPOCHS: dict[str, float | None] = {}
_EPOCHS_KEPT = 4096
_UNKNOWN = object()
# `datetime.timestamp()` of an aware moment is its distance from this one in seconds:
# written out, the same subtraction and division cost half as much.
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def epoch_of(value: Any) -> float | None:
    """Epoch seconds of an RFC 3339 date-time as stations send them, or None. Lenient on
    purpose (a missing offset is read as UTC, a space for `T`, more than six fractional
    digits): the schema check already flags such dates, the state only wants the moment."""
    if not isinstance(value, str) or len(value) < 10 or len(value) > 64:
        return None
    known = _EPOCHS.get(value, _UNKNOWN)
    if known is not _UNKNOWN:  # (a miss costs no exception: half the strings are new)
        return known  # type: ignore[return-value]
    if len(_EPOCHS) >= _EPOCHS_KEPT:
        _EPOCHS.clear()
    moment = _EPOCHS[value] = _epoch_of(value)
    return moment


# The form nearly every station sends, which `datetime.fromisoformat` reads as it stands
# (with `Z`, and at most six fractional digits): the rewriting below is for the others.
_PLAIN = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?(?:Z|[+-]\d\d:\d\d)\Z",
                    re.ASCII)


def _epoch_of(value: str) -> float | None:
    if _PLAIN.match(value):
        try:
            return (datetime.fromisoformat(value) - _EPOCH).total_seconds()
        except (ValueError, OverflowError, OSError):
            pass  # a day or an hour out of range: the rewriting path says None as before
    text = value.strip().replace(" ", "T", 1)
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    if "." in text:  # Python reads at most six fractional digits
        head, _, tail = text.partition(".")
        digits = len(tail) - len(tail.lstrip("0123456789"))
        text = head + "." + tail[:min(digits, 6)].ljust(1, "0") + tail[digits:]
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.timestamp()
    except (OverflowError, OSError, ValueError):
        return None
