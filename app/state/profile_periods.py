"""One charging profile's own limits over a window of time, by the OCPP 2.0.1 rules.

`app.state.schedule` combines these per-profile periods into a composite schedule; the chart
draws them as layers. A profile comes from a peer, so nothing here raises on its content: a
profile that cannot be read (no schedule, an unknown kind or unit, an Absolute profile
without its start) simply has no periods, and `app.ocpp.smart_charging` says why.

Times are epoch seconds; a period's `end` is exclusive.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from app.ocpp.datetimes import epoch_seconds
from app.state.model import InstalledProfile

RECURRENCE_SECONDS = {"Daily": 86_400, "Weekly": 7 * 86_400}
UNITS = ("A", "W")


@dataclass(frozen=True, slots=True)
class Period:
    start: float            # epoch seconds
    end: float              # epoch seconds (exclusive)
    limit: float | None     # in the schedule's unit; None where nothing limits (default applies)
    number_phases: int | None = None
    profile_id: Any = None  # the profile that sets this limit (None for the default)
    stack_level: int | None = None
    purpose: str | None = None


@dataclass(frozen=True, slots=True)
class ScheduleOptions:
    """What the station does where no profile speaks, and how amperes become watts."""

    default_limit_amps: float = 48.0
    default_limit_watts: float = 33120.0
    voltage: float = 230.0
    phases: int = 3

    def default_limit(self, unit: str) -> float:
        return self.default_limit_watts if unit == "W" else self.default_limit_amps


@dataclass(frozen=True, slots=True)
class _SchedulePeriod:
    offset: int                 # startPeriod, seconds from the schedule's start
    limit: float
    number_phases: int | None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _integer(value: Any) -> int | None:
    number = _number(value)
    return int(number) if number is not None and number.is_integer() else None


def first_schedule(profile: dict[str, Any]) -> dict[str, Any] | None:
    """The chargingSchedule that counts. 2.0.1 allows up to three (for ISO 15118 tariffs);
    the first is the one a station without 15118 applies, and the one used here."""
    schedules = profile.get("chargingSchedule")
    if isinstance(schedules, dict):  # a peer that sent one object instead of a list
        return schedules
    if isinstance(schedules, list) and schedules and isinstance(schedules[0], dict):
        return schedules[0]
    return None


def _schedule_periods(schedule: dict[str, Any]) -> list[_SchedulePeriod]:
    """The readable periods in startPeriod order; an entry without an integer startPeriod
    >= 0 or a limit >= 0 is left out, a repeated startPeriod keeps its first entry."""
    raw = schedule.get("chargingSchedulePeriod")
    found: dict[int, _SchedulePeriod] = {}
    for entry in raw if isinstance(raw, list) else []:
        if not isinstance(entry, dict):
            continue
        offset, limit = _integer(entry.get("startPeriod")), _number(entry.get("limit"))
        if offset is None or offset < 0 or limit is None or limit < 0 or offset in found:
            continue
        phases = _integer(entry.get("numberPhases"))
        found[offset] = _SchedulePeriod(offset, limit,
                                        phases if phases is not None and phases > 0 else None)
    return [found[offset] for offset in sorted(found)]


def convert(limit: float, from_unit: str, to_unit: str, phases: int | None,
            options: ScheduleOptions) -> float:
    """A limit in another unit: watts = amperes x voltage x phases (the period's
    numberPhases, else the options' phases)."""
    if from_unit == to_unit:
        return limit
    factor = options.voltage * (phases or options.phases)
    if factor <= 0:
        return limit
    return limit * factor if to_unit == "W" else limit / factor


def schedule_base(profile: dict[str, Any], window_start: float,
                  transaction_start: float | None) -> float | None:
    """When the profile's schedule starts (for Recurring: its first occurrence); None when
    it cannot be known. Relative counts from the transaction's start, or from the window's
    start when no transaction start is known (as a station does before one starts)."""
    kind = profile.get("chargingProfileKind")
    schedule = first_schedule(profile) or {}
    if kind == "Relative":
        return transaction_start if transaction_start is not None else window_start
    if kind in ("Absolute", "Recurring"):
        return epoch_seconds(schedule.get("startSchedule"))
    return None


def profile_periods(installed: InstalledProfile, window_start: float, window_end: float, *,
                    unit: str = "A", transaction_start: float | None = None,
                    options: ScheduleOptions | None = None) -> list[Period]:
    """The limits `installed` sets inside [window_start, window_end), converted to `unit`,
    in time order and not overlapping; times it does not cover have no period. Empty for a
    profile that cannot be read."""
    options = options or ScheduleOptions()
    profile = installed.profile
    if not isinstance(profile, dict) or window_end <= window_start:
        return []
    schedule = first_schedule(profile)
    if schedule is None:
        return []
    own_unit = schedule.get("chargingRateUnit")
    periods = _schedule_periods(schedule)
    base = schedule_base(profile, window_start, transaction_start)
    if own_unit not in UNITS or unit not in UNITS or not periods or base is None:
        return []
    valid_from = epoch_seconds(profile.get("validFrom"))
    valid_to = epoch_seconds(profile.get("validTo"))
    lower = max(window_start, valid_from if valid_from is not None else window_start)
    upper = min(window_end, valid_to if valid_to is not None else window_end)
    if upper <= lower:
        return []
    duration = _integer(schedule.get("duration"))
    length = float(duration) if duration is not None and duration > 0 else math.inf
    occurrences = [base]
    if profile.get("chargingProfileKind") == "Recurring":
        every = RECURRENCE_SECONDS.get(str(profile.get("recurrencyKind")))
        if every is None:
            return []
        length = min(length, every)
        first = max(0, math.floor((lower - base) / every))
        occurrences = [base + k * every for k in range(first, first + 1 + math.ceil(
            (upper - lower) / every) + 1)]
    stack_level = _integer(profile.get("stackLevel"))
    out: list[Period] = []
    for begin in occurrences:
        finish = begin + length
        for index, entry in enumerate(periods):
            start = begin + entry.offset
            end = begin + periods[index + 1].offset if index + 1 < len(periods) else finish
            start, end = max(start, lower), min(end, finish, upper)
            if end <= start:
                continue
            limit = convert(entry.limit, own_unit, unit, entry.number_phases, options)
            out.append(Period(start, end, limit, entry.number_phases, profile.get("id"),
                              stack_level, installed.purpose or None))
    return out


def limit_at(periods: list[Period], moment: float) -> Period | None:
    """The period covering `moment`, if any (periods in time order, not overlapping)."""
    for period in periods:
        if period.start <= moment < period.end:
            return period
        if period.start > moment:
            break
    return None
