"""Planning a replay from settings, as the command line and the window both do."""

import pytest

from app.errors import InputError, UsageError
from app.replay.run import ReplayRun, plan_replay, recorded_stations
from tests.net.peers import run
from tests.replay.sessions import record_session


@pytest.fixture(scope="module")
def two_stations(tmp_path_factory):
    path = tmp_path_factory.mktemp("rec") / "two.jsonl"
    run(record_session(path, ("CP-1", "CP-2")))
    return path


def test_recorded_stations_are_listed_in_order_of_appearance(two_stations):
    assert recorded_stations(two_stations) == ["CP-1", "CP-2"]


def test_a_plan_takes_the_chosen_station_from_the_chosen_record(two_stations):
    whole = plan_replay(two_stations, {"role": "station", "station": "CP-2"})
    later = whole.script.exchanges[2].seq
    plan = plan_replay(two_stations, {"role": "station", "station": "CP-2",
                                      "start_from": later, "ignore": ["status"],
                                      "rewrite": ["idToken.idToken=LAB"]},
                       recording=whole.recording)
    assert plan.script.station == "CP-2"
    assert plan.script.exchanges[0].seq == later
    assert plan.options.ignore.matches("idTokenInfo.status")
    assert plan.options.rewriter.fields == {"idToken.idToken": "LAB"}
    assert plan.header()["replay"]["station"] == "CP-2"


def test_a_plan_refuses_a_missing_station_a_bad_rule_and_a_bad_url(two_stations, tmp_path):
    with pytest.raises(InputError, match="no station 'CP-9' \\(it holds CP-1, CP-2\\)"):
        plan_replay(two_stations, {"role": "station", "station": "CP-9"})
    with pytest.raises(UsageError, match="write PATH=VALUE"):
        plan_replay(two_stations, {"role": "station", "station": "CP-1", "rewrite": ["x"]})
    with pytest.raises(UsageError, match="must start with ws://"):
        plan_replay(two_stations, {"role": "station", "csms": "http://x"})
    with pytest.raises(InputError, match="no such file"):
        plan_replay(tmp_path / "none.jsonl", {"role": "station"})


def test_a_run_not_started_reports_nothing(two_stations):
    report = ReplayRun(plan_replay(two_stations, {"role": "station", "station": "CP-1"})
                       ).report()
    assert report.outcomes == [] and report.live_station is None


def test_a_filter_keeps_only_the_calls_it_selects_and_recounts_them(two_stations):
    whole = plan_replay(two_stations, {"role": "station", "station": "CP-1"})
    plan = plan_replay(two_stations, {"role": "station", "station": "CP-1",
                                      "filter": 'action != "BootNotification"'},
                       recording=whole.recording)
    actions = [e.action for e in plan.script.exchanges]
    assert actions == [e.action for e in whole.script.exchanges
                       if e.action != "BootNotification"]
    assert all(e.ordinal == 1 for e in plan.script.exchanges if actions.count(e.action) == 1)


def test_a_filter_that_does_not_parse_is_refused_with_its_column(two_stations):
    with pytest.raises(UsageError, match="column 8: write '=='"):
        plan_replay(two_stations, {"role": "station", "station": "CP-1",
                                   "filter": "action = 1"})


def test_a_start_or_a_filter_that_leaves_nothing_to_play_is_refused(two_stations):
    whole = plan_replay(two_stations, {"role": "station", "station": "CP-1"})
    last = whole.script.exchanges[-1].seq
    with pytest.raises(UsageError, match=f"Start from record: CP-1 has no exchange "
                                         f"from seq {last + 1} on \\(its last is seq {last}\\)"):
        plan_replay(two_stations, {"role": "station", "station": "CP-1",
                                   "start_from": last + 1}, recording=whole.recording)
    with pytest.raises(UsageError, match="Only the CALLs: the expression selects no exchange"):
        plan_replay(two_stations, {"role": "station", "station": "CP-1",
                                   "filter": 'id == "no-such-id"'}, recording=whole.recording)
