"""Pairing CALLs with their answers on one connection, and the protocol faults around it.

OCPP-J allows one outstanding CALL per direction; answers carry the CALL's message id and no
action, so the action (and the schema) of a CALLRESULT is only known from the CALL it answers.
`Conversation` keeps that memory for one connection. It is fed frames in wire order and says,
for each, which CALL it answers, the round-trip time, and what is wrong with the exchange.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from enum import StrEnum
from math import inf

from app.ocpp import catalog
from app.ocpp.findings import Finding, Severity, error, info, warning
from app.ocpp.frames import Call, CallError, CallResult, Frame
from app.ocpp.slots import fast_constructor


class Direction(StrEnum):
    STATION_TO_CSMS = "station_to_csms"
    CSMS_TO_STATION = "csms_to_station"

    @property
    def arrow(self) -> str:
        return "→" if self is Direction.STATION_TO_CSMS else "←"

    @property
    def sender(self) -> catalog.Sender:
        if self is Direction.STATION_TO_CSMS:
            return catalog.Sender.STATION
        return catalog.Sender.CSMS

    @property
    def opposite(self) -> Direction:
        if self is Direction.STATION_TO_CSMS:
            return Direction.CSMS_TO_STATION
        return Direction.STATION_TO_CSMS


@dataclass(frozen=True, slots=True)
class PendingCall:
    message_id: str
    action: str
    seq: int
    time: float | None                  # None when the input carries no times
    direction: Direction | None
    # False when the CALL broke the protocol (sent by the wrong side, an id in use): then
    # neither it nor its answer is a fact the session rules may learn from
    trusted: bool = True


class Lost(StrEnum):
    """Why a CALL stopped being outstanding without its answer."""

    TIMEOUT = "timeout"        # its answer had not come `answer_timeout` seconds after it
    REBOOT = "reboot"          # the station sent a new BootNotification
    OVERTAKEN = "overtaken"    # without times: a later CALL of the same side was answered
    CLOSED = "closed"          # its connection closed before the answer came


@dataclass(slots=True)
class Exchange:
    """What the conversation learned from one frame."""

    action: str | None = None           # for answers: the action of the CALL answered
    call: PendingCall | None = None     # for answers: the CALL answered
    latency: float | None = None        # seconds from the CALL to this answer
    findings: list[Finding] = field(default_factory=list)


# Enum members and properties are looked up in Python on every access, and an enum
# member's hash is a Python function: pairing reads what it needs for every frame from
# plain tables, and numbers its queues by side instead of keying them by direction.
_UP, _DOWN = Direction.STATION_TO_CSMS, Direction.CSMS_TO_STATION
_NO_SIDE, _UP_SIDE, _DOWN_SIDE = 0, 1, 2  # a direction not known, station->CSMS, CSMS->station
# the direction that must not send each action (its sender's opposite); none for BOTH
_WRONG_WAY = {name: (_DOWN if entry.sender is catalog.Sender.STATION else _UP)
              for name, entry in catalog.ACTIONS.items()
              if entry.sender is not catalog.Sender.BOTH}
# the queues an answer may come from, by the answer's side
_ANSWERED_SIDES: tuple[tuple[int, ...], ...] = (
    (_NO_SIDE, _UP_SIDE, _DOWN_SIDE), (_DOWN_SIDE, _NO_SIDE), (_UP_SIDE, _NO_SIDE))
_new_pending_call = fast_constructor(PendingCall)
# An `Exchange` as its parts: action, call, latency, findings (a list, or `_NO_FINDINGS`)
_ExchangeParts = tuple[str | None, PendingCall | None, float | None,
                       list[Finding] | tuple[()]]
_NO_FINDINGS: tuple[()] = ()


def _side(direction: Direction | None) -> int:
    """The queue of a sending side. Callers pass a `Direction` member or None, never its
    string value: the test is by identity, which is what keeps it cheap for every frame."""
    return _NO_SIDE if direction is None else _UP_SIDE if direction is _UP else _DOWN_SIDE


ANSWER_TIMEOUT = 30.0  # seconds a CALL may wait for its answer before it is given up on
ANSWER_TIMEOUTS = (0.1, 86_400.0)  # the timeouts a user may set, live and in `validate`
# How many answered message ids a connection remembers to notice reuse.
_REMEMBERED_IDS = 4096
# How many unanswered CALLs per direction are remembered for pairing.
_MAX_WAITING = 10_000
# How many CALLs given up on still pair with a late answer.
_REMEMBERED_GIVEN_UP = 4096


_HALF_MICROSECOND = 5e-7


def answer_due(sent: float, now: float, timeout: float) -> bool:
    """Whether a CALL sent at `sent` has waited out `timeout` seconds at `now`: the one
    test of an answer timeout, for a frame judged in its turn as for a live run's watch,
    so that both give up on the same CALLs. Its deadline is `sent + timeout`, and an
    answer at the deadline is in time: the CALL is due only strictly after it. Recorded
    times keep microseconds, and their float sum can land a hair past an answer recorded
    exactly at the deadline (105.93924 + 30 < 135.93924): the wait is compared to the
    timeout at half a microsecond's grace. A time that is not a number (NaN) gives up at
    once rather than never."""
    return not now - sent <= timeout + _HALF_MICROSECOND


def answer_timeout(call: PendingCall, timeout: float) -> Finding:
    """The finding on a CALL whose answer did not come in time: the same words whether
    a file is judged or a live run watched, so that a CALL gets one verdict everywhere."""
    return warning("protocol.answer-timeout",
                   f"{call.action} got no answer within {timeout:g} s")


def no_answer_at_close(call: PendingCall) -> Finding:
    """The finding on a CALL still waiting, not yet overdue, when its connection closed:
    its answer can no longer come. One wording for a loaded capture and `validate`."""
    return warning("protocol.no-answer",
                   f"{call.action} got no answer before the connection closed")


class Conversation:
    """The pairing state of one connection. `direction=None` means "not known" (a bare list
    of frames): then an answer may pair with a CALL from either side, and no CALL is said to
    overlap another, since they may well have come from different sides.

    A CALL stops being outstanding when it is answered; when its answer has not come
    `answer_timeout` seconds after it was sent (an answer at that deadline is in time), at
    the first record of the connection timed strictly after the deadline, before that
    record is judged (so it no longer makes a later CALL concurrent): `observe` does it
    for a frame that parses, and whoever sees any other timed record of the connection
    calls `expire` with its time (the checker for a frame that does not parse, a capture
    or `validate` for a close); when the station sends a new BootNotification (it
    rebooted: nothing sent before will be answered on this connection); or, for CALLs
    without a time, when a later CALL of the same side is answered: a sender goes on only
    after an answer or its own timeout, so the earlier answer was lost. Otherwise one lost
    answer would stay outstanding to the end of a file and be named at every later CALL.
    The timeout is decided by the times of the records, not by when anyone looks, so a
    file judged later gives up on the very CALLs a live run gave up on. A late answer to a
    CALL given up on still pairs with it, quietly: the CALL was already reported, and its
    answer deserves its check. `take_given_up` says what the latest frame made the
    conversation give up on, and why; `expire` gives up on CALLs at a time without a frame
    that parses (a malformed frame, a connection that closed, or stayed silent while
    others talked).

    `directions_inferred` is for inputs that never said which way a frame went (a log that
    mixes both sides): the directions were inferred from each action's sender, so a second
    CALL "in the same direction" is a guess about the input, not something it showed. It is
    then a note that says so, never a warning."""

    def __init__(self, directions_inferred: bool = False,
                 answer_timeout: float | None = ANSWER_TIMEOUT) -> None:
        """`answer_timeout`: seconds after which an unanswered CALL is given up on; None
        never gives up on one for its time."""
        self.directions_inferred = directions_inferred
        self._timeout = answer_timeout
        # No CALL first in its queue is due until after this time (it may be earlier than the
        # true first deadline), so that a frame looks at the queues only when one may be
        # due: almost every answer comes in time. `expire` only ever gives up on CALLs
        # first in their queues, so a CALL that becomes first otherwise than by `expire`
        # (the one before it answered or dropped) sets it to -inf: the next frame looks.
        self._next_due = inf
        # waiting CALLs per sending side (`_side`), oldest first (dicts keep insertion
        # order), so that every check is O(1) however many CALLs a peer leaves unanswered
        self._waiting: dict[int, dict[str, PendingCall]] = {}
        self._answered: OrderedDict[str, int] = OrderedDict()
        self._given_up: OrderedDict[str, PendingCall] = OrderedDict()
        self.given_up_now: tuple[tuple[PendingCall, Lost], ...] = ()  # by the latest frame

    @property
    def answer_timeout(self) -> float | None:
        return self._timeout

    @answer_timeout.setter
    def answer_timeout(self, timeout: float | None) -> None:
        self._timeout = timeout
        self._next_due = -inf  # the deadlines move: the next frame looks again

    @property
    def pending(self) -> list[PendingCall]:
        calls = [call for queue in self._waiting.values() for call in queue.values()]
        return sorted(calls, key=lambda p: p.seq)

    def observe(self, frame: Frame, direction: Direction | None, seq: int,
                time: float | None) -> Exchange:
        """What this frame, seen in its turn, says of the exchange it belongs to."""
        action, call, latency, findings = self.observe_parts(frame, direction, seq, time)
        return Exchange(action, call, latency, list(findings))

    def observe_parts(self, frame: Frame, direction: Direction | None, seq: int,
                      time: float | None) -> _ExchangeParts:
        """`observe`'s exchange as its parts, (action, call, latency, findings), for the
        checker, which pairs every frame and need not build an `Exchange` to read them
        back; `findings` is a list, or an empty tuple when there are none."""
        self.given_up_now = ()
        # `not <`: a time that is not a number looks, as `answer_due` gives up at once
        if time is not None and not time < self._next_due:
            self.given_up_now = tuple((call, Lost.TIMEOUT) for call in self.expire(time))
        if frame.__class__ is Call or isinstance(frame, Call):
            return self._observe_call(frame, direction, seq, time)
        return self._observe_answer(frame, direction, time)

    def _observe_call(self, frame: Call, direction: Direction | None, seq: int,
                      time: float | None) -> _ExchangeParts:
        name, message_id = frame.action, frame.message_id
        findings: list[Finding] = []
        if name == "BootNotification" and direction is not _DOWN:
            self._reboot()
        if direction is not None and _WRONG_WAY.get(name) is direction:
            sender = catalog.ACTIONS[name].sender
            findings.append(error(
                "protocol.wrong-sender",
                f"{name} is sent by the {sender.value.upper()}"
                f" ({sender.label}), but this CALL came from the "
                f"{direction.sender.value.upper()}"))
        side = _side(direction)
        queue = self._waiting.get(side)
        if queue is None:
            queue = self._waiting[side] = {}
        previous = queue.get(message_id) if queue else None
        if previous is not None:
            findings.append(error(
                "protocol.duplicate-id",
                f"message id '{message_id}' is already in use by the unanswered "
                f"{previous.action} (#{previous.seq}); each CALL needs a new id"))
            del queue[message_id]  # it goes to the end, as the newest
            self._next_due = -inf
        else:
            if queue and direction is not None:
                findings.append(self._concurrent(next(iter(queue.values())), direction))
            if message_id in self._answered:
                findings.append(warning(
                    "protocol.reused-id",
                    f"message id '{message_id}' was already used by #"
                    f"{self._answered[message_id]}; ids should be unique"))
        trusted = not findings or not any(f.severity is Severity.ERROR for f in findings)
        queue[message_id] = _new_pending_call(message_id, name, seq, time, direction, trusted)
        if time is not None and self._timeout is not None:
            due = time + self._timeout
            if not due >= self._next_due:  # NaN included: then the next frame looks
                self._next_due = due
        if len(queue) > _MAX_WAITING:  # a peer that never answers: forget the oldest
            queue.pop(next(iter(queue)))
            self._next_due = -inf
        return name, None, None, findings or _NO_FINDINGS

    def _concurrent(self, first: PendingCall, direction: Direction) -> Finding:
        """A second CALL while `first` awaits its answer: a warning when the input said
        which way both went, a note when that was inferred from their actions."""
        if not self.directions_inferred:
            return warning(
                "protocol.concurrent-call",
                f"a CALL was sent while {first.action} (#{first.seq}) still awaits its "
                "answer; OCPP-J allows one outstanding CALL per direction")
        side = "station" if direction is Direction.STATION_TO_CSMS else "CSMS"
        return info(
            "protocol.concurrent-call",
            f"a CALL while {first.action} (#{first.seq}) still awaits its answer, both "
            f"taken as sent by the {side} because of their actions: the input does not say "
            "which way its frames went, so this is not flagged as a second outstanding CALL")

    def _observe_answer(self, frame: CallResult | CallError, direction: Direction | None,
                        time: float | None) -> _ExchangeParts:
        message_id = frame.message_id
        call = self._take(message_id, direction)
        if call is None:
            kind = "CALLRESULT" if isinstance(frame, CallResult) else "CALLERROR"
            code = ("protocol.unmatched-result" if isinstance(frame, CallResult)
                    else "protocol.unmatched-error")
            reason = "no CALL with this id is waiting for an answer"
            if message_id in self._answered:
                reason = (f"the CALL with this id (#{self._answered[message_id]}) "
                          "was already answered")
            return None, None, None, [error(
                code, f"{kind} for message id '{message_id}': {reason}")]
        answered = self._answered
        answered[message_id] = call.seq
        if len(answered) > _REMEMBERED_IDS:
            answered.popitem(last=False)
        called = call.time
        latency = None if time is None or called is None else max(0.0, time - called)
        if called is None and call.direction is not None:
            self._overtaken(call)
        return call.action, call, latency, _NO_FINDINGS

    def _take(self, message_id: str, direction: Direction | None) -> PendingCall | None:
        """The CALL an answer belongs to: one sent the other way, or of unknown direction."""
        waiting = self._waiting
        for side in _ANSWERED_SIDES[_side(direction)]:
            queue = waiting.get(side)
            if queue and message_id in queue:
                call = queue.pop(message_id)
                if queue:  # another CALL may have become the first: look at the next frame
                    self._next_due = -inf
                return call
        late = self._given_up.get(message_id)
        if late is not None and (late.direction is None or direction is None
                                 or late.direction is direction.opposite):
            return self._given_up.pop(message_id)
        return None

    def take_given_up(self) -> tuple[tuple[PendingCall, Lost], ...]:
        """The CALLs the latest frame made this conversation give up on (a timeout, a
        reboot, an overtaking answer), each with the reason, timeouts first; once: a second
        call returns nothing."""
        lost, self.given_up_now = self.given_up_now, ()
        return lost

    def overdue(self, now: float, timeout: float) -> list[PendingCall]:
        """CALLs that have waited longer than `timeout` seconds (they stay pending)."""
        return [p for p in self.pending
                if p.time is not None and answer_due(p.time, now, timeout)]

    def expire(self, now: float, timeout: float | None = None) -> list[PendingCall]:
        """Give up on the CALLs whose answer has not come `timeout` seconds (by default
        `answer_timeout`) after they were sent, at time `now`, and return them, oldest
        first: they are no longer outstanding, so one lost answer is reported once, not
        again at every later CALL. Every frame does this before it is judged; call it for
        a moment without a frame of this connection."""
        timeout = self._timeout if timeout is None else timeout
        if timeout is None:
            return []
        expired: list[PendingCall] | None = None
        next_due = inf
        for queue in self._waiting.values():
            while queue:
                oldest = next(iter(queue.values()))  # queues are in order of time
                sent = oldest.time
                if sent is None:
                    break
                if not answer_due(sent, now, timeout):
                    due = sent + timeout
                    if due < next_due:
                        next_due = due
                    break
                if expired is None:
                    expired = []
                expired.append(queue.pop(oldest.message_id))
        if timeout == self._timeout:
            self._next_due = next_due
        if expired is None:
            return []
        self._give_up(expired)
        return sorted(expired, key=lambda p: p.seq)

    def _reboot(self) -> None:
        """The station booted again: what either side was waiting for will not come, and the
        station may count its message ids from the start again."""
        cleared = self.pending
        for queue in self._waiting.values():
            queue.clear()
        self._answered.clear()
        self._give_up(cleared)
        self._next_due = inf
        self.given_up_now += tuple((call, Lost.REBOOT) for call in cleared)

    def _overtaken(self, answered: PendingCall) -> None:
        """Give up on the timeless CALLs its sender sent before `answered`."""
        queue = self._waiting.get(_side(answered.direction), {})
        lost: list[PendingCall] = []
        while queue:
            oldest = next(iter(queue.values()))
            if oldest.seq > answered.seq or oldest.time is not None:
                break
            lost.append(queue.pop(oldest.message_id))
        self._give_up(lost)
        self._next_due = -inf
        self.given_up_now += tuple((call, Lost.OVERTAKEN) for call in lost)

    def _give_up(self, calls: list[PendingCall]) -> None:
        for call in calls:
            self._given_up[call.message_id] = call
        while len(self._given_up) > _REMEMBERED_GIVEN_UP:
            self._given_up.popitem(last=False)
