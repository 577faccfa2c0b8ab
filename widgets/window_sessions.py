"""The window's sessions: opening (streamed, with progress and cancel, then judged in the
background), saving, and the saved-message library files. A part of `MainWindow`, kept in
its own module because it is a concern of its own; it uses the window's widgets directly.
The engine's reading, judging and writing of sessions is imported when first used, not with
the window."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.errors import SessionFileError
from app.wording import count

if TYPE_CHECKING:
    from app.session.loader import SessionLoader
    from widgets.main_window import MainWindow
    from widgets.session_io import SliceJob

log = logging.getLogger(__name__)

SESSION_FILTER = ("Sessions, logs and traces (*.jsonl *.json *.ndjson *.txt *.log *.csv *.html "
                  "*.har);;All files (*)")


class SessionsMixin:
    def open_dialog(self: MainWindow) -> None:
        if not self.capture_guard.settle("opening another session", self.open_dialog):
            return  # asked before choosing, as Wireshark does
        from PySide6.QtWidgets import QFileDialog  # Qt makes the class when first named

        path, _ = QFileDialog.getOpenFileName(self, "Open a session", self._last_folder(),
                                              SESSION_FILTER)
        if path:
            self.open_session(path)

    def open_session(self: MainWindow, path: str) -> None:
        if path == "-":  # refused before anything is asked: no file would be opened
            from app.commands.gui import STANDARD_INPUT_REFUSED

            return self._error(STANDARD_INPUT_REFUSED)
        if self.runner.busy:
            return self._error("stop the running mode before opening a session")
        if not self.capture_guard.settle("opening another session",
                                         lambda: self.open_session(path)):
            return None  # unsaved records: asked, and saved or discarded first (or not)
        from app.session.capture import Capture
        from app.session.import_report import import_report
        from app.session.loader import SessionLoader
        from widgets.session_io import SliceJob

        try:
            loader = SessionLoader.open(path)
        except SessionFileError as exc:
            return self._error(str(exc))
        except Exception as exc:  # our bug, or memory: a sentence for the user, not a trace
            log.exception("opening %s failed", path)
            return self._error(f"{path}: cannot be opened ({exc or type(exc).__name__})")
        self.generation += 1  # callbacks of a load or check still running are now stale
        generation = self.generation
        self.cancel_job()
        self.session_path = Path(path)
        self._remember_recent(path)
        self.show_workspace()
        self._show_capture(Capture(), live=False)
        self.setWindowTitle(f"OCPP Scope — {Path(path).name}")
        started = time.perf_counter()

        def done(complete: bool) -> None:
            if generation != self.generation:
                return
            self._show_progress(None)
            capture = Capture()
            capture.adopt(loader.messages, times_known=loader.times_known,
                          directions_known=loader.directions_known,
                          answer_timeout=loader.answer_timeout)
            self._show_capture(capture, live=False)
            self.import_info.show_report(import_report(loader))
            self.model.set_rows(range(len(capture.messages)))
            self.covered = len(capture.messages)
            if not self.record_filter.is_empty:  # the filter shown applies to this file too
                self._filter_new_file(Path(path).name, len(capture.messages))
            elapsed = time.perf_counter() - started
            note = f"{count(len(capture.messages), 'record')} in {elapsed:.1f} s"
            if loader.skipped:
                note += f"; {_damaged_lines(loader.skipped)} skipped"
            if not complete:
                stopped = "loading cancelled" if loader.cancelled else "loading stopped"
                note = f"{stopped}: showing what was read, {note}"
            self.statusBar().showMessage(note, 15000)
            self._tell_load_problems(path, loader, complete)
            self.load_finished.emit(complete)
            self._judge()

        self._run_job(SliceJob(loader.step, lambda: loader.progress, None, loader.cancel),
                      "Loading", done, failure=f"{path}: loading stopped")

    def _filter_new_file(self: MainWindow, name: str, total: int) -> None:
        """Apply the filter on show to a file just opened, and say so if it hides it all."""
        def once(shown: int) -> None:
            self.filtered.disconnect(once)
            _say_if_all_hidden(self, name, total, shown)

        self.filtered.connect(once)
        self.apply_filter(self.record_filter)

    def _judge(self: MainWindow) -> None:
        """Give every loaded record its verdict, in slices, and fill in the stations."""
        from app.state.summary import named_stations
        from widgets.session_io import JudgeRun, SliceJob

        capture = self.capture
        judging = JudgeRun(capture)
        name = str(self.session_path or "the session")
        generation = self.generation

        def done(complete: bool) -> None:
            if generation != self.generation:
                return
            self._show_progress(None)
            self.playback.end_changed()
            self.filter_bar.add_stations([s.station for s in named_stations(capture.state)])
            for column in range(self.model.columnCount()):
                self.model.refresh_column(column)
            if complete:
                self.judged.emit()
                if not self.record_filter.is_empty:
                    self.apply_filter(self.record_filter)

        job = SliceJob(judging.step, lambda: judging.progress, None, judging.cancel)
        job.progress.connect(lambda value: self._show_progress(value, "Checking"))
        job.failed.connect(lambda text: self._error(f"{name}: checking stopped: {text}"))
        job.finished.connect(done)
        self._judge_job = job
        job.start()

    def export_saved(self: MainWindow) -> None:
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getSaveFileName(self, "Export saved messages",
                                              str(Path(self._last_folder()) / "messages.json"),
                                              "JSON (*.json)")
        if path:
            self.statusBar().showMessage(self.workbench.export_saved(path), 10000)

    def import_saved(self: MainWindow) -> None:
        from PySide6.QtWidgets import QFileDialog, QMessageBox

        path, _ = QFileDialog.getOpenFileName(self, "Import saved messages",
                                              self._last_folder(), "JSON (*.json)")
        if path:
            QMessageBox.information(self, "Import saved messages",
                                    self.workbench.import_saved(path))

    def _tell_load_problems(self: MainWindow, path: str, loader: SessionLoader,
                            complete: bool) -> None:
        """What a finished load left out, said once, through `notices` (so a headless run
        prints it instead of waiting on a dialog)."""
        name = path  # as given, like the errors of opening it (SessionFileError)
        count = len(loader.messages)
        if loader.skipped or loader.error:
            what = [f"{_damaged_lines(loader.skipped)} skipped"] if loader.skipped else []
            if loader.error:
                what.append("reading stopped early")
            title = "Some lines were skipped" if loader.skipped else "Reading stopped early"
            self.notices.warning(title, f"{name}: {', '.join(what)}; {count:,} records "
                                 "loaded", loader.warnings)
        elif complete and not count:
            self.notices.note(f"{name}: no records in this file (only its header)"
                              if loader.kind == "session" else f"{name}: no frames found")
        elif complete and loader.kind != "session" and not any(
                message.message_type is not None for message in loader.messages):
            # a recording may hold garbage a peer sent; a file of nothing but garbage is
            # more likely the wrong file, and the rows alone would not say so
            self.notices.note(
                f"{name}: not a session file, and its one frame is not an OCPP-J message"
                if count == 1 else f"{name}: not a session file, and none of its "
                f"{count:,} frames is an OCPP-J message")
        elif complete and loader.notes:  # what an import skipped or assumed
            # listed in the Import tab for as long as the session is shown: a dialog to
            # click away would only repeat it
            assumed = [n.text for n in loader.notes if not n.where]
            text = "; ".join([f"{name}: read as {loader.format}", f"{count:,} records",
                              *assumed])
            self.notices.note(f"{text}; the Import tab lists its {len(loader.notes):,} "
                              "notes")

    def save_dialog(self: MainWindow) -> None:
        if not self.capture.messages:
            return self._error("there is nothing to save yet")
        from PySide6.QtWidgets import QFileDialog

        default = str(Path(self._last_folder()) / "session.jsonl")
        path, _ = QFileDialog.getSaveFileName(self, "Save the session", default,
                                              "Sessions (*.jsonl)")
        if path:
            self.save_session(path)

    def save_session(self: MainWindow, path: str) -> None:
        if self.capture_guard.save_here(path, self.capture):
            return None  # the records were in their automatic file: it moved there
        from widgets.session_io import SessionSaver, SliceJob

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
                self.statusBar().showMessage(f"saved {count(saver.total, 'record')} to {path}",
                                             8000)

        self._run_job(SliceJob(saver.step, lambda: saver.progress), "Saving", done)

    def _run_job(self: MainWindow, job: SliceJob, label: str, done: Any,
                 failure: str = "") -> None:
        """`failure` begins the sentence that tells why the job stopped, if it fails."""
        self.job = job
        failure = failure or f"{label} failed"
        job.progress.connect(lambda value: self._show_progress(value, label))
        job.failed.connect(lambda text: self._error(f"{failure}: {text}"))
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


def _say_if_all_hidden(window: Any, name: str, total: int, shown: int) -> None:
    if total and not shown:
        window.notices.note(f"{name}: the current filter hides all {total:,} records; "
                            "Clear filters (Ctrl+Shift+X) shows them")


def _damaged_lines(count: int) -> str:
    return "1 damaged line" if count == 1 else f"{count:,} damaged lines"
