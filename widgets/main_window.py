"""The main window: toolbar and menus to run a mode or open a session, the live timeline
with its filter bar, the stations panel, the detail pane, and the status bar."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QByteArray,
    QItemSelectionModel,
    QStandardPaths,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app import __version__
from app.session.capture import Annotation, Capture
from app.session.filters import FilterScan, RecordFilter
from app.session.message import Message
from app.state.model import SessionState
from widgets.bridge import CaptureBridge
from widgets.capture_guard import CaptureGuard
from widgets.detail import DetailPane
from widgets.expert_info import ExpertInfo
from widgets.filter_bar import FilterBar
from widgets.findings_nav import FindingJumps
from widgets.import_info import ImportInfo
from widgets.lazy_tabs import LazyTabs
from widgets.notices import Notices
from widgets.playback import Playback
from widgets.recent import RecentFiles
from widgets.runner import ModeRunner
from widgets.screen_fit import fit_to_screen
from widgets.session_io import SliceJob
from widgets.settings_file import private_settings
from widgets.state_feed import StateFeed
from widgets.state_views import connect_state_views
from widgets.stations_panel import StationsPanel
from widgets.timeline import TimelineModel
from widgets.timeline_columns import ColumnFitter
from widgets.welcome import WelcomePage
from widgets.window_actions import ActionsMixin
from widgets.window_modes import ModesMixin
from widgets.window_sessions import SessionsMixin
from widgets.workbench import Workbench

if TYPE_CHECKING:
    from app.net.policy import ResponsePolicy
    from widgets.intercept_panel import InterceptPanel


class MainWindow(SessionsMixin, ModesMixin, ActionsMixin, QMainWindow):
    load_finished = Signal(bool)     # True when a session opened completely
    judged = Signal()                # every record of the current session has a verdict
    filtered = Signal(int)           # a filter scan finished: how many records it shows
    state_changed = Signal(object)   # what views of state show: the session's end, or the
                                     # state as of the play-head (widgets.playback)

    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle("OCPP Scope")
        self.setAcceptDrops(True)
        self.notices = Notices(self)  # dialogs, or stderr lines when nobody is watching
        self.settings = private_settings()
        self.recent = RecentFiles(self.settings)
        self.capture = Capture()
        self.state_source: Callable[[], SessionState] = lambda: self.state_feed.end_state()
        self.record_filter = RecordFilter()
        self.accepts = self.record_filter.predicate(self.capture)
        self.follow = True
        self._auto_scrolling = False
        self.generation = 0  # which opened session the background jobs belong to
        self.covered = 0  # records up to here are in the timeline's row list, or filtered out
        self.session_path: Path | None = None
        self.policy: ResponsePolicy | None = None
        self.job: SliceJob | None = None
        self._filter_job: SliceJob | None = None
        self._judge_job: SliceJob | None = None

        self.runner = ModeRunner(self)
        self.runner.started.connect(self._mode_started)
        self.runner.stopped.connect(self._mode_stopped)
        self.runner.failed.connect(self._error)
        self.runner.notice.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.bridge = CaptureBridge(self)
        self.bridge.batch.connect(self._on_batch)
        # every live run is on disk from its first frame; what would end it asks first
        self.capture_guard = CaptureGuard(self.runner, self, last_folder=self._last_folder)
        self.capture_guard.saved.connect(self._remember_recent)
        self.capture_guard.message.connect(lambda text: self.statusBar().showMessage(text,
                                                                                     10000))
        self.capture_guard.failed.connect(self._error)
        self.capture_guard.captures_menu.open_capture.connect(self.open_session)

        self._build_workspace()
        self._build_actions()
        connect_state_views(self)
        self._build_status_bar()
        self._restore()
        self._show_capture(self.capture, live=True)
        self._update_mode_actions()

    # --- layout ---------------------------------------------------------------------------

    def _build_workspace(self) -> None:
        self.model = TimelineModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(
            self.table.fontMetrics().height() + 6)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(False)
        self.columns = ColumnFitter(self.table)
        self.table.selectionModel().currentRowChanged.connect(self._row_selected)
        self.table.verticalScrollBar().valueChanged.connect(self._scrolled)

        self.filter_bar = FilterBar()
        self.filter_bar.changed.connect(self.apply_filter)
        self.stations = StationsPanel()
        self.state_changed.connect(self.stations.show_state)
        self.state_feed = StateFeed(self)
        self.playback = Playback(self.model, self.table, self.select_row,
                                 self.state_feed.end_state, self)
        self.state_feed.due.connect(self.playback.end_changed)
        self.playback.state_changed.connect(self.state_changed)
        self.judged.connect(self.playback.session_checked)
        self.stations.station_chosen.connect(
            lambda name: self.filter_bar.show_station(name or None))
        self.detail = DetailPane()
        self.detail.pair_requested.connect(self.select_seq)
        # findings: Expert Info beside the detail pane, F8 / Shift+F8 (widgets.findings_nav)
        self.jumps = FindingJumps(self.model, self._current_row, self.select_row,
                                  self.select_seq,
                                  lambda text: self.statusBar().showMessage(text, 6000), self)
        self.expert = ExpertInfo()
        self.expert.record_chosen.connect(self.jumps.show_record)
        self.judged.connect(self.expert.summarise_judged)
        self.bottom_tabs = QTabWidget()
        self.bottom_tabs.addTab(self.detail, "Detail")
        self.bottom_tabs.addTab(self.expert, "Expert info")
        self.expert.title_changed.connect(lambda text: self.bottom_tabs.setTabText(1, text))
        self.import_info = ImportInfo(self.bottom_tabs)  # shown for files of other tools
        # rules and held frames of the proxy mode: built when first shown (`intercept`);
        # until then there are no rules, so the proxy needs no interceptor
        self.bottom_lazy = LazyTabs(self.bottom_tabs)
        self.bottom_lazy.add("intercept", "Intercept", self._build_intercept)

        self.vertical = QSplitter(Qt.Orientation.Vertical)
        self.vertical.addWidget(self.table)
        self.vertical.addWidget(self.bottom_tabs)
        # the detail pane gets the room the Intercept panel needs once it is built (its
        # rules and held frames), so opening that tab later moves nothing
        self.vertical.setSizes([260, 440])
        self.horizontal = QSplitter(Qt.Orientation.Horizontal)
        self.horizontal.addWidget(self.stations)
        self.horizontal.addWidget(self.vertical)
        self.horizontal.setSizes([260, 1000])
        workspace = QWidget()
        layout = QVBoxLayout(workspace)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.capture_guard.banner)
        layout.addWidget(self.filter_bar)
        layout.addWidget(self.playback.bar)
        self.playback.install_shortcuts(workspace)
        layout.addWidget(self.horizontal, 1)

        self.welcome = WelcomePage()
        self.welcome.demo.connect(self.start_demo)
        self.welcome.open_session.connect(self.open_dialog)
        self.welcome.open_recent.connect(self.open_session)
        self.welcome.proxy.connect(self.start_proxy)
        self.welcome.csms.connect(self.start_csms)
        self.welcome.station.connect(self.start_station)
        self.welcome.reference.connect(self.show_reference)
        data = Path(QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.AppDataLocation))
        self.workbench = Workbench(workspace, self.runner, data / "library.json")
        self.pages = QStackedWidget()
        self.pages.addWidget(self.welcome)
        self.pages.addWidget(self.workbench)
        self.setCentralWidget(self.pages)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)

    @property
    def intercept(self) -> InterceptPanel:
        return self.bottom_lazy.get("intercept")  # type: ignore[return-value]

    def _build_intercept(self) -> InterceptPanel:
        from widgets.intercept_panel import InterceptPanel  # the network engine's rules

        panel = InterceptPanel()
        self.runner.interceptor = panel.interceptor
        return panel

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
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

    # --- showing records ------------------------------------------------------------------

    @property
    def state(self) -> SessionState:
        """What the shown capture's records say about its stations (filled as judged)."""
        return self.capture.state

    def _show_capture(self, capture: Capture, live: bool) -> None:
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
        if on:
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
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)

    # --- filtering ------------------------------------------------------------------------

    def apply_filter(self, record_filter: RecordFilter, wait: bool = False) -> None:
        """Re-filter all records in slices; live records keep arriving meanwhile."""
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
        # the timeline's column widths are not restored: they follow the content
        for key, widget in (("window/state", self), ("window/vertical", self.vertical),
                            ("window/horizontal", self.horizontal)):
            value = self.settings.value(key)
            if isinstance(value, QByteArray):
                widget.restoreState(value)  # type: ignore[attr-defined]
        self._refresh_recent()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.setValue("window/vertical", self.vertical.saveState())
        self.settings.setValue("window/horizontal", self.horizontal.saveState())
        if not self.capture_guard.settle("quitting", self.close):
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

        QMessageBox.about(
            self, "About OCPP Scope",
            f"<h3>OCPP Scope {__version__}</h3>"
            "<p>A debugger for OCPP 2.0.1: proxy, CSMS and station endpoints, live "
            "validation against the official OCA schemas (OCPP 2.0.1 FINAL).</p>"
            f"<p>Qt for Python {qt_version}</p>")

