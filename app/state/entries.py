"""The small entries the state keeps by the thousand: a value taking effect, a sampled
value. Apart from `app.state.model` (which names them too) so that the compact logs that
hold them (`app.state.logs`) and the model that holds the logs import one way only."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class Change:
    """One value taking effect: a status, an availability, a charging state, a firmware
    status. `source` is the action that reported it."""

    time: float
    seq: int
    value: str
    source: str = ""


@dataclass(slots=True)
class MeterSample:
    """One sampled value, scaled by its multiplier (value * 10^multiplier)."""

    time: float
    seq: int
    measurand: str
    value: float
    unit: str = ""
    phase: str | None = None
    context: str | None = None
    location: str | None = None
