"""A transaction's meter values as series to plot: one per measurand and phase, each in the
unit a field engineer reads (kWh, kW, A, V, %), whatever unit the station sampled in.

Stations mix Wh and kWh, W and kW, or leave the unit out (2.0.1's default for the measurand
then applies). A sample whose unit does not fit its measurand (Wh on a power) or whose value
is not a finite number is left out of the plot rather than drawn at a wrong scale. Energy
registers are plotted as energy delivered since the transaction's first reading: a meter that
reads 45,231 kWh says nothing at a glance, 12.4 kWh since the start does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from app.state.model import MeterSample, TransactionState


@dataclass(frozen=True, slots=True)
class Quantity:
    """What an axis measures: one per unit family, one axis each in a chart."""

    name: str              # Energy, Power, Current, Voltage, SoC
    unit: str              # the unit values are converted to
    default_unit: str      # unitOfMeasure.unit when a sample names none
    scales: tuple[tuple[str, float], ...]   # accepted units and their factor to `unit`

    @property
    def title(self) -> str:
        return f"{self.name} ({self.unit})"

    def convert(self, sample: MeterSample) -> float | None:
        factor = dict(self.scales).get(sample.unit or self.default_unit)
        value = sample.value
        if factor is None or not isinstance(value, int | float) or isinstance(value, bool) \
                or not math.isfinite(value):
            return None
        return value * factor


ENERGY = Quantity("Energy", "kWh", "Wh", (("Wh", 0.001), ("kWh", 1.0)))
POWER = Quantity("Power", "kW", "W", (("W", 0.001), ("kW", 1.0)))
CURRENT = Quantity("Current", "A", "A", (("A", 1.0),))
VOLTAGE = Quantity("Voltage", "V", "V", (("V", 1.0),))
SOC = Quantity("SoC", "%", "Percent", (("Percent", 1.0),))
QUANTITIES = (ENERGY, POWER, CURRENT, SOC, VOLTAGE)

# measurands by prefix; what is not here (frequency, temperature, reactive power) is not
# plotted
_QUANTITY_OF = (("Energy.Active.", ENERGY), ("Power.Active.", POWER), ("Power.Offered", POWER),
                ("Current.", CURRENT), ("Voltage", VOLTAGE), ("SoC", SOC))
_NAMES = {"Energy.Active.Import.Register": "Energy", "Power.Active.Import": "Power",
          "Current.Import": "Current", "Voltage": "Voltage", "SoC": "SoC"}
_PHASE_ORDER = {None: 0, "L1": 1, "L2": 2, "L3": 3, "N": 4, "L1-N": 5, "L2-N": 6, "L3-N": 7,
                "L1-L2": 8, "L2-L3": 9, "L3-L1": 10}


def quantity_of(measurand: str) -> Quantity | None:
    for prefix, quantity in _QUANTITY_OF:
        if measurand.startswith(prefix):
            return quantity
    return None


@dataclass(slots=True)
class MeterSeries:
    measurand: str
    phase: str | None
    quantity: Quantity
    points: list[tuple[float, float]] = field(default_factory=list)  # (epoch s, value)

    @property
    def key(self) -> tuple[str, str | None]:
        return (self.measurand, self.phase)

    @property
    def label(self) -> str:
        name = _NAMES.get(self.measurand, self.measurand)
        if self.measurand.endswith(".Register") and self.quantity is ENERGY:
            name += " delivered" if name == "Energy" else " (since start)"
        return f"{name} {self.phase}" if self.phase else name


def meter_series(transaction: TransactionState) -> list[MeterSeries]:
    """Every plottable measurand and phase of a transaction, points in time order, series
    ordered by quantity (energy, power, current, SoC, voltage) then phase."""
    series: dict[tuple[str, str | None], MeterSeries] = {}
    for sample in transaction.meter:
        quantity = quantity_of(sample.measurand) if isinstance(sample.measurand, str) else None
        if quantity is None or not isinstance(sample.time, int | float) \
                or not math.isfinite(sample.time):
            continue
        value = quantity.convert(sample)
        if value is None:
            continue
        key = (sample.measurand, sample.phase)
        if key not in series:
            series[key] = MeterSeries(sample.measurand, sample.phase, quantity)
        series[key].points.append((float(sample.time), value))
    for one in series.values():
        one.points.sort(key=lambda point: point[0])
        if one.quantity is ENERGY and one.measurand.endswith(".Register"):
            first = one.points[0][1]
            one.points = [(time, value - first) for time, value in one.points]
    order = {quantity.name: index for index, quantity in enumerate(QUANTITIES)}
    return sorted(series.values(), key=lambda s: (
        order[s.quantity.name], s.measurand != _first_measurand(s.quantity), s.measurand,
        _PHASE_ORDER.get(s.phase, 99), s.phase or ""))


def _first_measurand(quantity: Quantity) -> str:
    """The measurand listed first within its quantity (the import one)."""
    return {"Energy": "Energy.Active.Import.Register", "Power": "Power.Active.Import",
            "Current": "Current.Import"}.get(quantity.name, quantity.name)
