"""Rules of a station's session beyond any single frame: registration, heartbeats and the
order of transaction events. QUIRKS.md lists what real stations get wrong here; each rule
gives a finding that says what happened and what the sender probably meant.

`SessionRules` is fed, in order, every well-formed frame of one station with the action it
belongs to, and the station's state as the tracker (`app.state.tracker`) knew it before that
frame: registration, heartbeat interval and transactions are read there, so the rules and
every view agree on them. The rules keep only the time of the last heartbeat, a timing fact
no view needs.
"""

from __future__ import annotations

from typing import Any

from app.ocpp import catalog
from app.ocpp.conversation import Direction
from app.ocpp.findings import Finding, info, warning
from app.ocpp.frames import Call, CallResult, Frame
from app.state.model import StationState

# Heartbeats closer together than this share of the agreed interval are flagged.
HEARTBEAT_TOLERANCE = 0.5
# Actions a station may send while its registration is Pending or Rejected.
ALLOWED_UNREGISTERED = frozenset({"BootNotification"})
# The CALLs a rule may judge: every action but those only a CSMS sends (asked of every
# frame: one set lookup instead of an enum member's and the catalog's)
_JUDGED_CALLS = frozenset(name for name, entry in catalog.ACTIONS.items()
                          if entry.sender is not catalog.Sender.CSMS)
_DOWN = Direction.CSMS_TO_STATION
# The actions whose answers `SessionRules.observe` reads (it judges CALLs, and of answers
# only these): the checker passes it no other answer.
ANSWERS_JUDGED = frozenset({"BootNotification"})


class SessionRules:
    def __init__(self) -> None:
        self.last_heartbeat: float | None = None   # monotonic; reset by a boot answer

    def observe(self, frame: Frame, action: str | None, direction: Direction | None,
                time: float | None, station: StationState | None = None) -> list[Finding]:
        """Findings for one frame (whose payload passed the envelope checks); `time` is None
        when the input carries no times, and then no rule about timing is applied. `station`
        is the station's state before this frame (None: nothing known yet)."""
        if action is None:
            return []
        if frame.__class__ is not Call and not isinstance(frame, Call):
            payload = getattr(frame, "payload", None)
            if isinstance(frame, CallResult) and action == "BootNotification" \
                    and isinstance(payload, dict):
                return self._boot_answer(payload)
            return []
        payload = frame.payload
        if direction is _DOWN or action not in _JUDGED_CALLS \
                or (payload.__class__ is not dict and not isinstance(payload, dict)):
            return []
        findings: list[Finding] = []
        registration = station.registration if station is not None else None
        if registration in ("Pending", "Rejected") and action not in ALLOWED_UNREGISTERED:
            findings.append(warning(
                "rule.not-registered",
                f"{action} sent while the station's registration is {registration}; "
                "until the CSMS accepts a BootNotification only BootNotification (and what the "
                "CSMS triggers) may be sent"))
        if action == "Heartbeat":
            interval = station.interval if station is not None else None
            findings.extend(self._heartbeat(time, interval))
        elif action == "TransactionEvent":
            findings.extend(_transaction_event(payload, station))
        return findings

    def _boot_answer(self, payload: dict[str, Any]) -> list[Finding]:
        status = payload.get("status")
        interval = payload.get("interval")
        if not isinstance(interval, int | float) or isinstance(interval, bool):
            return []
        self.last_heartbeat = None  # a new interval: heartbeats are timed from here
        if status == "Accepted" and interval <= 0:
            return [warning("rule.heartbeat-interval",
                            f"heartbeat interval {interval}: the station will either send no "
                            "heartbeats or flood the CSMS with them; give a positive interval",
                            "interval")]
        return []

    def _heartbeat(self, time: float | None, interval: float | None) -> list[Finding]:
        if time is None:
            return []
        previous, self.last_heartbeat = self.last_heartbeat, time
        if previous is None or not interval or interval <= 0:
            return []
        gap = time - previous
        if gap < interval * HEARTBEAT_TOLERANCE:
            return [info("rule.heartbeat-early",
                         f"heartbeat {gap:.1f} s after the previous one; the agreed interval "
                         f"is {interval:g} s (the station ignores it, or sends on every "
                         "idle moment)")]
        return []


def _transaction_event(payload: dict[str, Any], station: StationState | None) -> list[Finding]:
    info_block = payload.get("transactionInfo")
    event, seq_no = payload.get("eventType"), payload.get("seqNo")
    if not isinstance(info_block, dict):
        return []
    transaction_id = info_block.get("transactionId")
    if not isinstance(transaction_id, str) or not isinstance(seq_no, int):
        return []
    findings: list[Finding] = []
    tx = station.transactions.get(transaction_id) if station is not None else None
    evse = payload.get("evse", {}).get("id") if isinstance(payload.get("evse"), dict) else None
    if not isinstance(evse, int) or isinstance(evse, bool):
        evse = None  # an odd id is the schema's finding; the rules follow integer ids
    previous = tx.highest_seq_no if tx is not None else None
    if event == "Started":
        if tx is not None and tx.ended is None:
            findings.append(warning(
                "rule.tx-started-twice",
                f"transaction {transaction_id} was already started; a restarted "
                "station should continue it with Updated, not start it again"))
        on_evse = station.evses.get(evse) if station is not None and evse is not None else None
        other = on_evse.transaction_id if on_evse is not None else None
        if other is not None and other != transaction_id:
            findings.append(warning(
                "rule.tx-overlap",
                f"transaction {transaction_id} starts on EVSE {evse} while "
                f"transaction {other} there never ended (a transaction id that "
                "changed mid-transaction, or a lost Ended event)", "evse.id"))
        previous = None  # a (re)started transaction counts its events from here
    elif tx is not None and tx.ended is not None:
        findings.append(warning(
            "rule.tx-after-ended",
            f"{event} event for transaction {transaction_id} after its Ended event",
            "eventType"))
    findings.extend(_seq_no(previous, seq_no, transaction_id))
    return findings


def _seq_no(previous: int | None, seq_no: int, transaction_id: str) -> list[Finding]:
    """Findings for `seq_no` after the highest seqNo seen so far (`previous`)."""
    if previous is None:
        return []
    if seq_no == previous:
        return [warning("rule.seqno-repeat",
                        f"seqNo {seq_no} repeats in transaction {transaction_id}: each "
                        "event needs the next number (a re-sent event, or a counter "
                        "that is not persisted)", "seqNo")]
    if seq_no < previous:
        return [warning("rule.seqno-order",
                        f"seqNo {seq_no} after {previous} in transaction "
                        f"{transaction_id}: events arrive out of order (often a queue of "
                        "offline events sent after live ones)", "seqNo")]
    if seq_no > previous + 1:
        missing = seq_no - previous - 1
        return [info("rule.seqno-gap",
                     f"seqNo jumps from {previous} to {seq_no} in transaction "
                     f"{transaction_id}: {missing} event{'s' * (missing != 1)} missing "
                     "(lost, or still queued on the station)", "seqNo")]
    return []
