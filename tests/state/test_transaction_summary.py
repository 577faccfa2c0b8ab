"""Transactions read from a session state: which one a record belongs to, and the row of
one (duration, and the figures `app.state.readings` computes), whatever a station sent."""

from app.state.model import MeterSample, SessionState, StationState, TransactionState
from app.state.transaction_summary import (
    all_transactions,
    clock_text,
    duration_seconds,
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
    assert short_id(summary.transaction_id) == "1a2b3c4d-5e6f" and short_id("TX-7") == "TX-7"


def test_a_short_id_keeps_what_tells_transactions_apart():
    # a station's own numbering differs in its end: shown whole up to 20 characters
    assert short_id("CP-0018-TX-000001") == "CP-0018-TX-000001"
    assert short_id("TX-EA5B3118") == "TX-EA5B3118"
    # a UUID keeps its first 8 characters and its last 4
    assert short_id("1a2b3c4d-5e6f-4a0b-9c1d-2e3f4a5b6c7d") == "1a2b3c4d…6c7d"
