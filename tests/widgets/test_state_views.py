"""The state views are fed by the window: the end of a loaded session, a live run's mirror,
and a click on a view's record shows it on the Timeline tab."""

from pathlib import Path

from tests.widgets import station_samples as samples
from tests.widgets.conftest import open_judged, run_until

EXAMPLE = Path(__file__).parents[2] / "resources" / "examples" / "smart-charging.jsonl"


def open_example(window, qtbot):
    open_judged(window, qtbot, EXAMPLE, timeout=30000)


def test_a_loaded_session_fills_every_state_view(window, qtbot):
    open_example(window, qtbot)
    workbench = window.workbench
    transactions = [t for s in window.state.stations.values() for t in s.transactions]
    assert workbench.transactions.model.rowCount() == len(transactions) >= 1
    schedule = workbench.schedule
    assert schedule.rejected_model.rowCount() == 1
    # the charge is over: its TxProfile is listed with the time it was removed
    assert schedule.profiles_model.rowCount() == 1
    removed = schedule.profiles_model.index(0, schedule.profiles_model.columns.index("Removed"))
    assert schedule.profiles_model.data(removed)
    assert schedule.chart is not None and schedule.chart.computed is not None
    assert schedule.current_station() is not None
    station = window.state.stations[schedule.current_station().station]
    assert station.vendor and station.evses


def test_a_record_chosen_in_a_view_is_shown_on_the_timeline_tab(window, qtbot):
    open_example(window, qtbot)
    workbench = window.workbench
    window.show_tab(workbench.transactions_tab)
    seq = window.capture.messages[5].seq
    workbench.transactions.record_chosen.emit(seq)
    assert workbench.currentIndex() == workbench.timeline_tab
    assert window.detail.message is not None and window.detail.message.seq == seq


def test_a_live_run_feeds_the_views_from_a_mirror_of_its_own(window, loop):
    window.start_demo()
    transactions = window.workbench.transactions
    run_until(loop, lambda: transactions.model.rowCount() >= 1, timeout=30)
    shown = window.state_feed.end_state()
    assert shown is not window.capture.state   # the engine's own is written on its thread
    assert set(shown.stations) <= set(window.capture.state.stations)


def test_the_views_follow_the_play_head(window, qtbot):
    open_example(window, qtbot)
    transactions = window.workbench.transactions
    at_end = transactions.model.rowCount()
    window.playback.first()
    assert transactions.model.rowCount() == 0   # before the first Started event
    window.playback.leave()
    assert transactions.model.rowCount() == at_end >= 1


def test_the_state_views_are_built_only_when_first_shown(window):
    workbench = window.workbench
    names = ("station_view", "transactions", "schedule", "connections")
    assert not any(workbench.built(name) for name in names)
    window.show_tab(workbench.schedule_tab)
    assert workbench.built("schedule") and workbench.currentWidget() is workbench.schedule
    assert not workbench.built("station_view")


def test_the_station_tab_title_follows_the_state_before_its_view_exists(window):
    workbench = window.workbench
    window.state_changed.emit(samples.two_evses_one_charging())
    assert not workbench.built("station_view")
    assert workbench.tabText(workbench.station_tab) == "Station (1 report incomplete)"


def test_a_view_built_late_shows_the_state_and_station_told_before(window, qtbot):
    window.build_workspace()  # what tells the state (state feed, playback) lives there
    state = samples.two_stations()
    window.state_changed.emit(state)
    chosen = sorted(state.stations)[-1]   # not the one a view shows by default
    assert len(state.stations) == 2
    window.stations.station_chosen.emit(chosen)
    window.show_tab(window.workbench.station_tab)
    view = window.workbench.station_view
    qtbot.waitUntil(lambda: view.station == chosen)
    assert view.state is state
