"""The Station view: an empty state that says what to do, EVSE cards with statuses in their
colours and the running transaction's figures, updates in place that keep what the user
picked and expanded, a chooser for several stations, a history whose rows lead to their
records, and a header that shows peer text as text."""

import copy

from PySide6.QtCore import QModelIndex, Qt

from app.state.model import Change, Connection, DeviceVariable, VariableAttribute
from tests.widgets import station_samples as samples
from widgets.keyed_tree import SEQ_ROLE
from widgets.station_view import CHANGE, WHERE, StationView, header_html
from widgets.status_colours import AVAILABLE, BUSY, FAULTED


def make_view(qtbot, state):
    view = StationView()
    qtbot.addWidget(view)
    view.resize(1400, 800)
    view.set_state(state)
    view.show()
    qtbot.waitExposed(view)
    return view


def connector_row(view, evse_id, connector_id):
    return view.cards[evse_id]._connectors[connector_id]


def history_texts(view, column):
    model = view.history_model
    return [model.data(model.index(row, column)) for row in range(model.rowCount())]


def test_a_session_without_stations_says_what_to_expect(qtbot):
    view = make_view(qtbot, samples.no_station())
    assert view.pages.currentWidget() is view.empty
    assert view.empty.text().startswith("No station yet: ")
    assert view.title == "Station" and not view.chooser.isVisible()


def test_cards_show_each_connector_status_in_its_colour(qtbot):
    view = make_view(qtbot, samples.two_evses_one_charging())
    assert sorted(view.cards) == [1, 2]
    occupied = connector_row(view, 1, 1)
    assert occupied.status.text() == "Occupied"
    assert BUSY.name() in occupied.status.styleSheet()
    for connector_id in (1, 2):
        row = connector_row(view, 2, connector_id)
        assert row.status.text() == "Available"
        assert AVAILABLE.name() in row.status.styleSheet()
    assert "since" in connector_row(view, 2, 2).since.text()
    assert view.cards[1].availability.text() == "Operative"
    assert "FLEET-0099" in view.cards[2].reservations.text()
    assert view.cards[2].reservations.isVisible() and not view.cards[2].transaction.isVisible()


def test_the_running_transaction_shows_its_figures_in_readable_units(qtbot):
    view = make_view(qtbot, samples.two_evses_one_charging())
    card = view.cards[1]
    figures = {name: label.text() for name, label in card.figures.items()}
    assert figures == {"Energy": "3.67 kWh", "Power": "7.4 kW", "Current": "31.9 A",
                       "SoC": "58 %", "State": "Charging"}
    assert "04A1B2C3D4E5F6" in card.transaction.text()
    assert "c3f1a9e2…" in card.transaction.text()
    assert "meter register 123.67 kWh" in card.figures["Energy"].toolTip()


def newer(state):
    """The same session a little later: connector 2 of EVSE 2 faulted, one more variable,
    one more meter reading."""
    later = copy.deepcopy(state)
    station = later.stations["CP-0042"]
    plug = station.evses[2].connectors[2]
    plug.history.append(Change(samples.T0 + 1900, 150, "Faulted", "StatusNotification"))
    plug.status = "Faulted"
    variable = DeviceVariable("OCPPCommCtrlr", "QueueAllMessages")
    variable.attributes["Actual"] = VariableAttribute("Actual", "true", "ReadWrite", seq=151)
    station.device_model.variables[variable.key] = variable
    return later


def test_a_newer_state_updates_cards_and_trees_in_place(qtbot):
    state = samples.two_evses_one_charging()
    view = make_view(qtbot, state)
    card = view.cards[2]
    qtbot.mouseClick(card, Qt.MouseButton.LeftButton)
    assert view.selected_evse == 2 and card.selected
    view.history.setCurrentIndex(view.history_model.index(1, 0))
    chosen = view.history_model.data(view.history.currentIndex(), SEQ_ROLE)
    tree, proxy = view.device.view, view.device.proxy
    comm = next(proxy.index(r, 0) for r in range(proxy.rowCount())
                if proxy.index(r, 0).data() == "OCPPCommCtrlr")
    tree.expand(comm)
    resets = []
    view.history_model.modelReset.connect(lambda: resets.append("history"))
    view.device.model.modelReset.connect(lambda: resets.append("device"))

    view.set_state(newer(state))

    assert view.cards[2] is card and card.selected
    assert connector_row(view, 2, 2).status.text() == "Faulted"
    assert FAULTED.name() in connector_row(view, 2, 2).status.styleSheet()
    assert history_texts(view, CHANGE)[0] == "Available → Faulted"
    assert view.history_model.data(view.history.currentIndex(), SEQ_ROLE) == chosen
    assert tree.isExpanded(comm) and proxy.rowCount(comm) == 7
    assert resets == []


def test_the_history_follows_the_picked_card(qtbot):
    view = make_view(qtbot, samples.two_evses_one_charging())
    assert {w.split(" · ")[0] for w in history_texts(view, WHERE)} == {"EVSE 1", "EVSE 2"}
    qtbot.mouseClick(view.cards[1], Qt.MouseButton.LeftButton)
    assert {w.split(" · ")[0] for w in history_texts(view, WHERE)} == {"EVSE 1"}
    assert history_texts(view, CHANGE)[0] == "Available → Occupied"
    qtbot.mouseClick(view.cards[1], Qt.MouseButton.LeftButton)   # again: all EVSEs
    assert view.selected_evse is None and len(history_texts(view, WHERE)) == 7


def test_a_change_stamped_earlier_by_a_wrong_clock_stays_in_record_order(qtbot):
    """The station's own times are shown, but rows keep the order the changes were
    reported in, so that each row's old value is the row below's new one."""
    state = samples.two_evses_one_charging()
    plug = state.stations["CP-0042"].evses[1].connectors[1]
    # reported last, stamped with a clock that went back to before the first change
    plug.history.append(Change(samples.T0 + 1, 150, "available", "StatusNotification"))
    view = make_view(qtbot, state)
    qtbot.mouseClick(view.cards[1], Qt.MouseButton.LeftButton)
    assert history_texts(view, CHANGE) == ["Occupied → available", "Available → Occupied",
                                           "— → Available", "— → Operative"]


def test_clicking_a_history_row_asks_for_its_record(qtbot):
    view = make_view(qtbot, samples.two_evses_one_charging())
    qtbot.mouseClick(view.cards[2], Qt.MouseButton.LeftButton)
    index = view.history_model.index(0, CHANGE)
    assert view.history_model.data(index) == "Unavailable → Available"
    rect = view.history.visualRect(index)
    with qtbot.waitSignal(view.record_chosen) as chosen:
        qtbot.mouseClick(view.history.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert chosen.args == [64]


def test_a_card_link_asks_for_the_record_behind_it(qtbot):
    view = make_view(qtbot, samples.two_evses_one_charging())
    with qtbot.waitSignal(view.record_chosen) as chosen:
        view.cards[1].transaction.linkActivated.emit("seq:30")
    assert chosen.args == [30]


def test_several_stations_get_a_chooser_that_keeps_its_choice(qtbot):
    view = make_view(qtbot, samples.two_stations())
    assert view.chooser.isVisible() and view.station == "CP-0042"
    view.chooser.setCurrentText("CP-0107")
    assert view.station == "CP-0107" and sorted(view.cards) == [1]
    assert "disconnected" in view.header.text() and "code 1006, by station" in view.header.text()
    view.set_state(samples.two_stations())
    assert view.station == "CP-0107"
    assert connector_row(view, 1, 1).status.text() == "Faulted"
    view.set_state(samples.two_evses_one_charging())      # CP-0107 is gone (playback head)
    assert view.station == "CP-0042" and not view.chooser.isVisible()


def test_the_tab_title_counts_incomplete_reports(qtbot):
    view = StationView()
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.title_changed) as title:
        view.set_state(samples.two_evses_one_charging())
    assert title.args == ["Station (1 report incomplete)"]


def test_a_hidden_view_only_follows_its_title_until_shown(qtbot):
    view = StationView()
    qtbot.addWidget(view)
    view.set_state(samples.two_evses_one_charging())
    assert view.cards == {} and view.title == "Station (1 report incomplete)"
    view.show()
    qtbot.waitUntil(lambda: sorted(view.cards) == [1, 2])
    assert view.pages.currentIndex() == 1


def test_the_header_shows_peer_text_as_text():
    station = samples.boot_info(samples.two_evses_one_charging().stations["CP-0042"])
    station.vendor = "<img src=x>"
    station.connections[-1].subprotocol = "<b>ocpp</b>"
    text = header_html(station)
    assert "<img" not in text and "&lt;img src=x&gt;" in text and "&lt;b&gt;ocpp" in text
    assert "Registration" in text and "heartbeat every 300 s" in text
    assert "Firmware <b>Installed</b>" in text


def test_a_reconnected_station_says_how_its_last_connection_ended():
    state = samples.two_stations()
    station = state.stations["CP-0107"]
    station.connections.append(Connection("conn-10", samples.T0 + 530, 100, "ocpp2.0.1"))
    text = header_html(station)
    assert "● connected" in text
    assert "2 connections so far, the last closed" in text and "code 1006, by station" in text


def test_a_station_with_odd_or_missing_data_still_shows(qtbot):
    state = samples.two_stations()
    odd = state.stations["CP-0107"]
    odd.evses[1].connectors[1].status = None
    odd.evses[1].connectors[1].history = []
    odd.evses[1].transaction_id = "not-tracked"
    odd.connections = []
    odd.registration = None
    view = make_view(qtbot, state)
    view.show_station("CP-0107")
    assert connector_row(view, 1, 1).status.text() == "unknown"
    assert "not connected" in view.header.text()
    assert not view.cards[1].transaction.isVisible()


def test_the_history_model_passes_qt_model_checks(qtbot, qtmodeltester):
    view = make_view(qtbot, samples.two_evses_one_charging())
    qtmodeltester.check(view.history_model)
    view.set_state(newer(samples.two_evses_one_charging()))
    qtmodeltester.check(view.history_model)
    assert view.history_model.rowCount(view.history_model.index(0, 0)) == 0
    assert not view.history_model.parent(QModelIndex()).isValid()
