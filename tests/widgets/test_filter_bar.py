"""The filter bar and the views it drives stay in step: what is selected stays selected and
in view, what a filter hides leaves the detail pane, an active filter looks it, one action
shows everything again."""

from PySide6.QtWidgets import QAbstractItemView

from app.session.filters import RecordFilter
from tests.widgets.conftest import open_judged, run_until
from tests.widgets.test_main_window import write_session
from widgets.filter_bar import FilterBar


def test_the_clear_button_is_live_only_while_a_filter_hides_something(qtbot):
    bar = FilterBar()
    qtbot.addWidget(bar)
    assert not bar.clear.isEnabled()
    bar.invalid.setChecked(True)
    assert bar.clear.isEnabled() and bar.toolTip()
    with qtbot.waitSignal(bar.changed) as emitted:
        bar.clear.click()
    assert emitted.args[0] == RecordFilter()
    assert not bar.clear.isEnabled() and not bar.invalid.isChecked()


def open_session(window, qtbot, path, count=200):
    write_session(path, count=count)
    open_judged(window, qtbot, path)


def test_a_selection_the_filter_keeps_stays_selected_and_in_view(window, loop, qtbot,
                                                                 tmp_path):
    open_session(window, qtbot, tmp_path / "s.jsonl")
    window.select_row(301)  # CP0's CALL #150 (records alternate CALL, RESULT per station)
    seq = window.detail.message.seq
    window.filter_bar.station.setCurrentText(window.detail.message.station)
    run_until(loop, lambda: window.model.rowCount() < 400)
    assert window.detail.message.seq == seq
    row = window.table.currentIndex().row()
    assert window.model.message_at(row).seq == seq
    window.filter_bar.clear_all()
    run_until(loop, lambda: window.model.rowCount() == 400)
    assert window.detail.message.seq == seq
    assert window.table.visualRect(window.table.currentIndex()).intersects(
        window.table.viewport().rect())


def test_a_filter_that_hides_the_selection_clears_the_detail_pane(window, loop, qtbot,
                                                                  tmp_path):
    open_session(window, qtbot, tmp_path / "s.jsonl")
    window.select_row(0)
    assert window.detail.message is not None
    window.filter_bar.calls.setChecked(False)
    window.filter_bar.results.setChecked(True)  # answers only: the CALL in row 0 goes
    run_until(loop, lambda: window.model.rowCount() == 200)
    assert window.detail.message is None
    assert not window.table.selectionModel().hasSelection()


def test_picking_a_row_stops_follow(window, qtbot, tmp_path):
    open_session(window, qtbot, tmp_path / "s.jsonl", count=20)
    window.set_follow(True)
    window.follow_action.setChecked(True)
    window.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    window.select_row(3)
    assert not window.follow_action.isChecked() and not window.follow


def test_opening_a_file_the_filter_hides_entirely_says_so(window, loop, qtbot, tmp_path):
    open_session(window, qtbot, tmp_path / "first.jsonl", count=5)
    window.filter_bar.search.setText("NoSuchActionAnywhere")
    run_until(loop, lambda: window.model.rowCount() == 0)
    path = tmp_path / "second.jsonl"
    write_session(path, count=5)
    with qtbot.waitSignal(window.filtered, timeout=20000):
        window.open_session(str(path))
    run_until(loop, lambda: "hides all 10 records" in window.statusBar().currentMessage())
    assert window.model.rowCount() == 0


def test_a_followed_record_set_shows_as_a_chip_that_clears_it(qtbot):
    bar = FilterBar()
    qtbot.addWidget(bar)
    bar.invalid.setChecked(True)
    with qtbot.waitSignal(bar.changed) as emitted:
        bar.follow_records([5, 6, 9], "transaction 1a2b")
    assert emitted.args[0] == RecordFilter(seqs=frozenset({5, 6, 9}), label="transaction 1a2b")
    assert not bar.invalid.isChecked()                 # following shows all of the set
    assert bar.chip.isVisibleTo(bar) and bar.chip.text() == "Transaction 1a2b ✕"
    assert bar.clear.isEnabled()
    with qtbot.waitSignal(bar.changed) as emitted:
        bar.chip.click()
    assert emitted.args[0] == RecordFilter()
    assert not bar.chip.isVisibleTo(bar) and not bar.clear.isEnabled()


def test_clear_filters_clears_a_followed_record_set_too(qtbot):
    bar = FilterBar()
    qtbot.addWidget(bar)
    bar.follow_records([1], "transaction TX-7")
    with qtbot.waitSignal(bar.changed) as emitted:
        bar.clear.click()
    assert emitted.args[0] == RecordFilter() and not bar.chip.isVisibleTo(bar)


def test_an_expression_filters_the_timeline(window, loop, qtbot, tmp_path):
    open_session(window, qtbot, tmp_path / "s.jsonl", count=20)
    shown = window.model.rowCount()
    window.filter_bar.expression.setText('type == RESULT && station == "CP0"')
    run_until(loop, lambda: 0 < window.model.rowCount() < shown)
    rows = [window.model.message_at(row) for row in range(window.model.rowCount())]
    assert {(m.message_type, m.station) for m in rows} == {(3, "CP0")}


def test_a_broken_expression_says_where_and_keeps_the_last_filter(qtbot):
    bar = FilterBar()
    qtbot.addWidget(bar)
    with qtbot.waitSignal(bar.changed):
        bar.expression.setText("size > 10")
    with qtbot.assertNotEmitted(bar.changed, wait=400):
        bar.expression.setText("size >")
    qtbot.waitUntil(lambda: not bar.problem.isHidden())
    assert bar.problem.text() == "column 7: expected a value after '>', found the end of " \
                                 "the expression"
    assert bar.current().expression == ""


def test_a_long_problem_neither_widens_the_bar_nor_runs_into_the_toggles_meaning(qtbot):
    bar = FilterBar()
    qtbot.addWidget(bar)
    bar.invalid.setChecked(True)   # the toggles' meaning shows beside the problem
    bar.resize(900, bar.sizeHint().height())
    bar.show()
    qtbot.waitExposed(bar)
    narrowest = bar.minimumSizeHint().width()
    bar.expression.setText('payload.chargingStation.model in ["AC22-T2", "AC11-T2", "DC50"]')
    qtbot.waitUntil(lambda: not bar.problem.isHidden())
    assert bar.minimumSizeHint().width() <= narrowest
    qtbot.waitUntil(lambda: bar.problem.geometry().right() < bar.meaning.geometry().left())
    assert bar.meaning.geometry().left() - bar.problem.geometry().right() >= 8


def test_the_toggles_show_the_expression_they_mean(qtbot):
    bar = FilterBar()
    qtbot.addWidget(bar)
    bar.up.setChecked(True)
    bar.errors.setChecked(True)
    assert bar.meaning.text() == 'Toggles: dir == "up" && type == ERROR'
