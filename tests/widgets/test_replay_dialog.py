"""The Replay dialog: built from the settings table, prefilled from the window, and
refusing what cannot run in one sentence each."""

import pytest

from tests.net.peers import run
from tests.replay.sessions import record_session


@pytest.fixture(scope="module")
def two_stations(tmp_path_factory):
    path = tmp_path_factory.mktemp("rec") / "two.jsonl"
    run(record_session(path, ("CP-1", "CP-2")))
    return str(path)


def _dialog(window, file="", station="", start_from=0):
    from widgets.replay_dialog import ReplayDialog

    return ReplayDialog(window, file, station, start_from)


def test_the_stations_of_the_file_are_offered(window, two_stations):
    dialog = _dialog(window, two_stations)
    offered = [dialog.station_box.itemText(i) for i in range(dialog.station_box.count())]
    assert offered == ["CP-1", "CP-2"]
    assert "Station: choose one of the file's 2 stations (CP-1, CP-2)" in dialog.problems()


def test_a_missing_file_and_an_unknown_station_are_refused_in_words(window, two_stations,
                                                                   tmp_path, dialogs):
    dialog = _dialog(window, str(tmp_path / "gone.jsonl"))
    assert dialog.problems()[0] == f"Session file: '{tmp_path / 'gone.jsonl'}': no such file"
    dialog = _dialog(window, two_stations, station="CP-9")
    assert ("Station: this file has no station 'CP-9' (it holds CP-1, CP-2)"
            in dialog.problems())
    dialog.accept()
    assert dialog.plan is None and "no station 'CP-9'" in dialogs[-1][1]
    assert dialog.result() == 0


def test_bad_rules_urls_and_rules_files_are_refused(window, two_stations, tmp_path):
    dialog = _dialog(window, two_stations, station="CP-1")
    dialog.rules_edit.setPlainText("idToken.idToken=LAB\nnonsense")
    dialog.editors["csms"].setText("http://csms")
    dialog.editors["rewrite_file"].setText(str(tmp_path / "rules.json"))
    problems = dialog.problems()
    assert "Rewrite rules: 'nonsense': write PATH=VALUE, for example " \
           "idToken.idToken=LAB-TAG-1" in problems
    assert "CSMS URL: 'http://csms' must start with ws:// or wss://" in problems
    assert f"Rewrite rules file: {tmp_path / 'rules.json'}: no such file" in problems


def test_good_input_gives_a_plan_with_the_rules_and_ignored_paths(window, two_stations):
    dialog = _dialog(window, two_stations, station="CP-2")
    dialog.rules_edit.setPlainText("idToken.idToken=LAB\n\n@station=LAB-7")
    dialog.ignore_edit.setText("status, interval  seqNo")
    dialog.accept()
    plan = dialog.plan
    assert plan is not None and plan.script.station == "CP-2"
    assert plan.options.rewriter.fields == {"idToken.idToken": "LAB", "@station": "LAB-7"}
    assert plan.options.ignore.matches("idTokenInfo.status")
    assert plan.options.ignore.matches("seqNo")


def test_replay_from_here_prefills_the_session_the_station_and_the_record(window, qtbot,
                                                                         two_stations):
    with qtbot.waitSignal(window.load_finished, timeout=10000):
        window.open_session(two_stations)
    row = next(r for r in range(len(window.model.rows))
               if window.model.message_at(r).station == "CP-2"
               and window.model.message_at(r).action == "Authorize")
    window.select_row(row)
    seq = window.model.message_at(row).seq
    dialog = window.replay.dialog(window.detail.message.station, window.detail.message.seq)
    assert dialog.file_edit.text() == two_stations
    assert dialog.station_box.currentText() == "CP-2"
    assert dialog.editors["start_from"].value() == seq
    assert window.replay.from_here in window.table.actions()
    assert window.replay.action.shortcut().toString() == "Ctrl+R"
