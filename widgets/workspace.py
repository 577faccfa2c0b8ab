"""The window's workspace: the timeline page (filter bar, stations, timeline, detail pane,
Expert info, playback) inside the workbench's tabs, and the live capture it shows first.

It is built on first need, not with the window (`MainWindow.build_workspace`): the welcome
page needs none of it, and with the modules it loads (the frame checker, the rules, the state
tracker, the filter language) it was most of the window's start-up. Whatever takes the user
past the welcome page (a file, the demo, a mode, a dropped or recent file, a tab of the View
menu) asks for it first; this module is imported then.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QStandardPaths, Qt
from PySide6.QtWidgets import (
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.session.capture import Capture
from app.session.filters import RecordFilter
from widgets.bridge import CaptureBridge
from widgets.colouring import ColouringMenu
from widgets.detail import DetailPane
from widgets.expert_info import ExpertInfo
from widgets.filter_bar import FilterBar
from widgets.findings_nav import FindingJumps
from widgets.import_info import ImportInfo
from widgets.lazy_tabs import LazyTabs
from widgets.playback import Playback
from widgets.state_feed import StateFeed
from widgets.state_views import connect_state_views
from widgets.stations_panel import StationsPanel
from widgets.timeline import TimelineModel
from widgets.timeline_columns import ColumnFitter, timeline_table
from widgets.transaction_follow import TransactionFollow
from widgets.workbench import Workbench

if TYPE_CHECKING:
    from widgets.main_window import MainWindow

# the splitters' remembered sizes, restored when they are built, saved when the window closes
SPLITTER_KEYS = (("window/vertical", "vertical"), ("window/horizontal", "horizontal"))


def build_workspace(window: MainWindow) -> None:
    """Make every part `MainWindow.WORKSPACE_PARTS` names, wire it to the window, and show
    a fresh live capture in it (what the window showed before it was built: nothing)."""
    window.capture = Capture()
    window.record_filter = RecordFilter()
    window.accepts = window.record_filter.predicate(window.capture)
    window.bridge = CaptureBridge(window)
    window.bridge.batch.connect(window._on_batch)
    page = _timeline_page(window)
    data = Path(QStandardPaths.writableLocation(
        QStandardPaths.StandardLocation.AppDataLocation))
    window.workbench = Workbench(page, window.runner, data / "library.json")
    window.pages.addWidget(window.workbench)
    _wire_actions(window)
    connect_state_views(window)
    for key, name in SPLITTER_KEYS:
        value = window.settings.value(key)
        if isinstance(value, QByteArray):
            getattr(window, name).restoreState(value)
    window._show_capture(window.capture, live=True)


def _timeline_page(window: MainWindow) -> QWidget:
    """The Timeline tab: filter bar and playback bar above the stations panel, the timeline
    and, below it, the detail pane with Expert info."""
    window.model = TimelineModel(window)
    table = window.table = timeline_table(window.model)
    table.setAlternatingRowColors(False)
    table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
    window.columns = ColumnFitter(table)
    table.selectionModel().currentRowChanged.connect(window._row_selected)
    table.verticalScrollBar().valueChanged.connect(window._scrolled)

    window.filter_bar = FilterBar()
    window.filter_bar.changed.connect(window.apply_filter)
    window.stations = StationsPanel()
    window.state_changed.connect(window.stations.show_state)
    window.state_feed = StateFeed(window)
    window.playback = Playback(window.model, table, window.select_row,
                               window.state_feed.end_state, window)
    window.state_feed.due.connect(window.playback.end_changed)
    window.playback.state_changed.connect(window.state_changed)
    window.judged.connect(window.playback.session_checked)
    window.stations.station_chosen.connect(
        lambda name: window.filter_bar.show_station(name or None))
    window.detail = DetailPane()
    window.detail.pair_requested.connect(window.select_seq)
    # findings: Expert Info beside the detail pane, F8 / Shift+F8 (widgets.findings_nav)
    window.jumps = FindingJumps(window.model, window._current_row, window.select_row,
                                window.select_seq,
                                lambda text: window.statusBar().showMessage(text, 6000), window)
    window.expert = ExpertInfo()
    window.expert.record_chosen.connect(window.jumps.show_record)
    window.judged.connect(window.expert.summarise_judged)
    tabs = window.bottom_tabs = QTabWidget()
    tabs.addTab(window.detail, "Detail")
    tabs.addTab(window.expert, "Expert info")
    window.expert.title_changed.connect(lambda text: tabs.setTabText(1, text))
    window.import_info = ImportInfo(tabs)  # shown for files of other tools
    # rules and held frames of the proxy mode: built when first shown (`intercept`);
    # until then there are no rules, so the proxy needs no interceptor
    window.bottom_lazy = LazyTabs(tabs)
    window.bottom_lazy.add("intercept", "Intercept", window._build_intercept)

    window.vertical = QSplitter(Qt.Orientation.Vertical)
    window.vertical.addWidget(table)
    window.vertical.addWidget(tabs)
    # the detail pane gets the room the Intercept panel needs once it is built (its
    # rules and held frames), so opening that tab later moves nothing
    window.vertical.setSizes([260, 440])
    window.horizontal = QSplitter(Qt.Orientation.Horizontal)
    window.horizontal.addWidget(window.stations)
    window.horizontal.addWidget(window.vertical)
    window.horizontal.setSizes([260, 1000])
    page = QWidget()
    layout = QVBoxLayout(page)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(window.capture_guard.banner)
    layout.addWidget(window.filter_bar)
    layout.addWidget(window.playback.bar)
    window.playback.install_shortcuts(page)
    layout.addWidget(window.horizontal, 1)
    return page


def _wire_actions(window: MainWindow) -> None:
    """The timeline's context menu, and what the window's actions (`ActionsMixin`, made
    with the window) act on here: colouring rules, following a transaction, playback."""
    table = window.table
    for action in (window.edit_action, window.copy_action, window.pair_action,
                   window.replay.from_here):
        table.addAction(action)
    window.colouring = ColouringMenu(window, window.model, window.settings,
                                     window.colouring_action)
    window.transaction_follow = TransactionFollow(
        window.filter_bar,
        lambda: window.detail.message.seq if window.detail.message else None,
        lambda: window.state_source(), window)
    table.addAction(window.transaction_follow.action)
    table.selectionModel().currentRowChanged.connect(
        lambda *_: window.transaction_follow.update())
    window.transaction_follow.followed.connect(
        lambda _: window.show_tab(window.workbench.timeline_tab))
    window.view_menu.insertMenu(window.colouring_action, window.playback.menu)
