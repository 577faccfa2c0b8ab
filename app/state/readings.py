"""The figures a field engineer reads off a transaction: energy, power, current, SoC.

The one place these are computed: the `state` command, the Station view's cards and the
Transactions view all read them here, so the same transaction shows the same figures
everywhere. Meter samples keep the unit the station sent (their multiplier already
applied); these helpers pick the samples that count and bring them to the unit a person
expects (Wh or kWh, kW, A, %). A unit we cannot convert, or a value that is not a finite
number, gives no figure rather than a wrong one: a view then shows nothing for it.

- energy delivered: the Energy.Active.Import.Register's last reading minus its first (of
  the whole meter, not a phase), by the readings' own time; None with fewer than two;
- power: the total at the newest sample time, else the sum of the phases at that time;
  peak power the highest such value over the transaction.
"""

from __future__ import annotations

import math

from app.state.model import DEFAULT_MEASURAND, MeterSample, TransactionState

ENERGY = DEFAULT_MEASURAND
POWER = "Power.Active.Import"
CURRENT = "Current.Import"
SOC = "SoC"

# Factors to the shown unit, by the unit the station sent. An empty unit is the
# specification's default for that measurand (Wh for energy, W for power).
_TO_KWH = {"": 0.001, "wh": 0.001, "kwh": 1.0}
_TO_KW = {"": 0.001, "w": 0.001, "kw": 1.0}
_TO_A = {"": 1.0, "a": 1.0}
_TO_PERCENT = {"": 1.0, "percent": 1.0, "%": 1.0}
# phases whose power adds up to the total (to neutral, or unnamed line phases)
_LINE_PHASES = ("L1", "L2", "L3", "L1-N", "L2-N", "L3-N")


def latest(meter: list[MeterSample], measurand: str) -> MeterSample | None:
    """The newest sample of `measurand` (by its timestamp, then by record), any phase."""
    best: MeterSample | None = None
    for sample in meter:
        if sample.measurand == measurand and (
                best is None or (sample.time, sample.seq) >= (best.time, best.seq)):
            best = sample
    return best


def latest_phases(meter: list[MeterSample], measurand: str) -> list[MeterSample]:
    """The samples of `measurand` taken at its newest time, one per phase (a total without
    a phase is preferred when the station sent one)."""
    newest = latest(meter, measurand)
    if newest is None:
        return []
    same_time = [s for s in meter if s.measurand == measurand and s.time == newest.time]
    totals = [s for s in same_time if not s.phase]
    if totals:
        return [max(totals, key=lambda s: s.seq)]
    by_phase: dict[str, MeterSample] = {}
    for sample in same_time:
        by_phase[str(sample.phase)] = sample
    return [by_phase[phase] for phase in sorted(by_phase)]


def _scaled(sample: MeterSample | None, factors: dict[str, float]) -> float | None:
    if sample is None:
        return None
    factor = factors.get(str(sample.unit or "").strip().lower())
    value = sample.value
    if factor is None or isinstance(value, bool) or not isinstance(value, int | float) \
            or not math.isfinite(value):
        return None
    return value * factor


def _finite_time(sample: MeterSample) -> bool:
    time = sample.time
    return isinstance(time, int | float) and not isinstance(time, bool) and math.isfinite(time)


def energy_kwh(transaction: TransactionState) -> float | None:
    """The energy this transaction delivered, in kWh: the register's last reading less its
    first one (the register counts the meter's whole life on most stations). Readings in
    a unit that is not energy, or not numbers, are left out; None with fewer than two."""
    readings = sorted((s.time, s.seq, value) for s in transaction.meter
                      if s.measurand == ENERGY and not s.phase and _finite_time(s)
                      and (value := _scaled(s, _TO_KWH)) is not None)
    if len(readings) < 2:
        return None
    return readings[-1][2] - readings[0][2]


def energy_wh(transaction: TransactionState) -> float | None:
    """`energy_kwh` in Wh, as the `state` command prints it."""
    kwh = energy_kwh(transaction)
    return None if kwh is None else round(kwh * 1000, 6)


def register_kwh(transaction: TransactionState) -> float | None:
    """The meter register's newest reading, in kWh."""
    register = [s for s in transaction.meter if s.measurand == ENERGY and not s.phase]
    return _scaled(latest(register, ENERGY), _TO_KWH)


def power_kw(transaction: TransactionState) -> float | None:
    """The newest active power drawn, in kW (phases summed when sent per phase)."""
    phases = latest_phases(transaction.meter, POWER)
    values = [_scaled(s, _TO_KW) for s in phases]
    if not values or any(v is None for v in values):
        return None
    return sum(v for v in values if v is not None)


def peak_power_kw(transaction: TransactionState) -> float | None:
    """The highest active import power, in kW: of the whole-meter samples, or, when a
    station only reports per phase, of the phases summed at each sampling time."""
    totals: list[float] = []
    by_time: dict[float, float] = {}
    for sample in transaction.meter:
        if sample.measurand != POWER:
            continue
        value = _scaled(sample, _TO_KW)
        if value is None:
            continue
        if not sample.phase:
            totals.append(value)
        elif sample.phase in _LINE_PHASES:
            by_time[sample.time] = by_time.get(sample.time, 0.0) + value
    candidates = totals or list(by_time.values())
    return max(candidates) if candidates else None


def currents_a(transaction: TransactionState) -> list[float]:
    """The newest current per phase (or the one total), in A."""
    values = [_scaled(s, _TO_A) for s in latest_phases(transaction.meter, CURRENT)]
    return [v for v in values if v is not None]


def soc_percent(transaction: TransactionState) -> float | None:
    """The vehicle's newest state of charge, in %."""
    return _scaled(latest(transaction.meter, SOC), _TO_PERCENT)
