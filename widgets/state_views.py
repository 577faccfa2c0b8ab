"""Connects the window's state views to the state they show and to the timeline.

Every view takes `set_state(SessionState)` and says which record the user wants to see with
`record_chosen(seq)`; the window answers by selecting that record on the Timeline tab. The
Charging schedule view gets the composite schedule over the whole session from the engine
(`chart_for`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.state.schedule_history import chart_for

if TYPE_CHECKING:
    from widgets.connections_view import ConnectionsView
    from widgets.main_window import MainWindow


def connect_state_views(window: MainWindow) -> None:
    workbench = window.workbench
    station_view, transactions, schedule = (workbench.station_view, workbench.transactions,
                                            workbench.schedule)
    schedule.chart_builder = chart_for
    for view in (station_view, transactions, schedule):
        window.state_changed.connect(view.set_state)
        view.record_chosen.connect(lambda seq, w=window: _show_record(w, seq))
    station_view.title_changed.connect(
        lambda text: workbench.setTabText(workbench.station_tab, text))
    window.stations.station_chosen.connect(
        lambda name: station_view.show_station(name) if name else None)
    transactions.follow_transaction.connect(window.transaction_follow.follow)
    window.state_changed.connect(lambda _state: window.transaction_follow.update())
    connect_connections_view(window, workbench.connections)


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
