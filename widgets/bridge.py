"""The one place where engine records cross into Qt: a `Capture` subscriber that collects
records and hands them to the window in coalesced batches.

One signal per frame would let a busy proxy flood the event loop; instead records queue
here and a timer delivers them every `interval_ms` as a list. Pausing keeps collecting, so
nothing is lost while the display is frozen.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from app.session.capture import Annotation, Capture
from app.session.message import Message

log = logging.getLogger(__name__)


class CaptureBridge(QObject):
    # a list of (Message, Annotation) in record order, at most every interval_ms
    batch = Signal(list)

    def __init__(self, parent: QObject | None = None, interval_ms: int = 100) -> None:
        super().__init__(parent)
        self._pending: list[tuple[Message, Annotation]] = []
        self._lock = threading.Lock()
        self._unsubscribe: Callable[[], None] | None = None
        self.paused = False
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.flush)
        self._timer.start()

    def attach(self, capture: Capture) -> None:
        """Follow `capture` from now on (and stop following the previous one)."""
        self.detach()
        self._unsubscribe = capture.subscribe(self._collect)

    def detach(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        with self._lock:
            self._pending = []

    def _collect(self, message: Message, annotation: Annotation) -> None:
        # called on the engine thread; the timer takes the batch on the GUI thread
        with self._lock:
            self._pending.append((message, annotation))

    @property
    def pending(self) -> int:
        return len(self._pending)

    def flush(self) -> None:
        """Deliver what has queued (unless paused)."""
        if self.paused or not self._pending:
            return
        with self._lock:
            batch, self._pending = self._pending, []
        self.batch.emit(batch)
