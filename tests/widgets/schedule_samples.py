"""Hand-made session states and schedule charts for the charging schedule view.

`smart_charging_state()` is a station (CP-0042) with a ChargingStationMaxProfile of 32 A, a
TxDefaultProfile of 20 A at stack 0 and a TxProfile of 16 A then 10 A at stack 1 on EVSE 1,
a reported composite schedule that keeps 16 A five minutes too long, measured current that
overshoots twice, and one rejected profile; `smart_charging_chart()` is its chart with the
composite computed as the 2.0.1 rules give it (TxProfile wins over TxDefault, under the
station maximum).
"""

from __future__ import annotations

from datetime import datetime

from app.state.model import (
    ConnectorState,
    EvseState,
    InstalledProfile,
    MeterSample,
    RejectedProfile,
    ReportedSchedule,
    SessionState,
    StationState,
    TransactionState,
)
from app.state.schedule_view import ScheduleChart, build_chart
from tests.state.schedule_shapes import Composite, Layer, Period

START = datetime(2024, 5, 14, 12, 0, 0).timestamp()   # 12:00 local
HOUR = 3600
SWITCH = START + 1200                                  # the TxProfile drops to 10 A


def _profile(evse_id: int, profile_id: int, purpose: str, stack: int, limits: list[tuple],
             seq: int, source: str = "SetChargingProfile") -> InstalledProfile:
    periods = [{"startPeriod": offset, "limit": limit} for offset, limit in limits]
    return InstalledProfile(evse_id, {
        "id": profile_id, "stackLevel": stack, "chargingProfilePurpose": purpose,
        "chargingProfileKind": "Absolute",
        "validFrom": datetime.fromtimestamp(START).astimezone().isoformat(),
        "chargingSchedule": [{"id": profile_id, "chargingRateUnit": "A",
                              "startSchedule": datetime.fromtimestamp(START).astimezone()
                              .isoformat(), "chargingSchedulePeriod": periods}]},
        START - 300 + seq, seq, source)


MAX_PROFILE = _profile(0, 1, "ChargingStationMaxProfile", 0, [(0, 32.0)], 12)
DEFAULT_PROFILE = _profile(1, 5, "TxDefaultProfile", 0, [(0, 20.0)], 20)
TX_PROFILE = _profile(1, 12, "TxProfile", 1, [(0, 16.0), (1200, 10.0)], 31)
REJECTED = RejectedProfile(1, {"id": 13, "stackLevel": 2, "chargingProfilePurpose": "TxProfile",
                               "chargingProfileKind": "Relative"},
                           START + 90, 36, "Rejected", "InvalidValue",
                           "chargingRateUnit W not supported")


def _meter() -> list[MeterSample]:
    """Per-phase current each minute: 18.2 A for five minutes while the limit is 16 A,
    then 15.9 A for five minutes after the limit dropped to 10 A (the station applied
    the change late), else just under the limit."""
    samples = []
    for minute in range(0, 41):
        moment = START + 60 * minute
        if 4 <= minute < 9:
            peak = 18.2
        elif 20 <= minute < 25:
            peak = 15.9
        else:
            peak = 15.6 if minute < 20 else 9.7
        for phase, value in (("L1", peak), ("L2", peak - 0.3), ("L3", peak - 0.5)):
            samples.append(MeterSample(moment, 100 + minute, "Current.Import", value, "A",
                                       phase))
        samples.append(MeterSample(moment, 100 + minute, "Power.Active.Import",
                                   peak * 230 * 3, "W"))
    return samples


def smart_charging_state() -> SessionState:
    station = StationState("CP-0042", vendor="Voltra", model="AC22", first_seen=START - 600,
                           last_seen=START + 2400, registration="Accepted")
    for evse_id, status in ((1, "Charging"), (2, "Available")):
        station.evses[evse_id] = EvseState(evse_id, {1: ConnectorState(evse_id, 1, status)})
    station.evses[1].transaction_id = "tx-7781"
    station.transactions["tx-7781"] = TransactionState(
        "tx-7781", "CP-0042", evse_id=1, connector_id=1, started=START, meter=_meter())
    station.profiles += [MAX_PROFILE, DEFAULT_PROFILE, TX_PROFILE]
    station.rejected_profiles.append(REJECTED)
    station.reported_schedules.append(ReportedSchedule(1, {
        "evseId": 1, "duration": HOUR,
        "scheduleStart": datetime.fromtimestamp(START).astimezone().isoformat(),
        "chargingRateUnit": "A", "chargingSchedulePeriod": [
            {"startPeriod": 0, "limit": 16.0, "numberPhases": 3},
            {"startPeriod": 1500, "limit": 10.0, "numberPhases": 3}]}, START + 60, 40))
    quiet = StationState("CP-0043", first_seen=START, last_seen=START + 60)
    quiet.evses[1] = EvseState(1, {1: ConnectorState(1, 1, "Available")})
    return SessionState({"CP-0042": station, "CP-0043": quiet}, upto_seq=140)


def smart_charging_layers() -> list[Layer]:
    def flat(profile: InstalledProfile, limit: float) -> Layer:
        return Layer(profile, [Period(START, START + HOUR, limit, 3, profile.profile_id,
                                      profile.stack_level, profile.purpose)])

    tx = [Period(START, SWITCH, 16.0, 3, 12, 1, "TxProfile"),
          Period(SWITCH, START + HOUR, 10.0, 3, 12, 1, "TxProfile")]
    return [flat(MAX_PROFILE, 32.0), flat(DEFAULT_PROFILE, 20.0), Layer(TX_PROFILE, tx)]


def smart_charging_composite() -> Composite:
    return Composite(1, START, HOUR, "A", [
        Period(START, SWITCH, 16.0, 3, 12, 1, "TxProfile"),
        Period(SWITCH, START + HOUR, 10.0, 3, 12, 1, "TxProfile")])


def smart_charging_builder(station: StationState, evse_id: int) -> ScheduleChart | None:
    """A chart builder as the window will set one: the sample's computation for EVSE 1 of
    CP-0042, what the state alone shows elsewhere."""
    if station.station == "CP-0042" and evse_id == 1:
        return build_chart(station, evse_id, composite=smart_charging_composite(),
                           layers=smart_charging_layers())
    return build_chart(station, evse_id)


def smart_charging_chart() -> ScheduleChart:
    station = smart_charging_state().stations["CP-0042"]
    chart = smart_charging_builder(station, 1)
    assert chart is not None
    return chart
