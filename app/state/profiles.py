"""Charging profiles per EVSE, as the station holds them by what it said.

SetChargingProfile installs when the station accepts it: a profile with the same id, and
(2.0.1 smart charging) one with the same purpose and stack level on the same EVSE, give way
to it. A rejection (or a CALLERROR) is kept with its reason, since "rejected with no reason"
is the common complaint. ClearChargingProfile removes by id or by criteria once accepted;
ReportChargingProfiles replaces what was known per EVSE and limit source; NotifyChargingLimit
and ClearedChargingLimit add and remove external constraints; a TxProfile leaves with its
transaction; GetCompositeSchedule answers are kept as reported schedules.

Every way a profile leaves goes through `retire`, which keeps it in
`StationState.past_profiles` with the time and record of its removal: a chart of a finished
session must still show the TxProfile that held while the transaction ran.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.state.history import remember
from app.state.model import InstalledProfile, RejectedProfile, ReportedSchedule, StationState
from app.state.seen import Handler, Seen
from app.state.values import as_dict, as_int, as_list, as_str

EXTERNAL = "NotifyChargingLimit"   # the source of profiles that stand for external limits


def retire(station: StationState, gone: Callable[[InstalledProfile], bool], time: float,
           seq: int) -> None:
    """Move the installed profiles for which `gone` is true to `past_profiles`, marked as
    removed at `time` by record `seq`. The one way a profile stops applying."""
    kept: list[InstalledProfile] = []
    for installed in station.profiles:
        if gone(installed):
            installed.removed, installed.removed_seq = time, seq
            remember(station, station.past_profiles, installed)
        else:
            kept.append(installed)
    if len(kept) != len(station.profiles):
        station.profiles = kept


def install(station: StationState, new: InstalledProfile) -> None:
    """Add a profile, retiring those it replaces (same id, or same EVSE, purpose, stack
    level and limit source)."""
    def replaced(p: InstalledProfile) -> bool:
        if p.source == EXTERNAL:
            return False
        return (new.profile_id is not None and p.profile_id == new.profile_id) or (
            p.evse_id == new.evse_id and p.purpose == new.purpose
            and p.stack_level == new.stack_level and p.limit_source == new.limit_source)

    retire(station, replaced, new.installed, new.seq)
    station.profiles.append(new)


def _set_answer(seen: Seen) -> None:
    evse_id = as_int(seen.request.get("evseId"))
    profile = seen.request.get("chargingProfile")
    if evse_id is None or not isinstance(profile, dict):
        return
    call_seq = seen.call_seq if seen.call_seq is not None else seen.seq
    if seen.accepted:
        install(seen.station, InstalledProfile(evse_id, profile, seen.time, call_seq,
                                               "SetChargingProfile"))
        return
    info = as_dict(seen.payload.get("statusInfo"))
    status = seen.error_code or as_str(seen.payload.get("status")) or "?"
    remember(seen.station, seen.station.rejected_profiles, RejectedProfile(
        evse_id, profile, seen.time, call_seq, status, as_str(info.get("reasonCode")),
        as_str(info.get("additionalInfo"))))


def _clear_answer(seen: Seen) -> None:
    if not seen.accepted:
        return
    profile_id = as_int(seen.request.get("chargingProfileId"))
    criteria = as_dict(seen.request.get("chargingProfileCriteria"))
    evse_id = as_int(criteria.get("evseId"))
    purpose = as_str(criteria.get("chargingProfilePurpose"))
    stack_level = as_int(criteria.get("stackLevel"))

    def cleared(p: InstalledProfile) -> bool:
        if p.source == EXTERNAL or p.purpose == "ChargingStationExternalConstraints":
            return False  # external limits are not the CSMS's to clear
        if profile_id is not None:
            return bool(p.profile_id == profile_id)
        return ((evse_id is None or p.evse_id == evse_id)
                and (purpose is None or p.purpose == purpose)
                and (stack_level is None or p.stack_level == stack_level))

    retire(seen.station, cleared, seen.time, seen.seq)


def _report(seen: Seen) -> None:
    payload = seen.payload
    evse_id, request_id = as_int(payload.get("evseId")), as_int(payload.get("requestId"))
    source = as_str(payload.get("chargingLimitSource")) or "CSO"
    if evse_id is None:
        return
    # a report replaces what an earlier report or request said for this EVSE and source;
    # the parts of one multi-part report add up
    station = seen.station
    retire(station, lambda p: (p.evse_id == evse_id and p.limit_source == source
                               and p.source != EXTERNAL
                               and (request_id is None or p.request_id != request_id)),
           seen.time, seen.seq)
    for profile in as_list(payload.get("chargingProfile")):
        if isinstance(profile, dict):
            install(station, InstalledProfile(evse_id, profile, seen.time, seen.seq,
                                              "ReportChargingProfiles", source, request_id))


def _notify_limit(seen: Seen) -> None:
    payload = seen.payload
    limit = as_dict(payload.get("chargingLimit"))
    source = as_str(limit.get("chargingLimitSource"))
    if source is None:
        return
    evse_id = as_int(payload.get("evseId")) or 0
    profile: dict[str, Any] = {"chargingProfilePurpose": "ChargingStationExternalConstraints",
                               "chargingSchedule": as_list(payload.get("chargingSchedule")),
                               "isGridCritical": limit.get("isGridCritical")}
    _drop_external(seen.station, source, evse_id, seen.time, seen.seq)
    seen.station.profiles.append(InstalledProfile(evse_id, profile, seen.time, seen.seq,
                                                  EXTERNAL, source))


def _cleared_limit(seen: Seen) -> None:
    source = as_str(seen.payload.get("chargingLimitSource"))
    if source is not None:
        _drop_external(seen.station, source, as_int(seen.payload.get("evseId")), seen.time,
                       seen.seq)


def _drop_external(station: StationState, source: str, evse_id: int | None, time: float,
                   seq: int) -> None:
    retire(station, lambda p: (p.source == EXTERNAL and p.limit_source == source
                               and (evse_id is None or p.evse_id == evse_id)), time, seq)


def drop_transaction_profiles(station: StationState, transaction_id: str,
                              evse_id: int | None, time: float, seq: int) -> None:
    """A transaction ended at `time` (record `seq`): its TxProfiles (named by id, or
    unnamed on its EVSE) end too."""
    def of_it(p: InstalledProfile) -> bool:
        if p.purpose != "TxProfile":
            return False
        named = p.profile.get("transactionId")
        return named == transaction_id or (named is None and p.evse_id == evse_id)

    retire(station, of_it, time, seq)


def _composite_answer(seen: Seen) -> None:
    schedule = seen.payload.get("schedule")
    evse_id = as_int(seen.request.get("evseId"))
    if isinstance(schedule, dict) and evse_id is not None and seen.error_code is None:
        remember(seen.station, seen.station.reported_schedules,
                 ReportedSchedule(evse_id, schedule, seen.time, seen.seq))


CALLS: dict[str, Handler] = {"ReportChargingProfiles": _report,
                             "NotifyChargingLimit": _notify_limit,
                             "ClearedChargingLimit": _cleared_limit}
ANSWERS: dict[str, Handler] = {"SetChargingProfile": _set_answer,
                               "ClearChargingProfile": _clear_answer,
                               "GetCompositeSchedule": _composite_answer}
KEEP = frozenset({"SetChargingProfile", "ClearChargingProfile", "GetCompositeSchedule"})
