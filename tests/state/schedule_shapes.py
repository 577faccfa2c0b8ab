"""Stand-ins shaped like the schedule computation's results (a period, the composite
schedule, one profile's layer), which a chart reads only through `PeriodLike`,
`CompositeLike` and `LayerLike`: a chart test states its periods as they should come out,
instead of setting up profiles for the computation to produce them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.state.model import InstalledProfile


@dataclass(frozen=True)
class Period:
    start: float
    end: float
    limit: float | None
    number_phases: int | None = None
    profile_id: Any = None
    stack_level: int | None = None
    purpose: str | None = None


@dataclass(frozen=True)
class Composite:
    evse_id: int
    start: float
    duration: int
    unit: str
    periods: list[Period] = field(default_factory=list)


@dataclass(frozen=True)
class Layer:
    profile: InstalledProfile
    periods: list[Period]
