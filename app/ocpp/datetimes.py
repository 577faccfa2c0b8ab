"""The `date-time` check: strict RFC 3339, plus the OCPP 2.0.1 limits beyond it.

Both validation stages (the compiled fast path and the explaining walk) call `is_rfc3339`,
so they cannot disagree. `explain` turns a rejected value into the sentence a
field engineer needs, for the faults real stations send: no offset, `+0200`, `+03`, a space
instead of `T`, an empty string.
"""

from __future__ import annotations

import re
from datetime import datetime

# re.ASCII: without it `\d` also matches other scripts' digits ('٢', '２'), which RFC 3339
# does not allow and which a receiver's parser would reject.
_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))\Z",
    re.ASCII,
)
_LOOSE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?P<sep>.)(\d{2}):(\d{2})(?::(\d{2}))?(?P<frac>\.\d+)?(?P<zone>.*)\Z",
    re.ASCII,
)
_DIGITS = frozenset("0123456789")
# The everyday shape, which a station and a CSMS send in every frame: years 2010-2099, a
# day every month has (the 29th and 30th but in February, the 31st in long months), no
# leap second, at most 3 fractional digits, upper-case `T` and `Z` or an offset in range.
# What it matches is valid (`is_rfc3339`) and needs no notes (`needs_notes`), so one C-level
# match decides, without parsing the fields; anything else (February 29th, a leap second,
# 1970, 6 fractional digits, a fault) takes the full checks. A test holds it to both.
_PLAIN = re.compile(
    r"20[1-9]\d-"
    r"(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)"
    r"|(?:0[13578]|1[02])-31)"
    r"T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,3})?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)",
    re.ASCII,
)

MAX_FRACTION_DIGITS = 3
# A station whose clock was never set reports 1970 (or 2000, the RTC default of some modules).
CLOCK_UNSET_BEFORE_YEAR = 2010


def is_rfc3339(value: object) -> bool:
    """True for a syntactically and calendrically valid RFC 3339 date-time string."""
    if not isinstance(value, str):
        return True  # format checks apply to strings only; `type` handles the rest
    match = _RFC3339.match(value)
    if match is None:
        return False
    # every date-time of every frame passes here: the fields are read once, and the
    # calendar asked only about days a month may lack
    year, month, day, hour, minute, second, _, _, zone_hour, zone_minute = match.groups()
    if int(hour) > 23 or int(minute) > 59 or int(second) > 60:
        return False
    if zone_hour is not None and (int(zone_hour) > 23 or int(zone_minute) > 59):
        return False
    month_number, day_number = int(month), int(day)
    if not 1 <= month_number <= 12 or day_number < 1 or int(year) < 1:
        return False
    if day_number > 28:
        try:
            datetime(int(year), month_number, day_number)
        except ValueError:
            return False
    return True


def plainly_valid(value: str) -> bool:
    """True for a date-time in the everyday shape: valid, and nothing to note (`notes`).
    False says nothing: the value may still be valid, or need notes; ask `is_rfc3339`."""
    return _PLAIN.fullmatch(value) is not None


# `plainly_valid` for the compiled validators, as the match itself (truthy or None): one C
# call per date-time instead of a Python one around it
plain_match = _PLAIN.fullmatch


def explain(value: str) -> str:
    """Why `value` is not an RFC 3339 date-time, in plain words."""
    shown = value if len(value) <= 40 else value[:39] + "…"
    if value == "":
        return "empty string instead of a date-time"
    foreign = next((c for c in value if c.isdigit() and c not in _DIGITS), None)
    if foreign is not None:
        return (f"'{shown}' writes digits outside 0-9 (such as '{foreign}'); RFC 3339 "
                "allows ASCII digits only")
    loose = _LOOSE.match(value)
    if loose is None:
        return (f"'{shown}' is not a date-time; expected RFC 3339 like "
                "'2024-05-01T12:00:00Z' or '2024-05-01T14:00:00+02:00'")
    if loose.group("sep") not in "Tt":
        return f"'{shown}' separates date and time with '{loose.group('sep')}'; RFC 3339 needs 'T'"
    if loose.group(7) is None:
        return f"'{shown}' has no seconds; RFC 3339 needs hh:mm:ss"
    zone = loose.group("zone")
    if zone == "":
        return (f"'{shown}' has no UTC offset; add 'Z' for UTC (or '+02:00' style) — "
                "a time without offset is ambiguous")
    if re.fullmatch(r"[+-]\d{4}", zone, re.ASCII):
        return f"'{shown}' writes the offset without a colon; use '{zone[:3]}:{zone[3:]}'"
    if re.fullmatch(r"[+-]\d{2}", zone, re.ASCII):
        return f"'{shown}' has a truncated offset; use '{zone}:00'"
    if _RFC3339.match(value):
        return f"'{shown}' is not a real calendar date or time"
    return f"'{shown}' has an invalid offset '{zone}'; use 'Z' or '+hh:mm'"


def notes(value: str) -> list[tuple[str, str]]:
    """(code, message) for a *valid* date-time that still breaks OCPP's own rules."""
    out: list[tuple[str, str]] = []
    match = _RFC3339.match(value)
    if match is None:
        return out
    fraction = match.group(7)
    if fraction and len(fraction) - 1 > MAX_FRACTION_DIGITS:
        out.append(("datetime.precision",
                    f"'{value}' has {len(fraction) - 1} fractional digits; OCPP 2.0.1 allows "
                    f"at most {MAX_FRACTION_DIGITS}"))
    if int(match.group(1)) < CLOCK_UNSET_BEFORE_YEAR:
        out.append(("datetime.clock-not-set",
                    f"'{value}' lies before {CLOCK_UNSET_BEFORE_YEAR}: the sender's clock was "
                    "probably never set"))
    return out


def needs_notes(value: str) -> bool:
    """Cheap pre-check for `notes`, called on every date-time of every frame."""
    dot = value.find(".")
    if dot != -1:
        end = dot + 1
        while end < len(value) and value[end] in _DIGITS:
            end += 1
        if end - dot - 1 > MAX_FRACTION_DIGITS:
            return True
    year = value[:4]
    return len(year) == 4 and _DIGITS.issuperset(year) and int(year) < CLOCK_UNSET_BEFORE_YEAR


def epoch_seconds(value: object) -> float | None:
    """An RFC 3339 date-time as epoch seconds; None for anything else (a peer's odd value
    is not an error here: whoever reads it decides what a missing time means)."""
    if not isinstance(value, str):
        return None
    match = _RFC3339.match(value)
    if match is None or not is_rfc3339(value):
        return None
    # fromisoformat wants at most 6 fractional digits and no leap second
    text = value.replace("z", "Z").replace("t", "T")
    fraction = match.group(7) or ""
    if len(fraction) > 7:
        text = text.replace(fraction, fraction[:7], 1)
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None
