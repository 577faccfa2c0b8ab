"""Never lose a capture: every live run of the window is on disk from its first frame, and
nothing that would replace or end it (Quit, Open, starting another mode) goes ahead while
its records are unsaved without asking first, as Wireshark does: Save…, Discard or Cancel.

Where the records go: the file the start dialog names ("Record to", the command line's
`--record`), which counts as saved, or else a new file in the captures folder
(`app.session.captures`), which does not: it is the safety net, not the user's choice.
Recording goes through the engine's queued sink (`app.session.recording`), so a slow or
full disk never holds up forwarding. Its notices come from the sink's thread and cross to
the GUI thread through a queued signal, to a banner above the timeline: the user hears at
once that records are not being written, and when writing resumes. The recording is closed
off the GUI thread when the mode stops (a hung disk must not freeze the window), and its
summary goes to the status bar.

Saving moves the file the records are already in (a million records are not written
again); only records the file lacks (the disk was full) are written anew, from memory.
Every question goes through `ask`, which a run without a user (`headless`) answers with
"keep the file where it is", never with a dialog, and which is never asked without records.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import shutil
import threading
from collections.abc import Callable, Mapping
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel, QWidget

from app.errors import InputError, SessionFileError
from widgets.captures_menu import CapturesMenu, captures_folder

if TYPE_CHECKING:  # the recording machinery is imported with the first recording
    from PySide6.QtWidgets import QMessageBox

    from app.session.capture import Capture
    from app.session.live_store import LiveStore
    from app.session.recording import Recording
    from app.session.sinks import SinkReport
    from widgets.runner import ModeRunner
    from widgets.session_io import SliceJob

log = logging.getLogger(__name__)

CLOSE_TIMEOUT = 10.0    # seconds the recording may take to write what it holds at the end
RELIEF_SECONDS = 15     # how long "recording resumed" stays in the banner


class Choice(Enum):
    SAVE = "save"          # move the records to a file the user picks
    DISCARD = "discard"    # delete the automatic file
    CANCEL = "cancel"      # do not go ahead
    KEEP = "keep"          # leave the automatic file where it is (no one was asked)


def move_private(source: Path, target: Path) -> None:
    """Move a recording, keeping it readable by its owner only: a rename on the same disk
    (instant, whatever its size), else a copy into a private file, then the original goes.
    A failed copy leaves the original where it was."""
    from app.session.sessionfile import open_private

    try:
        os.replace(source, target)
        return
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
    with source.open("rb") as reading, open_private(target) as writing:
        shutil.copyfileobj(reading, writing, 1 << 20)
    source.unlink()


class RecordingBanner(QLabel):
    """A strip above the timeline, shown while recording fails (and briefly after it
    resumes): a status bar message is too easy to miss when records are being lost."""

    _WARN = "background: #fdecea; color: #b71c1c; border: 1px solid #e57373; padding: 6px"
    _RELIEF = "background: #e8f5e9; color: #1b5e20; border: 1px solid #81c784; padding: 6px"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recording-banner")
        self.setWordWrap(True)
        self.failing = False
        self._shown = 0  # which message is up, so that an old timer does not hide a new one
        self.hide()

    def warn(self, text: str) -> None:
        self._show(text, self._WARN)
        self.failing = True

    def relieve(self, text: str) -> None:
        self._show(text, self._RELIEF)
        self.failing = False
        shown = self._shown
        # with `self` as context: the timer dies with the banner
        QTimer.singleShot(RELIEF_SECONDS * 1000, self,
                          lambda: self.clear_message() if self._shown == shown else None)

    def clear_message(self) -> None:
        self._shown += 1
        self.failing = False
        self.hide()

    def _show(self, text: str, style: str) -> None:
        self._shown += 1
        self.setStyleSheet(style)
        self.setText(text[:1].upper() + text[1:])
        self.show()


class CaptureGuard(QObject):
    """Records the window's live captures and keeps their records from being lost.

    `record()` starts recording a fresh capture; `settle()` (or `proceed()`) is called by
    every action that would end or replace it; the runner's signals say when the mode has
    stopped, after which the recording closes."""

    saved = Signal(str)      # the capture's records now live in this file (a recent file)
    message = Signal(str)    # a line for the status bar
    failed = Signal(str)     # one sentence for an error dialog
    _told = Signal(str, bool)              # a recording notice (text, failing), any thread
    _closed = Signal(object, object)       # (Recording, SinkReport), from a closing thread

    def __init__(self, runner: ModeRunner, window: QWidget, folder: Path | None = None,
                 last_folder: Callable[[], str] = lambda: str(Path.home()),
                 captures_menu: CapturesMenu | None = None) -> None:
        """`captures_menu`: File > Recent captures, when the window made it before the
        guard (it then listens to the menu itself); else one is made here, of `folder`."""
        super().__init__(window)
        self.runner = runner
        self.window = window
        self.last_folder = last_folder
        self.headless = False   # no one to ask: keep automatic files, show nothing modal
        self.banner = RecordingBanner()
        # File > Recent captures: what this folder holds, openable (`open_capture`)
        if captures_menu is None:
            captures_menu = CapturesMenu(folder or captures_folder(), lambda: set(), window)
            captures_menu.message.connect(self.message)
            captures_menu.failed.connect(self.failed)
        self.captures_menu = captures_menu
        self.folder = captures_menu.folder
        captures_menu.in_use = self.files_in_use
        self.recording: Recording | None = None   # open, taking records
        self.capture: Capture | None = None       # the capture being guarded
        self.file: Path | None = None             # where its records are (None: nowhere)
        self.mode = ""
        self.auto = False        # `file` is the automatic one: not saved yet
        self._complete = True    # `file` holds every record (no write failed)
        self._current: Recording | None = None    # the capture's recording, open or closing
        self._closing: set[Recording] = set()
        self._live = False       # the mode started (a failed start closes the recording)
        self._pending: tuple[Choice, str, Callable[[], None]] | None = None
        self._saving: SliceJob | None = None
        self._told.connect(self._on_told)
        self._closed.connect(self._on_closed)
        runner.started.connect(self._mode_started)
        runner.stopped.connect(self._finish)
        runner.failed.connect(self._mode_failed)

    # --- recording ----------------------------------------------------------------------

    def record(self, mode: str, values: Mapping[str, Any]) -> Capture:
        """A new capture, recorded from its first record: to `values["record"]` if the user
        named a file (an InputError if it cannot be written: they asked for that file, so
        the mode does not start without it), else to a new file in the captures folder (if
        that cannot be written, the mode runs anyway and the banner says the records are
        in memory only). The recording is the capture's store: it holds an index per
        record and reads each back from the file when shown (`LiveStore`)."""
        from app import mode_config, settings  # the modes' options: loaded with the first mode
        from app.session.capture import Capture
        from app.session.captures import new_capture_path
        from app.session.live_store import live_store
        from app.session.recording import Recording
        from app.session.sessionfile import SessionWriter, make_header

        chosen = str(values.get("record") or "").strip()
        details = mode_config.header_details(mode, values) if mode in settings.MODES else {}
        path: Path | None = Path(chosen).expanduser() if chosen else None
        writer, reason = None, ""
        try:
            if path is None:
                path = new_capture_path(self.folder, mode)
            writer = SessionWriter(path, make_header(mode, **details))
        except OSError as exc:
            reason = f"cannot write '{path or self.folder}': {exc.strerror or exc}"
            if chosen:
                raise InputError(reason) from None
        if self.recording is not None:  # not settled (a test, a bug): close it, keep it
            self._finish()
        self._forget()
        store = live_store(path) if writer is not None and path is not None else None
        capture = Capture(messages=store)
        self.capture, self.mode, self.auto, self._live = capture, mode, not chosen, False
        if writer is None:
            self._complete = False
            self.banner.warn(f"not recording: {reason}. The records are kept in memory "
                             "only: save them before quitting.")
            return capture
        self.file = path
        self.recording = self._current = Recording(capture, writer, self._told.emit)
        self.message.emit(f"recording to {path}")
        return capture

    def files_in_use(self) -> set[Path]:
        """Files that must not be opened or cleaned up now: the one being recorded, and
        the guarded capture's until it is saved or discarded."""
        return {path for path in (self.file,) if path is not None}

    @property
    def recording_open(self) -> bool:
        """A recording takes records, or is still writing what it holds before closing."""
        return self.recording is not None or bool(self._closing)

    @property
    def complete(self) -> bool:
        """Every record of the capture is (or is being) written to its file."""
        return self._complete and (self.recording is None or self.recording.lost == 0)

    @property
    def unsaved(self) -> int:
        """How many records would be lost, or left in the automatic file only, if the
        capture were replaced now."""
        if self.capture is None or not self.capture.messages:
            return 0
        return len(self.capture.messages) if self.auto or not self.complete else 0

    def _mode_started(self, _mode: str, _address: str) -> None:
        self._live = True

    def _mode_failed(self, _text: str) -> None:
        if not self._live and self.recording is not None:  # it never started
            self._finish()

    def _finish(self) -> None:
        """The mode has stopped: close the recording, on a thread of its own."""
        recording, self.recording = self.recording, None
        if recording is None:
            self._go_on()
            return
        from app.session.recording import summary
        from app.session.sinks import SinkReport

        self._closing.add(recording)

        def close() -> None:
            try:
                report = recording.close(CLOSE_TIMEOUT)
            except Exception:  # our bug: say something rather than wait for ever
                log.exception("closing the recording failed")
                report = SinkReport(recording.written, recording.lost,
                                    "closing the recording failed", False)
            try:
                self._closed.emit(recording, report)
            except RuntimeError:  # the window is gone: the file is closed, no one to tell
                log.info("%s", summary(report, recording.path, recording.requested))

        threading.Thread(target=close, name="ocppscope-recording-close", daemon=True).start()

    def _on_closed(self, recording: Recording, report: SinkReport) -> None:
        from app.session.recording import summary

        self._closing.discard(recording)
        text = summary(report, recording.path, recording.requested)
        self.message.emit(text)
        if recording is self._current:
            self._follow_recording()
            self._current = None
            self._complete = self._complete and not report.lost and report.finished
            if report.lost:
                self.banner.warn(f"{text}. Save… writes every record, from memory.")
            if self.auto and not report.written and self.capture is not None and (
                    not self.capture.messages):
                with contextlib.suppress(OSError):  # an empty run leaves no file behind
                    recording.path.unlink()
                self._forget()
        self._go_on()

    def _follow_recording(self) -> None:
        """A recording deleted while it ran, whose name another file took, goes on under
        a name beside it: Save… and Discard act on that file, never on the other one."""
        if self._current is not None and self.file is not None:
            self.file = self._current.path

    def _on_told(self, text: str, failing: bool) -> None:
        self._follow_recording()
        where = f" ({self.file})" if self.file else ""
        if failing:
            self.banner.warn(text + where)
        else:
            self.banner.relieve(text)
        self.message.emit(text)

    # --- asking before a capture is ended or replaced -----------------------------------

    def proceed(self, what: str, action: Callable[[], None]) -> None:
        """Run `action` (open a file, start a mode) once the capture is safe: now, later
        (after the mode stopped and the records were saved), or never (Cancel)."""
        if self.settle(what, action):
            action()

    def settle(self, what: str, then: Callable[[], None]) -> bool:
        """Make the current capture safe before `what` ("quitting") happens.

        True: nothing is at risk, go ahead now. False: don't, for now: the user cancelled
        (or saving failed and said why), or the mode is being stopped and its recording
        closed first, after which `then()` is called (from the event loop, so a close
        request can call `close()` again)."""
        if self._pending is not None or self._saving is not None:
            return False  # already on its way: one question at a time
        waiting = self.runner.busy or self.recording_open
        count = self.unsaved
        if not waiting and not count:
            self._forget()
            return True
        choice, target = Choice.KEEP, ""
        if count:
            choice = self.ask(what)
            if choice is Choice.SAVE:
                target = self.ask_path()
                if not target:
                    return False
            if choice is Choice.CANCEL:
                return False
        if not waiting:
            return self._conclude(choice, target, then)
        self._pending = (choice, target, then)
        if self.runner.busy:
            self.runner.stop()   # then `stopped`, `_finish`, `_on_closed`, `_go_on`
        elif self.recording is not None:
            self._finish()
        return False

    def ask(self, what: str) -> Choice:
        """The one question: save the records before `what`? Headless runs (no one to
        answer) keep the automatic file, where Recent captures finds it again."""
        if self.headless:
            return Choice.KEEP
        from PySide6.QtWidgets import QMessageBox  # Qt makes the class when first named

        answer = self.question(what).exec()
        return {QMessageBox.StandardButton.Save: Choice.SAVE,
                QMessageBox.StandardButton.Discard: Choice.DISCARD}.get(
            QMessageBox.StandardButton(answer), Choice.CANCEL)

    def question(self, what: str) -> QMessageBox:
        """The prompt, built but not shown."""
        from PySide6.QtWidgets import QMessageBox

        count = self.unsaved
        box = QMessageBox(QMessageBox.Icon.Warning, "Unsaved capture",
                          f"Save the {count:,} records captured before {what}?",
                          QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                          | QMessageBox.StandardButton.Cancel, self.window)
        box.button(QMessageBox.StandardButton.Save).setText("Save…")
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        if self.file is not None and self.complete:
            where = f"They are recorded in {self.file}"
            box.setInformativeText(f"{where}, which Discard deletes." if self.auto
                                   else f"{where}.")
        elif self.file is not None:
            box.setInformativeText(f"Some of them could not be written to {self.file}; "
                                   "Save… writes all of them, Discard deletes that file.")
        else:
            box.setInformativeText("They could not be recorded: they are in memory only.")
        return box

    def ask_path(self) -> str:
        """Where to save: a file name the user picked (confirming an overwrite), or ""."""
        from PySide6.QtWidgets import QFileDialog

        name = self.file.name if self.file is not None else "session.jsonl"
        path, _ = QFileDialog.getSaveFileName(self.window, "Save the capture",
                                              str(Path(self.last_folder()) / name),
                                              "Sessions (*.jsonl)")
        return path

    def save_here(self, path: str, capture: Capture) -> bool:
        """"Save as…" of a stopped capture whose automatic file holds every record: move
        that file, as the prompt's Save does. False when it is not for the guard (the mode
        still runs, another capture is shown, the file lacks records): the caller then
        writes the records itself."""
        if (capture is not self.capture or self.runner.busy or self.recording_open
                or not self.auto or not self.complete or self.file is None
                or self._saving is not None):
            return False
        if self._move(Path(path)):
            self._forget()
        return True

    def _go_on(self) -> None:
        """The mode stopped and the recording closed: do what the user chose, then what
        they asked for."""
        if self._pending is None or self._closing or self.runner.busy:
            return
        choice, target, then = self._pending
        self._pending = None
        if self._conclude(choice, target, then):
            QTimer.singleShot(0, self, then)

    def _conclude(self, choice: Choice, target: str, then: Callable[[], None]) -> bool:
        """Save, discard or keep the stopped capture; True when done (go ahead), False
        when it failed (said why) or goes on in the background (`then` follows)."""
        if choice is Choice.SAVE:
            if self.file is None or not self.complete:
                return self._write(Path(target), then)
            if not self._move(Path(target)):
                return False
        elif choice is Choice.DISCARD:
            self._discard()
        elif self.auto and self.file is not None and self.unsaved:
            self.message.emit(f"the capture stays in {self.file}")
        self._forget()
        return True

    def _move(self, target: Path) -> bool:
        source = self.file
        assert source is not None
        count = len(self.capture.messages) if self.capture is not None else 0
        try:
            if target.exists() and not target.is_file():
                raise OSError(errno.EINVAL, "not a regular file")
            if not (target.exists() and target.samefile(source)):
                store = self._store()
                if store is not None:
                    store.close()  # Windows moves no open file; the next read reopens it
                move_private(source, target)
                if store is not None:
                    store.moved(target)  # its records are read from there now
        except OSError as exc:
            self.failed.emit(f"cannot save to '{target}': {exc.strerror or exc}; the "
                             f"records are still in {source}")
            return False
        self.saved.emit(str(target))
        self.message.emit(f"saved {count:,} records to {target}")
        return True

    def _write(self, target: Path, then: Callable[[], None]) -> bool:
        """Write every record from memory (the file lacks some), in slices; `then` once
        that is done."""
        from widgets.session_io import SessionSaver, SliceJob

        assert self.capture is not None
        try:
            saver = SessionSaver(self.capture, target, self.mode or "saved")
        except SessionFileError as exc:
            self.failed.emit(str(exc))
            return False
        job = SliceJob(saver.step, lambda: saver.progress, self)
        self._saving = job

        def done(complete: bool) -> None:
            saver.close()
            self._saving = None
            if not complete:
                return
            self._discard()  # the partial automatic file, if any: the new one has it all
            self.saved.emit(str(target))
            self.message.emit(f"saved {saver.total:,} records to {target}")
            self._forget()
            then()

        job.failed.connect(lambda text: self.failed.emit(f"saving failed: {text}"))
        job.finished.connect(done)
        job.start()
        return False

    def _store(self) -> LiveStore | None:
        """The guarded capture's store, if its records are read back from its file."""
        from app.session.live_store import LiveStore

        store = self.capture.messages if self.capture is not None else None
        return store if isinstance(store, LiveStore) else None

    def _discard(self) -> None:
        if self.auto and self.file is not None:
            store = self._store()
            if store is not None and os.name == "nt":
                store.close()  # Windows deletes no open file (POSIX reads on through it)
            try:
                self.file.unlink(missing_ok=True)
            except OSError as exc:
                self.failed.emit(f"cannot delete '{self.file}': {exc.strerror or exc}")

    def _forget(self) -> None:
        """The guarded capture is safe (saved, discarded, kept, or had nothing)."""
        self.capture, self.file, self.mode = None, None, ""
        self.auto, self._complete, self._current = False, True, None
        self.banner.clear_message()
