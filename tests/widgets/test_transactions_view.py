"""The Transactions view: lists the transactions of every station or of one, sorts by value,
takes newer states in place (the selection stays), and sends a transaction to follow."""

from PySide6.QtCore import Qt

from app.state.model import SessionState
from tests.widgets.transactions_samples import (
    many_transactions,
    two_stations,
    two_stations_later,
)
from widgets import transactions_view
from widgets.transactions_model import (
    DURATION,
    ENDED,
    ENERGY,
    EVENT_VALUE,
    PEAK,
    SEQ_NO,
    STATION,
    TRANSACTION,
)
from widgets.transactions_view import ALL_STATIONS, TransactionsView


def make_view(qtbot, state=None):
    view = TransactionsView()
    qtbot.addWidget(view)
    view.set_state(state if state is not None else two_stations())
    return view


def column(view, number):
    return [view.proxy.index(r, number).data() for r in range(view.proxy.rowCount())]


def select_transaction(view, transaction_id):
    row = column(view, TRANSACTION).index(transaction_id)
    view.table.setCurrentIndex(view.proxy.index(row, 0))


def test_the_models_pass_qt_model_checks(qtbot, qtmodeltester):
    view = make_view(qtbot)
    qtmodeltester.check(view.model)
    qtmodeltester.check(view.proxy)
    select_transaction(view, "TX-77")
    qtmodeltester.check(view.events_model)


def test_transactions_of_two_stations_are_listed_with_their_figures(qtbot):
    view = make_view(qtbot)
    assert column(view, STATION) == ["CP-HALL-01", "CP-YARD-07"]   # sorted by start
    finished, running = (view.proxy.index(r, 0).row() for r in range(2))
    assert view.proxy.index(finished, DURATION).data() == "0:40:00"
    assert view.proxy.index(finished, ENERGY).data() == "12.72"
    assert view.proxy.index(finished, PEAK).data() == "22.0"
    assert view.proxy.index(finished, SEQ_NO).data() == "⚠ 1 missing"
    assert view.proxy.index(running, ENDED).data() == "running · Charging"
    assert view.counts.text() == "2 transactions, 1 running"


def test_the_station_filter_shows_one_station(qtbot):
    view = make_view(qtbot)
    assert [view.station.itemText(i) for i in range(view.station.count())] == [
        ALL_STATIONS, "CP-HALL-01", "CP-YARD-07"]
    view.station.setCurrentText("CP-YARD-07")
    assert column(view, TRANSACTION) == ["TX-77"]
    assert view.counts.text().endswith("1 shown")
    view.station.setCurrentText(ALL_STATIONS)
    assert view.proxy.rowCount() == 2


def test_sorting_is_by_value_not_by_text(qtbot):
    view = make_view(qtbot, many_transactions(12))
    view.table.sortByColumn(ENERGY, Qt.SortOrder.DescendingOrder)
    energies = [float(text) for text in column(view, ENERGY)]
    assert energies == sorted(energies, reverse=True) and energies[0] == 10.9


def test_a_newer_state_updates_the_running_row_in_place_and_keeps_the_selection(qtbot):
    view = make_view(qtbot)
    select_transaction(view, "TX-77")
    before = view.proxy.index(view.table.currentIndex().row(), DURATION).data()
    changed = []
    view.model.dataChanged.connect(lambda first, last, roles: changed.append(first.row()))
    view.model.modelReset.connect(lambda: changed.append("reset"))
    with qtbot.assertNotEmitted(view.model.rowsRemoved):
        view.set_state(two_stations_later(minutes=15))
    running_row = view.model.row_of(("CP-YARD-07", "TX-77"))
    assert changed == [running_row]
    assert view.selected_key() == ("CP-YARD-07", "TX-77")
    after = view.proxy.index(view.table.currentIndex().row(), DURATION).data()
    assert (before, after) == ("0:12:00", "0:15:00")
    assert view.chart.lines[("Power.Active.Import", None)].count() == 16


def test_an_older_state_removes_what_it_does_not_know_yet(qtbot):
    view = make_view(qtbot)
    select_transaction(view, "1a2b3c4d-5e6f-4a0b-9c1d-2e3f4a5b6c7d")
    earlier = two_stations()
    del earlier.stations["CP-YARD-07"]
    view.set_state(earlier)
    assert column(view, TRANSACTION) == ["1a2b3c4d-5e6f-4a0b-9c1d-2e3f4a5b6c7d"]
    assert view.selected_key() == ("CP-HALL-01", "1a2b3c4d-5e6f-4a0b-9c1d-2e3f4a5b6c7d")
    view.set_state(SessionState())
    assert view.proxy.rowCount() == 0 and view.selected_key() is None
    assert view.counts.text() == "No transactions yet."
    assert not view.follow_button.isEnabled()


def test_selecting_shows_its_events_and_follow_sends_its_record_seqs(qtbot):
    view = make_view(qtbot)
    assert not view.follow_button.isEnabled()
    select_transaction(view, "TX-77")
    assert view.follow_button.isEnabled()
    events = view.events_model
    assert [events.index(r, EVENT_VALUE).data() for r in range(events.rowCount())] == [
        "Started: CablePluggedIn", "Charging"]
    expected = view.selected_transaction().record_seqs
    with qtbot.waitSignal(view.follow_transaction) as followed:
        view.follow_button.click()
    assert followed.args == ["TX-77", expected]


def test_the_heading_names_the_selected_transaction_by_its_whole_id(qtbot):
    view = make_view(qtbot)
    select_transaction(view, "1a2b3c4d-5e6f-4a0b-9c1d-2e3f4a5b6c7d")
    assert "1a2b3c4d-5e6f-4a0b-9c1d-2e3f4a5b6c7d" in view.heading.text()


def test_a_double_clicked_event_chooses_its_record(qtbot):
    view = make_view(qtbot)
    select_transaction(view, "1a2b3c4d-5e6f-4a0b-9c1d-2e3f4a5b6c7d")
    with qtbot.waitSignal(view.record_chosen) as chosen:
        view.events.doubleClicked.emit(view.events_model.index(0, 0))
    assert chosen.args == [100]


def test_select_finds_a_transaction_hidden_by_the_station_filter(qtbot):
    view = make_view(qtbot)
    view.station.setCurrentText("CP-HALL-01")
    assert view.select("CP-YARD-07", "TX-77")
    assert view.station.currentText() == ALL_STATIONS
    assert view.selected_key() == ("CP-YARD-07", "TX-77")
    assert not view.select("CP-YARD-07", "nope")


def test_odd_values_show_as_blanks_never_as_errors(qtbot):
    from app.state.model import Change, MeterSample, StationState, TransactionState

    odd = TransactionState(
        "odd", "CP9", started=float("nan"), ended=1e300,
        charging_states=[Change(float("nan"), 1, "Charging")],
        trigger_reasons=[Change(None, None, 42)],  # type: ignore[arg-type]
        meter=[MeterSample(float("inf"), 1, "Power.Active.Import", "7", "W"),
               MeterSample(1.0, 1, None, 1.0)])  # type: ignore[arg-type]
    state = SessionState(stations={"CP9": StationState("CP9", transactions={"odd": odd})})
    view = make_view(qtbot, state)
    select_transaction(view, "odd")
    texts = [view.proxy.index(0, c).data() for c in range(view.proxy.columnCount())]
    assert texts[STATION] == "CP9" and texts[DURATION] == "" and texts[ENERGY] == ""
    assert view.events_model.rowCount() == 2
    assert "No meter values" in view.chart.empty.text()


def test_many_new_transactions_are_listed_a_slice_a_turn_and_end_up_sorted(qtbot,
                                                                           monkeypatch):
    """Summaries read every meter sample: tens of thousands of them are listed between the
    window's other work, the counts saying how far the listing got."""
    monkeypatch.setattr(transactions_view, "LISTING_STEP", 0.0)   # one row a turn
    state = many_transactions(60)
    view = make_view(qtbot, state)
    assert view.model.pending == 59
    assert view.counts.text().startswith("listing transactions: 1 of 60")
    qtbot.waitUntil(lambda: view.model.pending == 0)
    at_once = TransactionsView()
    qtbot.addWidget(at_once)
    at_once.model.set_state(state)   # no budget: every row now
    assert sorted(column(view, TRANSACTION)) == sorted(column(at_once, TRANSACTION))
    assert column(view, TRANSACTION) == column(at_once, TRANSACTION)   # the same sort
    assert view.counts.text().startswith("60 transactions")
