"""Transactions read from a `SessionState`: which transaction a record belongs to, and the
row a list shows of one (energy delivered and peak power from `app.state.readings`, how
long, what is missing).

Pure functions over the state the tracker filled; nothing here parses a payload. Every figure
tolerates what a station may send: samples out of order, in Wh or kWh, non-numbers, a
transaction with no meter values at all (the figure is then None, never an exception).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

from app.state.model import SessionState, TransactionState
from app.state.readings import energy_kwh, peak_power_kw


def all_transactions(state: SessionState, station: str | None = None
                     ) -> Iterator[TransactionState]:
    """Every transaction of the session, or of one station, in the state's own order."""
    for station_state in state.stations.values():
        if station is None or station_state.station == station:
            yield from station_state.transactions.values()


def transaction_of(state: SessionState, seq: int) -> TransactionState | None:
    """The transaction whose frames (or their answers) include record `seq`, if any.

    A plain membership test, not a bisection: it stays right even if a list is out of
    record order, and one look-up per context menu costs far less than a frame."""
    for transaction in all_transactions(state):
        if seq in transaction.record_seqs:
            return transaction
    return None


WHOLE_ID = 20   # characters: an id up to this long is shown whole


def short_id(transaction_id: str) -> str:
    """A transaction id short enough for a chip or a menu. A station's own numbering
    ("CP-0018-TX-000001") differs from its neighbours in its end, so an id up to
    `WHOLE_ID` characters is shown whole; a longer one (a UUID) by its first 8 characters
    and its last 4."""
    if len(transaction_id) <= WHOLE_ID:
        return transaction_id
    return f"{transaction_id[:8]}…{transaction_id[-4:]}"


def duration_seconds(transaction: TransactionState, now: float) -> float | None:
    """From its start to its end, or to `now` (the state's latest time) while it runs."""
    if transaction.started is None or not _finite(transaction.started):
        return None
    end = transaction.ended if transaction.ended is not None else now
    if not _finite(end) or end < transaction.started:
        return None
    return end - transaction.started


def clock_text(seconds: float | None) -> str:
    """A duration as a field engineer reads it on a charger: H:MM:SS."""
    if seconds is None:
        return ""
    whole = int(seconds)
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def latest_time(state: SessionState, station: str) -> float:
    """The latest moment the state knows of a station: what a running transaction's
    duration runs to (the playback head's time, or the last frame's)."""
    station_state = state.stations.get(station)
    return station_state.last_seen if station_state is not None else 0.0


@dataclass(frozen=True, slots=True)
class TransactionSummary:
    """One row of the transactions list: every figure computed once per change."""

    station: str
    transaction_id: str
    evse_id: int | None
    connector_id: int | None
    id_token: str | None
    started: float | None
    ended: float | None
    duration: float | None
    energy_kwh: float | None
    peak_power_kw: float | None
    stopped_reason: str | None
    missing_seq_nos: tuple[int, ...]
    charging_state: str | None
    first_seq: int | None

    @property
    def running(self) -> bool:
        return self.ended is None


def summarise(transaction: TransactionState, now: float) -> TransactionSummary:
    charging = transaction.charging_states[-1].value if transaction.charging_states else None
    return TransactionSummary(
        station=transaction.station, transaction_id=transaction.transaction_id,
        evse_id=transaction.evse_id, connector_id=transaction.connector_id,
        id_token=transaction.id_token, started=transaction.started, ended=transaction.ended,
        duration=duration_seconds(transaction, now), energy_kwh=energy_kwh(transaction),
        peak_power_kw=peak_power_kw(transaction), stopped_reason=transaction.stopped_reason,
        missing_seq_nos=tuple(transaction.missing_seq_nos), charging_state=charging,
        first_seq=transaction.record_seqs[0] if transaction.record_seqs else None)


def change_mark(transaction: TransactionState, now: float) -> tuple[object, ...]:
    """What tells, cheaply, that a transaction's summary may differ from the last one: the
    tracker only appends to its lists, and a playback head moving back shortens them."""
    return (transaction.evse_id, transaction.connector_id, transaction.id_token,
            transaction.started, transaction.ended, transaction.stopped_reason,
            len(transaction.meter), len(transaction.seq_nos),
            len(transaction.missing_seq_nos), len(transaction.charging_states),
            len(transaction.trigger_reasons), len(transaction.record_seqs),
            now if transaction.ended is None else None)


def _finite(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) \
        and math.isfinite(value)
