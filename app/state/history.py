"""Keeping a station's lists within its `HistoryLimit`, where it has one.

Every list or table of `app.state.model` that grows with frames goes through these, so that
a state without a limit keeps everything (what a window reads) and one with a limit keeps
its newest entries (what a headless run can afford for weeks). Running transactions and
open connections are never forgotten: the rules and the current values need them.
"""

from __future__ import annotations

from collections.abc import MutableSequence
from typing import TypeVar

from app.state.model import StationState

T = TypeVar("T")
K = TypeVar("K")


def keep_last(items: MutableSequence[T], bound: int | None) -> None:
    """Drop the oldest entries of `items` beyond `bound` (None: no bound)."""
    if bound is not None and len(items) > bound:
        del items[:len(items) - bound]


def remember(station: StationState, items: MutableSequence[T], item: T) -> None:
    """Append `item` to one of the station's lists, keeping it within the limit."""
    items.append(item)
    if station.limit is not None:
        keep_last(items, station.limit.entries)


def after_append(station: StationState, items: MutableSequence[T]) -> None:
    """Keep `items` within the limit after an append made without `remember` (a log's own
    `add`, which builds no entry object)."""
    if station.limit is not None:
        keep_last(items, station.limit.entries)


def keep_newest_keys(station: StationState, table: dict[K, T]) -> None:
    """Drop a table's oldest entries (by insertion) beyond the limit: reservations,
    device model reports."""
    if station.limit is None:
        return
    while len(table) > station.limit.entries:
        del table[next(iter(table))]


def forget_ended_transactions(station: StationState) -> None:
    """Keep the running transactions and only the newest ended ones."""
    if station.limit is None:
        return
    ended = [key for key, tx in station.transactions.items() if tx.ended is not None]
    for key in ended[:max(len(ended) - station.limit.ended_transactions, 0)]:
        del station.transactions[key]


def forget_closed_connections(station: StationState) -> None:
    """Keep the open connections and only the newest closed ones."""
    if station.limit is None:
        return
    excess = len(station.connections) - station.limit.entries
    if excess <= 0:
        return
    closed = [c for c in station.connections if c.closed is not None][:excess]
    gone = {id(c) for c in closed}
    station.connections = [c for c in station.connections if id(c) not in gone]
