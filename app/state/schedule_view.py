"""What the charging schedule view draws for one EVSE, as plain data.

The window turns a station's state into a `ScheduleChart`: each installed profile as a layer
of steps, the composite schedule computed from them, the composite schedules the station
reported (GetCompositeSchedule), and what it measured (meter values), all in the schedule's
unit. `mismatches` finds where those disagree, so the view can shade and list the ranges a
field engineer should look at; it and `measured_series` never raise on odd peer data.

`build_chart` fills a chart from a station's state and, when given, the computed composite
schedule and profile layers (any objects shaped like `app.state.schedule`'s `Period`,
`CompositeSchedule` and `Layer`), so the view needs nothing from the computation itself.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from app.state.model import (
    InstalledProfile,
    MeterSample,
    RejectedProfile,
    ReportedSchedule,
    StationState,
    TransactionState,
)
from app.state.profile_periods import ScheduleOptions

# (start, end, limit): epoch seconds, end exclusive; None where nothing limits
Step = tuple[float, float, float | None]

POWER = "Power.Active.Import"
CURRENT = "Current.Import"
# phases whose current flows through the EV: the line phases, against neutral or not
_LINE_PHASES = {"L1", "L2", "L3", "L1-N", "L2-N", "L3-N"}


@dataclass(frozen=True, slots=True)
class StepSeries:
    """One line of steps. `detail` describes the whole series (a profile layer's name);
    `step_details`, when given, says per step what sets its limit (for the composite:
    the profile and stack level that limit there)."""

    label: str
    steps: tuple[Step, ...]
    detail: str = ""
    step_details: tuple[str, ...] = ()
    seq: int | None = None             # the record that taught it, for a click

    def limit_at(self, moment: float) -> float | None:
        return self.steps[i][2] if (i := self.step_index(moment)) is not None else None

    def step_index(self, moment: float) -> int | None:
        """The step that covers `moment`, if any."""
        for index, (start, end, _limit) in enumerate(self.steps):
            if start <= moment < end:
                return index
        return None

    def describe_at(self, moment: float, unit: str) -> str:
        """What limits at `moment`, in a sentence for a tooltip."""
        index = self.step_index(moment)
        if index is None:
            return f"{self.label}: nothing scheduled at {clock(moment)}"
        start, end, limit = self.steps[index]
        why = self.step_details[index] if index < len(self.step_details) else self.detail
        value = "no limit" if limit is None else format_value(limit, unit)
        text = f"{self.label}: {value} from {clock(start)} to {clock(end)}"
        return f"{text}\nset by {why}" if why else text


@dataclass(frozen=True, slots=True)
class ScheduleChart:
    """Everything drawn for one EVSE (0: the station as a whole) on one time axis."""

    station: str
    evse_id: int
    unit: str                          # "A" or "W", the schedule's chargingRateUnit
    start: float
    end: float
    layers: tuple[StepSeries, ...] = ()
    computed: StepSeries | None = None
    reported: tuple[StepSeries, ...] = ()
    measured: tuple[tuple[float, float], ...] = ()
    rejected: tuple[RejectedProfile, ...] = ()
    notes: tuple[str, ...] = ()        # what could not be drawn, in sentences

    @property
    def empty(self) -> bool:
        return not (self.layers or self.computed or self.reported or self.measured)


@dataclass(frozen=True, slots=True)
class Tolerance:
    """How far a value may stray before it is a mismatch: the larger of a share of the
    limit and an absolute amount in the schedule's unit (meters and stations round)."""

    fraction: float = 0.05
    absolute: float = 0.5

    @classmethod
    def for_unit(cls, unit: str) -> Tolerance:
        return cls(0.05, 100.0) if unit == "W" else cls(0.05, 0.5)

    def allowance(self, limit: float) -> float:
        return max(abs(limit) * self.fraction, self.absolute)


@dataclass(frozen=True, slots=True)
class Mismatch:
    """A time range where the reported schedule or the measured value disagrees with the
    computed composite schedule. `found` is the reported limit or the highest measured
    value; `expected` the computed limit (None where nothing limits)."""

    kind: str                          # "reported" or "measured"
    start: float
    end: float
    found: float
    expected: float | None
    source: str = ""                   # the reported series' label

    def describe(self, unit: str) -> str:
        when = f"{clock(self.start)}–{clock(self.end)}"
        if clock(self.start) == clock(self.end) and self.start != self.end:
            # within one second: to the millisecond, or the range reads as one moment
            when = f"{clock(self.start, exact=True)}–{clock(self.end, exact=True)}"
        found = format_value(self.found, unit)
        limit = "no" if self.expected is None else format_value(self.expected, unit)
        # (a reported mismatch always has a computed limit; a measured one may have none)
        if self.kind == "measured":
            return f"{when} measured {found} over the {limit} limit"
        return f"{when} reported {found} where the computed limit is {limit}"


# --- formatting --------------------------------------------------------------------------

def clock(moment: float, exact: bool = False) -> str:
    """Local time HH:MM:SS, or HH:MM:SS.mmm when `exact` (a date far outside the range of
    clocks reads '--:--:--')."""
    try:
        when = datetime.fromtimestamp(moment)
    except (OverflowError, OSError, ValueError):
        return "--:--:--"
    return when.strftime("%H:%M:%S.%f")[:-3] if exact else when.strftime("%H:%M:%S")


def format_value(value: float, unit: str) -> str:
    """A limit or reading as read at a glance: amps with one decimal, watts as kW."""
    if unit == "W":
        return f"{value / 1000:.1f} kW"
    return f"{value:.1f} {unit}".rstrip()


# short names of the purposes, to keep a chart's legend readable
SHORT_PURPOSES = {"ChargingStationMaxProfile": "StationMax", "TxDefaultProfile": "TxDefault",
                  "TxProfile": "TxProfile", "ChargingStationExternalConstraints": "External"}


def short_purpose(purpose: Any) -> str:
    text = "" if purpose is None else str(purpose)
    return SHORT_PURPOSES.get(text, text) or "Profile"


def layer_label(profile: InstalledProfile) -> str:
    """"TxProfile #12 · stack 2", the legend of a profile's layer."""
    return f"{short_purpose(profile.purpose)} #{profile.profile_id} · stack {profile.stack_level}"


# --- building a chart --------------------------------------------------------------------

class PeriodLike(Protocol):
    start: float
    end: float
    limit: float | None
    profile_id: Any
    stack_level: int | None
    purpose: str | None


class CompositeLike(Protocol):
    start: float
    duration: int
    unit: str
    periods: list[Any]


class LayerLike(Protocol):
    profile: InstalledProfile
    periods: list[Any]


def period_detail(period: PeriodLike) -> str:
    """Which profile limits in a period of the composite schedule."""
    profile_id = getattr(period, "profile_id", None)
    if profile_id is None:
        return ""
    stack = getattr(period, "stack_level", None)
    return f"{short_purpose(getattr(period, 'purpose', None))} #{profile_id} · stack {stack}"


def series_from_periods(label: str, periods: Iterable[PeriodLike], *, detail: str = "",
                        seq: int | None = None, per_step_detail: bool = False) -> StepSeries:
    """A step series from the computation's periods (sorted, finite ones only)."""
    steps: list[Step] = []
    details: list[str] = []
    for period in sorted(periods, key=lambda p: p.start):
        limit = period.limit
        if limit is not None and not math.isfinite(limit):
            limit = None
        steps.append((period.start, period.end, limit))
        details.append(period_detail(period))
    return StepSeries(label, tuple(steps), detail,
                      tuple(details) if per_step_detail else (), seq)


def parse_time(text: Any) -> float | None:
    """An RFC 3339 date-time from a peer as epoch seconds, or None when it is not one."""
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text.strip().replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None                    # no offset: which clock is meant is unknown
    return moment.timestamp()


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def reported_series(reported: ReportedSchedule) -> tuple[StepSeries | None, str]:
    """The steps of a reported composite schedule and its unit; (None, sentence) when the
    answer's schedule cannot be read."""
    schedule = reported.schedule if isinstance(reported.schedule, dict) else {}
    start = parse_time(schedule.get("scheduleStart"))
    duration = _number(schedule.get("duration"))
    unit = schedule.get("chargingRateUnit")
    periods = schedule.get("chargingSchedulePeriod")
    if start is None or duration is None or not isinstance(periods, list):
        return None, (f"The schedule reported at {clock(reported.time)} has no readable "
                      "scheduleStart, duration or periods.")
    offsets = []
    for period in periods:
        offset = _number(period.get("startPeriod")) if isinstance(period, dict) else None
        limit = _number(period.get("limit")) if isinstance(period, dict) else None
        if offset is not None and offset < duration:
            offsets.append((offset, limit))
    offsets.sort(key=lambda pair: pair[0])
    steps: list[Step] = []
    for index, (offset, limit) in enumerate(offsets):
        end = offsets[index + 1][0] if index + 1 < len(offsets) else duration
        if end > offset:
            steps.append((start + offset, start + end, limit))
    label = f"Reported {clock(reported.time)}"
    return StepSeries(label, tuple(steps), f"GetCompositeSchedule answer #{reported.seq}",
                      seq=reported.seq), str(unit or "")


def measured_series(source: TransactionState | Iterable[MeterSample], unit: str,
                    options: ScheduleOptions | None = None) -> list[tuple[float, float]]:
    """The measured values to draw beside a schedule in `unit`, sorted by time.

    A W schedule takes Power.Active.Import in W (a total where the station sent one, else
    the sum of its phases); an A schedule takes the highest Current.Import of the phases
    at each time, since a limit in A holds per phase. Given `options`, an A schedule of a
    station that sends power but no current gets the current per phase that power means
    (W / (voltage x phases)): many stations only report power."""
    samples = list(source.meter if isinstance(source, TransactionState) else source)
    values = _measured(samples, unit)
    if not values and unit == "A" and options is not None:
        factor = options.voltage * options.phases
        if factor > 0:
            values = [(t, watts / factor) for t, watts in _measured(samples, "W")]
    return values


def _measured(samples: list[MeterSample], unit: str) -> list[tuple[float, float]]:
    measurand = POWER if unit == "W" else CURRENT
    totals: dict[float, float] = {}
    phases: dict[float, dict[str, float]] = {}
    for sample in samples:
        if sample.measurand != measurand:
            continue
        value = _number(sample.value)
        if value is None:
            continue
        if unit == "W" and str(sample.unit or "").lower() == "kw":
            value *= 1000
        if sample.phase is None or sample.phase not in _LINE_PHASES:
            if sample.phase is None:
                totals[sample.time] = value
            continue
        phases.setdefault(sample.time, {})[sample.phase] = value
    values: dict[float, float] = {}
    for moment, by_phase in phases.items():
        values[moment] = sum(by_phase.values()) if unit == "W" else max(by_phase.values())
    if unit == "W":
        values.update(totals)          # a total the station sent beats our sum
    else:
        for moment, value in totals.items():
            values.setdefault(moment, value)
    return sorted(values.items())


def build_chart(station: StationState, evse_id: int, *,
                composite: CompositeLike | None = None,
                layers: Sequence[LayerLike] = (), unit: str | None = None,
                options: ScheduleOptions | None = None) -> ScheduleChart:
    """A chart of one EVSE from the station's state and, when computed, its composite
    schedule and profile layers. Reported schedules in another unit are left out with a
    note; the time axis spans the computed schedule, or else what there is to draw. With
    `options`, measured power stands for current in an A chart when no current was sent
    (said in a note)."""
    chart_unit = unit or (composite.unit if composite is not None else None)
    reported: list[StepSeries] = []
    notes: list[str] = []
    for answer in station.reported_schedules:
        if answer.evse_id != evse_id:
            continue
        series, reported_unit = reported_series(answer)
        if series is None:
            notes.append(reported_unit)
            continue
        chart_unit = chart_unit or reported_unit or None
        if reported_unit and reported_unit != chart_unit:
            notes.append(f"The schedule reported at {clock(answer.time)} is in "
                         f"{reported_unit}, not {chart_unit}: not drawn.")
            continue
        reported.append(series)
    chart_unit = chart_unit or _profiles_unit(station.profiles, evse_id) or "A"
    computed = None
    if composite is not None:
        computed = series_from_periods("Computed composite", composite.periods,
                                       per_step_detail=True)
    layer_series = tuple(series_from_periods(layer_label(layer.profile), layer.periods,
                                             detail=layer_label(layer.profile),
                                             seq=layer.profile.seq) for layer in layers)
    measured: list[tuple[float, float]] = []
    derived = False
    for transaction in station.transactions.values():
        if transaction.evse_id == evse_id:
            own = measured_series(transaction, chart_unit)
            if not own and options is not None:
                own = measured_series(transaction, chart_unit, options)
                derived = derived or bool(own)
            measured.extend(own)
    measured.sort()
    if derived and options is not None:
        notes.append(f"Measured current is derived from power at {options.voltage:g} V "
                     f"and {options.phases} phases: the station sent no current.")
    if composite is not None:
        start, end = composite.start, composite.start + composite.duration
        measured = [(t, v) for t, v in measured if start <= t <= end]
    else:
        moments = [t for series in reported for step in series.steps for t in step[:2]]
        moments += [t for t, _ in measured]
        start, end = (min(moments), max(moments)) if moments else (0.0, 0.0)
    rejected = tuple(r for r in station.rejected_profiles if r.evse_id == evse_id)
    return ScheduleChart(station.station, evse_id, chart_unit, start, end, layer_series,
                         computed, tuple(reported), tuple(measured), rejected, tuple(notes))


def _profiles_unit(profiles: Iterable[InstalledProfile], evse_id: int) -> str | None:
    """The rate unit of the first schedule of a profile on the EVSE (or the station)."""
    for installed in profiles:
        if installed.evse_id not in (evse_id, 0):
            continue
        schedules = installed.profile.get("chargingSchedule")
        first = schedules[0] if isinstance(schedules, list) and schedules else None
        if isinstance(first, dict) and first.get("chargingRateUnit") in ("A", "W"):
            return str(first["chargingRateUnit"])
    return None


# --- comparing -------------------------------------------------------------------------

def step_points(steps: Sequence[Step]) -> list[list[tuple[float, float]]]:
    """The points of a step line, doubled at each step (the line goes flat, then
    straight up or down), in runs broken where nothing limits or the steps leave a gap."""
    runs: list[list[tuple[float, float]]] = []
    previous_end: float | None = None
    for start, end, limit in steps:
        if limit is None or end <= start:
            previous_end = None
            continue
        if previous_end is None or start != previous_end:
            runs.append([])
        runs[-1] += [(start, limit), (end, limit)]
        previous_end = end
    return runs


SCHEDULE_RESOLUTION = 1.0   # seconds: startPeriod and duration are whole seconds


def mismatches(computed: StepSeries | None, reported: Sequence[StepSeries],
               measured: Sequence[tuple[float, float]],
               tolerance: Tolerance) -> list[Mismatch]:
    """Where each reported schedule differs from the computed one, and where a measured
    value exceeds the computed limit, by more than `tolerance`; sorted by start."""
    if computed is None:
        return []
    found = [m for series in reported for m in _reported_mismatches(computed, series,
                                                                     tolerance)]
    found += _measured_mismatches(computed, measured, tolerance)
    return sorted(found, key=lambda m: (m.start, m.kind))


def _reported_mismatches(computed: StepSeries, reported: StepSeries,
                         tolerance: Tolerance) -> list[Mismatch]:
    cuts = sorted({t for step in (*computed.steps, *reported.steps) for t in step[:2]})
    found: list[Mismatch] = []
    for start, end in itertools.pairwise(cuts):
        told = reported.limit_at(start)
        if told is None or reported.step_index(start) is None:
            continue
        expected = computed.limit_at(start)
        # Where nothing is computed (no profile applies any more) a report made earlier
        # cannot be held to it: the station answered for the profiles it had then.
        if expected is None or abs(told - expected) <= tolerance.allowance(expected):
            continue
        last = found[-1] if found else None
        if last and last.end == start and last.found == told and last.expected == expected:
            found[-1] = Mismatch("reported", last.start, end, told, expected, reported.label)
        else:
            found.append(Mismatch("reported", start, end, told, expected, reported.label))
    # schedules step in whole seconds: a sliver shorter than that is two clocks' rounding
    return [m for m in found if m.end - m.start >= SCHEDULE_RESOLUTION]


def _measured_mismatches(computed: StepSeries, measured: Sequence[tuple[float, float]],
                         tolerance: Tolerance) -> list[Mismatch]:
    """Runs of samples over their limit; a run lasts until the next sample (the value
    held until then), or ends at its last sample when none follows."""
    found: list[Mismatch] = []
    open_run: list[Any] | None = None  # [start, last, peak, limit]
    points = sorted(measured)
    for moment, value in points:
        limit = computed.limit_at(moment)
        over = limit is not None and value > limit + tolerance.allowance(limit)
        if open_run is not None and (not over or limit != open_run[3]):
            found.append(Mismatch("measured", open_run[0], moment, open_run[2], open_run[3]))
            open_run = None
        if over:
            if open_run is None:
                open_run = [moment, moment, value, limit]
            else:
                open_run[1], open_run[2] = moment, max(open_run[2], value)
    if open_run is not None:
        found.append(Mismatch("measured", open_run[0], open_run[1], open_run[2], open_run[3]))
    return found
