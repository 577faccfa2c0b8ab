"""A moment in time as the user gives one on the command line, read one way everywhere.

Every command option that takes a moment (`state --at`, `convert --from` and `--to`,
`schedule --start` and `--transaction EVSE=START`) is declared by `add_moment_option` or
read by `read_moment`, so that they accept the same forms, refuse the same mistakes with the
same sentence, and say the same in their help (they did not: `state --at 2024-05-01` was
refused while `convert --from 2024-05-01` was midnight UTC). The forms (`MOMENT_FORMS`):

- an RFC 3339 date-time, `2024-05-01T10:00:00Z` or `2024-05-01T12:00:00+02:00`; without an
  offset it is UTC (a debugger's sessions are recorded in UTC, and guessing the local zone
  of whoever reads a colleague's capture would be wrong half the time); `t`, `z` or a space
  for `T` are accepted, the seconds may be left out, and fractions finer than a
  microsecond are cut;
- a date alone, `2024-05-01`: midnight UTC, the start of that day;
- a number of seconds, `90` or `2.5`: that long after the first record of the input, which
  is only known once the input is read (`Moment.epoch`).

Peer data never comes here: a station's date-times are judged strictly by
`app.ocpp.datetimes`; this is only the reading of what a person typed.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from app.errors import UsageError

MOMENT_FORMS = ("an RFC 3339 date-time (2024-05-01T10:00:00Z; without an offset, UTC), a "
                "date (2024-05-01: midnight UTC) or seconds after the first record (90)")
METAVAR = "TIME"

_DATE_TIME = re.compile(
    r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})"
    r"(?:[Tt ](?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?P<fraction>\.\d+)?)?"
    r"(?P<zone>[Zz]|(?P<sign>[+-])(?P<zone_hour>\d{2}):(?P<zone_minute>\d{2}))?)?\Z",
    re.ASCII,
)
_SECONDS = re.compile(r"\+?(?:\d+(?:\.\d*)?|\.\d+)\Z", re.ASCII)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# The last second a datetime holds, as epoch seconds: moments later than it are refused
LATEST = (datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC) - _EPOCH).total_seconds()


@dataclass(frozen=True, slots=True)
class Moment:
    """A moment as given: either a point in time (`fixed`, epoch seconds) or a distance from
    the first record of the input (`after_start`, seconds), never both. `text` and `option`
    are kept so that a later refusal can quote what the user typed."""

    text: str
    option: str
    fixed: float | None = None
    after_start: float | None = None

    def epoch(self, first_record: float | None) -> float:
        """The moment as epoch seconds; `first_record` is the time of the input's first
        record, None when it has none (a file of profiles, an empty session). A UsageError
        when the moment counts from a first record there is not."""
        if self.fixed is not None:
            return self.fixed
        if first_record is None:
            raise UsageError(f"{self.option} '{self.text}': seconds count from the first "
                             "record, and this input has none; give a date-time like "
                             "2024-05-01T10:00:00Z")
        moment = first_record + (self.after_start or 0.0)
        if not moment <= LATEST:  # inf or NaN too: no date the commands could show
            raise UsageError(f"{self.option} '{self.text}': that many seconds after the "
                             "first record is past the year 9999; give a date-time like "
                             "2024-05-01T10:00:00Z")
        return moment


def read_moment(text: str, option: str) -> Moment:
    """`text` given for `option` as a Moment; a UsageError naming the option, the forms and
    an example otherwise (one line, as the command line reports it)."""
    value = text.strip()
    if _SECONDS.match(value):
        return Moment(text, option, after_start=float(value))
    match = _DATE_TIME.match(value)
    if match is None:
        raise UsageError(f"{option} '{text}': not a moment; give {MOMENT_FORMS}")
    fixed = _epoch(match)
    if fixed is None:
        raise UsageError(f"{option} '{text}': no such day or time in the calendar; give "
                         f"{MOMENT_FORMS}")
    return Moment(text, option, fixed=fixed)


def fixed_epoch(text: str) -> float | None:
    """A date-time or a date (the forms of `read_moment` that name a point in time) as epoch
    seconds; None for anything else. For readers that have no first record to count from,
    such as a time in a filter expression."""
    match = _DATE_TIME.match(text.strip())
    return None if match is None else _epoch(match)


def _epoch(match: re.Match[str]) -> float | None:
    """The epoch seconds a date-time match names, or None for a day or hour out of range."""
    part = match.group
    fraction = (part("fraction") or ".")[1:7].ljust(6, "0")
    hours, minutes = int(part("zone_hour") or 0), int(part("zone_minute") or 0)
    if hours > 23 or minutes > 59:
        return None
    offset = timedelta(hours=hours, minutes=minutes) * (-1 if part("sign") == "-" else 1)
    try:
        moment = datetime(int(part("year")), int(part("month")), int(part("day")),
                          int(part("hour") or 0), int(part("minute") or 0),
                          int(part("second") or 0), int(fraction), tzinfo=UTC) - offset
    except (ValueError, OverflowError):   # February 30th, hour 24, year 1 at +01:00
        return None
    return (moment - _EPOCH).total_seconds()


def moment_type(option: str) -> Callable[[str], Moment]:
    """An argparse `type` reading `option`'s value. It raises a UsageError, which argparse
    lets through to `app.cli.main` to be reported in one line like every other refusal."""
    return lambda text: read_moment(text, option)


def add_moment_option(parser: argparse.ArgumentParser, option: str, what: str, *,
                      dest: str | None = None, required: bool = False) -> None:
    """Declare a moment option: `what` says what the moment is for; the forms are appended,
    so every such option's help says the same. Its value is a `Moment` (or None)."""
    parser.add_argument(option, dest=dest or option.lstrip("-").replace("-", "_"),
                        type=moment_type(option), required=required, metavar=METAVAR,
                        help=f"{what}: {MOMENT_FORMS}")
