"""The composite charging schedule of an EVSE, or of the whole station, computed from the
profiles it holds by the OCPP 2.0.1 smart-charging rules (use cases K01 and K08).

What a station is expected to do, and what this module does:
- within one purpose, at each moment the profile with the highest stackLevel that has a
  period there wins (a profile past its duration or outside validFrom/validTo leaves the
  moment to the levels below it);
- a TxProfile overrules the TxDefaultProfile wherever it has a limit; it applies only on an
  EVSE that runs a transaction, and only to that transaction when it names one;
- the EVSE's limit is the lowest of that result, the ChargingStationExternalConstraints and
  the ChargingStationMaxProfile (profiles on EVSE 0 apply to every EVSE; a TxDefaultProfile
  on EVSE 0 is a default for each EVSE, and one on the EVSE itself wins a tie of levels);
- the station as a whole (EVSE 0) may draw the sum of its EVSEs, capped by the station's own
  maximum and external constraints;
- where nothing limits, the period has no limit (`limit` None) and the default applies.

Nothing raises on odd profiles: one that cannot be read contributes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any

from app.state.model import InstalledProfile
from app.state.profile_periods import (
    UNITS,
    Period,
    ScheduleOptions,
    limit_at,
    profile_periods,
)

__all__ = ["PURPOSES", "CompositeSchedule", "Layer", "Period", "ScheduleOptions",
           "composite_schedule", "merged_periods", "profile_layers"]

MAX_PROFILE = "ChargingStationMaxProfile"
EXTERNAL = "ChargingStationExternalConstraints"
TX_DEFAULT = "TxDefaultProfile"
TX = "TxProfile"
PURPOSES = (MAX_PROFILE, EXTERNAL, TX_DEFAULT, TX)
DEFAULT_OPTIONS = ScheduleOptions()


@dataclass(frozen=True, slots=True)
class CompositeSchedule:
    evse_id: int
    start: float
    duration: int
    unit: str                # "A" or "W"
    periods: list[Period]    # consecutive equal periods merged
    default_limit: float | None = None   # what applies where a period has no limit

    def to_ocpp(self) -> dict[str, Any]:
        """Shaped like GetCompositeScheduleResponse.schedule: whole seconds from the start,
        limits with at most one decimal (as the schema says), the default where nothing
        limits, and equal neighbours merged once only limit and phases are left."""
        rows: list[dict[str, Any]] = []
        for period in self.periods or [Period(self.start, self.start, None)]:
            limit = period.limit if period.limit is not None else self.default_limit
            row: dict[str, Any] = {"startPeriod": max(0, round(period.start - self.start)),
                                   "limit": round(limit, 1) if limit is not None else 0.0}
            if period.number_phases is not None:
                row["numberPhases"] = period.number_phases
            if rows and rows[-1]["startPeriod"] == row["startPeriod"]:
                rows[-1] = row   # a period shorter than a second: the later one holds
            elif not rows or {k: v for k, v in rows[-1].items() if k != "startPeriod"} != {
                    k: v for k, v in row.items() if k != "startPeriod"}:
                rows.append(row)
        rows[0]["startPeriod"] = 0
        return {"evseId": self.evse_id, "duration": self.duration,
                "scheduleStart": ocpp_time(self.start), "chargingRateUnit": self.unit,
                "chargingSchedulePeriod": rows}


def ocpp_time(epoch: float) -> str:
    """RFC 3339 in UTC as OCPP wants it: whole seconds, or milliseconds (at most 3 digits)."""
    moment = datetime.fromtimestamp(epoch, UTC)
    if moment.microsecond == 0:
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@dataclass(frozen=True, slots=True)
class Layer:
    profile: InstalledProfile
    periods: list[Period]    # this profile's own limit over the window (converted to the unit)


@dataclass(slots=True)
class _Candidate:
    """A profile that applies to the EVSE, with its periods and its rank in its purpose."""

    layer: Layer
    rank: tuple[int, int, float, int] = field(default=(0, 0, 0.0, 0))


def composite_schedule(profiles: Sequence[InstalledProfile], evse_id: int, start: float,
                       duration: int, *, unit: str = "A",
                       transactions: Mapping[int, float | None] = {},
                       evses: Sequence[int] | None = None,
                       options: ScheduleOptions = DEFAULT_OPTIONS,
                       transaction_ids: Mapping[int, str] = {},
                       ) -> CompositeSchedule:
    """The schedule of `evse_id` (0: the whole station) over [start, start + duration).

    `transactions` maps each EVSE that runs a transaction to its start (None: started at an
    unknown time); `transaction_ids` may add the transaction's id, so that a TxProfile for
    another transaction is left out. `evses` lists the station's EVSEs for EVSE 0 (by
    default those named by a profile or a transaction)."""
    unit = unit if unit in UNITS else "A"
    end = start + max(duration, 0)
    if evse_id == 0:
        periods = _station_periods(profiles, start, end, unit, transactions, evses, options,
                                   transaction_ids)
    else:
        candidates = _candidates(profiles, evse_id, start, end, unit, transactions, options,
                                 transaction_ids)
        periods = [_evse_period(candidates, a, b) for a, b in _slices(candidates, start, end)]
    return CompositeSchedule(evse_id, start, duration, unit, merged_periods(periods),
                             options.default_limit(unit))


def profile_layers(profiles: Sequence[InstalledProfile], evse_id: int, start: float,
                   duration: int, *, unit: str = "A",
                   transactions: Mapping[int, float | None] = {},
                   options: ScheduleOptions = DEFAULT_OPTIONS,
                   transaction_ids: Mapping[int, str] = {},
                   ) -> list[Layer]:
    """The profiles that take part in `evse_id`'s schedule (for 0: every profile that takes
    part in any EVSE's or the station's), each with its own periods, by purpose (station
    maximum, external constraints, default, transaction) and then highest stack level."""
    unit = unit if unit in UNITS else "A"
    end = start + max(duration, 0)
    if evse_id != 0:
        chosen = _candidates(profiles, evse_id, start, end, unit, transactions, options,
                             transaction_ids)
    else:
        chosen = _candidates(profiles, 0, start, end, unit, transactions, options,
                             transaction_ids)
        seen = {id(c.layer.profile) for c in chosen}
        for evse in _station_evses(profiles, transactions, None):
            for candidate in _candidates(profiles, evse, start, end, unit, transactions,
                                         options, transaction_ids):
                if id(candidate.layer.profile) not in seen:
                    seen.add(id(candidate.layer.profile))
                    chosen.append(candidate)
    chosen.sort(key=lambda c: (PURPOSES.index(c.layer.profile.purpose), c.rank))
    return [c.layer for c in chosen]


# --- which profiles apply -----------------------------------------------------------------


def _current(profiles: Sequence[InstalledProfile]) -> list[InstalledProfile]:
    """One profile per id: a profile installed again under the same id replaces the earlier
    one (K01.FR.05), however the list was assembled."""
    latest: dict[Any, InstalledProfile] = {}
    anonymous: list[InstalledProfile] = []
    for installed in profiles:
        if not isinstance(installed.profile, dict):
            continue
        key = installed.profile_id
        if key is None or not isinstance(key, int | str):
            anonymous.append(installed)
            continue
        known = latest.get(key)
        if known is None or (installed.installed, installed.seq) >= (known.installed,
                                                                     known.seq):
            latest[key] = installed
    return [*latest.values(), *anonymous]


def _applies(installed: InstalledProfile, evse_id: int, transactions: Mapping[int, Any],
             transaction_ids: Mapping[int, str]) -> bool:
    purpose = installed.purpose
    if purpose not in PURPOSES or installed.evse_id not in (0, evse_id):
        return False
    if purpose == MAX_PROFILE:
        return installed.evse_id == 0
    if purpose == TX:
        if evse_id == 0 or installed.evse_id != evse_id or evse_id not in transactions:
            return False
        named, running = installed.profile.get("transactionId"), transaction_ids.get(evse_id)
        return named is None or running is None or named == running
    if evse_id == 0:   # a default for the EVSEs, not for the station as a whole
        return purpose != TX_DEFAULT
    return True


def _candidates(profiles: Sequence[InstalledProfile], evse_id: int, start: float, end: float,
                unit: str, transactions: Mapping[int, float | None], options: ScheduleOptions,
                transaction_ids: Mapping[int, str]) -> list[_Candidate]:
    """The profiles that apply to `evse_id`, highest rank first within each purpose."""
    found = []
    for installed in _current(profiles):
        if not _applies(installed, evse_id, transactions, transaction_ids):
            continue
        tx_start = transactions.get(installed.evse_id or evse_id)
        periods = profile_periods(installed, start, end, unit=unit, transaction_start=tx_start,
                                  options=options)
        level = installed.stack_level
        level = level if isinstance(level, int) and not isinstance(level, bool) else 0
        # highest level first; at a tie the EVSE's own profile, then the newest
        rank = (-level, 0 if installed.evse_id == evse_id else 1, -installed.installed,
                -installed.seq)
        found.append(_Candidate(Layer(installed, periods), rank))
    found.sort(key=lambda c: c.rank)
    return found


# --- combining ----------------------------------------------------------------------------


def _slices(candidates: Sequence[_Candidate], start: float, end: float
            ) -> list[tuple[float, float]]:
    """The window cut at every moment a profile's limit may change."""
    if end <= start:
        return [(start, start)]
    cuts = {start, end}
    for candidate in candidates:
        for period in candidate.layer.periods:
            cuts.update(t for t in (period.start, period.end) if start < t < end)
    ordered = sorted(cuts)
    return list(pairwise(ordered))


def _winner(candidates: Sequence[_Candidate], purpose: str, moment: float) -> Period | None:
    for candidate in candidates:
        if candidate.layer.profile.purpose == purpose:
            period = limit_at(candidate.layer.periods, moment)
            if period is not None:
                return period
    return None


def _evse_period(candidates: Sequence[_Candidate], a: float, b: float) -> Period:
    """The EVSE's limit over [a, b), where no profile changes: the lowest of the transaction
    result (TxProfile, else TxDefaultProfile), external constraints and the station max."""
    tx = _winner(candidates, TX, a) or _winner(candidates, TX_DEFAULT, a)
    bounds = [p for p in (tx, _winner(candidates, EXTERNAL, a),
                          _winner(candidates, MAX_PROFILE, a)) if p is not None]
    if not bounds:
        return Period(a, b, None)
    lowest = min(bounds, key=lambda p: p.limit if p.limit is not None else float("inf"))
    return Period(a, b, lowest.limit, lowest.number_phases, lowest.profile_id,
                  lowest.stack_level, lowest.purpose)


def _station_evses(profiles: Sequence[InstalledProfile], transactions: Mapping[int, Any],
                   evses: Sequence[int] | None) -> list[int]:
    if evses is not None:
        return sorted({e for e in evses if isinstance(e, int) and e > 0})
    named = {p.evse_id for p in profiles if isinstance(p.evse_id, int) and p.evse_id > 0}
    return sorted(named | {e for e in transactions if isinstance(e, int) and e > 0})


def _station_periods(profiles: Sequence[InstalledProfile], start: float, end: float, unit: str,
                     transactions: Mapping[int, float | None], evses: Sequence[int] | None,
                     options: ScheduleOptions, transaction_ids: Mapping[int, str]
                     ) -> list[Period]:
    """The whole station: the sum of its EVSEs (each at its default where nothing limits
    it), capped by the station maximum and external constraints set on EVSE 0."""
    station = _candidates(profiles, 0, start, end, unit, transactions, options,
                          transaction_ids)
    per_evse = [_candidates(profiles, evse, start, end, unit, transactions, options,
                            transaction_ids)
                for evse in _station_evses(profiles, transactions, evses)]
    everything = [c for group in (station, *per_evse) for c in group]
    default = options.default_limit(unit)
    out = []
    for a, b in _slices(everything, start, end):
        limits = [_evse_period(group, a, b).limit for group in per_evse]
        total = (sum(default if limit is None else limit for limit in limits)
                 if any(limit is not None for limit in limits) else None)
        period = Period(a, b, total)
        for cap in (_winner(station, EXTERNAL, a), _winner(station, MAX_PROFILE, a)):
            if cap is not None and cap.limit is not None and (
                    period.limit is None or cap.limit < period.limit):
                period = Period(a, b, cap.limit, cap.number_phases, cap.profile_id,
                                cap.stack_level, cap.purpose)
        out.append(period)
    return out


def merged_periods(periods: list[Period]) -> list[Period]:
    """Consecutive periods that say the same (limit, phases and source) as one."""
    out: list[Period] = []
    for period in periods:
        if out and out[-1].end == period.start and (
                out[-1].limit, out[-1].number_phases, out[-1].profile_id, out[-1].purpose,
                out[-1].stack_level) == (period.limit, period.number_phases, period.profile_id,
                                         period.purpose, period.stack_level):
            last = out.pop()
            period = Period(last.start, period.end, period.limit, period.number_phases,
                            period.profile_id, period.stack_level, period.purpose)
        out.append(period)
    return out
