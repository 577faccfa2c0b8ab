"""Transactions read from a session state: which one a record belongs to, and the figures
of one (energy delivered, peak power, duration), whatever odd samples a station sent."""

import math

from app.state.model import MeterSample, SessionState, StationState, TransactionState
from app.state.transaction_summary import (
    all_transactions,
    clock_text,
    duration_seconds,
    energy_kwh,
    peak_power_kw,
    short_id,
    summarise,
    transaction_of,
)


def state_with(*transactions):
    state = SessionState()
    for transaction in transactions:
        station = state.stations.setdefault(transaction.station,
                                            StationState(station=transaction.station))
        station.transactions[transaction.transaction_id] = transaction
    return state


def energy(time, value, unit="Wh", phase=None):
    return MeterSample(time, 0, "Energy.Active.Import.Register", value, unit, phase=phase)


def power(time, value, unit="W", phase=None):
    return MeterSample(time, 0, "Power.Active.Import", value, unit, phase=phase)


def test_a_record_belongs_to_the_transaction_that_lists_it():
    first = TransactionState("A", "CP1", record_seqs=[3, 4, 9, 10])
    second = TransactionState("B", "CP2", record_seqs=[5, 6])
    state = state_with(first, second)
    assert transaction_of(state, 9) is first
    assert transaction_of(state, 6) is second
    assert transaction_of(state, 7) is None
    assert transaction_of(SessionState(), 1) is None


def test_a_record_list_out_of_order_still_finds_its_transaction():
    state = state_with(TransactionState("A", "CP1", record_seqs=[9, 3, 12]))
    assert transaction_of(state, 3).transaction_id == "A"


def test_transactions_of_one_station_or_all():
    state = state_with(TransactionState("A", "CP1"), TransactionState("B", "CP2"),
                       TransactionState("C", "CP1"))
    assert [t.transaction_id for t in all_transactions(state)] == ["A", "C", "B"]
    assert [t.transaction_id for t in all_transactions(state, "CP2")] == ["B"]


def test_energy_is_the_register_rise_in_kwh_whatever_the_unit_and_order():
    transaction = TransactionState("A", "CP1", meter=[
        energy(120, 1_002_500.0), energy(0, 1_000_000.0), energy(60, 1001.2, "kWh"),
        energy(60, 400.0, phase="L1"),        # one phase's register: not the whole meter
        energy(90, math.nan), energy(100, 5.0, "varh")])
    assert energy_kwh(transaction) == 2.5


def test_energy_needs_two_readings():
    assert energy_kwh(TransactionState("A", "CP1", meter=[energy(0, 10.0)])) is None
    assert energy_kwh(TransactionState("A", "CP1")) is None


def test_peak_power_in_kw_from_the_total_or_from_phases_summed():
    total = TransactionState("A", "CP1", meter=[power(0, 7000.0), power(60, 11.5, "kW"),
                                                power(90, 99.0, "Wh")])   # wrong unit: left out
    assert peak_power_kw(total) == 11.5
    phases = TransactionState("B", "CP1", meter=[
        power(0, 3000.0, phase="L1"), power(0, 3000.0, phase="L2"),
        power(60, 3500.0, phase="L1"), power(60, 3600.0, phase="L2")])
    assert math.isclose(peak_power_kw(phases), 7.1)
    assert peak_power_kw(TransactionState("C", "CP1")) is None


def test_a_running_transaction_lasts_until_now_and_odd_times_give_no_duration():
    assert duration_seconds(TransactionState("A", "CP1", started=100.0), now=160.0) == 60.0
    assert duration_seconds(TransactionState("A", "CP1", started=100.0, ended=2500.0),
                            now=160.0) == 2400.0
    assert duration_seconds(TransactionState("A", "CP1", started=100.0, ended=50.0), 0) is None
    assert duration_seconds(TransactionState("A", "CP1"), now=160.0) is None
    assert clock_text(2400.0) == "0:40:00" and clock_text(3725.9) == "1:02:05"


def test_a_summary_carries_the_row_of_the_list():
    transaction = TransactionState("1a2b3c4d-5e6f", "CP1", evse_id=1, connector_id=2,
                                   started=0.0, missing_seq_nos=[4], record_seqs=[7, 8],
                                   meter=[energy(0, 0.0), energy(60, 500.0)])
    summary = summarise(transaction, now=90.0)
    assert summary.running and summary.duration == 90.0 and summary.energy_kwh == 0.5
    assert summary.missing_seq_nos == (4,) and summary.first_seq == 7
    assert short_id(summary.transaction_id) == "1a2b3c4d…" and short_id("TX-7") == "TX-7"
