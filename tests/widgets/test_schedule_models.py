"""The schedule view's tables pass Qt's model checks, format what a field engineer reads,
and take new rows in place: changed rows are re-read, rows added or dropped at the end are
inserted or removed, and only a reordering resets the table."""

from dataclasses import replace

from PySide6.QtCore import QModelIndex, Qt

from app.state.schedule_view import Mismatch, clock
from tests.widgets.schedule_samples import (
    DEFAULT_PROFILE,
    MAX_PROFILE,
    REJECTED,
    START,
    TX_PROFILE,
)
from widgets.schedule_models import MismatchModel, ProfilesModel, RejectedModel


def row_texts(model, row):
    return [model.data(model.index(row, column)) for column in range(model.columnCount())]


class Changes:
    def __init__(self, model):
        self.seen = []
        model.modelReset.connect(lambda: self.seen.append("reset"))
        model.rowsInserted.connect(lambda _p, first, last: self.seen.append(("+", first, last)))
        model.rowsRemoved.connect(lambda _p, first, last: self.seen.append(("-", first, last)))
        model.dataChanged.connect(lambda a, b: self.seen.append(("~", a.row(), b.row())))


def test_the_models_pass_qt_model_checks(qtmodeltester):
    profiles = ProfilesModel()
    profiles.update([MAX_PROFILE, DEFAULT_PROFILE, TX_PROFILE])
    qtmodeltester.check(profiles)
    rejected = RejectedModel()
    rejected.update([REJECTED])
    qtmodeltester.check(rejected)
    found = MismatchModel()
    found.show([Mismatch("measured", START, START + 60, 18.2, 16.0)], "A")
    qtmodeltester.check(found)


def test_a_profile_row_reads_at_a_glance():
    model = ProfilesModel()
    model.update([MAX_PROFILE, TX_PROFILE])
    assert row_texts(model, 0)[:5] == ["1", "ChargingStationMaxProfile", "0", "Absolute",
                                       "station"]
    assert row_texts(model, 1) == ["12", "TxProfile", "1", "Absolute", "1",
                                   f"from {clock(START)}", "SetChargingProfile #31",
                                   clock(TX_PROFILE.installed), ""]
    assert model.seq_at(model.index(1, 3)) == 31


def test_odd_profiles_from_the_peer_still_show():
    odd = replace(TX_PROFILE, profile={"id": [1], "validTo": "tomorrow",
                                       "chargingProfileKind": None,
                                       "recurrencyKind": "Daily"})
    model = ProfilesModel()
    model.update([odd])
    assert row_texts(model, 0)[:6] == ["[1]", "?", "", " (Daily)", "1", "until tomorrow"]


def test_a_rejected_profile_shows_its_status_and_reason():
    model = RejectedModel()
    model.update([REJECTED, replace(REJECTED, seq=37, reason_code=None, additional_info=None,
                                    status="FormationViolation")])
    assert row_texts(model, 0) == [clock(START + 90), "13", "TxProfile", "1", "Rejected",
                                   "InvalidValue", "chargingRateUnit W not supported"]
    assert row_texts(model, 1)[4:] == ["FormationViolation", "(none given)", ""]
    assert model.seq_at(model.index(1, 0)) == 37
    assert model.seq_at(QModelIndex()) is None


def test_new_rows_are_inserted_and_changed_rows_re_read_without_a_reset():
    model = ProfilesModel()
    changes = Changes(model)
    model.update([MAX_PROFILE, DEFAULT_PROFILE])
    model.update([MAX_PROFILE, DEFAULT_PROFILE])
    assert changes.seen == [("+", 0, 1)]
    restacked = replace(DEFAULT_PROFILE, profile={**DEFAULT_PROFILE.profile, "stackLevel": 3})
    model.update([MAX_PROFILE, restacked, TX_PROFILE])
    assert changes.seen[1:] == [("~", 1, 1), ("+", 2, 2)]
    assert model.data(model.index(1, 2)) == "3"


def test_rows_dropped_at_the_end_are_removed_and_a_reorder_resets():
    model = ProfilesModel()
    model.update([MAX_PROFILE, DEFAULT_PROFILE, TX_PROFILE])
    changes = Changes(model)
    model.update([MAX_PROFILE])
    assert changes.seen == [("-", 1, 2)]
    model.update([TX_PROFILE, MAX_PROFILE])
    assert changes.seen[1:] == ["reset"] and model.rowCount() == 2


def test_mismatches_read_as_sentences_in_their_colour():
    model = MismatchModel()
    model.show([Mismatch("measured", START, START + 300, 18.2, 16.0),
                Mismatch("reported", START, START + 300, 16.0, 10.0, "Reported")], "A")
    assert model.data(model.index(0, 0)).endswith("measured 18.2 A over the 16.0 A limit")
    red = model.data(model.index(0, 0), Qt.ItemDataRole.ForegroundRole)
    amber = model.data(model.index(1, 0), Qt.ItemDataRole.ForegroundRole)
    assert red != amber
    model.show([Mismatch("measured", START, START + 300, 18200.0, 16000.0)], "W")
    assert model.data(model.index(0, 0)).endswith("18.2 kW over the 16.0 kW limit")
