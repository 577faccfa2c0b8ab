"""Meter values as series to plot: one per measurand and phase, in kWh, kW, A, V or %,
whatever the station sampled in; samples that fit no unit are left out."""

import math

from app.state.meter_series import CURRENT, ENERGY, POWER, SOC, meter_series
from app.state.model import MeterSample, TransactionState


def sample(time, measurand, value, unit="", phase=None):
    return MeterSample(time, 0, measurand, value, unit, phase=phase)


def test_one_series_per_measurand_and_phase_in_quantity_order():
    transaction = TransactionState("A", "CP1", meter=[
        sample(0, "SoC", 20.0, "Percent"),
        sample(0, "Current.Import", 16.0, "A", "L2"),
        sample(0, "Current.Import", 16.1, "A", "L1"),
        sample(0, "Power.Active.Import", 11000.0, "W"),
        sample(0, "Energy.Active.Import.Register", 100.0, "Wh"),
        sample(0, "Frequency", 50.0),                       # not plotted
    ])
    series = meter_series(transaction)
    assert [(s.measurand, s.phase) for s in series] == [
        ("Energy.Active.Import.Register", None), ("Power.Active.Import", None),
        ("Current.Import", "L1"), ("Current.Import", "L2"), ("SoC", None)]
    assert [s.quantity for s in series] == [ENERGY, POWER, CURRENT, CURRENT, SOC]
    assert [s.label for s in series] == ["Energy delivered", "Power", "Current L1",
                                         "Current L2", "SoC"]


def test_units_are_scaled_and_the_register_counts_from_the_first_reading():
    transaction = TransactionState("A", "CP1", meter=[
        sample(60, "Energy.Active.Import.Register", 18.5, "kWh"),
        sample(0, "Energy.Active.Import.Register", 18_000.0),   # no unit: Wh by default
        sample(0, "Power.Active.Import", 7.4, "kW"),
        sample(60, "Power.Active.Import", 7400.0, "W"),
    ])
    energy, power = meter_series(transaction)
    assert energy.points == [(0.0, 0.0), (60.0, 0.5)]
    assert power.points == [(0.0, 7.4), (60.0, 7.4)]
    assert ENERGY.title == "Energy (kWh)" and POWER.title == "Power (kW)"


def test_samples_in_a_wrong_unit_or_not_numbers_are_left_out():
    transaction = TransactionState("A", "CP1", meter=[
        sample(0, "Power.Active.Import", 100.0, "Wh"),
        sample(1, "Power.Active.Import", math.inf, "W"),
        sample(2, "Power.Active.Import", "12", "W"),
        sample(math.nan, "Power.Active.Import", 12.0, "W"),
        sample(3, "Power.Active.Import", 12.0, "W"),
    ])
    (power,) = meter_series(transaction)
    assert power.points == [(3.0, 0.012)]
    assert meter_series(TransactionState("B", "CP1")) == []
