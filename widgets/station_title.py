"""The Station tab's title, which warns of device-model reports with a hole even while the
tab is hidden, and even before its view is built (it is built when first shown): so it is
worked out here, from the state alone, without the view's widgets."""

from __future__ import annotations

from app.state.model import DeviceModel, SessionState
from app.wording import count


def incomplete_reports(model: DeviceModel) -> int:
    """How many reports have a hole (a part missing below the highest one seen)."""
    return sum(1 for report in model.reports.values() if report.missing)


def station_title(state: SessionState, chosen: str | None) -> str:
    """"Station", or "Station (2 reports incomplete)" for the station shown: the one
    `chosen` if the state knows it, else the first by name."""
    name = chosen if chosen in state.stations else min(state.stations, default=None)
    station = state.stations.get(name) if name is not None else None
    holes = incomplete_reports(station.device_model) if station is not None else 0
    return f"Station ({count(holes, 'report')} incomplete)" if holes else "Station"
