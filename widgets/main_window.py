"""The main window: toolbar and menus to run a mode or open a session, the live timeline
with its filter bar, the stations panel, the detail pane, and the status bar.

The window shows its welcome page first. The workspace behind it (`widgets.workspace`: the
timeline and all around it, and the capture it shows) is built on first need, by whatever
takes the user past the welcome page, so that the window appears without loading the frame
checker, the rules and the state tracker."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QMainWindow, QProgressBar, QPushButton, QStackedWidget

from app import __version__
from widgets.captures_menu import CapturesMenu, captures_folder
from widgets.notices import Notices
from widgets.recent import RecentFiles
from widgets.screen_fit import fit_to_screen
from widgets.settings_file import private_settings
from widgets.status_line import StatusLine
from widgets.welcome import WelcomePage
from widgets.window_actions import ActionsMixin
from widgets.window_modes import ModesMixin
from widgets.window_sessions import SessionsMixin

if TYPE_CHECKING:  # Qt makes a class when first named: these, when they are first used
    from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent
    from PySide6.QtWidgets import QSplitter, QTableView, QTabWidget

    from app.net.policy import ResponsePolicy
    from app.session.capture import Annotation, Capture
    from app.session.filters import RecordFilter
    from app.session.message import Message
    from app.state.model import SessionState
    from widgets.bridge import CaptureBridge
    from widgets.capture_guard import CaptureGuard
    from widgets.colouring import ColouringMenu
    from widgets.detail import DetailPane
    from widgets.expert_info import ExpertInfo
    from widgets.filter_bar import FilterBar
    from widgets.findings_nav import FindingJumps
    from widgets.import_info import ImportInfo
    from widgets.intercept_panel import InterceptPanel
    from widgets.lazy_tabs import LazyTabs
    from widgets.playback import Playback
    from widgets.runner import ModeRunner
    from widgets.session_io import SliceJob
    from widgets.state_feed import StateFeed
    from widgets.stations_panel import StationsPanel
    from widgets.timeline import TimelineModel
    from widgets.timeline_columns import ColumnFitter
    from widgets.transaction_follow import TransactionFollow
    from widgets.workbench import Workbench

# what `widgets.workspace.build_workspace` makes; reading any of them builds the workspace
WORKSPACE_PARTS = frozenset({
    "capture", "record_filter", "accepts", "bridge", "model", "table", "columns",
    "filter_bar", "stations", "state_feed", "playback", "detail", "jumps", "expert",
    "bottom_tabs", "import_info", "bottom_lazy", "vertical", "horizontal", "workbench",
    "colouring", "transaction_follow"})


class MainWindow(SessionsMixin, ModesMixin, ActionsMixin, QMainWindow):
    load_finished = Signal(bool)     # True when a session opened completely
    judged = Signal()                # every record of the current session has a verdict
    filtered = Signal(int)           # a filter scan finished: how many records it shows
    state_changed = Signal(object)   # what views of state show: the session's end, or the
                                     # state as of the play-head (widgets.playback)

    # the workspace: no values here, so that reading one before it is built comes to
    # `__getattr__`, which builds them all
    capture: Capture
    record_filter: RecordFilter
    accepts: Callable[[Message], bool]
    bridge: CaptureBridge
    model: TimelineModel
    table: QTableView
    columns: ColumnFitter
    filter_bar: FilterBar
    stations: StationsPanel
    state_feed: StateFeed
    playback: Playback
    detail: DetailPane
    jumps: FindingJumps
    expert: ExpertInfo
    bottom_tabs: QTabWidget
    import_info: ImportInfo
    bottom_lazy: LazyTabs
    vertical: QSplitter
    horizontal: QSplitter
    workbench: Workbench
    colouring: ColouringMenu
    transaction_follow: TransactionFollow

    def __init__(self) -> None:
        super().__init__()
        self.workspace_built = False
        self._building_workspace = False
        self.setWindowTitle("OCPP Scope")
        self.setAcceptDrops(True)
        self.notices = Notices(self)  # dialogs, or stderr lines when nobody is watching
        self.settings = private_settings()
        self.recent = RecentFiles(self.settings)
        self.state_source: Callable[[], SessionState] = lambda: self.state_feed.end_state()
        self.follow = True
        self._auto_scrolling = False
        self.generation = 0  # which opened session the background jobs belong to
        self.covered = 0  # records up to here are in the timeline's row list, or filtered out
        self.session_path: Path | None = None
        self.policy: ResponsePolicy | None = None
        self.job: SliceJob | None = None
        self._filter_job: SliceJob | None = None
        self._judge_job: SliceJob | None = None

        self._runner: ModeRunner | None = None  # `runner`, made when first needed
        # File > Recent captures; nothing is in use until the guard records (`capture_guard`)
        self.captures_menu = CapturesMenu(captures_folder(), lambda: set(), self)
        self.captures_menu.open_capture.connect(self.open_session)
        self.captures_menu.message.connect(self._status_message)
        self.captures_menu.failed.connect(self._error)
        self._capture_guard: CaptureGuard | None = None

        self._build_welcome()
        self._build_actions()
        self._build_status_bar()
        self._restore()
        self._update_mode_actions()

    # --- layout ---------------------------------------------------------------------------

    def _build_welcome(self) -> None:
        self.welcome = WelcomePage()
        self.welcome.demo.connect(self.start_demo)
        self.welcome.open_session.connect(self.open_dialog)
        self.welcome.open_recent.connect(self.open_session)
        self.welcome.proxy.connect(self.start_proxy)
        self.welcome.csms.connect(self.start_csms)
        self.welcome.station.connect(self.start_station)
        self.welcome.reference.connect(self.show_reference)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.welcome)  # the workbench follows, when built
        self.setCentralWidget(self.pages)

    def __getattr__(self, name: str) -> Any:
        """Called only for an attribute not set: a part of the workspace not built yet is
        built now (with all the others), so that every path to it works as it did when
        the window built it at once."""
        found = inspect.getattr_static(type(self), name, None)
        if isinstance(found, property):
            # Python lands here when a property's getter raised AttributeError: run it
            # again so that its own error, not "no attribute", reaches the caller
            return found.__get__(self, type(self))
        if name not in WORKSPACE_PARTS or self.__dict__.get("_building_workspace", True):
            raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")
        self.build_workspace()
        if name not in self.__dict__:
            raise AttributeError(f"the workspace was built without its part '{name}'")
        return self.__dict__[name]

    def build_workspace(self) -> None:
        """Build the workspace now if it is not yet (`widgets.workspace`); the welcome page
        stays shown until `show_workspace`."""
        if self.workspace_built or self._building_workspace:
            return
        from widgets.workspace import build_workspace

        self._building_workspace = True
        try:
            build_workspace(self)
        except BaseException:
            self._forget_partial_workspace()
            raise
        finally:
            self._building_workspace = False
        self.workspace_built = True

    def _forget_partial_workspace(self) -> None:
        """A build that failed half way leaves nothing behind, so that the next attempt
        builds one whole workspace instead of a second half."""
        workbench = self.__dict__.get("workbench")
        if workbench is not None:
            self.pages.removeWidget(workbench)
            workbench.deleteLater()
        for part in WORKSPACE_PARTS:
            self.__dict__.pop(part, None)

    @property
    def runner(self) -> ModeRunner:
        """Starts and stops the live modes on the engine's thread (`widgets.runner`); made
        when first needed, as its engine is: until then no mode runs."""
        if self._runner is None:
            from widgets.runner import ModeRunner

            runner = ModeRunner(self)
            runner.started.connect(self._mode_started)
            runner.stopped.connect(self._mode_stopped)
            runner.failed.connect(self._error)
            runner.notice.connect(lambda text: self.statusBar().showMessage(text, 8000))
            self._runner = runner
        return self._runner

    @property
    def capture_guard(self) -> CaptureGuard:
        """Keeps live captures from being lost (`widgets.capture_guard`): every live run is
        on disk from its first frame, and what would end it asks first. Made when first
        needed (a mode starts, a session opens): until then nothing was recorded, so
        nothing is at risk and quitting asks nothing."""
        if self._capture_guard is None:
            from widgets.capture_guard import CaptureGuard

            guard = CaptureGuard(self.runner, self, last_folder=self._last_folder,
                                 captures_menu=self.captures_menu)
            guard.headless = self.notices.headless  # no one to ask either
            guard.saved.connect(self._remember_recent)
            guard.message.connect(self._status_message)
            guard.failed.connect(self._error)
            self._capture_guard = guard
        return self._capture_guard

    def _status_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 10000)

    def show_workspace(self) -> None:
        """Leave the welcome page for the workbench, building it first if need be."""
        self.build_workspace()
        self.pages.setCurrentWidget(self.workbench)

    @property
    def intercept(self) -> InterceptPanel:
        return self.bottom_lazy.get("intercept")  # type: ignore[return-value]

    def _build_intercept(self) -> InterceptPanel:
        from widgets.intercept_panel import InterceptPanel  # the network engine's rules

        panel = InterceptPanel()
        self.runner.interceptor = panel.interceptor
        panel.rules.rules_not_applied = self.runner.rules_not_applied
        return panel

    def _build_status_bar(self) -> None:
        bar = StatusLine(self)   # long passing messages cut with "…", not under the counts
        self.setStatusBar(bar)
        self.mode_label = QLabel("Idle")
        self.caution_label = QLabel("")  # what weakens safety while a mode runs, in red
        self.caution_label.setStyleSheet("color: #d32f2f; font-weight: bold")
        self.caution_label.hide()
        self.counts_label = QLabel("")
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.progress.setRange(0, 1000)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel_job)
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.cancel_button)
        bar.addPermanentWidget(self.counts_label)
        bar.addPermanentWidget(self.caution_label)
        bar.addPermanentWidget(self.mode_label)
        self._show_progress(None)
        self._counts_timer = QTimer(self)
        self._counts_timer.setInterval(500)
        self._counts_timer.timeout.connect(self._update_counts)
        self._counts_timer.start()
        self._update_counts()  # shown from the start, not from the timer's first tick

    # --- showing records ------------------------------------------------------------------

    @property
    def state(self) -> SessionState:
        """What the shown capture's records say about its stations (filled as judged)."""
        return self.capture.state

    def _show_capture(self, capture: Capture, live: bool) -> None:
        self.build_workspace()  # first: building it shows a capture of its own
        self.capture = capture
        self.covered = 0
        self.stations.clear()
        self.filter_bar.reset_stations()
        self.accepts = self.record_filter.predicate(capture)
        self.model.set_capture(capture, [], live=live)
        self.detail.show_message(None, None)
        self.expert.show_capture(capture, live)
        self.import_info.show_report(None)  # an opened file's report follows its load
        self.state_feed.show_capture(capture, live)
        if live:
            self.bridge.attach(capture)
        else:
            self.bridge.detach()

    def _on_batch(self, batch: list[tuple[Message, Annotation]]) -> None:
        # Positions come from the batch itself: the engine thread may already have appended
        # a newer record to the capture that is not in this batch yet.
        first = self.capture.index_of(batch[0][0].seq) if batch else None
        if first is None:
            return
        end = first + len(batch)
        positions: list[int] = []
        self.expert.add_batch(batch)
        if self._filter_job is None or not self._filter_job.running:
            # a filter scan covers every record up to where it ended; add only what is newer
            start = max(first, self.covered)
            positions = [p for p in range(start, end)
                         if self.accepts(self.capture.messages[p])]
            self.model.append_positions(positions)
            self.covered = end
        stations = self.capture.state.stations
        changed = {message.station: stations[message.station] for message, _ in batch
                   if message.station in stations}
        self.state_feed.arrived(end)
        if changed:
            self.filter_bar.add_stations(list(changed))
            self._update_targets()
        if self.follow and positions:
            self._scroll_to_end()

    def _scroll_to_end(self) -> None:
        self._auto_scrolling = True
        self.table.scrollToBottom()
        self._auto_scrolling = False

    def _scrolled(self, value: int) -> None:
        """The user scrolled away from the newest rows: stop following until asked again."""
        bar = self.table.verticalScrollBar()
        if self._auto_scrolling or not self.follow or value >= bar.maximum() - 2:
            return
        self.follow_action.setChecked(False)

    def set_follow(self, on: bool) -> None:
        self.follow = on
        if on and self.workspace_built:  # a timeline built later starts at its end
            self._scroll_to_end()

    def set_paused(self, on: bool) -> None:
        self.bridge.paused = on
        if not on:
            self.bridge.flush()

    def set_delta_time(self, on: bool) -> None:
        self.model.delta_time = on
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, 0)
        self.model.refresh_column(0)

    def _row_selected(self, current: Any, _previous: Any = None) -> None:
        if not current.isValid():
            self.detail.show_message(None, None)
            return
        if self.follow and not self._auto_scrolling:
            # a row picked while records stream in must not move away under the mouse
            self.follow_action.setChecked(False)
        self.detail.show_message(self.capture, self.model.message_at(current.row()))

    def _current_position(self) -> int | None:
        row = self._current_row()
        return None if row is None or row >= len(self.model.rows) else self.model.rows[row]

    def _keep_selection(self, position: int | None) -> None:
        """After the rows changed: the record that was selected stays selected and in view;
        if the filter now hides it, nothing is selected and the detail pane is cleared (it
        must never show a record the list does not)."""
        row = None if position is None else self.model.row_of_position(position)
        if row is not None:
            self.select_row(row)
            return
        self.table.selectionModel().clearSelection()
        self.detail.show_message(None, None)
        if self.follow:
            self._scroll_to_end()

    def select_seq(self, seq: int) -> bool:
        """Select the record with this seq (clearing a filter that hides it)."""
        position = self.capture.index_of(seq)
        if position is None:
            return False
        row = self.model.row_of_position(position)
        if row is None:
            from app.session.filters import RecordFilter

            self.filter_bar.reset()
            self.apply_filter(RecordFilter(), wait=True)
            row = self.model.row_of_position(position)
        if row is None:
            return False
        self.select_row(row)
        return True

    def _current_row(self) -> int | None:
        index = self.table.currentIndex()
        return index.row() if index.isValid() else None

    def select_row(self, row: int) -> None:
        from PySide6.QtCore import QItemSelectionModel
        from PySide6.QtWidgets import QAbstractItemView

        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)

    # --- filtering ------------------------------------------------------------------------

    def apply_filter(self, record_filter: RecordFilter, wait: bool = False) -> None:
        """Re-filter all records in slices; live records keep arriving meanwhile."""
        from app.session.filters import FilterScan
        from widgets.session_io import SliceJob

        self.build_workspace()  # first: building it sets a filter of its own
        self.record_filter = record_filter
        self.accepts = record_filter.predicate(self.capture)
        if self._filter_job is not None and self._filter_job.running:
            self._filter_job.cancel()
        filtering = FilterScan(self.capture, self.accepts,
                               record_filter.index_test(self.capture))

        selected = self._current_position()

        def done(complete: bool) -> None:
            if complete:
                self.model.set_rows(filtering.found)
                self.covered = filtering.next
                self._keep_selection(selected)
                self.filtered.emit(len(filtering.found))
            self._show_progress(None)

        job = SliceJob(filtering.step, lambda: filtering.progress)
        job.progress.connect(lambda value: self._show_progress(value, "Filtering"))
        job.finished.connect(done)
        self._filter_job = job
        if wait:
            while filtering.step():
                pass
            done(True)
            return
        job.start()

    # --- settings, files, dialogs ---------------------------------------------------------

    def _restore(self) -> None:
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1400, 860)
        fit_to_screen(self)
        # the splitters are restored when the workspace is built (`widgets.workspace`); the
        # timeline's column widths are not restored: they follow the content
        state = self.settings.value("window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)
        self._refresh_recent()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        if self.workspace_built:  # else the sizes remembered before still hold
            from widgets.workspace import SPLITTER_KEYS

            for key, name in SPLITTER_KEYS:
                self.settings.setValue(key, getattr(self, name).saveState())
        guard = self._capture_guard  # none: nothing was ever recorded
        if guard is not None and not guard.settle("quitting", self.close):
            # asked first if records are unsaved; a running mode closes its connections
            # properly and its recording, then the window closes (or stays, on Cancel)
            event.ignore()
            return
        super().closeEvent(event)

    def _remember_recent(self, path: str) -> None:
        self.recent.remember(path)
        self._refresh_recent()

    def _refresh_recent(self) -> None:
        paths = self.recent.paths()
        self.recent_menu.clear()
        for path in paths:
            self.recent_menu.addAction(path, lambda p=path: self.open_session(p))
        self.recent_menu.setEnabled(bool(paths))
        self.welcome.set_recent(paths)

    def _last_folder(self) -> str:
        return self.recent.last_folder()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        urls = [u for u in event.mimeData().urls() if u.isLocalFile()]
        if urls:
            self.open_session(urls[0].toLocalFile())

    def _error(self, text: str) -> None:
        self.notices.error(text)

    def about(self) -> None:
        from PySide6 import __version__ as qt_version
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.about(
            self, "About OCPP Scope",
            f"<h3>OCPP Scope {__version__}</h3>"
            "<p>A debugger for OCPP 2.0.1: proxy, CSMS and station endpoints, live "
            "validation against the official OCA schemas (OCPP 2.0.1 FINAL).</p>"
            f"<p>Qt for Python {qt_version}</p>")

