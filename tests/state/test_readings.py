"""A transaction's figures come out in the units a person reads: energy delivered in kWh
(or Wh) from the register's first and last readings, power in kW summed over phases, its
peak, current per phase, SoC in %; a unit that cannot be converted gives no figure instead
of a wrong one."""

import math

import pytest

from app.commands.state import station_json
from app.state.model import MeterSample, StationState, TransactionState
from app.state.readings import (
    currents_a,
    energy_kwh,
    energy_wh,
    latest,
    peak_power_kw,
    power_kw,
    register_kwh,
    soc_percent,
)
from app.state.transaction_summary import summarise


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
    tx = transaction(sample(10, "Energy.Active.Import.Register", 500.0),
                     sample(20, "Energy.Active.Import.Register", 750.0))
    assert energy_kwh(tx) == 0.25 and register_kwh(tx) == 0.75
    assert energy_wh(tx) == 250.0


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


def energy(time, value, unit="Wh", phase=None):
    return MeterSample(time, 0, "Energy.Active.Import.Register", value, unit, phase=phase)


def power(time, value, unit="W", phase=None):
    return MeterSample(time, 0, "Power.Active.Import", value, unit, phase=phase)


def test_energy_is_the_register_rise_in_kwh_whatever_the_unit_and_order():
    transaction = TransactionState("A", "CP1", meter=[
        energy(120, 1_002_500.0), energy(0, 1_000_000.0), energy(60, 1001.2, "kWh"),
        energy(60, 400.0, phase="L1"),        # one phase's register: not the whole meter
        energy(90, math.nan), energy(100, 5.0, "varh")])
    assert energy_kwh(transaction) == 2.5


def test_energy_needs_two_readings():
    assert energy_kwh(TransactionState("A", "CP1", meter=[energy(0, 10.0)])) is None
    assert energy_kwh(TransactionState("A", "CP1")) is None
    assert energy_wh(TransactionState("A", "CP1", meter=[energy(0, 10.0)])) is None


def test_peak_power_in_kw_from_the_total_or_from_phases_summed():
    total = TransactionState("A", "CP1", meter=[power(0, 7000.0), power(60, 11.5, "kW"),
                                                power(90, 99.0, "Wh")])   # wrong unit: left out
    assert peak_power_kw(total) == 11.5
    phases = TransactionState("B", "CP1", meter=[
        power(0, 3000.0, phase="L1"), power(0, 3000.0, phase="L2"),
        power(60, 3500.0, phase="L1"), power(60, 3600.0, phase="L2")])
    assert math.isclose(peak_power_kw(phases), 7.1)
    assert peak_power_kw(TransactionState("C", "CP1")) is None


def test_every_reader_of_a_transaction_gets_the_same_figures():
    tx = TransactionState("A", "CP1", evse_id=1, meter=[
        energy(60, 1.2, "kWh"), energy(0, 1000.0), energy(120, 1500.0),
        power(120, 3.0, "kW", "L1"), power(120, 3100.0, "W", "L2"), power(60, 9.0, "kW")])
    station = StationState("CP1")
    station.transactions["A"] = tx
    summary = summarise(tx, now=120.0)
    assert summary.energy_kwh == energy_kwh(tx) == pytest.approx(0.5)
    assert station_json(station)["transactions"][0]["energy_wh"] == 500.0
    assert power_kw(tx) == pytest.approx(6.1) and summary.peak_power_kw == 9.0
    assert math.isclose(peak_power_kw(tx), 9.0)
