"""Transactions: their events, seqNo continuity, meter series and the records that belong
to them.

A transaction is followed from its TransactionEvents (Started, Updated, Ended); MeterValues
of its EVSE while it runs add to its meter series; CSMS CALLs that name its transactionId
(RequestStopTransaction, GetTransactionStatus, CostUpdated, a TxProfile) and the answers to
all of these are listed in its `record_seqs`, so a view can show its frames alone.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from typing import Any

from app.state import profiles
from app.state.evses import evse_of, plugged_in
from app.state.history import after_append, forget_ended_transactions, keep_last, remember
from app.state.logs import IntLog, SampleKind
from app.state.model import (
    DEFAULT_MEASURAND,
    StationState,
    TransactionState,
)
from app.state.seen import Handler, Seen
from app.state.values import as_dict, as_int, as_str, epoch_of

# Holes in a transaction's seqNos listed at most (the newest ones) with a full history.
MAX_MISSING_LISTED = 10_000


def _named(seen: Seen) -> tuple[TransactionState, str, dict[str, Any]] | None:
    """The transaction a TransactionEvent is about (made on first sight), its eventType
    ("" when not a string) and its transactionInfo; None when it names none. Both the full
    handler and the verdicts-only one start here."""
    payload = seen.payload
    info = payload.get("transactionInfo")
    if not isinstance(info, dict):
        return None
    transaction_id = info.get("transactionId")
    if not isinstance(transaction_id, str):
        return None
    event = payload.get("eventType")
    if not isinstance(event, str):
        event = ""
    transactions = seen.station.transactions
    tx = transactions.get(transaction_id)
    if tx is None:
        tx = transactions[transaction_id] = TransactionState(transaction_id,
                                                             seen.station.station)
    elif event == "Started":
        # started again (a restarted station): its events count from the start again
        tx.seq_nos.clear()
        tx.missing_seq_nos.clear()
        tx.lowest_seq_no = tx.highest_seq_no = None
        tx.ended = None
    return tx, event, info


def _transaction_event(seen: Seen) -> None:
    # a third of a busy station's frames: the reads of `app.state.values` written inline
    named = _named(seen)
    if named is None:
        return
    tx, event, info = named
    payload, station = seen.payload, seen.station
    when = epoch_of(payload.get("timestamp")) or seen.time
    remember(station, tx.record_seqs, seen.seq)
    charging_state = info.get("chargingState")
    if not isinstance(charging_state, str):
        charging_state = None
    _place(seen, tx, as_dict(payload.get("evse")), event, charging_state, when)
    if event == "Started":
        tx.started = when
    if tx.id_token is None:
        token = as_dict(payload.get("idToken")).get("idToken")
        if isinstance(token, str):
            tx.id_token = token
    if charging_state is not None and tx.charging_states.last_value() != charging_state:
        tx.charging_states.add(when, seen.seq, charging_state, "TransactionEvent")
        after_append(station, tx.charging_states)
    trigger = payload.get("triggerReason")
    if isinstance(trigger, str):
        tx.trigger_reasons.add(when, seen.seq, f"{event}: {trigger}", "TransactionEvent")
        after_append(station, tx.trigger_reasons)
    reason = info.get("stoppedReason")
    if isinstance(reason, str):
        tx.stopped_reason = reason
    seq_no = payload.get("seqNo")
    if isinstance(seq_no, int) and not isinstance(seq_no, bool):
        _count(station, tx, seq_no)
    if seen.state.meter_series:
        add_samples(tx, payload.get("meterValue"), seen.seq, seen.time)
        _keep_samples(station, tx)
    if event == "Ended":
        _end(station, tx, when, seen.seq)


def _transaction_facts(seen: Seen) -> None:
    """`_transaction_event` for a state kept for verdicts only: the same tests in the same
    order, keeping only what the session rules read of a transaction (that it exists, its
    seqNo range, whether it ended, which EVSE it runs on); no history, no connector status,
    no profiles (such a state tracks none)."""
    named = _named(seen)
    if named is None:
        return
    tx, event, _ = named
    payload, station = seen.payload, seen.station
    evse = payload.get("evse")
    if isinstance(evse, dict):
        evse_id, connector_id = as_int(evse.get("id")), as_int(evse.get("connectorId"))
        if evse_id is not None and (tx.evse_id is None or event == "Started"):
            tx.evse_id = evse_id
            if connector_id is not None:
                tx.connector_id = connector_id
    if tx.evse_id is not None and tx.ended is None and event != "Ended":
        evse_of(station, tx.evse_id).transaction_id = tx.transaction_id
    seq_no = payload.get("seqNo")
    if isinstance(seq_no, int) and not isinstance(seq_no, bool):
        low, high = tx.lowest_seq_no, tx.highest_seq_no
        tx.lowest_seq_no = seq_no if low is None else min(low, seq_no)
        tx.highest_seq_no = seq_no if high is None else max(high, seq_no)
    if event == "Ended":
        _end_only(station, tx, epoch_of(payload.get("timestamp")) or seen.time)
        forget_ended_transactions(station)


def _place(seen: Seen, tx: TransactionState, evse: dict[str, Any], event: str,
           charging_state: str | None, when: float) -> None:
    """Where the transaction runs: the first EVSE an event names (or the Started one's)."""
    evse_id, connector_id = as_int(evse.get("id")), as_int(evse.get("connectorId"))
    if evse_id is not None and (tx.evse_id is None or event == "Started"):
        tx.evse_id = evse_id
        if connector_id is not None:
            tx.connector_id = connector_id
    if tx.evse_id is None:
        return
    if evse_id == tx.evse_id:
        plugged_in(seen, evse_id, connector_id, charging_state, when)
    if tx.ended is None and event != "Ended":
        evse_of(seen.station, tx.evse_id).transaction_id = tx.transaction_id


def _count(station: StationState, tx: TransactionState, seq_no: int) -> None:
    """Keep the seqNos seen and the holes between them (at most `MAX_MISSING_LISTED`, or
    the history limit, of the latter: a peer jumping to seqNo 2^31 must not list two
    billion holes)."""
    listed = MAX_MISSING_LISTED if station.limit is None else station.limit.entries
    low, high = tx.lowest_seq_no, tx.highest_seq_no
    missing = tx.missing_seq_nos
    if missing and seq_no in missing:
        missing.remove(seq_no)
    elif low is not None and high is not None:
        if seq_no > high + 1:
            missing.extend(range(max(high + 1, seq_no - listed), seq_no))
        elif seq_no < low - 1:
            missing.extend(range(seq_no + 1, min(low, seq_no + 1 + listed)))
            missing.sort()
        if len(missing) > listed:
            keep_last(missing, listed)
    # (comparisons written out: `min` and `max` as calls cost more on every event)
    tx.lowest_seq_no = seq_no if low is None or seq_no < low else low
    tx.highest_seq_no = seq_no if high is None or seq_no > high else high
    remember(station, tx.seq_nos, seq_no)


def _keep_samples(station: StationState, tx: TransactionState) -> None:
    if station.limit is not None:
        keep_last(tx.meter, station.limit.meter_samples)


def _end(station: StationState, tx: TransactionState, when: float, seq: int) -> None:
    _end_only(station, tx, when)
    profiles.drop_transaction_profiles(station, tx.transaction_id, tx.evse_id, when, seq)
    forget_ended_transactions(station)


def _end_only(station: StationState, tx: TransactionState, when: float) -> None:
    """The transaction ends: its EVSE is free again."""
    tx.ended = when
    if tx.evse_id is not None:
        evse = station.evses.get(tx.evse_id)
        if evse is not None and evse.transaction_id == tx.transaction_id:
            evse.transaction_id = None


_LARGEST = 10 ** 300   # beyond this an int times 10^9 no longer fits a float


def add_samples(tx: TransactionState, meter_values: Any, seq: int, time: float) -> None:
    """Append the sampled values of a meterValue list, scaled by their multiplier.

    Every meter value of every transaction passes here (seven sampled values each, often),
    so the type checks of `app.state.values` are written out inline: the same tests, each
    value read once, the commonest types (a float, an int, no unit object) tried first.
    A meterValue's samples share its time and record: they go to the log together
    (`MeterLog.add_taken_together`), which checks those once."""
    if not isinstance(meter_values, list):
        return
    add_taken_together = tx.meter.add_taken_together
    for meter_value in meter_values:
        if not isinstance(meter_value, dict):
            continue
        when = epoch_of(meter_value.get("timestamp")) or time
        sampled_values = meter_value.get("sampledValue")
        if not isinstance(sampled_values, list):
            continue
        values: list[float] = []
        kinds: list[SampleKind] = []
        for sampled in sampled_values:
            if not isinstance(sampled, dict):
                continue
            value = sampled.get("value")
            if type(value) is int:
                if not -_LARGEST <= value <= _LARGEST:
                    continue  # no float holds it: not a reading anyone can plot
            elif type(value) is not float and (
                    not isinstance(value, int | float) or isinstance(value, bool)):
                continue
            unit = sampled.get("unitOfMeasure")
            if unit is None:  # the unit's default
                scaled, unit_name = float(value), "Wh"
            elif isinstance(unit, dict):
                multiplier = unit.get("multiplier")
                if multiplier is None:
                    scaled = float(value)
                else:
                    if not isinstance(multiplier, int) or isinstance(multiplier, bool):
                        multiplier = 0
                    if not -9 <= multiplier <= 9:  # the schema's range; others are skipped
                        continue
                    scaled = value * 10.0 ** multiplier if multiplier else float(value)
                unit_name = unit.get("unit")
                if not isinstance(unit_name, str) or not unit_name:
                    unit_name = "Wh"
            else:
                scaled, unit_name = float(value), "Wh"
            measurand = sampled.get("measurand")
            if not isinstance(measurand, str) or not measurand:
                measurand = DEFAULT_MEASURAND
            phase = sampled.get("phase")
            context = sampled.get("context")
            location = sampled.get("location")
            values.append(scaled)
            kinds.append((measurand, unit_name,
                          None if phase is None or not isinstance(phase, str) else phase,
                          None if context is None or not isinstance(context, str) else context,
                          None if location is None or not isinstance(location, str)
                          else location))
        if values:
            add_taken_together(when, seq, values, kinds)


def running_on(station: StationState, evse_id: int | None) -> TransactionState | None:
    if evse_id is None or evse_id not in station.evses:
        return None
    transaction_id = station.evses[evse_id].transaction_id
    return station.transactions.get(transaction_id) if transaction_id else None


def _meter_values(seen: Seen) -> None:
    tx = running_on(seen.station, as_int(seen.payload.get("evseId")))
    if tx is not None:
        remember(seen.station, tx.record_seqs, seen.seq)
        if seen.state.meter_series:
            add_samples(tx, seen.payload.get("meterValue"), seen.seq, seen.time)
            _keep_samples(seen.station, tx)


def named_transaction(payload: dict[str, Any]) -> str | None:
    """The transactionId a CSMS CALL names: its own, or its charging profile's."""
    return as_str(payload.get("transactionId")) or as_str(
        as_dict(payload.get("chargingProfile")).get("transactionId"))


def _csms_call(seen: Seen) -> None:
    tx = seen.station.transactions.get(named_transaction(seen.payload) or "")
    if tx is not None:
        remember(seen.station, tx.record_seqs, seen.seq)


def _answer(seen: Seen) -> None:
    """The answer to a CALL of a transaction belongs to it too."""
    request = seen.request
    tx = seen.station.transactions.get(
        as_str(as_dict(request.get("transactionInfo")).get("transactionId"))
        or named_transaction(request) or "")
    if tx is None and "evseId" in request and "meterValue" in request:
        tx = running_on(seen.station, as_int(request.get("evseId")))
    if tx is not None and _holds(tx.record_seqs, seen.call_seq):
        remember(seen.station, tx.record_seqs, seen.seq)


def _holds(seqs: Sequence[int], seq: int | None) -> bool:
    """Whether a transaction's `record_seqs` hold `seq`, without walking a list that grows
    by three entries a minute for as long as the car charges (`in` made a day-long live
    run slow down as it went): records are judged in seq order, so the list is sorted,
    and the CALL an answer follows is nearly always among the last few."""
    if seq is None or not seqs:
        return False
    if isinstance(seqs, IntLog):
        return seqs.holds_in_order(seq)
    if seq in seqs[-8:]:
        return True
    position = bisect_left(seqs, seq)
    return position < len(seqs) and seqs[position] == seq


_NAMING = ("RequestStopTransaction", "GetTransactionStatus", "CostUpdated",
           "SetChargingProfile")
CALLS: dict[str, Handler] = {"TransactionEvent": _transaction_event,
                             "MeterValues": _meter_values,
                             **dict.fromkeys(_NAMING, _csms_call)}
ANSWERS: dict[str, Handler] = dict.fromkeys(("TransactionEvent", "MeterValues", *_NAMING),
                                            _answer)
KEEP = frozenset({"TransactionEvent", "MeterValues", *_NAMING})
# A state kept for verdicts only follows a transaction's facts alone.
FOR_VERDICTS: dict[str, Handler] = {"TransactionEvent": _transaction_facts}
