"""The smart-charging requirements of OCPP 2.0.1 (use case K01) that the schema cannot say.

A SetChargingProfile request can pass its schema and still be one that a station must reject:
a station maximum that is Relative, a TxProfile without its transaction, periods out of
order. Stations often answer such a profile with a bare Rejected (QUIRKS.md), so OCPP Scope
says on the request itself what is wrong and which requirement says so.

`profile_findings` is pure and never raises: values of the wrong type are the schema's
findings and are skipped here.
"""

from __future__ import annotations

from typing import Any

from app.ocpp.datetimes import epoch_seconds
from app.ocpp.findings import Finding, format_path, info, warning
from app.ocpp.frames import Call, Frame

ACTION = "SetChargingProfile"
_PROFILE = "chargingProfile"


def _integer(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def request_findings(frame: Frame, action: str | None) -> list[Finding]:
    """The checker's entry: findings for a SetChargingProfile CALL, none for anything else."""
    payload = getattr(frame, "payload", None)
    if action != ACTION or not isinstance(frame, Call) or not isinstance(payload, dict):
        return []
    evse_id = _integer(payload.get("evseId"))
    profile = payload.get(_PROFILE)
    if evse_id is None or not isinstance(profile, dict):
        return []   # the schema says what is missing
    return profile_findings(evse_id, profile)


def profile_findings(evse_id: int, profile: dict[str, Any]) -> list[Finding]:
    """What breaks the 2.0.1 smart-charging requirements in a profile sent for `evse_id`;
    paths are those inside a SetChargingProfile request."""
    if not isinstance(profile, dict):
        return []
    findings = _purpose_findings(evse_id, profile)
    findings.extend(_kind_findings(profile))
    findings.extend(_validity_findings(profile))
    schedules = profile.get("chargingSchedule")
    if isinstance(schedules, list):
        for index, schedule in enumerate(schedules):
            if isinstance(schedule, dict):
                findings.extend(_period_findings(schedule, (_PROFILE, "chargingSchedule", index)))
    return findings


def _purpose_findings(evse_id: int, profile: dict[str, Any]) -> list[Finding]:
    purpose, kind = profile.get("chargingProfilePurpose"), profile.get("chargingProfileKind")
    has_transaction = profile.get("transactionId") is not None
    found: list[Finding] = []
    if purpose == "ChargingStationMaxProfile":
        if kind == "Relative":
            found.append(warning(
                "smartcharging.max-profile-relative",
                "a ChargingStationMaxProfile may not be Relative (K01.FR.38): the station "
                "limit has no transaction to count from; send it as Absolute or Recurring",
                f"{_PROFILE}.chargingProfileKind"))
        if evse_id != 0:
            found.append(warning(
                "smartcharging.max-profile-evse",
                f"a ChargingStationMaxProfile is the limit of the whole station and is set "
                f"on evseId 0, not on EVSE {evse_id}", "evseId"))
    if purpose == "TxProfile":
        if not has_transaction:
            found.append(warning(
                "smartcharging.tx-profile-without-transaction",
                "a TxProfile needs the transactionId of the transaction it limits (K01.FR.03); "
                "for a limit outside any transaction use a TxDefaultProfile",
                _PROFILE))
        if evse_id == 0:
            found.append(warning(
                "smartcharging.tx-profile-evse-zero",
                "a TxProfile belongs to the EVSE its transaction runs on, never to evseId 0 "
                "(K01.FR.16); a default for every EVSE is a TxDefaultProfile on evseId 0",
                "evseId"))
    elif has_transaction and isinstance(purpose, str):
        found.append(warning(
            "smartcharging.transaction-id-not-tx",
            f"only a TxProfile may name a transactionId; this {purpose} applies outside any "
            "one transaction, so the station may reject it", f"{_PROFILE}.transactionId"))
    return found


def _kind_findings(profile: dict[str, Any]) -> list[Finding]:
    kind = profile.get("chargingProfileKind")
    schedules = profile.get("chargingSchedule")
    found: list[Finding] = []
    recurrency = profile.get("recurrencyKind")
    if kind == "Recurring" and recurrency is None:
        found.append(warning(
            "smartcharging.recurring-without-recurrency",
            "a Recurring profile needs recurrencyKind (Daily or Weekly) to say how often it "
            "repeats", _PROFILE))
    elif kind in ("Absolute", "Relative") and recurrency is not None:
        found.append(info(
            "smartcharging.recurrency-ignored",
            f"recurrencyKind applies to Recurring profiles only; this {kind} profile never "
            "repeats", f"{_PROFILE}.recurrencyKind"))
    for index, schedule in enumerate(schedules if isinstance(schedules, list) else []):
        if not isinstance(schedule, dict):
            continue
        where = format_path((_PROFILE, "chargingSchedule", index, "startSchedule"))
        has_start = schedule.get("startSchedule") is not None
        if kind in ("Absolute", "Recurring") and not has_start:
            found.append(warning(
                "smartcharging.missing-start-schedule",
                f"{'an' if kind == 'Absolute' else 'a'} {kind} profile needs startSchedule, "
                "the moment its periods count from (K01.FR.40)", where.rsplit(".", 1)[0]))
        elif kind == "Relative" and has_start:
            found.append(warning(
                "smartcharging.relative-with-start-schedule",
                "a Relative profile counts from the start of charging and may not carry a "
                "startSchedule (K01.FR.41); drop it, or make the profile Absolute", where))
    return found


def _validity_findings(profile: dict[str, Any]) -> list[Finding]:
    valid_from = epoch_seconds(profile.get("validFrom"))
    valid_to = epoch_seconds(profile.get("validTo"))
    if valid_from is not None and valid_to is not None and valid_from >= valid_to:
        return [warning(
            "smartcharging.validity-reversed",
            f"validFrom ({profile['validFrom']}) is not before validTo ({profile['validTo']}): "
            "the profile is never valid", f"{_PROFILE}.validTo")]
    return []


def _period_findings(schedule: dict[str, Any], at: tuple[Any, ...]) -> list[Finding]:
    periods = schedule.get("chargingSchedulePeriod")
    if not isinstance(periods, list):
        return []
    found: list[Finding] = []
    previous: int | None = None
    for index, period in enumerate(periods):
        if not isinstance(period, dict):
            continue
        here = (*at, "chargingSchedulePeriod", index)
        start = _integer(period.get("startPeriod"))
        if index == 0 and start is not None and start != 0:
            found.append(warning(
                "smartcharging.first-period-not-zero",
                f"the first period starts at {start} s; the first startPeriod must be 0 "
                "(K01.FR.31), or the time before it has no limit at all",
                format_path((*here, "startPeriod"))))
        if start is not None and previous is not None and start <= previous:
            found.append(warning(
                "smartcharging.periods-not-increasing",
                f"startPeriod {start} after {previous}: startPeriods must strictly increase "
                "(K01.FR.35)", format_path((*here, "startPeriod"))))
        if start is not None:
            previous = start if previous is None else max(previous, start)
        found.extend(_one_period_findings(period, here))
    return found


def _one_period_findings(period: dict[str, Any], here: tuple[Any, ...]) -> list[Finding]:
    found: list[Finding] = []
    limit = _number(period.get("limit"))
    if limit is not None and limit < 0:
        found.append(warning("smartcharging.negative-limit",
                             f"limit {limit:g} is negative; a limit is 0 (pause) or more",
                             format_path((*here, "limit"))))
    phases = _integer(period.get("numberPhases"))
    if phases is not None and not 1 <= phases <= 3:
        found.append(warning("smartcharging.number-phases",
                             f"numberPhases {phases}: an AC connection has 1, 2 or 3 phases",
                             format_path((*here, "numberPhases"))))
    phase = _integer(period.get("phaseToUse"))
    if phase is not None:
        if not 1 <= phase <= 3:
            found.append(warning("smartcharging.phase-to-use",
                                 f"phaseToUse {phase}: the phase is 1, 2 or 3",
                                 format_path((*here, "phaseToUse"))))
        if phases != 1:
            found.append(warning(
                "smartcharging.phase-to-use",
                "phaseToUse is only allowed with numberPhases 1 (K01.FR.19): it picks the one "
                "phase to charge on", format_path((*here, "phaseToUse"))))
    return found
