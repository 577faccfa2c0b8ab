"""The Differences view over a report built by the engine's own comparison."""

from PySide6.QtTest import QAbstractItemModelTester

from app.ocpp.conversation import Direction
from app.replay.compare import Exchange, Reply, compare
from app.replay.report import ReplayReport
from widgets.differences import DifferencesView

TO_CSMS, TO_STATION = Direction.STATION_TO_CSMS, Direction.CSMS_TO_STATION


def _report():
    recorded = [Exchange(1, TO_CSMS, "Authorize", 1, {"idToken": {"idToken": "A"}},
                         Reply("result", {"idTokenInfo": {"status": "Accepted"}}, seq=2)),
                Exchange(3, TO_STATION, "Reset", 1, {"type": "Immediate"},
                         Reply("result", {"status": "Accepted"}, seq=4)),
                Exchange(5, TO_CSMS, "Heartbeat", 1, {}, Reply("result", {}, seq=6))]
    live = [Exchange(11, TO_CSMS, "Authorize", 1, {"idToken": {"idToken": "A"}},
                     Reply("result", {"idTokenInfo": {"status": "Blocked"}}, seq=12)),
            Exchange(13, TO_STATION, "Reset", 1, {"type": "OnIdle"},
                     Reply("result", {"status": "Accepted"}, seq=14))]
    return ReplayReport("f.jsonl", "CP-1", "CP-1", "station", "ws://x",
                        compare(recorded, live, TO_CSMS), ["timestamp"])


def test_the_model_passes_qt_checks_and_words_each_exchange(qtbot):
    view = DifferencesView()
    qtbot.addWidget(view)
    QAbstractItemModelTester(view.model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    view.set_report(_report())
    rows = [[view.model.index(r, c).data() for c in range(5)] for r in range(3)]
    assert rows == [["1", "different", "→", "Authorize", "1"],
                    ["2", "different", "←", "Reset", "1"],
                    ["3", "missing", "→", "Heartbeat", "1"]]
    assert view.counts.text() == "0 same · 2 different · 1 missing · 0 extra"


def test_the_peers_own_call_compares_requests_and_a_missing_one_says_so(qtbot):
    view = DifferencesView()
    qtbot.addWidget(view)
    view.set_report(_report())
    view.select_outcome(1)
    assert view.recorded_title.text() == "Recorded request"
    assert '"Immediate"' in view.recorded_view.toPlainText()
    assert [s.cursor.selectedText() for s in view.live_view.extraSelections()] == [
        '"type": "OnIdle"']
    view.select_outcome(2)
    assert view.live_view.toPlainText() == "(no such exchange)"
    assert view.difference_list.item(0).text() == "not sent in the live run"


def test_chosen_exchange_names_both_calls(qtbot):
    view = DifferencesView()
    qtbot.addWidget(view)
    view.set_report(_report())
    with qtbot.waitSignal(view.exchange_chosen) as chosen:
        view.show_in_timelines()
    assert chosen.args == [1, 11]
