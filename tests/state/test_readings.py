"""A transaction's figures come out in the units a person reads: energy delivered in kWh
from the register's first and newest readings, power in kW summed over phases, current
per phase, SoC in %; a unit that cannot be converted gives no figure instead of a wrong one."""

import pytest

from app.state.model import MeterSample, TransactionState
from app.state.readings import (
    currents_a,
    energy_kwh,
    latest,
    power_kw,
    register_kwh,
    soc_percent,
)


def sample(time, measurand, value, unit="", phase=None, seq=None):
    return MeterSample(time=time, seq=seq if seq is not None else int(time), measurand=measurand,
                       value=value, unit=unit, phase=phase)


def transaction(*samples):
    return TransactionState("tx1", "CP1", meter=list(samples))


def test_energy_delivered_is_the_register_growth_in_kwh():
    tx = transaction(sample(10, "Energy.Active.Import.Register", 120_000.0, "Wh"),
                     sample(20, "Energy.Active.Import.Register", 132_340.0, "Wh"))
    assert energy_kwh(tx) == pytest.approx(12.34)
    assert register_kwh(tx) == pytest.approx(132.34)


def test_an_energy_sample_without_unit_is_in_wh():
    tx = transaction(sample(10, "Energy.Active.Import.Register", 500.0))
    assert energy_kwh(tx) == 0.0 and register_kwh(tx) == 0.5


def test_power_per_phase_is_summed_in_kw():
    tx = transaction(sample(10, "Power.Active.Import", 1000.0, "W", "L1"),
                     sample(20, "Power.Active.Import", 2400.0, "W", "L1"),
                     sample(20, "Power.Active.Import", 2500.0, "W", "L2"),
                     sample(20, "Power.Active.Import", 2500.0, "W", "L3"))
    assert power_kw(tx) == pytest.approx(7.4)


def test_currents_are_listed_per_phase_of_the_newest_reading():
    tx = transaction(sample(20, "Current.Import", 16.0, "A", "L2"),
                     sample(20, "Current.Import", 15.5, "A", "L1"),
                     sample(10, "Current.Import", 3.0, "A", "L3"))
    assert currents_a(tx) == [15.5, 16.0]


def test_soc_is_the_newest_percentage():
    tx = transaction(sample(10, "SoC", 40.0, "Percent"), sample(30, "SoC", 62.0, "Percent"))
    assert soc_percent(tx) == 62.0


def test_an_unconvertible_unit_gives_no_figure():
    tx = transaction(sample(10, "Power.Active.Import", 3.0, "varh"),
                     sample(10, "Energy.Active.Import.Register", 1.0, "MJ"))
    assert power_kw(tx) is None and energy_kwh(tx) is None


def test_no_samples_give_no_figures():
    tx = transaction()
    assert (energy_kwh(tx), power_kw(tx), currents_a(tx), soc_percent(tx)) == (
        None, None, [], None)
    assert latest([], "SoC") is None
