"""Keeping a station's lists within its history limit, and everything without one."""

from app.state.history import (
    forget_closed_connections,
    forget_ended_transactions,
    keep_last,
    keep_newest_keys,
    remember,
)
from app.state.model import Connection, HistoryLimit, StationState, TransactionState

SMALL = HistoryLimit(entries=3, meter_samples=5, ended_transactions=2)


def test_keep_last_drops_the_oldest_entries_beyond_the_bound():
    items = list(range(10))
    keep_last(items, 4)
    assert items == [6, 7, 8, 9]
    keep_last(items, None)
    assert items == [6, 7, 8, 9]


def test_remember_keeps_everything_without_a_limit_and_the_newest_with_one():
    whole: list[int] = []
    limited: list[int] = []
    for number in range(100):
        remember(StationState("CP1"), whole, number)
        remember(StationState("CP1", limit=SMALL), limited, number)
    assert whole == list(range(100))
    assert limited == [97, 98, 99]


def test_newest_keys_of_a_table_are_kept_under_a_limit_only():
    whole = {number: str(number) for number in range(10)}
    limited = dict(whole)
    keep_newest_keys(StationState("CP1"), whole)
    keep_newest_keys(StationState("CP1", limit=SMALL), limited)
    assert list(whole) == list(range(10))
    assert list(limited) == [7, 8, 9]


def test_running_transactions_stay_and_only_the_newest_ended_ones_with_them():
    station = StationState("CP1", limit=SMALL)
    station.transactions["running"] = TransactionState("running", "CP1")
    for number in range(6):
        station.transactions[f"T{number}"] = TransactionState(f"T{number}", "CP1",
                                                              ended=float(number))
    forget_ended_transactions(station)
    assert list(station.transactions) == ["running", "T4", "T5"]


def test_ended_transactions_are_all_kept_without_a_limit():
    station = StationState("CP1")
    for number in range(20):
        station.transactions[f"T{number}"] = TransactionState(f"T{number}", "CP1", ended=1.0)
    forget_ended_transactions(station)
    assert len(station.transactions) == 20


def test_open_connections_stay_and_only_the_newest_closed_ones_with_them():
    station = StationState("CP1", limit=SMALL)
    station.connections = [Connection("open-1", 0.0, 1)] + [
        Connection(f"c{number}", 0.0, number, closed=1.0) for number in range(5)] + [
        Connection("open-2", 0.0, 9)]
    forget_closed_connections(station)
    assert [c.connection for c in station.connections] == ["open-1", "c4", "open-2"]
    assert station.connected


def test_meter_samples_and_changes_cross_processes_by_their_fields():
    import pickle

    from app.state.model import Change, MeterSample

    sample = MeterSample(1.5, 7, "Voltage", 230.1, "V", "L1-N", None, "Outlet")
    change = Change(2.5, 8, "Charging", "TransactionEvent")
    assert pickle.loads(pickle.dumps([sample, change])) == [sample, change]
    assert MeterSample.__reduce__(sample)[1][2] == "Voltage"
