"""The Replay page: one replay running on the engine thread, its progress and controls, the
recorded session beside the live capture, and the Differences view once it ends.

The replay runs through the window's `ModeRunner` like any live mode (so it is recorded,
stopped and asked about like one); this page only adapts: Pause, Resume, Step and Stop are
handed to the engine's `ReplayControl` on the engine thread, progress comes back as a
queued signal, and the outcome is the engine's `ReplayReport`. The two timelines are the
ordinary `TimelineModel`; picking a record in one selects its counterpart in the other,
found through what each replayed record says it replays (`meta["replay"]["of"]`) and, once
the run is judged, through the aligned exchanges.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.errors import OcppScopeError
from app.ocpp.conversation import ANSWER_TIMEOUT, Direction
from app.replay.report import ReplayReport
from app.replay.run import ReplayPlan, ReplayRun
from app.replay.runner import ReplayControl
from app.session.capture import Annotation, Capture
from app.session.message import Message
from widgets.bridge import CaptureBridge
from widgets.differences import DifferencesView
from widgets.panes import titled
from widgets.runner import ModeRunner
from widgets.timeline import TimelineModel
from widgets.timeline_columns import ColumnFitter, timeline_table

log = logging.getLogger(__name__)


def finished_text(report: ReplayReport) -> str:
    c = report.counts
    return (f"finished: {c.same} same / {c.different} different / {c.missing} missing / "
            f"{c.extra} extra")


class ReplayPage(QWidget):
    finished = Signal(object)         # the ReplayReport, once the run ended and was judged
    live_record_chosen = Signal(int)  # the seq of a live record the user asked to see
    _played = Signal(object)          # the play task, from the engine thread
    _progressed = Signal(int, int)    # CALLs sent, CALLs to send; from the engine thread

    def __init__(self, runner: ModeRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.plan: ReplayPlan | None = None
        self.run: ReplayRun | None = None
        self.control: ReplayControl | None = None
        self.report: ReplayReport | None = None
        self.active = False            # a replay of this page is running
        self.paused = False
        self._live_of: dict[int, int] = {}       # recorded seq -> live seq
        self._recorded_of: dict[int, int] = {}   # live seq -> recorded seq
        self._syncing = False

        self.status = QLabel("No replay yet: File > Replay session… starts one.")
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notice = QLabel("")
        self.notice.setStyleSheet("color: palette(mid)")
        self.progress = QProgressBar()
        self.progress.setFormat("%v of %m CALLs sent")
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.pause_button = QPushButton("Pause")
        self.resume_button = QPushButton("Resume")
        self.step_button = QPushButton("Step")
        self.stop_button = QPushButton("Stop")
        self.pause_button.setToolTip("hold the next CALL until Resume or Step")
        self.step_button.setToolTip("send exactly one more CALL, then hold")
        self.stop_button.setToolTip("end the replay now; what ran so far is compared")
        self.pause_button.clicked.connect(self.pause)
        self.resume_button.clicked.connect(self.resume)
        self.step_button.clicked.connect(self.step)
        self.stop_button.clicked.connect(self.stop)
        controls = QHBoxLayout()
        controls.addWidget(self.progress, 1)
        for button in (self.pause_button, self.resume_button, self.step_button,
                       self.stop_button):
            controls.addWidget(button)

        self.recorded_model = TimelineModel(self)
        self.live_model = TimelineModel(self)
        self.recorded_table = timeline_table(self.recorded_model)
        self.live_table = timeline_table(self.live_model)
        self._fitters = [ColumnFitter(self.recorded_table), ColumnFitter(self.live_table)]
        self.recorded_title = QLabel("Recorded")
        self.live_title = QLabel("Live")
        self.recorded_table.selectionModel().currentRowChanged.connect(
            lambda current, _=None: self._picked(current, recorded=True))
        self.live_table.selectionModel().currentRowChanged.connect(
            lambda current, _=None: self._picked(current, recorded=False))
        timelines = QSplitter(Qt.Orientation.Horizontal)
        timelines.addWidget(titled(self.recorded_title, self.recorded_table))
        timelines.addWidget(titled(self.live_title, self.live_table))

        self.differences = DifferencesView()
        self.differences.exchange_chosen.connect(self.show_exchange)
        self.differences.exported.connect(self.notice.setText)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(timelines)
        split.addWidget(self.differences)
        split.setSizes([320, 380])
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addLayout(controls)
        layout.addWidget(self.notice)
        layout.addWidget(split, 1)

        self.bridge = CaptureBridge(self)
        self.bridge.batch.connect(self._live_batch)
        self._played.connect(self._on_played)
        self._progressed.connect(self._on_progress)
        runner.started.connect(self._on_started)
        runner.failed.connect(self._on_failed)
        runner.notice.connect(self._on_notice)
        self._update_buttons()

    # --- running --------------------------------------------------------------------------

    def start(self, plan: ReplayPlan, capture: Capture,
              answer_timeout: float = ANSWER_TIMEOUT, paused: bool = False) -> None:
        """Run `plan` on the engine thread, its records going into `capture` (which the
        window records and shows as its live session); `paused`: hold the first CALL
        until Resume or Step."""
        self.plan, self.report = plan, None
        self.control = ReplayControl()
        if paused:  # before the engine sees it: no CALL can slip through
            self.control.pause()
        self.run = ReplayRun(plan, self.control, self._progressed.emit)
        self._live_of, self._recorded_of = {}, {}
        recorded = plan.recording.capture
        station = plan.script.station
        self.recorded_model.set_capture(recorded, [
            p for p, m in enumerate(recorded.messages) if m.station == station], live=False)
        self.recorded_title.setText(f"Recorded: {station} in {plan.file}")
        self.live_model.set_capture(capture, [], live=True)
        self.live_title.setText(f"Live: as the {plan.role}, against {plan.peer}")
        self.bridge.attach(capture)
        self.differences.set_report(None)
        total = len(plan.script.sent_by(_ours(plan.role)))
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(0)
        self.notice.setText("")
        self.active, self.paused = True, paused
        self._set_status("connecting to " + plan.peer if plan.role == "station"
                         else "starting to listen on " + plan.peer)
        self._update_buttons()
        first = plan.script.exchanges[0].seq if plan.script.exchanges else None
        if first is not None:
            self._select(self.recorded_table, self.recorded_model, first)
        self.runner.start_replay(capture, self.run, self._played.emit, answer_timeout)

    def _on_started(self, mode: str, address: str) -> None:
        if self.active and mode == "replay":
            self._set_status(f"waiting for the station on {address}"
                             if self.plan is not None and self.plan.role == "csms"
                             else f"connecting to {address}")

    def _on_failed(self, text: str) -> None:
        """The replay could not start (the address is in use...): one sentence."""
        if self.active and (self.runner.running is None):
            self.active = False
            self._set_status(f"not started: {text}", failed=True)
            self._update_buttons()

    def _on_notice(self, text: str) -> None:
        if self.active:
            self.notice.setText(text)
            if "connected: replaying" in text:
                self._set_status("playing")

    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done if total else 1)
        if self.active and not self.paused:
            self._set_status(f"playing: {done} of {total} CALLs sent")

    def _on_played(self, task: asyncio.Future[Any]) -> None:
        """Playing ended: judge the run, show the outcome, stop the mode (which closes the
        recording)."""
        failure = ""
        if not task.cancelled() and task.exception() is not None:
            error = task.exception()
            if isinstance(error, OcppScopeError):
                failure = str(error)
            else:  # our bug: a sentence here, the trace in the log
                log.error("the replay failed", exc_info=error)
                failure = f"the replay stopped: {error or type(error).__name__}"
        self.active = False
        self.bridge.flush()   # the live timeline complete before the outcome is shown
        if self.run is not None:
            self.report = self.run.report()
            self.differences.set_report(self.report)
            self._learn_pairs(self.report)
            current = self.recorded_table.currentIndex()
            if current.isValid():  # now that the pairs are known, the live side follows
                self._picked(current, recorded=True)
        if failure:
            self._set_status(f"failed: {failure}", failed=True)
        elif self.report is not None:
            self._set_status(finished_text(self.report))
        running = self.runner.running
        if running is not None and running.component is self.run:
            self.runner.stop()
        self._update_buttons()
        if self.report is not None:
            self.finished.emit(self.report)

    # --- controls -------------------------------------------------------------------------

    def _control(self, name: str) -> None:
        if self.control is not None and self.active:
            self.runner.engine.call(getattr(self.control, name))

    def pause(self) -> None:
        self._control("pause")
        self.paused = True
        self._set_status("paused: Resume goes on, Step sends one CALL")
        self._update_buttons()

    def resume(self) -> None:
        self._control("resume")
        self.paused = False
        self._set_status("playing")
        self._update_buttons()

    def step(self) -> None:
        self._control("step")
        self.paused = True
        self._set_status("stepping: one CALL, then paused")
        self._update_buttons()

    def stop(self) -> None:
        if not self.active:
            return
        self._control("stop")
        self._set_status("stopping…")
        self.stop_button.setEnabled(False)

    def _update_buttons(self) -> None:
        self.pause_button.setEnabled(self.active and not self.paused)
        self.resume_button.setEnabled(self.active and self.paused)
        self.step_button.setEnabled(self.active)
        self.stop_button.setEnabled(self.active)

    def _set_status(self, text: str, failed: bool = False) -> None:
        self.status.setText(text[:1].upper() + text[1:])
        self.status.setStyleSheet("color: #d32f2f; font-weight: bold" if failed
                                  else "font-weight: bold")

    # --- the two timelines ----------------------------------------------------------------

    def _live_batch(self, batch: list[tuple[Message, Annotation]]) -> None:
        capture = self.live_model.capture
        first = capture.index_of(batch[0][0].seq) if batch else None
        if first is None:
            return
        self.live_model.append_positions(list(range(max(first, _end(self.live_model)),
                                                    first + len(batch))))
        for message, _annotation in batch:
            replay = (message.meta or {}).get("replay")
            of = replay.get("of") if isinstance(replay, dict) else None
            if isinstance(of, int):
                self._pair(of, message.seq)
        self.live_table.scrollToBottom()

    def _pair(self, recorded: int | None, live: int | None) -> None:
        if recorded and live:
            self._live_of.setdefault(recorded, live)
            self._recorded_of.setdefault(live, recorded)

    def _learn_pairs(self, report: ReplayReport) -> None:
        """The aligned exchanges pair the peer's CALLs and our answers too."""
        for outcome in report.outcomes:
            if outcome.recorded is not None and outcome.live is not None:
                self._pair(outcome.recorded.seq, outcome.live.seq)
                self._pair(outcome.recorded.reply.seq, outcome.live.reply.seq)

    def _picked(self, current: QModelIndex, recorded: bool) -> None:
        if self._syncing or not current.isValid():
            return
        model = self.recorded_model if recorded else self.live_model
        seq = model.message_at(current.row()).seq
        if recorded:
            other = self._live_of.get(seq)
            if other is not None:
                self._select(self.live_table, self.live_model, other)
        else:
            other = self._recorded_of.get(seq)
            if other is not None:
                self._select(self.recorded_table, self.recorded_model, other)

    def show_exchange(self, recorded: int, live: int) -> None:
        """Select the exchange's CALL in both timelines (0: not on that side)."""
        if recorded:
            self._select(self.recorded_table, self.recorded_model, recorded)
        if live:
            self._select(self.live_table, self.live_model, live)
            self.live_record_chosen.emit(live)

    def _select(self, table: QTableView, model: TimelineModel, seq: int) -> bool:
        position = model.capture.index_of(seq)
        row = None if position is None else model.row_of_position(position)
        if row is None:
            return False
        index = model.index(row, 0)
        self._syncing = True
        try:
            table.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows)
            table.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
        finally:
            self._syncing = False
        return True

    def selected_seq(self, recorded: bool) -> int | None:
        table = self.recorded_table if recorded else self.live_table
        model = self.recorded_model if recorded else self.live_model
        index = table.currentIndex()
        return model.message_at(index.row()).seq if index.isValid() else None


def _ours(role: str) -> Direction:
    return Direction.STATION_TO_CSMS if role == "station" else Direction.CSMS_TO_STATION


def _end(model: TimelineModel) -> int:
    """The position after the last record the model shows."""
    return model.rows[-1] + 1 if len(model.rows) else 0
