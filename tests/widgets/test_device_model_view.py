"""The device model tree: components with their scope, variables with their attributes,
characteristics and monitors; a search that keeps the parents of what matches; reports with
missing parts marked at the top and leading to their frame; odd peer data shown, not raised."""

from PySide6.QtCore import QModelIndex, Qt

from app.state.model import DeviceModel, DeviceVariable, ReportProgress, VariableAttribute
from tests.widgets import station_samples as samples
from widgets.device_model_view import (
    FLAGS,
    LIMITS,
    MUTABILITY,
    NAME,
    UNIT,
    VALUE,
    DeviceModelView,
    device_rows,
)
from widgets.status_colours import FAULTED


def make_view(qtbot, model):
    view = DeviceModelView()
    qtbot.addWidget(view)
    view.resize(1000, 700)
    view.set_device_model(model)
    view.show()
    return view


def names(model, parent=QModelIndex()):  # noqa: B008
    return [model.index(r, NAME, parent).data() for r in range(model.rowCount(parent))]


def child(model, parent, name):
    return next(model.index(r, 0, parent) for r in range(model.rowCount(parent))
                if model.index(r, 0, parent).data() == name)


def test_the_tree_passes_qt_model_checks(qtbot, qtmodeltester):
    view = make_view(qtbot, samples.fifty_variables())
    qtmodeltester.check(view.model)
    view.search.setText("EVSE")
    qtmodeltester.check(view.proxy)


def test_components_carry_their_instance_and_scope_and_variables_their_details(qtbot):
    view = make_view(qtbot, samples.fifty_variables())
    top = names(view.model)
    assert "EVSE · EVSE 1" in top and "Connector · EVSE 2, connector 2" in top
    assert "OCPPCommCtrlr [Default]" in top
    comm = child(view.model, QModelIndex(), "OCPPCommCtrlr")
    heartbeat = child(view.model, comm, "HeartbeatInterval")
    row = [heartbeat.siblingAtColumn(c).data() for c in (VALUE, MUTABILITY, UNIT, LIMITS,
                                                          FLAGS)]
    assert row == ["300", "ReadWrite", "s", "10 – 86400", "persistent"]
    smart = child(view.model, QModelIndex(), "SmartChargingCtrlr")
    limit = child(view.model, smart, "LimitChangeSignificance")
    assert names(view.model, limit) == ["Actual", "Target"]
    assert child(view.model, limit, "Target").siblingAtColumn(VALUE).data() == "5"
    evse1 = child(view.model, QModelIndex(), "EVSE · EVSE 1")
    monitored = child(view.model, evse1, "DCInputPhaseControl")
    assert names(view.model, monitored) == ["Monitor 3"]
    assert monitored.model().index(0, VALUE, monitored).data() == "Delta 1"


def test_search_keeps_the_parents_of_what_matches(qtbot):
    view = make_view(qtbot, samples.fifty_variables())
    proxy = view.proxy
    view.search.setText("heartbeatinterval")
    assert names(proxy) == ["OCPPCommCtrlr"]
    assert names(proxy, proxy.index(0, 0)) == ["HeartbeatInterval"]
    assert view.view.isExpanded(proxy.index(0, 0))
    view.search.setText("WallBox Duo")                    # a value
    assert names(proxy) == ["ChargingStation"]
    assert names(proxy, proxy.index(0, 0)) == ["Model"]
    view.search.setText("AuthCacheCtrlr")                 # a component shows all it has
    assert names(proxy, proxy.index(0, 0)) == ["Enabled", "LifeTime"]
    view.search.clear()
    assert proxy.rowCount() == view.model.rowCount()


def test_a_report_with_missing_parts_is_a_marked_row_that_leads_to_its_frame(qtbot):
    view = make_view(qtbot, samples.fifty_variables())
    first = view.proxy.index(0, NAME)
    assert first.data() == "⚠ NotifyReport requestId 7: part 2 missing"
    assert first.data(Qt.ItemDataRole.ForegroundRole) == FAULTED
    assert view.view.isFirstColumnSpanned(0, QModelIndex())
    assert view.holes == 1 and "1 report with missing parts" in view.summary.text()
    with qtbot.waitSignal(view.record_chosen) as chosen:
        rect = view.view.visualRect(first)
        qtbot.mouseClick(view.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert chosen.args == [81]


def test_several_missing_parts_and_a_report_still_arriving_are_told_apart():
    model = DeviceModel()
    model.reports[3] = ReportProgress(3, "NotifyReport", seq_nos=[0, 1, 4], complete=True)
    model.reports[4] = ReportProgress(4, "NotifyMonitoringReport", seq_nos=[0, 1])
    texts = [row.cells[0] for row in device_rows(model)]
    assert texts == ["⚠ NotifyReport requestId 3: parts 2, 3 missing",
                     "NotifyMonitoringReport requestId 4: 2 parts so far, more to come"]


def test_odd_peer_data_is_shown_not_raised(qtbot, qtmodeltester):
    model = DeviceModel()
    odd = DeviceVariable("Weird", "Thing", component_instance="", evse_id=3)
    odd.characteristics = "not an object"        # type: ignore[assignment]
    odd.monitors = ["a string", {"id": None}]     # type: ignore[list-item]
    odd.attributes["Actual"] = VariableAttribute("Actual", None, None)
    model.variables[odd.key] = odd
    named = DeviceVariable("Weird", "Thing", variable_instance="2")
    model.variables[named.key] = named            # no attributes at all
    view = make_view(qtbot, model)
    qtmodeltester.check(view.model)
    assert names(view.model) == ["Weird", "Weird · EVSE 3"]
    scoped = view.model.index(1, 0)
    assert names(view.model, child(view.model, scoped, "Thing")) == ["Monitor", "Monitor"]


def test_a_value_changed_in_place_is_shown_and_an_unchanged_model_costs_no_update(qtbot):
    model = samples.fifty_variables()
    view = make_view(qtbot, model)
    changes = []
    view.model.dataChanged.connect(lambda first, last: changes.append(first.data()))
    view.set_device_model(model)
    assert changes == []
    heartbeat = next(v for v in model.variables.values() if v.variable == "HeartbeatInterval")
    heartbeat.attributes["Actual"].value, heartbeat.attributes["Actual"].seq = "60", 500
    view.set_device_model(model)
    assert changes == ["HeartbeatInterval"]
    comm = child(view.model, QModelIndex(), "OCPPCommCtrlr")
    assert child(view.model, comm, "HeartbeatInterval").siblingAtColumn(VALUE).data() == "60"


def test_no_device_model_says_where_it_comes_from(qtbot):
    view = make_view(qtbot, DeviceModel())
    assert view.summary.text().startswith("No device model yet")
    assert view.model.rowCount() == 0
