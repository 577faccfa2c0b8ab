"""`ocppscope schedule` as a user runs it: the table, --json and one-line errors."""

from __future__ import annotations

import io
import json
import math
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from app.cli import main
from app.ocpp.checker import shared_validator
from app.ocpp.datetimes import epoch_seconds
from app.ocpp.schemas import PayloadKind
from app.session.judging import judged_session
from app.state.schedule import ocpp_time
from app.state.schedule_history import evse_schedule_over
from tests.factories import boot, script_messages, write_session

REQUESTS = [
    {"evseId": 0, "chargingProfile": {
        "id": 1, "stackLevel": 0, "chargingProfilePurpose": "ChargingStationMaxProfile",
        "chargingProfileKind": "Absolute", "chargingSchedule": [{
            "id": 1, "startSchedule": "2024-05-01T00:00:00Z", "chargingRateUnit": "A",
            "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 32}]}]}},
    {"evseId": 1, "chargingProfile": {
        "id": 2, "stackLevel": 0, "chargingProfilePurpose": "TxProfile",
        "chargingProfileKind": "Relative", "transactionId": "TX-1", "chargingSchedule": [{
            "id": 1, "chargingRateUnit": "A", "chargingSchedulePeriod": [
                {"startPeriod": 0, "limit": 16, "numberPhases": 3},
                {"startPeriod": 1800, "limit": 10, "numberPhases": 3}]}]}},
]
WINDOW = ["--start", "2024-05-01T12:00:00Z", "--duration", "3600"]


@pytest.fixture
def profiles(tmp_path):
    path = tmp_path / "profiles.json"
    path.write_text(json.dumps(REQUESTS))
    return path


def run(capsys, *args):
    code = main(["schedule", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def test_table_shows_each_period_with_its_profile(capsys, profiles):
    code, out, err = run(capsys, profiles, "--evse", 1, *WINDOW,
                         "--transaction", "1=2024-05-01T12:10:00Z")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == "Composite schedule of EVSE 1, 3600 s from 2024-05-01T12:00:00Z"
    assert lines[1].split() == ["start", "end", "limit", "unit", "phases", "profile"]
    assert [line.split()[:5] for line in lines[2:]] == [
        ["2024-05-01T12:00:00Z", "2024-05-01T12:10:00Z", "32", "A", "-"],
        ["2024-05-01T12:10:00Z", "2024-05-01T12:40:00Z", "16", "A", "3"],
        ["2024-05-01T12:40:00Z", "2024-05-01T13:00:00Z", "10", "A", "3"]]
    assert lines[2].endswith("#1 ChargingStationMaxProfile (level 0)")
    assert lines[3].endswith("#2 TxProfile (level 0)")


def test_table_marks_where_the_default_applies(capsys, profiles):
    code, out, _ = run(capsys, profiles, "--evse", 2, "--unit", "W", *WINDOW,
                       "--default-limit-watts", "22000", "--start", "2024-04-30T23:00:00Z")
    assert code == 0
    assert "22000 (default)" in out.splitlines()[2]


def test_json_is_a_composite_schedule_the_official_schema_accepts(capsys, profiles):
    code, out, _ = run(capsys, profiles, "--evse", 1, *WINDOW, "--unit", "W",
                       "--transaction", "1", "--json")
    assert code == 0
    schedule = json.loads(out)
    assert schedule == {
        "evseId": 1, "duration": 3600, "scheduleStart": "2024-05-01T12:00:00Z",
        "chargingRateUnit": "W", "chargingSchedulePeriod": [
            {"startPeriod": 0, "limit": 11040.0, "numberPhases": 3},
            {"startPeriod": 1800, "limit": 6900.0, "numberPhases": 3}]}
    assert shared_validator().validate("GetCompositeSchedule", PayloadKind.RESPONSE,
                                       {"status": "Accepted", "schedule": schedule}) == []


def test_station_wide_schedule_sums_a_count_of_evses(capsys, tmp_path):
    only_tx = tmp_path / "tx.json"
    only_tx.write_text(json.dumps(REQUESTS[1:]))  # EVSE 2 has none: it draws the default
    code, out, _ = run(capsys, only_tx, "--evse", 0, "--evses", 2, *WINDOW, "--json",
                       "--default-limit-amps", "10", "--transaction", "1")
    assert code == 0
    assert json.loads(out)["chargingSchedulePeriod"] == [
        {"startPeriod": 0, "limit": 26.0}, {"startPeriod": 1800, "limit": 20.0}]


@pytest.mark.parametrize("start", ["2024-05-01T14:00:00+02:00", "2024-05-01T12:00:00",
                                   "2024-05-01 12:00", "2024-05-01t12:00:00.000z"])
def test_start_in_any_moment_form_names_the_same_moment(capsys, profiles, start):
    code, out, _ = run(capsys, profiles, "--evse", 1, "--duration", 60, "--start", start)
    assert code == 0
    assert out.splitlines()[0] == "Composite schedule of EVSE 1, 60 s from 2024-05-01T12:00:00Z"


def test_a_date_alone_starts_the_schedule_at_midnight_utc(capsys, profiles):
    code, out, _ = run(capsys, profiles, "--evse", 1, "--duration", 60, "--start", "2024-05-01",
                       "--transaction", "1=2024-04-30")
    assert code == 0
    assert out.splitlines()[0] == "Composite schedule of EVSE 1, 60 s from 2024-05-01T00:00:00Z"


@pytest.mark.parametrize(("args", "line"), [
    (["--start", "noon"], "--start 'noon': not a moment; give an RFC 3339 date-time"),
    (["--start", "2024-02-30"], "--start '2024-02-30': no such day or time in the calendar"),
    (["--start", "90"], "--start '90': seconds count from the first record, and this input "
                        "has none"),
    (["--duration", "0"], "--duration: must be at least 1 second, not 0"),
    (["--duration", "99999999999999999999"], "--duration: 99999999999999999999 s from the "
                                             "start ends past the year 9999"),
    (["--transaction", "one"], "--transaction: 'one' is not EVSE or EVSE=START"),
    (["--transaction", "1=noon"], "--transaction 'noon': not a moment; give an RFC 3339"),
    (["--transaction", "1=60"], "--transaction '60': seconds count from the first record"),
    (["--phases", "4"], "--phases: must be 1, 2 or 3, not 4"),
    (["--voltage", "0"], "--voltage: must be more than 0, not 0"),
    (["--evse", "-1"], "--evse: must be 0 (the station) or an EVSE number, not -1"),
    (["--voltage", "nan"], "--voltage: must be more than 0, not nan"),
    (["--default-limit-amps", "nan"], "--default-limit-amps: must be at least 0, not nan"),
    (["--default-limit-watts", "inf"], "--default-limit-watts: must be a finite number, "
                                       "not inf"),
])
def test_bad_options_are_one_line_and_exit_2(capsys, profiles, args, line):
    code, out, err = run(capsys, profiles, "--evse", 1, *WINDOW, *args)
    assert code == 2 and out == ""
    assert err.startswith(f"ocppscope schedule: {line}") and len(err.splitlines()) == 1


@pytest.mark.parametrize(("content", "line"), [
    (None, "no such file"),
    ("not json", "not JSON"),
    ("[]", "expected a list of SetChargingProfile requests"),
    ('[{"evseId": 1}]', "entry 1 needs a chargingProfile object"),
    ('[{"evseId": "1", "chargingProfile": {}}]', "entry 1 needs an evseId"),
    ('[3]', "entry 1 is not an object"),
])
def test_unusable_input_is_one_line_and_exit_2(capsys, tmp_path, content, line):
    path = tmp_path / "input.json"
    if content is not None:
        path.write_text(content)
    code, _, err = run(capsys, path, "--evse", 1, *WINDOW)
    assert code == 2 and line in err and len(err.splitlines()) == 1
    assert "Traceback" not in err


# --- a recorded session as INPUT ------------------------------------------------------------

EXAMPLE = Path(__file__).parents[2] / "resources" / "examples" / "smart-charging.jsonl"


def example_times() -> tuple[str, str, float]:
    """A moment just after the example's TxProfile was installed, one after its transaction
    ended, and where its 16 A step turns to 10 A (the example is regenerated by running the
    demo, so its times are read from it rather than written here)."""
    station = judged_session(str(EXAMPLE)).state.stations["DEMO-CP-01"]
    installed = station.past_profiles[0]
    schedule = installed.profile["chargingSchedule"][0]
    step = (epoch_seconds(schedule["startSchedule"])
            + schedule["chargingSchedulePeriod"][1]["startPeriod"])
    ended = station.transactions[installed.profile["transactionId"]].ended
    return ocpp_time(math.ceil(installed.installed)), ocpp_time(math.ceil(ended) + 1), step


def test_a_session_gives_the_profiles_and_transaction_at_start_as_the_chart_does(capsys):
    during, _, step = example_times()
    code, out, err = run(capsys, EXAMPLE, "--evse", 1, "--start", during, "--duration", 3)
    assert code == 0 and err == ""
    rows = [line.split()[:3] for line in out.splitlines()[2:]]
    assert [row[2] for row in rows] == ["16", "10"] and rows[1][0] == ocpp_time(step)
    station = judged_session(str(EXAMPLE)).state.stations["DEMO-CP-01"]
    start = epoch_seconds(during)
    chart, _ = evse_schedule_over(station, 1, start, start + 3)
    assert [(ocpp_time(p.start), ocpp_time(p.end), f"{p.limit:g}") for p in chart.periods] \
        == [tuple(row) for row in rows]


def test_a_session_schedule_as_json_passes_the_official_schema(capsys):
    during, _, _ = example_times()
    code, out, _ = run(capsys, EXAMPLE, "--evse", 1, "--start", during, "--duration", 3,
                       "--json")
    schedule = json.loads(out)
    assert code == 0 and schedule["chargingRateUnit"] == "A"
    assert [p["limit"] for p in schedule["chargingSchedulePeriod"]] == [16.0, 10.0]
    assert shared_validator().validate("GetCompositeSchedule", PayloadKind.RESPONSE,
                                       {"status": "Accepted", "schedule": schedule}) == []


def test_seconds_count_from_the_first_record_of_a_session(capsys):
    during, _, _ = example_times()
    first = judged_session(str(EXAMPLE)).messages[0].time
    seconds = repr(epoch_seconds(during) - first)
    absolute = run(capsys, EXAMPLE, "--evse", 1, "--start", during, "--duration", 3,
                   "--transaction", f"1={during}")
    relative = run(capsys, EXAMPLE, "--evse", 1, "--start", seconds, "--duration", 3,
                   "--transaction", f"1={seconds}")
    assert relative == absolute and absolute[0] == 0


def test_after_the_transaction_its_profile_is_gone_from_a_session(capsys):
    _, after, _ = example_times()
    code, out, _ = run(capsys, EXAMPLE, "--evse", 1, "--start", after, "--duration", 60)
    assert code == 0 and "(default)" in out.splitlines()[2] and len(out.splitlines()) == 3


def two_station_session(tmp_path):
    messages = [*script_messages(boot(), station="CP-A"),
                *script_messages(boot("b2"), station="CP-B", connection="c2")]
    messages = [replace(m, seq=index) for index, m in enumerate(messages, start=1)]
    return write_session(tmp_path / "two.jsonl", messages)


@pytest.mark.parametrize(("args", "line"), [
    ([], "holds several stations (CP-A, CP-B); choose one with --station"),
    (["--station", "CP-C"], "--station: no station 'CP-C' in"),
])
def test_a_session_with_several_stations_needs_one_named(capsys, tmp_path, args, line):
    path = two_station_session(tmp_path)
    code, out, err = run(capsys, path, "--evse", 1, *WINDOW, *args)
    assert code == 2 and out == "" and line in err and len(err.splitlines()) == 1
    if args:
        assert err.rstrip().endswith("stations present: CP-A, CP-B")


def test_a_named_station_of_a_session_is_used(capsys, tmp_path):
    code, out, _ = run(capsys, two_station_session(tmp_path), "--station", "CP-B",
                       "--evse", 1, *WINDOW)
    assert code == 0 and out.startswith("Composite schedule of EVSE 1")


def test_a_damaged_line_of_a_session_is_told_on_stderr(capsys, tmp_path):
    during, _, _ = example_times()
    lines = EXAMPLE.read_text().splitlines(keepends=True)
    lines[5] = "{not a record\n"
    damaged = tmp_path / "damaged.jsonl"
    damaged.write_text("".join(lines))
    code, out, err = run(capsys, damaged, "--evse", 1, "--start", during, "--duration", 3)
    assert code == 0 and out.startswith("Composite schedule of EVSE 1")
    assert f"{damaged}: line 6: skipped, not a valid record" in err


def test_a_profile_the_schema_refuses_is_told_on_stderr_not_silently_left_out(capsys,
                                                                             tmp_path):
    quoted = json.loads(json.dumps(REQUESTS[:1]))
    quoted[0]["chargingProfile"]["chargingSchedule"][0]["chargingSchedulePeriod"][0][
        "limit"] = "16"
    path = tmp_path / "profiles.json"
    path.write_text(json.dumps(quoted))
    code, out, err = run(capsys, path, "--evse", 1, *WINDOW)
    assert code == 0 and "(default)" in out
    [line] = err.splitlines()
    assert line.startswith(f"{path}: entry 1: chargingProfile.chargingSchedule[0]."
                           "chargingSchedulePeriod[0].limit: ")
    assert "a station refuses such a profile" in line


def test_nan_in_a_profiles_file_is_not_json(capsys, tmp_path):
    path = tmp_path / "profiles.json"
    path.write_text(json.dumps(REQUESTS).replace('"limit": 32', '"limit": NaN'))
    code, out, err = run(capsys, path, "--evse", 1, *WINDOW)
    assert (code, out) == (2, "")
    assert err.startswith(f"ocppscope schedule: {path}: not JSON (NaN is no JSON number)")
    assert len(err.splitlines()) == 1



# --- standard input as INPUT ---------------------------------------------------------------

def piped(monkeypatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))


def test_a_dash_reads_profiles_from_standard_input(capsys, monkeypatch, profiles):
    from_file = run(capsys, profiles, "--evse", 1, *WINDOW)
    piped(monkeypatch, profiles.read_bytes())
    assert run(capsys, "-", "--evse", 1, *WINDOW) == from_file


def test_a_dash_reads_a_session_from_standard_input(capsys, monkeypatch):
    during, _, _ = example_times()
    window = ["--evse", 1, "--start", during, "--duration", 3]
    from_file = run(capsys, EXAMPLE, *window)
    piped(monkeypatch, EXAMPLE.read_bytes())
    assert run(capsys, "-", *window) == from_file
    assert from_file[0] == 0


def test_a_closed_standard_input_is_one_line_and_exit_2(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", None)  # started with <&-
    code, _, err = run(capsys, "-", "--evse", 1, *WINDOW)
    assert code == 2 and err == "ocppscope schedule: -: standard input is closed\n"
