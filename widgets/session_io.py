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
from app.session.sessionfile import SessionFileError, SessionWriter, make_header
from app.session.store import RecordStore

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
        # records read back from the very file being saved over: write beside it and
        # put the new file in its place at the end, or the reading would meet the writing
        self._replace: Path | None = None
        target = self.path
        store = capture.messages
        if isinstance(store, RecordStore) and _same_file(store.path, self.path):
            self._replace = self.path
            target = self.path.with_name(f".{self.path.name}.saving")
        try:
            self.writer = SessionWriter(target, make_header(mode, saved_from="gui"))
        except OSError as exc:
            raise SessionFileError(f"cannot write '{self.path}': {exc.strerror}") from None
        self.total = len(capture.messages)
        self.done = 0

    def step(self) -> bool:
        deadline = time.perf_counter() + SLICE
        messages = self.capture.messages
        while self.done < self.total:
            self.writer.write(messages[self.done])
            self.done += 1
            if self.done % 512 == 0 and time.perf_counter() > deadline:
                return True
        self.writer.close()
        if self._replace is not None:
            # the store keeps reading the old file through its open handle (POSIX)
            self.writer.path.replace(self._replace)
            self._replace = None
        return False

    def close(self) -> None:
        self.writer.close()

    @property
    def progress(self) -> float:
        return self.done / self.total if self.total else 1.0


def _same_file(first: Path, second: Path) -> bool:
    try:
        return first.exists() and second.exists() and first.samefile(second)
    except OSError:
        return False


class JudgeRun:
    """Verdicts for every loaded record, slice by slice; judging fills `capture.state`.
    A big session file is judged in worker processes (`ParallelJudge`), whose results are
    merged here a slice at a time; anything else is judged here, a slice at a time."""

    def __init__(self, capture: Capture) -> None:
        self.capture = capture
        # worker processes (multiprocessing) are loaded with the first session judged
        from app.session.parallel import ParallelJudge, worth_it

        self.parallel = ParallelJudge(capture) if worth_it(capture) else None

    def step(self) -> bool:
        # Verdicts are long-lived and free of cycles: keep the collector from walking them
        # (a full collection over a million of them pauses the window for 0.2 s).
        gc.disable()
        try:
            if self.parallel is not None:
                more = self.parallel.step(SLICE)
            else:
                more = self.capture.annotate(SLICE)
        finally:
            gc.freeze()
            gc.enable()
        return more

    def cancel(self) -> None:
        """Stop the worker processes, if any (what a serial pass judged stays judged)."""
        if self.parallel is not None:
            self.parallel.cancel()

    @property
    def progress(self) -> float:
        if self.parallel is not None:
            return self.parallel.progress
        return self.capture.unjudged / max(1, len(self.capture.messages))
