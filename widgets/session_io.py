"""Opening and saving sessions without freezing the window: work runs in slices from a
timer, with progress and cancel, and a broken file loads what is good and says what was
skipped."""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from app.session.capture import Capture
from app.session.message import Message
from app.session.sessionfile import SessionFileError, SessionWriter, make_header

log = logging.getLogger(__name__)

SLICE = 0.03  # seconds of work per timer tick: the window stays responsive


class SliceJob(QObject):
    """Calls `step()` from a zero-interval timer until it returns False or is cancelled."""

    progress = Signal(float)     # 0..1
    finished = Signal(bool)      # True when complete, False when cancelled or failed
    failed = Signal(str)         # the step raised: one sentence, then finished(False)

    def __init__(self, step: Callable[[], bool], measure: Callable[[], float],
                 parent: QObject | None = None,
                 on_cancel: Callable[[], None] | None = None) -> None:
        super().__init__(parent)
        self._step = step
        self._measure = measure
        self._on_cancel = on_cancel
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._tick)
        self.cancelled = False

    def start(self) -> None:
        self._timer.start()

    def cancel(self) -> None:
        self.cancelled = True
        self._timer.stop()
        if self._on_cancel is not None:
            self._on_cancel()
        self.finished.emit(False)

    @property
    def running(self) -> bool:
        return self._timer.isActive()

    def _tick(self) -> None:
        try:
            more = self._step()
        except Exception as exc:  # a full disk, a bug: stop, say it, never spin
            log.exception("a background job failed")
            self._timer.stop()
            self.failed.emit(str(exc) or type(exc).__name__)
            self.finished.emit(False)
            return
        self.progress.emit(self._measure())
        if not more:
            self._timer.stop()
            self.finished.emit(True)


class SessionSaver:
    """Writes the records of a capture to a session file in slices."""

    def __init__(self, capture: Capture, path: str | Path, mode: str) -> None:
        self.capture = capture
        self.path = Path(path)
        try:
            self.writer = SessionWriter(self.path, make_header(mode, saved_from="gui"))
        except OSError as exc:
            raise SessionFileError(f"cannot write '{self.path}': {exc.strerror}") from None
        self.total = len(capture.messages)
        self.done = 0

    def step(self) -> bool:
        deadline = time.perf_counter() + SLICE
        messages: list[Message] = self.capture.messages
        while self.done < self.total:
            self.writer.write(messages[self.done])
            self.done += 1
            if self.done % 512 == 0 and time.perf_counter() > deadline:
                return True
        self.writer.close()
        return False

    def close(self) -> None:
        self.writer.close()

    @property
    def progress(self) -> float:
        return self.done / self.total if self.total else 1.0


class JudgeRun:
    """Verdicts for every loaded record, slice by slice; judging fills `capture.state`."""

    def __init__(self, capture: Capture) -> None:
        self.capture = capture

    def step(self) -> bool:
        # Verdicts are long-lived and free of cycles: keep the collector from walking them
        # (a full collection over a million of them pauses the window for 0.2 s).
        gc.disable()
        try:
            more = self.capture.annotate(SLICE)
        finally:
            gc.freeze()
            gc.enable()
        return more

    @property
    def progress(self) -> float:
        return self.capture.unjudged / max(1, len(self.capture.messages))
