"""The state of a session as of any one of its records, for stepping through a recording.

`StateAt.at(seq)` answers "what did the stations look like just after record `seq`?". Moving
forward applies only the records since the last answer, so stepping or playing costs one
record per step. Moving back cannot undo a record, so the state is rebuilt: from the nearest
checkpoint kept on the way forward, or from the start. Each record is applied with the
annotation the capture gave it, exactly as the live tracker saw it, so the picture at the end
is the one the session shows when it is not being stepped through.

The tracker is passed in as two functions (a fresh state, and how one record changes it), so
today's `StationTracker` and a richer tracker filling `app.state.model.SessionState` both fit.
"""

from __future__ import annotations

import bisect
import copy
import logging
from collections.abc import Callable, Mapping
from typing import Generic, Protocol, TypeVar

from app.session.capture import Annotation, Capture
from app.session.message import Message
from app.state.stations import StationState, StationTracker

log = logging.getLogger(__name__)

State = TypeVar("State")

CHECKPOINT_EVERY = 10_000   # records between kept copies: a step back costs at most this many


class StationsState(Protocol):
    """What the views of stations read: a state with its stations by name."""

    @property
    def stations(self) -> Mapping[str, StationState]: ...


class StateAt(Generic[State]):
    """The state after a chosen record of `capture`, built incrementally.

    `start()` makes an empty state; `apply(state, message, annotation)` changes it by one
    record (its return value is ignored). `duplicate` copies a state for a checkpoint; pass
    None to keep none (every step back then replays from the first record).
    """

    def __init__(self, capture: Capture, start: Callable[[], State],
                 apply: Callable[[State, Message, Annotation], object],
                 duplicate: Callable[[State], State] | None = copy.deepcopy,
                 checkpoint_every: int = CHECKPOINT_EVERY) -> None:
        self.capture = capture
        self._start = start
        self._apply = apply
        self._duplicate = duplicate
        self._every = max(1, checkpoint_every)
        self._checkpoints: dict[int, State] = {}   # records applied -> a copy of the state
        self._state = start()
        self._applied = 0                           # records of the capture applied so far
        self.rebuilds = 0                           # times the state went back (for tests)

    @property
    def applied(self) -> int:
        """How many records, from the first, the current state includes."""
        return self._applied

    def at(self, seq: int) -> State:
        """The state once every record up to and including `seq` is applied (a seq between
        two records counts the earlier; one before the first gives the empty state). The
        object returned is the one kept here: read it before the next call, never change
        it."""
        messages = self.capture.messages
        return self.through(bisect.bisect_right(messages, seq, key=lambda m: m.seq))

    def through(self, count: int) -> State:
        """The state once the first `count` records are applied."""
        count = max(0, min(count, len(self.capture.messages)))
        if count < self._applied:
            self._rewind(count)
        self._forward(count)
        return self._state

    def _rewind(self, count: int) -> None:
        self.rebuilds += 1
        kept = [n for n in self._checkpoints if n <= count]
        if kept and self._duplicate is not None:
            start = max(kept)
            self._state = self._duplicate(self._checkpoints[start])
            self._applied = start
        else:
            self._state = self._start()
            self._applied = 0

    def _forward(self, count: int) -> None:
        messages = self.capture.messages
        while self._applied < count:
            message = messages[self._applied]
            try:
                self._apply(self._state, message, self.capture.annotation(message.seq))
            except Exception:  # a tracker's bug on one record must not stop the stepping
                log.exception("tracking record %d failed", message.seq)
            self._applied += 1
            if (self._duplicate is not None and self._applied % self._every == 0
                    and self._applied not in self._checkpoints):
                self._checkpoints[self._applied] = self._duplicate(self._state)


def stations_at(capture: Capture, checkpoint_every: int = CHECKPOINT_EVERY
                ) -> StateAt[StationTracker]:
    """A `StateAt` over today's station tracker: the stations panel's picture at any
    record."""
    return StateAt(capture, StationTracker,
                   lambda tracker, message, annotation: tracker.apply(message, annotation),
                   checkpoint_every=checkpoint_every)
