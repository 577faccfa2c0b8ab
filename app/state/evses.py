"""EVSEs and connectors: status, availability and reservations.

Status comes from StatusNotification (and, when no status says so yet, from a
TransactionEvent showing a cable connected); availability from a ChangeAvailability the
station accepted; reservations from ReserveNow and its answer, CancelReservation and
ReservationStatusUpdate.
"""

from __future__ import annotations

from app.state.history import keep_newest_keys, remember
from app.state.model import Change, ConnectorState, EvseState, Reservation, StationState
from app.state.seen import Handler, Seen
from app.state.values import as_dict, as_int, as_str, epoch_of

# Charging states of a TransactionEvent that mean a cable is plugged in.
PLUGGED_IN = frozenset({"EVConnected", "Charging", "SuspendedEV", "SuspendedEVSE"})


def evse_of(station: StationState, evse_id: int) -> EvseState:
    evse = station.evses.get(evse_id)
    if evse is None:
        evse = station.evses[evse_id] = EvseState(evse_id)
    return evse


def connector_of(station: StationState, evse_id: int, connector_id: int) -> ConnectorState:
    evse = evse_of(station, evse_id)
    connector = evse.connectors.get(connector_id)
    if connector is None:
        connector = evse.connectors[connector_id] = ConnectorState(evse_id, connector_id)
    return connector


def set_status(station: StationState, connector: ConnectorState, change: Change) -> None:
    connector.status = change.value
    remember(station, connector.history, change)


def _status_notification(seen: Seen) -> None:
    payload = seen.payload
    evse_id, connector_id = as_int(payload.get("evseId")), as_int(payload.get("connectorId"))
    status = as_str(payload.get("connectorStatus"))
    if evse_id is None or connector_id is None or status is None:
        return
    when = epoch_of(payload.get("timestamp")) or seen.time
    set_status(seen.station, connector_of(seen.station, evse_id, connector_id),
               Change(when, seen.seq, status, "StatusNotification"))


def plugged_in(seen: Seen, evse_id: int, connector_id: int | None, charging_state: str | None,
               when: float) -> None:
    """A TransactionEvent names its connector: make it known, and say Occupied when its
    charging state shows a cable and no status said so yet."""
    if connector_id is None:
        evse_of(seen.station, evse_id)
        return
    connector = connector_of(seen.station, evse_id, connector_id)
    if charging_state in PLUGGED_IN and connector.status != "Occupied":
        set_status(seen.station, connector, Change(when, seen.seq, "Occupied", "TransactionEvent"))


def _change_availability_answer(seen: Seen) -> None:
    status = as_str(seen.request.get("operationalStatus"))
    if not seen.accepted or status is None:
        return
    evse_id = as_int(as_dict(seen.request.get("evse")).get("id"))
    change = Change(seen.time, seen.seq, status, "ChangeAvailability")
    # without an EVSE the whole station changes: EVSE 0 stands for it, and every EVSE follows
    targets = [evse_of(seen.station, evse_id)] if evse_id is not None else [
        evse_of(seen.station, 0), *(e for i, e in seen.station.evses.items() if i != 0)]
    for evse in targets:
        evse.availability = status
        remember(seen.station, evse.availability_history, change)


def _reserve_now(seen: Seen) -> None:
    payload = seen.payload
    reservation_id = as_int(payload.get("id"))
    if reservation_id is None:
        return
    seen.station.reservations[reservation_id] = Reservation(
        reservation_id, as_int(payload.get("evseId")),
        as_str(as_dict(payload.get("idToken")).get("idToken")),
        as_str(payload.get("expiryDateTime")), "Requested", seen.seq, seen.time)
    keep_newest_keys(seen.station, seen.station.reservations)


def _reserve_now_answer(seen: Seen) -> None:
    reservation = seen.station.reservations.get(as_int(seen.request.get("id")) or -1)
    if reservation is None:
        return
    status = seen.error_code or as_str(seen.payload.get("status"))
    if status is not None:
        reservation.status, reservation.seq, reservation.time = status, seen.seq, seen.time


def _cancel_reservation_answer(seen: Seen) -> None:
    reservation = seen.station.reservations.get(
        as_int(seen.request.get("reservationId")) or -1)
    if reservation is not None and seen.accepted:
        reservation.status, reservation.seq, reservation.time = "Cancelled", seen.seq, seen.time


def _reservation_status_update(seen: Seen) -> None:
    reservation_id = as_int(seen.payload.get("reservationId"))
    status = as_str(seen.payload.get("reservationUpdateStatus"))
    if reservation_id is None or status is None:
        return
    reservation = seen.station.reservations.get(reservation_id)
    if reservation is None:  # reserved before the capture began
        reservation = seen.station.reservations[reservation_id] = Reservation(
            reservation_id, None, None, None, status, seen.seq, seen.time)
        keep_newest_keys(seen.station, seen.station.reservations)
    reservation.status, reservation.seq, reservation.time = status, seen.seq, seen.time


CALLS: dict[str, Handler] = {
    "StatusNotification": _status_notification,
    "ReserveNow": _reserve_now,
    "ReservationStatusUpdate": _reservation_status_update,
}
ANSWERS: dict[str, Handler] = {
    "ChangeAvailability": _change_availability_answer,
    "ReserveNow": _reserve_now_answer,
    "CancelReservation": _cancel_reservation_answer,
}
# CALLs whose payload the answer needs
KEEP = frozenset({"ChangeAvailability", "ReserveNow", "CancelReservation"})
