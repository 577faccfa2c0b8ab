"""The clock of a recording played back: which record is due now, and how long to wait for
the next one, at a chosen speed.

Playing does not wait record by record (a burst of records recorded within a millisecond would
then take one timer tick each); it keeps a clock of recorded time that runs at `speed` times
real time, and the play-head moves to the last record that clock has reached. A quiet stretch
that would keep the user waiting more than `longest_wait` real seconds is shortened to
`shortened_to` seconds, and the clock says so, so a session of a night's heartbeats still
plays. With no speed ("as fast as possible"), or a file without times, each record takes a
short fixed `pace`.
"""

from __future__ import annotations

from dataclasses import dataclass

LONGEST_WAIT = 3.0    # real seconds: a longer wait for the next record is shortened...
SHORTENED_TO = 1.0    # ...to this
PACE = 0.02           # real seconds per record, as fast as possible


@dataclass(frozen=True, slots=True)
class Wait:
    """How long to wait for the next record; `shortened_from` is the recorded gap that was
    cut short (in recorded seconds), None when the wait is the real one."""

    seconds: float
    shortened_from: float | None = None


class PlayClock:
    def __init__(self, speed: float | None, *, longest_wait: float = LONGEST_WAIT,
                 shortened_to: float = SHORTENED_TO, pace: float = PACE) -> None:
        """`speed`: recorded seconds per real second (1, 10, 100), or None for one record per
        `pace`."""
        self.speed = speed if speed is None or speed > 0 else None
        self.longest_wait = longest_wait
        self.shortened_to = min(shortened_to, longest_wait)
        self.pace = pace
        self._recorded = 0.0   # the recorded time the clock showed...
        self._real = 0.0       # ...at this real (monotonic) time

    def start(self, recorded: float, real: float) -> None:
        """Set the clock to `recorded` time at `real` time: where the head is, now."""
        self._recorded, self._real = recorded, real

    def recorded_now(self, real: float) -> float:
        """The recorded time the clock has reached at `real` time."""
        if self.speed is None:
            return self._recorded
        return self._recorded + max(0.0, real - self._real) * self.speed

    def wait_for(self, recorded_next: float, real: float) -> Wait:
        """How long to wait from `real` time until the record at `recorded_next` is due. A wait
        longer than `longest_wait` is shortened: the clock jumps ahead so that the record is
        due in `shortened_to` seconds."""
        if self.speed is None:
            return Wait(self.pace)
        gap = recorded_next - self.recorded_now(real)
        seconds = max(0.0, gap / self.speed)
        if seconds <= self.longest_wait:
            return Wait(seconds)
        self.start(recorded_next - self.shortened_to * self.speed, real)
        return Wait(self.shortened_to, shortened_from=gap)


def offset_text(seconds: float) -> str:
    """Time since the session's first record as +HH:MM:SS (hours grow past 99)."""
    sign = "-" if seconds < 0 else "+"
    whole = int(abs(seconds))
    return f"{sign}{whole // 3600:02d}:{whole // 60 % 60:02d}:{whole % 60:02d}"
