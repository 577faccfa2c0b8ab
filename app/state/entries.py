"""The small entries the state keeps by the thousand: a value taking effect, a sampled
value. Apart from `app.state.model` (which names them too) so that the compact logs that
hold them (`app.state.logs`) and the model that holds the logs import one way only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(slots=True)
class Change:
    """One value taking effect: a status, an availability, a charging state, a firmware
    status. `source` is the action that reported it."""

    time: float
    seq: int
    value: str
    source: str = ""

    def __reduce__(self) -> tuple[type[Change], tuple[float, int, str, str]]:
        # a state judged in a worker process crosses over by pickle: by its fields, four
        # times quicker both ways than the generic form of a slotted object
        return Change, (self.time, self.seq, self.value, self.source)


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

    def __reduce__(self) -> tuple[type[MeterSample], tuple[Any, ...]]:
        # as `Change.__reduce__`: a day of charging is millions of these to carry over
        return MeterSample, (self.time, self.seq, self.measurand, self.value, self.unit,
                             self.phase, self.context, self.location)
