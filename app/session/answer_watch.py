"""CALLs given up on for their time outside a frame of their connection: the live run's
watch, which flags them while their connection is silent (by a clock held back to the
frames not judged yet), and the end of a file, whose last record is the last moment a
loaded session or `validate` knows of. Both give the finding a frame of that connection
would have given, so that a CALL gets one verdict everywhere."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from app.ocpp.conversation import ANSWER_TIMEOUT
from app.ocpp.findings import Finding
from app.session.message import Message, RecordKind

if TYPE_CHECKING:
    from app.session.capture import Capture

_JUDGED = (RecordKind.FRAME, RecordKind.BINARY, RecordKind.OPENED, RecordKind.CLOSED)


class WatchClock:
    """The time a live watch looks at: the clock, held back to the oldest frame that
    crossed but is not judged yet. An observer judges frames after they crossed, in
    batches, with the time each crossed: a watch looking at the clock alone could flag a
    CALL whose answer crossed in time and waits in a batch, a verdict the frames' own
    times contradict. Whoever hands a capture frames late says how late (`hold`)."""

    def __init__(self) -> None:
        self._held_by: list[Callable[[], float | None]] = []

    def hold(self, oldest: Callable[[], float | None]) -> None:
        """`oldest()` says when the oldest frame it holds for the capture, not yet judged,
        crossed (monotonic), or None when it holds none; called at every look."""
        self._held_by.append(oldest)

    def now(self, now: float | None = None) -> float:
        """`now` (by default the monotonic clock), or earlier: no later than any frame
        still waiting to be judged."""
        now = time.monotonic() if now is None else now
        for oldest in self._held_by:
            waiting = oldest()
            if waiting is not None and waiting < now:
                now = waiting
        return now


def last_time(messages: Sequence[Message]) -> float | None:
    """When the last frame or connection event of a file came (the last moment the file
    shows, by which overdue CALLs are given up at its end); None if it holds neither."""
    for position in range(len(messages) - 1, -1, -1):
        message = messages[position]
        if message.kind in _JUDGED:
            return message.monotonic
    return None


async def watch_answers(capture: Capture, report: Callable[[int, Finding], None] | None = None,
                        timeout: float = ANSWER_TIMEOUT, every: float = 1.0) -> None:
    """Run `capture.expire` every `every` seconds until cancelled (live modes only), the
    first time at once: from then on the capture judges its frames by the same `timeout`,
    and the views that show a CALL waiting read it there."""
    import asyncio

    while True:
        for seq, finding in capture.expire(timeout):
            if report is not None:
                report(seq, finding)
        await asyncio.sleep(every)
