"""The findings tree under each grouping: Qt's model checks pass, each heading and each
kind under it shows its count, record rows name their records, and live growth appends
rows without resetting the tree."""

import pytest
from PySide6.QtCore import QModelIndex

from app.ocpp.findings import error
from app.session.capture import Capture
from app.session.findings_summary import FindingsSummary, Grouping
from tests.session.test_findings_summary import summarised_live
from widgets.findings_tree import COUNT, EXAMPLE, FINDING, FindingsModel


def texts(model, parent=None, column=FINDING):
    parent = parent or QModelIndex()
    return [model.data(model.index(r, column, parent)) for r in range(model.rowCount(parent))]


@pytest.fixture
def model(qtbot):
    capture = Capture()
    summary = summarised_live(capture)
    tree = FindingsModel()
    tree.show(capture, summary)
    return tree


@pytest.mark.parametrize("grouping", list(Grouping))
def test_every_grouping_passes_qt_model_checks(model, qtmodeltester, grouping):
    model.set_grouping(grouping)
    qtmodeltester.check(model)


def test_by_action_each_action_counts_its_findings_and_codes(model):
    model.set_grouping(Grouping.ACTION)
    assert texts(model) == ["(no action)", "Heartbeat", "MeterValues"]
    assert texts(model, column=COUNT) == ["1", "2", "4"]
    assert texts(model, column=EXAMPLE) == ["1 kind", "2 kinds", "2 kinds"]
    meter_values = model.index(2, 0)
    assert texts(model, meter_values) == ["schema.date-time", "protocol.no-answer"]
    assert texts(model, meter_values, COUNT) == ["3", "1"]
    dates = model.index(0, 0, meter_values)
    assert texts(model, dates) == ["#1", "#3", "#5"]
    assert [model.seq_at(model.index(r, 0, dates)) for r in range(3)] == [1, 3, 5]
    assert "CALL MeterValues · …timestamp: '2024-01-01T00:00:00'" in model.data(
        model.index(0, EXAMPLE, dates))


def test_by_station_each_station_counts_its_findings_and_codes(model):
    model.set_grouping(Grouping.STATION)
    assert texts(model) == ["CP1", "CP2"] and texts(model, column=COUNT) == ["3", "4"]
    cp2 = model.index(1, 0)
    assert texts(model, cp2) == ["schema.date-time", "protocol.concurrent-call",
                                 "protocol.no-answer"]
    assert texts(model, cp2, COUNT) == ["1", "1", "2"]
    assert texts(model, model.index(2, 0, cp2)) == ["#5", "#6"]


def test_back_to_codes_the_tree_is_as_before(model):
    model.set_grouping(Grouping.STATION)
    model.set_grouping(Grouping.CODE)
    assert texts(model) == ["Errors", "Warnings"] and texts(model, column=COUNT) == ["4", "3"]


def test_a_record_of_a_known_kind_is_appended_without_a_reset(model):
    model.set_grouping(Grouping.ACTION)
    resets, inserted = [], []
    model.modelReset.connect(lambda: resets.append(1))
    model.rowsInserted.connect(lambda parent, first, last: inserted.append(
        (model.data(parent), first, last)))
    model.summary.add(9, "CP1", [error("schema.date-time", "again", "x")], "MeterValues")
    assert not model.refresh()
    assert resets == [] and inserted == [("schema.date-time", 3, 3)]
    assert model.data(model.index(2, COUNT)) == "5"


def test_an_empty_summary_shows_no_rows_in_any_grouping(qtbot):
    tree = FindingsModel()
    tree.show(Capture(), FindingsSummary())
    for grouping in Grouping:
        tree.set_grouping(grouping)
        assert tree.rowCount() == 0
