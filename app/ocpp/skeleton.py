"""The smallest payload the official schema accepts, built from the schema itself.

The composer starts a new message from it, so the user sees exactly which fields the
specification insists on and nothing else; the auto-responder answers with it when it has no
better idea. Deriving it from the schema, rather than keeping hand-written templates, keeps
it right for all 128 payloads without a second source of truth.

Choices are made so that the result reads like a plausible message, not just a valid one: a
status enum says "Accepted", date-times carry the current time, numbers are 0 unless the
schema's bounds forbid it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from app.ocpp.schema_tree import FieldSpec, field_tree
from app.ocpp.schemas import PayloadKind

# Enum values a cooperative peer picks first; failing these, the schema's first value.
PREFERRED_ENUM_VALUES: tuple[str, ...] = ("Accepted",)


def now_text(moment: datetime | None = None) -> str:
    """UTC time the way OCPP messages write it: milliseconds and `Z`.

    OCPP allows at most three fractional digits, and `datetime.isoformat` would give six and
    `+00:00`; both are legal RFC 3339 but the first breaks OCPP's own limit.
    """
    moment = (moment or datetime.now(UTC)).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def enum_choice(values: Sequence[Any], prefer: Iterable[Any] = PREFERRED_ENUM_VALUES) -> Any:
    """The first of `prefer` that the enum allows, else the enum's first value."""
    for wanted in prefer:
        if wanted in values:
            return wanted
    return values[0]


def minimal_payload(action: str, kind: PayloadKind, *, now: str | None = None
                    ) -> dict[str, Any]:
    """A payload holding only the required fields, valid against the schema.

    Raises KeyError for an action without a schema. `now` fills every date-time; by default
    the current UTC time.
    """
    return minimal_value(field_tree(action, kind), now=now)


def minimal_value(spec: FieldSpec, *, now: str | None = None) -> Any:
    """The smallest valid value of one field of a payload (the whole payload for the root).

    The composer uses it for a list item or an optional field the user adds, so that every
    way of starting a value agrees with `minimal_payload`.
    """
    stamp = now if now is not None else now_text()
    return _build(spec, stamp)


def _build(spec: FieldSpec, now: str) -> Any:
    if spec.kind == "enum":
        return enum_choice(spec.enum)
    if spec.kind == "object":
        return {child.name: _build(child, now) for child in spec.children if child.required}
    if spec.kind == "array":
        return [_build(spec.items, now) for _ in range(spec.min_items or 0)] \
            if spec.items is not None else []
    if spec.kind == "datetime":
        return now
    if spec.kind == "string":
        return "x" * (spec.min_length or 0)
    if spec.kind in ("integer", "number"):
        return _zero_within(spec, integral=spec.kind == "integer")
    if spec.kind == "boolean":
        return False
    if spec.kind == "custom":
        return {"vendorId": ""} if spec.name == "customData" else None
    return None


def _zero_within(spec: FieldSpec, *, integral: bool) -> int | float:
    """0, moved to the nearest bound that excludes it.

    The OCA schemas write bounds as floats (`"minimum": 0.0`); an integer field must still get
    an int, or the validator rejects it as a fraction.
    """
    value: int | float = 0
    low, high = spec.minimum, spec.maximum
    if low is not None and value < low:
        value = math.ceil(low) if integral else low
    if high is not None and value > high:
        value = math.floor(high) if integral else high
    return value
