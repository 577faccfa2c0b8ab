"""The figures a field engineer reads off a transaction: energy, power, current, SoC.

Meter samples keep the unit the station sent; these helpers pick the latest sample of a
measurand and bring it to the unit a person expects (kWh, kW, A, %). A unit we cannot
convert gives None rather than a wrong figure: a view then shows nothing for it.
"""

from __future__ import annotations

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
    factor = factors.get((sample.unit or "").strip().lower())
    return None if factor is None else sample.value * factor


def energy_kwh(transaction: TransactionState) -> float | None:
    """The energy this transaction delivered: the register's newest reading less its first
    one (the register counts the meter's whole life on most stations)."""
    register = [s for s in transaction.meter if s.measurand == ENERGY and not s.phase]
    if not register:
        return None
    first = min(register, key=lambda s: (s.time, s.seq))
    last = latest(register, ENERGY)
    start, end = _scaled(first, _TO_KWH), _scaled(last, _TO_KWH)
    if start is None or end is None:
        return None
    return max(end - start, 0.0)


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


def currents_a(transaction: TransactionState) -> list[float]:
    """The newest current per phase (or the one total), in A."""
    values = [_scaled(s, _TO_A) for s in latest_phases(transaction.meter, CURRENT)]
    return [v for v in values if v is not None]


def soc_percent(transaction: TransactionState) -> float | None:
    """The vehicle's newest state of charge, in %."""
    return _scaled(latest(transaction.meter, SOC), _TO_PERCENT)
