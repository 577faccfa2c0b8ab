"""The picture of a session that the state tracker derives from its records.

Plain data only: the tracker (`app.state.tracker`) fills it record by record, the rules,
the `state` command and the window's state views read it. Times are wall-clock epoch
seconds; where a payload carries its own timestamp (a meter value, an event) that one is
kept, because it says when the station measured or decided, not when the frame crossed.
Every entry keeps the `seq` of the record that taught it, so a view can jump to the frame.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# `MeterSample` lives beside `Change`; named here too, where readers have always found it
from app.state.entries import Change
from app.state.entries import MeterSample as MeterSample
from app.state.logs import ChangeLog, IntLog, MeterLog

# The measurand a sampled value has when it names none (OCPP 2.0.1 SampledValueType).
DEFAULT_MEASURAND = "Energy.Active.Import.Register"


@dataclass(frozen=True, slots=True)
class HistoryLimit:
    """How much history a state keeps when no one will look back at it.

    A window charts a transaction's meter series and lists every status it went through; a
    headless proxy needs only the facts the rules read (registration, heartbeat interval,
    open transactions and their highest seqNo) and the current values. Under a limit every
    list that grows with frames keeps its newest entries only, so that one endless
    transaction does not grow memory. The device model is not limited: the station's
    variables bound it."""

    entries: int = 16              # each list of changes, seqNos, record seqs, connections,
                                   # past or rejected profiles, reservations, reports...
    meter_samples: int = 64        # a transaction's newest sampled values
    ended_transactions: int = 8    # ended transactions kept per station, newest ones


# What a headless live run keeps (`app.session.capture.Capture(keep=False)`).
HEADLESS = HistoryLimit()


@dataclass(slots=True)
class Connection:
    """One WebSocket connection of a station, from its opened to its closed record."""

    connection: str
    opened: float
    opened_seq: int
    subprotocol: str | None = None
    closed: float | None = None
    closed_seq: int | None = None
    closed_by: str | None = None       # "station", "csms", "proxy"... as the record says
    code: int | None = None
    reason: str = ""


@dataclass(slots=True)
class ConnectorState:
    evse_id: int
    connector_id: int
    status: str | None = None          # ConnectorStatusEnumType, the latest reported
    history: list[Change] = field(default_factory=list)


@dataclass(slots=True)
class Reservation:
    reservation_id: int
    evse_id: int | None
    id_token: str | None
    expiry: str | None                 # as the CSMS sent it (RFC 3339)
    status: str                        # Requested, Accepted, Rejected, Faulted, Occupied,
                                       # Unavailable, Cancelled, Expired, Removed
    seq: int
    time: float


@dataclass(slots=True)
class EvseState:
    evse_id: int
    connectors: dict[int, ConnectorState] = field(default_factory=dict)
    availability: str | None = None    # Operative / Inoperative, from ChangeAvailability
    availability_history: list[Change] = field(default_factory=list)
    transaction_id: str | None = None  # the transaction running on it, if any


@dataclass(slots=True)
class TransactionState:
    transaction_id: str
    station: str
    evse_id: int | None = None
    connector_id: int | None = None
    id_token: str | None = None
    started: float | None = None       # the Started event's timestamp
    ended: float | None = None         # the Ended event's timestamp
    # the lists that grow with the transaction are compact logs (`app.state.logs`): they
    # read and compare as lists, and whatever list is given becomes one
    charging_states: ChangeLog = field(default_factory=ChangeLog)
    # value: the event type and the trigger, e.g. "Updated: MeterValuePeriodic"
    trigger_reasons: ChangeLog = field(default_factory=ChangeLog)
    stopped_reason: str | None = None
    seq_nos: IntLog = field(default_factory=IntLog)
    missing_seq_nos: list[int] = field(default_factory=list)
    # the extremes of `seq_nos`, kept apart since a limited history forgets its older ones
    lowest_seq_no: int | None = None
    highest_seq_no: int | None = None
    meter: MeterLog = field(default_factory=MeterLog)
    record_seqs: IntLog = field(default_factory=IntLog)  # its frames and their answers

    def __post_init__(self) -> None:
        if not isinstance(self.charging_states, ChangeLog):
            self.charging_states = ChangeLog(self.charging_states)
        if not isinstance(self.trigger_reasons, ChangeLog):
            self.trigger_reasons = ChangeLog(self.trigger_reasons)
        if not isinstance(self.seq_nos, IntLog):
            self.seq_nos = IntLog(self.seq_nos)
        if not isinstance(self.meter, MeterLog):
            self.meter = MeterLog(self.meter)
        if not isinstance(self.record_seqs, IntLog):
            self.record_seqs = IntLog(self.record_seqs)

    @property
    def running(self) -> bool:
        return self.ended is None


@dataclass(slots=True)
class VariableAttribute:
    type: str = "Actual"               # AttributeEnumType: Actual, Target, MinSet, MaxSet
    value: str | None = None
    mutability: str | None = None      # ReadOnly, WriteOnly, ReadWrite
    persistent: bool | None = None
    constant: bool | None = None
    seq: int = 0


@dataclass(slots=True)
class DeviceVariable:
    """One variable of one component, in the scope it was reported in."""

    component: str
    variable: str
    component_instance: str | None = None
    variable_instance: str | None = None
    evse_id: int | None = None
    connector_id: int | None = None
    attributes: dict[str, VariableAttribute] = field(default_factory=dict)  # by type
    characteristics: dict[str, Any] | None = None
    monitors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str | None, int | None, int | None, str, str | None]:
        return (self.component, self.component_instance, self.evse_id, self.connector_id,
                self.variable, self.variable_instance)


@dataclass(slots=True)
class ReportProgress:
    """A multi-part NotifyReport / NotifyMonitoringReport, reassembled by requestId."""

    request_id: int
    action: str
    seq_nos: list[int] = field(default_factory=list)
    complete: bool = False             # a part with tbc false arrived
    first_seq: int = 0

    @property
    def missing(self) -> list[int]:
        """The seqNos not seen below the highest one seen (and below the last part's)."""
        if not self.seq_nos:
            return []
        seen = set(self.seq_nos)
        return [n for n in range(max(self.seq_nos) + 1) if n not in seen]


@dataclass(slots=True)
class DeviceModel:
    variables: dict[tuple[str, str | None, int | None, int | None, str, str | None],
                    DeviceVariable] = field(default_factory=dict)
    reports: dict[int, ReportProgress] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.variables)


@dataclass(slots=True)
class InstalledProfile:
    """A charging profile the station holds: `profile` is the chargingProfile object as
    sent (SetChargingProfile) or reported (ReportChargingProfiles, NotifyChargingLimit).
    Once it stops applying (replaced, cleared, its transaction ended) it moves to
    `StationState.past_profiles` with `removed` set, so a chart of a whole session still
    knows which limits held when."""

    evse_id: int
    profile: dict[str, Any]
    installed: float
    seq: int
    source: str                        # the action that installed or reported it
    limit_source: str = "CSO"          # ChargingLimitSourceEnumType: CSO for the CSMS's own
    request_id: int | None = None      # the report (ReportChargingProfiles) that said so
    removed: float | None = None       # when it stopped applying; None while installed
    removed_seq: int | None = None     # the record that removed it

    @property
    def profile_id(self) -> Any:
        return self.profile.get("id")

    @property
    def purpose(self) -> str:
        return str(self.profile.get("chargingProfilePurpose", ""))

    @property
    def stack_level(self) -> Any:
        return self.profile.get("stackLevel")


@dataclass(slots=True)
class RejectedProfile:
    evse_id: int
    profile: dict[str, Any]
    time: float
    seq: int                           # the SetChargingProfile CALL
    status: str                        # Rejected, or a CALLERROR code
    reason_code: str | None = None
    additional_info: str | None = None


@dataclass(slots=True)
class ReportedSchedule:
    """A composite schedule the station reported in a GetCompositeSchedule answer."""

    evse_id: int
    schedule: dict[str, Any]           # the answer's `schedule` object
    time: float
    seq: int


@dataclass(slots=True)
class StationState:
    station: str
    # boot info
    vendor: str = ""
    model: str = ""
    serial: str = ""
    firmware: str = ""
    boot_reason: str = ""
    registration: str | None = None    # the last BootNotification answer's status
    interval: int | float | None = None  # seconds, from that answer
    last_heartbeat: float | None = None
    first_seen: float = 0.0
    last_seen: float = 0.0
    frames: int = 0
    invalid: int = 0
    connections: list[Connection] = field(default_factory=list)
    security_events: list[Change] = field(default_factory=list)
    firmware_status: list[Change] = field(default_factory=list)
    log_status: list[Change] = field(default_factory=list)
    evses: dict[int, EvseState] = field(default_factory=dict)
    reservations: dict[int, Reservation] = field(default_factory=dict)
    transactions: dict[str, TransactionState] = field(default_factory=dict)
    device_model: DeviceModel = field(default_factory=DeviceModel)
    profiles: list[InstalledProfile] = field(default_factory=list)
    past_profiles: list[InstalledProfile] = field(default_factory=list)  # removed, oldest first
    rejected_profiles: list[RejectedProfile] = field(default_factory=list)
    reported_schedules: list[ReportedSchedule] = field(default_factory=list)
    limit: HistoryLimit | None = None  # the session's: None keeps every entry

    @property
    def connected(self) -> bool:
        return bool(self.connections) and self.connections[-1].closed is None

    @property
    def booted(self) -> bool:
        return self.registration == "Accepted"


@dataclass(slots=True)
class PendingFacts:
    """What the tracker keeps of a CALL until its answer comes: an answer carries no action
    and often not the subject (which EVSE, which profile), so the request's payload is
    needed to apply it. Only CALLs whose answer teaches something are kept."""

    action: str
    payload: dict[str, Any]
    station: str
    time: float


@dataclass(slots=True)
class SessionState:
    stations: dict[str, StationState] = field(default_factory=dict)
    upto_seq: int = 0                  # the last record applied
    # CALLs awaiting their answer: connection -> seq of the CALL -> its facts (bounded per
    # connection, dropped when the connection closes)
    pending: dict[str, dict[int, PendingFacts]] = field(default_factory=dict)
    # None keeps the whole history (loaded sessions, the window); a limit keeps the newest
    # entries of each list only (headless live runs)
    limit: HistoryLimit | None = None
    # False: transactions keep no meter series. A run that reports findings and nothing of
    # the state (`ocppscope validate`) skips the costliest part of tracking: the rules read
    # registration, intervals, EVSEs and seqNos, never a sampled value.
    meter_series: bool = True
    # True: only what verdicts read is tracked, for a run that prints findings and never the
    # state: the facts the session rules read (registration and heartbeat interval, each
    # transaction's seqNo range and end, the transaction running on each EVSE) and the
    # parts of multi-part reports (a hole is a finding). No history (statuses, record seqs,
    # seqNos, meter series), no boot details, device model values, reservations or
    # profiles, and no CALL is kept waiting for its answer. Verdicts are the same as with a
    # whole state (a test judges sessions both ways).
    verdicts_only: bool = False
