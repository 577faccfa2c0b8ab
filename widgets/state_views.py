"""Connects the window's state views to the state they show and to the timeline.

Every view takes `set_state(SessionState)` and says which record the user wants to see with
`record_chosen(seq)`; the window answers by selecting that record on the Timeline tab. The
Charging schedule view gets the composite schedule over the whole session from the engine
(`chart_for`).

The views are built when their tab is first shown or used (`Workbench.tab_built`): each is
wired then, and given at once the state the window showed last and the station picked last,
so it shows what it would have shown had it been there from the start. Until the Station
view exists, its tab's title still follows the state (a report with a hole is announced on
the tab, whichever tab is shown).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from PySide6.QtWidgets import QWidget

from app.state.model import SessionState
from widgets.station_title import station_title

if TYPE_CHECKING:
    from widgets.connections_view import ConnectionsView
    from widgets.main_window import MainWindow
    from widgets.schedule_view import ScheduleView
    from widgets.station_view import StationView
    from widgets.transactions_view import TransactionsView

    StateView = StationView | TransactionsView | ScheduleView


@dataclass
class _Shown:
    """What the window last told the state views, for a view built later."""
    state: SessionState | None = None
    station: str | None = None


def connect_state_views(window: MainWindow) -> None:
    workbench = window.workbench
    shown = _Shown()

    def state_changed(state: SessionState) -> None:
        shown.state = state
        if not workbench.built("station_view"):
            workbench.setTabText(workbench.station_tab, station_title(state, shown.station))

    def station_chosen(name: str) -> None:
        if not name:
            return
        shown.station = name
        if workbench.built("station_view"):
            workbench.station_view.show_station(name)

    window.state_changed.connect(state_changed)
    window.stations.station_chosen.connect(station_chosen)
    window.state_changed.connect(lambda _state: window.transaction_follow.update())
    workbench.tab_built.connect(lambda name, view: _wire(window, shown, name, view))


def _wire(window: MainWindow, shown: _Shown, name: str, view: QWidget) -> None:
    """Wire one state view just built (the tool tabs are wired by the workbench)."""
    workbench = window.workbench
    if name == "connections":
        connect_connections_view(window, cast("ConnectionsView", view))
        return
    if name == "station_view":
        station_view = cast("StationView", view)
        station_view.title_changed.connect(
            lambda text: workbench.setTabText(workbench.station_tab, text))
    elif name == "transactions":
        cast("TransactionsView", view).follow_transaction.connect(
            window.transaction_follow.follow)
    elif name == "schedule":
        from app.state.schedule_history import chart_for  # with the tab, not the window

        cast("ScheduleView", view).chart_builder = chart_for
    else:
        return
    state_view = cast("StateView", view)
    window.state_changed.connect(state_view.set_state)
    state_view.record_chosen.connect(lambda seq, w=window: _show_record(w, seq))
    if shown.state is not None:
        state_view.set_state(shown.state)
    if name == "station_view" and shown.station is not None:
        cast("StationView", view).show_station(shown.station)


def _show_record(window: MainWindow, seq: int) -> None:
    window.show_tab(window.workbench.timeline_tab)
    window.jumps.show_record(seq)


def connect_connections_view(window: MainWindow, view: ConnectionsView) -> None:
    """The Connections view follows the window's capture (rebuilt, coalesced, as state
    changes) and a double click shows the attempt's record on the Timeline tab."""
    view.set_capture(window.capture)
    window.state_changed.connect(lambda _state: view.set_capture(window.capture)
                                 if view.capture is not window.capture else view.refresh())
    view.record_chosen.connect(lambda seq, w=window: _show_record(w, seq))
