"""The window's sessions: opening (streamed, with progress and cancel, then judged in the
background), saving, and the saved-message library files. A part of `MainWindow`, kept in
its own module because it is a concern of its own; it uses the window's widgets directly."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QFileDialog, QMessageBox

from app.session.capture import Capture
from app.session.loader import SessionLoader
from app.session.sessionfile import SessionFileError
from widgets.session_io import JudgeRun, SessionSaver, SliceJob

if TYPE_CHECKING:
    from widgets.main_window import MainWindow

SESSION_FILTER = "Sessions and frame files (*.jsonl *.json *.txt *.log);;All files (*)"


class SessionsMixin:
    def open_dialog(self: MainWindow) -> None:
        if not self.capture_guard.settle("opening another session", self.open_dialog):
            return  # asked before choosing, as Wireshark does
        path, _ = QFileDialog.getOpenFileName(self, "Open a session", self._last_folder(),
                                              SESSION_FILTER)
        if path:
            self.open_session(path)

    def open_session(self: MainWindow, path: str) -> None:
        if self.runner.busy:
            return self._error("stop the running mode before opening a session")
        if not self.capture_guard.settle("opening another session",
                                         lambda: self.open_session(path)):
            return None  # unsaved records: asked, and saved or discarded first (or not)
        try:
            loader = SessionLoader.open(path)
        except SessionFileError as exc:
            return self._error(str(exc))
        self.generation += 1  # callbacks of a load or check still running are now stale
        generation = self.generation
        self.cancel_job()
        self.session_path = Path(path)
        self._remember_recent(path)
        self.pages.setCurrentIndex(1)
        self._show_capture(Capture(), live=False)
        self.setWindowTitle(f"OCPP Scope — {Path(path).name}")
        started = time.perf_counter()

        def done(complete: bool) -> None:
            if generation != self.generation:
                return
            self._show_progress(None)
            capture = Capture()
            capture.adopt(loader.messages, times_known=loader.times_known)
            self._show_capture(capture, live=False)
            self.model.set_rows(range(len(capture.messages)))
            self.covered = len(capture.messages)
            elapsed = time.perf_counter() - started
            note = f"{len(capture.messages):,} records in {elapsed:.1f} s"
            if loader.skipped:
                note += f"; {loader.skipped} damaged lines skipped"
                self._warn_skipped(path, loader)
            if not complete:
                note = "loading cancelled: showing what was read, " + note
            self.statusBar().showMessage(note, 15000)
            self.load_finished.emit(complete)
            self._judge()

        self._run_job(SliceJob(loader.step, lambda: loader.progress, None, loader.cancel),
                      "Loading", done)

    def _judge(self: MainWindow) -> None:
        """Give every loaded record its verdict, in slices, and fill in the stations."""
        capture, tracker = self.capture, self.tracker
        judging = JudgeRun(capture, tracker)

        generation = self.generation

        def done(complete: bool) -> None:
            if generation != self.generation:
                return
            self._show_progress(None)
            self.stations.update_states(list(tracker.stations.values()))
            self.filter_bar.add_stations(list(tracker.stations))
            for column in range(self.model.columnCount()):
                self.model.refresh_column(column)
            if complete:
                self.judged.emit()
                if not self.record_filter.is_empty:
                    self.apply_filter(self.record_filter)

        job = SliceJob(judging.step, lambda: judging.progress)
        job.progress.connect(lambda value: self._show_progress(value, "Checking"))
        job.finished.connect(done)
        self._judge_job = job
        job.start()

    def export_saved(self: MainWindow) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export saved messages",
                                              str(Path(self._last_folder()) / "messages.json"),
                                              "JSON (*.json)")
        if path:
            self.statusBar().showMessage(self.workbench.export_saved(path), 10000)

    def import_saved(self: MainWindow) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import saved messages",
                                              self._last_folder(), "JSON (*.json)")
        if path:
            QMessageBox.information(self, "Import saved messages",
                                    self.workbench.import_saved(path))

    def _warn_skipped(self: MainWindow, path: str, loader: SessionLoader) -> None:
        details = "\n".join(loader.warnings[:12])
        QMessageBox.information(
            self, "Some lines were skipped",
            f"{Path(path).name}: {loader.skipped} damaged lines were skipped; everything "
            f"else was loaded.\n\n{details}")

    def save_dialog(self: MainWindow) -> None:
        if not self.capture.messages:
            return self._error("there is nothing to save yet")
        default = str(Path(self._last_folder()) / "session.jsonl")
        path, _ = QFileDialog.getSaveFileName(self, "Save the session", default,
                                              "Sessions (*.jsonl)")
        if path:
            self.save_session(path)

    def save_session(self: MainWindow, path: str) -> None:
        if self.capture_guard.save_here(path, self.capture):
            return None  # the records were in their automatic file: it moved there
        mode = self.runner.running.mode if self.runner.running else "saved"
        try:
            saver = SessionSaver(self.capture, path, mode)
        except SessionFileError as exc:
            return self._error(str(exc))

        def done(complete: bool) -> None:
            saver.close()
            self._show_progress(None)
            if complete:
                self._remember_recent(path)
                self.statusBar().showMessage(f"saved {saver.total:,} records to {path}", 8000)

        self._run_job(SliceJob(saver.step, lambda: saver.progress), "Saving", done)

    def _run_job(self: MainWindow, job: SliceJob, label: str, done: Any) -> None:
        self.job = job
        job.progress.connect(lambda value: self._show_progress(value, label))
        job.failed.connect(lambda text: self._error(f"{label} failed: {text}"))
        job.finished.connect(done)
        self._show_progress(0.0, label)
        job.start()

    def cancel_job(self: MainWindow) -> None:
        for job in (self.job, self._judge_job, self._filter_job):
            if job is not None and job.running:
                job.cancel()

    def _show_progress(self: MainWindow, value: float | None, label: str = "") -> None:
        visible = value is not None
        self.progress.setVisible(visible)
        self.cancel_button.setVisible(visible)
        if visible:
            self.progress.setFormat(f"{label} %p%")
            self.progress.setValue(int(value * 1000))

