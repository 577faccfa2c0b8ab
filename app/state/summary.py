"""Short wording of a station's state, for the stations panel and the `state` command."""

from __future__ import annotations

from app.state.model import SessionState, StationState


def last_close(station: StationState) -> str:
    """How the latest connection ended, e.g. "1006 by station" ("" while it is open)."""
    if not station.connections or station.connections[-1].closed is None:
        return ""
    connection = station.connections[-1]
    return f"{connection.code} by {connection.closed_by}"


def station_summary(station: StationState) -> str:
    """One phrase: "booted", "registration Pending", "connected", or "disconnected (1006
    by station)"."""
    if station.connected:
        if station.booted:
            return "booted"
        return f"registration {station.registration}" if station.registration else "connected"
    close = last_close(station)
    return "disconnected" + (f" ({close})" if close else "")


def named_stations(state: SessionState) -> list[StationState]:
    """The stations a view lists: records without a station id (a bare list of frames) are
    tracked under their connection, or under "" when they have none, and that one is no
    station to show. The dict is copied in one step first: a live capture may add a
    station on the engine's thread while a view lists them."""
    return [station for name, station in list(state.stations.items()) if name]
