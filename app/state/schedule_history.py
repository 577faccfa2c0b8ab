"""The composite schedule of an EVSE over a whole session, as the profiles came and went.

The state at a session's end holds only the profiles installed at its end: a TxProfile has
left with its transaction, a replaced profile with its successor. Drawn from that alone, a
chart of a finished charging session compares what the station measured with the wrong
limit. Here the window is cut at every moment a profile concerning the EVSE was installed
or removed (`StationState.past_profiles` keeps those removed) and at every start and end of
its transactions; each slice gets the composite schedule of the profiles installed in it,
with the transaction that ran in it, and the slices are joined again.

Pure functions over the tracker's state; odd profiles contribute nothing, never raise.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import pairwise

from app.state.model import InstalledProfile, StationState
from app.state.profile_periods import UNITS, Period, ScheduleOptions, first_schedule
from app.state.schedule import (
    PURPOSES,
    CompositeSchedule,
    Layer,
    composite_schedule,
    merged_periods,
    profile_layers,
)
from app.state.schedule_view import ScheduleChart, build_chart, parse_time

DEFAULT_OPTIONS = ScheduleOptions()
# What a chart shows when a station has nothing to place in time: a minute.
EMPTY_WINDOW = 60.0
# The share of the window added on each side, so that the first and last steps show.
MARGIN = 0.05


def all_profiles(station: StationState) -> list[InstalledProfile]:
    """Every profile the station ever held, removed ones first (in removal order)."""
    return [*station.past_profiles, *station.profiles]


def concerns(installed: InstalledProfile, evse_id: int) -> bool:
    """Whether a profile can limit `evse_id`: its own, or the station's (EVSE 0); for the
    station as a whole, every profile."""
    return evse_id == 0 or installed.evse_id in (0, evse_id)


def _active(installed: InstalledProfile, moment: float) -> bool:
    removed = installed.removed
    return installed.installed <= moment and (removed is None or moment < removed)


def _finite(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) \
        and math.isfinite(value)


@dataclass(slots=True)
class _Running:
    """The transactions running in one slice, in the shape `composite_schedule` takes."""

    starts: dict[int, float | None] = field(default_factory=dict)
    ids: dict[int, str] = field(default_factory=dict)


def _running_at(station: StationState, evse_id: int, moment: float) -> _Running:
    running = _Running()
    for tx in station.transactions.values():
        evse = tx.evse_id
        if not isinstance(evse, int) or evse < 1 or (evse_id != 0 and evse != evse_id):
            continue
        started = tx.started if _finite(tx.started) else None
        if started is not None and moment < started:
            continue
        if tx.ended is not None and (not _finite(tx.ended) or moment >= tx.ended):
            continue
        running.starts[evse] = started
        running.ids[evse] = tx.transaction_id
    return running


def latest_unit(profiles: Iterable[InstalledProfile]) -> str:
    """The chargingRateUnit of the profile installed last that names one, else A: the unit
    a person reads a schedule in when they did not choose one."""
    for installed in sorted(profiles, key=lambda p: (p.installed, p.seq), reverse=True):
        if not isinstance(installed.profile, dict):
            continue
        unit = (first_schedule(installed.profile) or {}).get("chargingRateUnit")
        if unit in UNITS:
            return str(unit)
    return "A"


def schedule_unit(station: StationState, evse_id: int) -> str:
    """The unit of the profiles concerning the EVSE (see `latest_unit`)."""
    return latest_unit(p for p in all_profiles(station) if concerns(p, evse_id))


def _cuts(station: StationState, evse_id: int, start: float, end: float) -> list[float]:
    found: list[float | None] = []
    for installed in all_profiles(station):
        if concerns(installed, evse_id):
            found += [installed.installed, installed.removed]
    for tx in station.transactions.values():
        if evse_id == 0 or tx.evse_id == evse_id:
            found += [tx.started, tx.ended]
    inside = {t for t in found if t is not None and _finite(t) and start < t < end}
    return sorted({start, end} | inside)


def _clipped(periods: Iterable[Period], a: float, b: float) -> list[Period]:
    out = []
    for period in periods:
        lower, upper = max(period.start, a), min(period.end, b)
        if upper > lower:
            out.append(Period(lower, upper, period.limit, period.number_phases,
                              period.profile_id, period.stack_level, period.purpose))
    return out


def evse_schedule_over(station: StationState, evse_id: int, start: float, end: float, *,
                       unit: str | None = None, options: ScheduleOptions = DEFAULT_OPTIONS
                       ) -> tuple[CompositeSchedule, list[Layer]]:
    """The composite schedule of `evse_id` (0: the station) over [start, end) with the
    profiles installed at each moment, and each profile's layer over the time it was
    installed and took part. The unit: `unit`, else that of the profiles (see
    `schedule_unit`)."""
    chosen = unit if unit in UNITS else schedule_unit(station, evse_id)
    end = max(end, start)
    profiles = [p for p in all_profiles(station) if concerns(p, evse_id)]
    periods: list[Period] = []
    layer_periods: dict[int, list[Period]] = {}
    layer_profiles: dict[int, InstalledProfile] = {}
    for a, b in pairwise(_cuts(station, evse_id, start, end)):
        active = [p for p in profiles if _active(p, a)]
        running = _running_at(station, evse_id, a)
        duration = max(1, math.ceil(b - a))
        evses = sorted({e for e in station.evses if e > 0} | set(running.starts)) \
            if evse_id == 0 else None
        slice_schedule = composite_schedule(
            active, evse_id, a, duration, unit=chosen, transactions=running.starts,
            evses=evses or None, options=options, transaction_ids=running.ids)
        periods.extend(_clipped(slice_schedule.periods, a, b))
        for layer in profile_layers(active, evse_id, a, duration, unit=chosen,
                                    transactions=running.starts, options=options,
                                    transaction_ids=running.ids):
            key = id(layer.profile)
            layer_profiles[key] = layer.profile
            layer_periods.setdefault(key, []).extend(_clipped(layer.periods, a, b))
    composite = CompositeSchedule(evse_id, start, max(1, math.ceil(end - start)), chosen,
                                  merged_periods(periods), options.default_limit(chosen))
    layers = [Layer(layer_profiles[key], merged_periods(found))
              for key, found in layer_periods.items() if found]
    layers.sort(key=_layer_order)
    return composite, layers


def _layer_order(layer: Layer) -> tuple[int, int, float, int]:
    """As `profile_layers` orders: by purpose, then highest stack level, then oldest."""
    installed = layer.profile
    purpose = PURPOSES.index(installed.purpose) if installed.purpose in PURPOSES \
        else len(PURPOSES)
    level = installed.stack_level
    level = level if isinstance(level, int) and not isinstance(level, bool) else 0
    return (purpose, -level, installed.installed, installed.seq)


def chart_window(station: StationState, evse_id: int) -> tuple[float, float]:
    """The time a chart of the EVSE shows by default: from the first profile installed on
    it (or the station), its first transaction's start or the first schedule reported
    for it, whichever came first, to the station's last record or its transactions' end,
    whichever is later; a small margin on each side. A station with none of these shows
    its records' span (at least a minute)."""
    starts: list[float | None] = [p.installed for p in all_profiles(station)
                                  if p.evse_id in (evse_id, 0)]
    ends: list[float | None] = [station.last_seen]
    for tx in station.transactions.values():
        if evse_id == 0 or tx.evse_id == evse_id:
            starts.append(tx.started)
            ends.append(tx.ended)
    for reported in station.reported_schedules:
        if reported.evse_id == evse_id and isinstance(reported.schedule, dict):
            starts.append(parse_time(reported.schedule.get("scheduleStart")))
    known_starts = [t for t in starts if t is not None and _finite(t)]
    known_ends = [t for t in ends if t is not None and _finite(t)]
    first = min(known_starts) if known_starts else station.first_seen
    first = first if _finite(first) else 0.0
    last = max(known_ends) if known_ends else first
    if last <= first:
        last = first + EMPTY_WINDOW
    margin = (last - first) * MARGIN
    return first - margin, last + margin


def chart_for(station: StationState, evse_id: int, *,
              options: ScheduleOptions = DEFAULT_OPTIONS) -> ScheduleChart:
    """The chart the Charging schedule tab draws for one EVSE: the computed composite
    schedule and the profile layers over the session (`chart_window`), beside what the
    station reported and measured."""
    start, end = chart_window(station, evse_id)
    composite, layers = evse_schedule_over(station, evse_id, start, end, options=options)
    return build_chart(station, evse_id, composite=composite, layers=layers,
                       unit=composite.unit, options=options)
