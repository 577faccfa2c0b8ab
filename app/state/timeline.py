"""The state at any point of a capture, without judging again.

A play-head steps through a session; at each step a view wants the state as it was after
that record. `StateTimeline` keeps one state and moves it forward record by record (one
step costs one record's apply), and keeps copies (pickles) along the way, so that going
back rebuilds from the nearest copy instead of from the start. A copy costs time in
proportion to the state, which grows with the session: one is taken at least
`SNAPSHOT_EVERY` records after the last, and only once replaying since then took
`COPY_SHARE` times as long as the last copy did, so copies never take most of the time (a
session of 100,000 records had spent three quarters of it deep-copying, a copy every 2,000
records). `advance` does the work in slices, for a window that must not wait. Records are
parsed again here (this is not the live path) and applied through the same functions the
checker uses; pairing and validity come from the capture's annotations, so the capture
must have been judged (live, or `annotate()` to the end).
"""

from __future__ import annotations

import bisect
import math
import pickle
import time

from app.ocpp.findings import Severity
from app.ocpp.frames import Call
from app.session.capture import Capture
from app.session.message import Message, RecordKind
from app.state.model import SessionState
from app.state.tracker import apply_event, apply_frame

SNAPSHOT_EVERY = 2000
COPY_SHARE = 2.0   # replaying since the last copy took this many times that copy's time


class StateTimeline:
    """States of one capture at any record. The state returned is the timeline's own: read
    it, do not change it; it moves on at the next call."""

    def __init__(self, capture: Capture, snapshot_every: int = SNAPSHOT_EVERY) -> None:
        self.capture = capture
        self._every = max(1, snapshot_every)
        self._state = SessionState()
        self._applied = 0                                 # records applied so far
        # (records applied, the state then, pickled): a pickle is made two to three times
        # quicker than a deep copy of a large state, and holds a fraction of its memory
        self._snapshots: list[tuple[int, bytes]] = []
        self._replayed_s = 0.0    # seconds spent replaying since the last copy
        self._copy_s = 0.0        # seconds the last copy took

    @property
    def applied(self) -> int:
        """How many records the state now holds (where `advance` got to)."""
        return self._applied

    def after(self, count: int) -> SessionState:
        """The state after the first `count` records of the capture."""
        self.advance(count)
        return self._state

    def advance(self, count: int, budget: float = math.inf) -> bool:
        """Work toward the state after the first `count` records for about `budget`
        seconds: True once it is there (`after(count)` then costs nothing), False when the
        time ran out first (call again to go on from where it stopped)."""
        count = max(0, min(count, len(self.capture.messages)))
        if count < self._applied:
            self._rewind(count)
        deadline = time.perf_counter() + budget
        messages = self.capture.messages
        while self._applied < count:
            started = time.perf_counter()
            replay(self._state, self.capture, messages[self._applied])
            self._applied += 1
            now = time.perf_counter()
            self._replayed_s += now - started
            self._copy_if_due()
            if self._applied < count and time.perf_counter() >= deadline:
                return False
        return True

    def _copy_if_due(self) -> None:
        last = self._snapshots[-1][0] if self._snapshots else 0
        if (self._applied - last < self._every
                or self._replayed_s < COPY_SHARE * self._copy_s):
            return
        started = time.perf_counter()
        self._snapshots.append((self._applied, pickle.dumps(self._state,
                                                             pickle.HIGHEST_PROTOCOL)))
        self._copy_s = time.perf_counter() - started
        self._replayed_s = 0.0

    def at_seq(self, seq: int) -> SessionState:
        """The state after the record with this seq (or the last one before it)."""
        return self.after(bisect.bisect_right(self.capture.messages, seq, key=lambda m: m.seq))

    def at_time(self, when: float) -> SessionState:
        """The state after the last record at or before wall-clock time `when`."""
        messages = self.capture.messages
        return self.after(bisect.bisect_right(messages, when, key=lambda m: m.time))

    def _rewind(self, count: int) -> None:
        index = bisect.bisect_right(self._snapshots, count, key=lambda s: s[0])
        if index:
            self._applied, saved = self._snapshots[index - 1]
            self._state = pickle.loads(saved)  # our own bytes, made just above
        else:
            self._applied, self._state = 0, SessionState()


def state_at(capture: Capture, seq: int) -> SessionState:
    """The state after the record with `seq`: a one-off; a play-head keeps a timeline."""
    return StateTimeline(capture).at_seq(seq)


def replay(state: SessionState, capture: Capture, message: Message) -> None:
    """Apply one judged record of `capture` to `state`, as the checker did when judging."""
    if message.kind in (RecordKind.OPENED, RecordKind.CLOSED):
        apply_event(state, message)
        return
    if message.kind not in (RecordKind.FRAME, RecordKind.BINARY):
        return
    frame = message.parse().frame
    annotation = capture.annotation(message.seq)
    call_seq = annotation.call_seq
    action = message.action
    call = None
    if call_seq is not None:
        index = capture.index_of(call_seq)
        call = capture.messages[index] if index is not None else None
    if frame is not None and not isinstance(frame, Call):
        action = call.action if call is not None else None
    trusted = _trusted(capture, message) and (call is None or _trusted(capture, call))
    apply_frame(state, seq=message.seq, time=message.time, connection=message.connection,
                station=message.station, direction=message.direction, frame=frame,
                action=action, call_seq=call_seq, valid=annotation.valid, trusted=trusted)


def _trusted(capture: Capture, message: Message) -> bool:
    """Whether judging found the exchange sound: no protocol error on the record."""
    return not any(f.severity is Severity.ERROR and f.code.startswith("protocol.")
                   for f in capture.annotation(message.seq).findings)
