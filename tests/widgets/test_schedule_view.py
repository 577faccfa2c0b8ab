"""The Charging schedule tab: chooses a station and EVSE, draws the chart its builder gives,
lists mismatches and profiles, jumps to a profile's record on a click, says plainly when
there is nothing to draw, and follows new states without losing the user's place."""

import logging
from dataclasses import replace

from PySide6.QtCore import Qt

from app.state.model import SessionState
from tests.widgets.schedule_samples import (
    REJECTED,
    TX_PROFILE,
    smart_charging_builder,
    smart_charging_state,
)
from widgets.schedule_view import ScheduleView


def make_view(qtbot, state=None, builder=smart_charging_builder):
    view = ScheduleView()
    qtbot.addWidget(view)
    view.chart_builder = builder
    if state is not None:
        view.set_state(state)
    return view


def listed(model, column=0):
    return [model.data(model.index(row, column)) for row in range(model.rowCount())]


def test_no_station_yet_says_so(qtbot):
    view = make_view(qtbot, SessionState())
    assert view.chart_stack.currentWidget() is view.empty
    assert view.empty.text() == "No station seen yet."
    assert view.station_box.count() == 0 and view.evse_box.count() == 0


def test_a_station_opens_on_its_first_evse_with_the_chart_and_its_mismatches(qtbot):
    view = make_view(qtbot, smart_charging_state())
    assert view.station_box.currentText() == "CP-0042"
    assert [view.evse_box.itemText(i) for i in range(view.evse_box.count())] == [
        "station (0)", "EVSE 1 · Charging", "EVSE 2 · Available"]
    assert view.current_evse() == 1
    assert view.chart_stack.currentWidget() is view.chart_view
    assert len(view.chart_view.chart_data.layers) == 3
    assert [text.split(" ", 1)[1] for text in listed(view.mismatch_model)] == [
        "measured 18.2 A over the 16.0 A limit", "measured 15.9 A over the 10.0 A limit",
        "reported 16.0 A where the computed limit is 10.0 A"]
    assert view.mismatch_title.text() == "Mismatches (3)"
    assert view.summary.text() == "3 profiles apply now · 1 rejected · 3 mismatches"


def test_rejected_profiles_are_listed_with_their_reason(qtbot):
    view = make_view(qtbot, smart_charging_state())
    assert listed(view.rejected_model, 5) == ["InvalidValue"]
    assert listed(view.rejected_model, 6) == ["chargingRateUnit W not supported"]
    assert view.rejected_title.text() == "Rejected profiles (1)"


def test_a_click_on_a_profile_or_a_rejection_chooses_its_record(qtbot):
    view = make_view(qtbot, smart_charging_state())
    view.show()
    for table, seq in ((view.profiles_table, TX_PROFILE.seq), (view.rejected_table,
                                                               REJECTED.seq)):
        model = table.model()
        row = next(r for r in range(model.rowCount()) if model.seq_at(model.index(r, 0)) == seq)
        rect = table.visualRect(model.index(row, 1))
        with qtbot.waitSignal(view.record_chosen) as chosen:
            qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        assert chosen.args == [seq]


def test_an_evse_without_profiles_says_so(qtbot):
    state = smart_charging_state()
    view = make_view(qtbot, state)
    view.station_box.setCurrentIndex(view.station_box.findData("CP-0043"))
    assert view.current_evse() == 1
    assert view.empty.text() == "No charging profile installed on EVSE 1."
    assert view.chart_stack.currentWidget() is view.empty
    assert view.profiles_model.rowCount() == 0 and view.mismatch_model.rowCount() == 0
    assert view.summary.text() == "0 profiles apply now"


def test_without_a_computed_schedule_the_state_alone_is_drawn(qtbot):
    view = make_view(qtbot)
    view.chart_builder = ScheduleView().chart_builder     # the default
    view.set_state(smart_charging_state())
    assert view.chart_view.chart_data.computed is None
    assert len(view.chart_view.chart_data.reported) == 1
    assert "No composite schedule computed" in view.notes.text()
    assert view.mismatch_model.rowCount() == 0


def test_a_new_state_keeps_the_choice_the_selection_and_the_drawn_chart(qtbot):
    state = smart_charging_state()
    view = make_view(qtbot, state)
    view.evse_box.setCurrentIndex(view.evse_box.findData(1))
    view.profiles_table.selectRow(2)
    drawn = view.chart_view.chart().series()
    resets = []
    view.profiles_model.modelReset.connect(lambda: resets.append(True))
    later = smart_charging_state()
    later.stations["CP-0042"].profiles.append(replace(TX_PROFILE, evse_id=2, seq=90))
    later.stations["CP-0099"] = replace(later.stations["CP-0043"], station="CP-0099")
    view.set_state(later)
    assert view.station_box.currentText() == "CP-0042" and view.current_evse() == 1
    assert view.profiles_model.rowCount() == 4 and not resets
    assert [i.row() for i in view.profiles_table.selectionModel().selectedRows()] == [2]
    assert view.chart_view.chart().series() == drawn   # its chart did not change
    assert view.station_box.count() == 3


def test_a_station_that_went_away_leaves_the_view_empty(qtbot):
    view = make_view(qtbot, smart_charging_state())
    view.set_state(SessionState())
    assert view.empty.text() == "No station seen yet."
    assert view.profiles_model.rowCount() == 0


def test_a_failing_chart_builder_leaves_a_sentence_not_a_traceback(qtbot, caplog):
    def broken(station, evse_id):
        raise ValueError("our bug")

    with caplog.at_level(logging.ERROR):
        view = make_view(qtbot, smart_charging_state(), builder=broken)
    assert view.empty.text() == ("The schedule of CP-0042 EVSE 1 could not be drawn; "
                                 "the log says why.")
    assert "failed" in caplog.text
    assert view.profiles_model.rowCount() == 3
