"""File > Export redacted…: the session shown, with its secrets replaced, written to a file the
user chooses; the summary of what was replaced is told at the end.

The redaction itself is the engine's (`app.commands.export.export_redacted`). It runs on a
thread of its own, so that a session of a million records never freezes the window: the
progress bar shows how far it got, and Cancel stops it (nothing is left half written: a
file it made is removed, a file it was to replace is left as it was). The redaction
engine is loaded with the first export, not with the window.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction

from app.errors import OcppScopeError
from app.wording import count

if TYPE_CHECKING:
    from app.session.message import Message
    from widgets.main_window import MainWindow

log = logging.getLogger(__name__)
TITLE = "Export redacted"


class _Cancelled(Exception):
    """Raised from the progress callback to stop the work."""


class RedactedExport(QObject):
    """One export on its worker thread; its signals arrive on the GUI thread."""

    progress = Signal(float)          # 0..1
    finished = Signal(object)         # {kind: (values, places)} when written
    failed = Signal(str)              # one sentence
    cancelled = Signal()

    def __init__(self, messages: list[Message], source: str, output: str,
                 times_known: bool, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.messages, self.source, self.output = messages, source, output
        self.times_known = times_known
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._work, name="redacted-export",
                                        daemon=True)

    def start(self) -> None:
        self._thread.start()

    def cancel(self) -> None:
        self._stop.set()

    def wait(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def _report(self, done: int, total: int) -> None:
        if self._stop.is_set():
            raise _Cancelled
        self.progress.emit(done / total if total else 1.0)

    def _work(self) -> None:
        from app.commands.export import export_redacted
        from app.session.importing import Imported

        imported = Imported(self.messages, format="OCPP Scope session",
                            times_known=self.times_known)
        # a file already there (the user agreed to replace it) stays as it was when the
        # export is cancelled: only a file this export made is removed
        existed = Path(self.output).exists()
        try:
            redacted = export_redacted(imported, output=self.output, source=self.source,
                                       progress=self._report)
        except _Cancelled:
            if not existed:
                with contextlib.suppress(OSError):
                    Path(self.output).unlink()
            self.cancelled.emit()
        except OcppScopeError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # our bug: a sentence for the user, the trace in the log
            log.exception("redacted export failed")
            self.failed.emit(f"{self.output}: not written ({exc or type(exc).__name__})")
        else:
            self.finished.emit(redacted.summary)


class RedactExporter(QObject):
    """What File > Export redacted… starts; `job` is the export running, if any. The
    window makes the menu's `action` (triggering it asks `ask`), and this when the action
    is first used."""

    def __init__(self, window: MainWindow, action: QAction) -> None:
        super().__init__(window)
        self.window = window
        self.job: RedactedExport | None = None
        self.action = action

    def ask(self) -> None:
        from PySide6.QtWidgets import QFileDialog, QMessageBox  # made by Qt when first named

        window = self.window
        if not window.capture.messages:
            QMessageBox.information(window, TITLE, "There is no session to export: open one "
                                    "or record one first.")
            return
        shown = window.session_path
        suggestion = str(shown.with_name(f"{shown.stem}-redacted.jsonl")) if shown else ""
        path, _ = QFileDialog.getSaveFileName(window, TITLE, suggestion,
                                              "Sessions (*.jsonl)")
        if path:
            self.start(path)

    def start(self, output: str) -> RedactedExport | None:
        """Export the session shown to `output`; None when an export is already running."""
        if self.job is not None:
            self.window._error("a redacted export is already running")
            return None
        window = self.window
        source = window.session_path.name if window.session_path else "recorded session"
        job = RedactedExport(list(window.capture.messages), source, output,
                             window.capture.times_known, self)
        total = len(job.messages)
        job.progress.connect(lambda value: window._show_progress(value, "Redacting"))
        job.finished.connect(lambda summary: self._done(output, total, summary))
        job.failed.connect(lambda text: self._ended(f"{TITLE} failed: {text}"))
        job.cancelled.connect(lambda: self._ended(""))
        window.cancel_button.clicked.connect(job.cancel)
        self.job = job
        window._show_progress(0.0, "Redacting")
        job.start()
        return job

    def _ended(self, error: str) -> None:
        if self.job is not None:
            with contextlib.suppress(RuntimeError, TypeError):
                self.window.cancel_button.clicked.disconnect(self.job.cancel)
        self.job = None
        self.window._show_progress(None)
        if error:
            self.window._error(error)

    def _done(self, output: str, total: int, summary: dict[str, tuple[int, int]]) -> None:
        from PySide6.QtWidgets import QMessageBox

        from app.session.redaction import summary_lines

        self._ended("")
        lines = "\n".join(summary_lines(summary))
        self.window.statusBar().showMessage(f"redacted export written to {output}", 8000)
        QMessageBox.information(self.window, TITLE,
                                f"{count(total, 'record')} written to {output}.\n\n"
                                f"Replaced:\n{lines}")
