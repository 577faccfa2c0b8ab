"""`ocppscope state` as a user runs it: text, --json, --at, --station and exit 2 lines."""

import json
import os
import subprocess
import sys
from dataclasses import replace

import pytest

from app.cli import main
from tests.factories import DOWN, UP, boot, script_messages, tx_event, write_session

PROFILE = {"id": 5, "stackLevel": 0, "chargingProfilePurpose": "ChargingStationMaxProfile",
           "chargingProfileKind": "Absolute", "chargingSchedule": [{
               "id": 1, "chargingRateUnit": "W",
               "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 0}]}]}


@pytest.fixture
def session(tmp_path):
    steps = [("opened", {"subprotocol": "ocpp2.0.1"}), *boot(),
             *tx_event("a", "Started", "T1", 0, energy=100.0),
             *tx_event("c", "Ended", "T1", 1, energy=900.0, stoppedReason="Local"),
             (DOWN, [2, "p", "SetChargingProfile", {"evseId": 0, "chargingProfile": PROFILE}]),
             (UP, [3, "p", {"status": "Rejected", "statusInfo": {"reasonCode": "NoLimit"}}]),
             ("closed", {"code": 1006, "by": "station"})]
    messages = script_messages(steps)
    later = script_messages([("opened", {}), *boot()], station="CP2", connection="c2")
    messages += [replace(m, seq=100 + m.seq, time=m.time + 100) for m in later]
    return write_session(tmp_path / "s.jsonl", messages)


def run(capsys, *args):
    code = main(["state", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def test_text_shows_boot_transactions_and_rejected_profiles(capsys, session):
    code, out, err = run(capsys, session, "--station", "CP1")
    assert code == 0 and err == ""
    assert out.startswith("CP1: disconnected (1006 by station)\n")
    assert "boot: Voltra AC22 (serial S-1, firmware 4.2, reason PowerUp)" in out
    assert "registration: Accepted, heartbeat interval 300 s" in out
    assert "transaction T1 on EVSE 1:" in out and "800 Wh, stopped Local" in out
    assert "rejected profile 5: ChargingStationMaxProfile on EVSE 0: Rejected (NoLimit)" in out
    assert "CP2" not in out


def test_json_is_one_object_with_every_station(capsys, session):
    code, out, _ = run(capsys, session, "--json")
    assert code == 0
    value = json.loads(out)
    assert value["format"] == "ocppscope-state/1" and value["at"] is None
    cp1, cp2 = value["stations"]
    assert (cp1["station"], cp2["station"]) == ("CP1", "CP2")
    [tx] = cp1["transactions"]
    assert (tx["transaction_id"], tx["energy_wh"], tx["stopped_reason"]) == ("T1", 800.0,
                                                                               "Local")
    assert cp1["rejected_profiles"][0]["reason_code"] == "NoLimit"
    assert cp2["summary"] == "booted"


def test_at_shows_the_state_at_that_moment(capsys, session):
    code, out, _ = run(capsys, session, "--json", "--at", "4", "--station", "CP1")
    value = json.loads(out)
    assert code == 0 and value["at"] is not None
    [cp1] = value["stations"]
    assert cp1["connected"] and cp1["transactions"][0]["ended"] is None
    code, out, _ = run(capsys, session, "--at", "2023-11-14T22:13:23Z", "--station", "CP1")
    assert code == 0 and out.startswith("state at 2023-11-14T22:13:23")
    assert "registration: Accepted" in out and "transaction" not in out


# the first record is at 22:13:21: "2" is two seconds after it
@pytest.mark.parametrize("at", ["2023-11-14T22:13:23", "2023-11-14T23:13:23+01:00",
                                "2023-11-14 22:13:23Z", "2"])
def test_at_reads_every_moment_form_as_the_same_moment(capsys, session, at):
    expected = run(capsys, session, "--at", "2023-11-14T22:13:23Z", "--station", "CP1")
    assert run(capsys, session, "--at", at, "--station", "CP1") == expected
    assert expected[1].startswith("state at 2023-11-14T22:13:23")


def test_at_a_date_alone_is_midnight_utc_before_any_record(capsys, session):
    code, out, _ = run(capsys, session, "--at", "2023-11-14")
    assert code == 0
    assert out.splitlines() == ["state at 2023-11-14T00:00:00.000000Z",
                                "no station in this session"]


@pytest.mark.parametrize("args, line", [
    (["{tmp}/absent.jsonl"], "no such file"),
    (["{session}", "--station", "CP9"], "no station 'CP9' in"),
    (["{session}", "--at", "yesterday"], "--at 'yesterday': not a moment; give an RFC 3339"),
    (["{session}", "--at", "-5"], "--at '-5': not a moment; give an RFC 3339"),
    (["{session}", "--at", "2023-11-31"], "--at '2023-11-31': no such day or time in the "
                                          "calendar; give an RFC 3339 date-time"),
    (["{frames}"], "no OCPP frames in this file"),
    (["{har}"], "no WebSocket messages in this HAR file"),
])
def test_unusable_input_gives_one_line_and_exit_2(capsys, session, tmp_path, args, line):
    frames = tmp_path / "frames.json"
    frames.write_text("a shopping list, not a log")
    har = tmp_path / "browser.har"   # recorded without the network panel open
    har.write_text('{"log": {"version": "1.2", "entries": []}}')
    args = [a.format(tmp=tmp_path, session=session, frames=frames, har=har) for a in args]
    code, out, err = run(capsys, *args)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("ocppscope state: ") and line in err
    if "CP9" in args:
        assert "stations present: CP1, CP2" in err


def test_a_log_of_another_implementation_shows_its_stations(capsys, tmp_path):
    log = tmp_path / "evcc.log"
    log.write_text('[ocpp  ] TRACE 2024/07/29 22:03:40 recv CP7: [2,"1","BootNotification",'
                   '{"reason":"PowerUp","chargingStation":{"model":"M","vendorName":"V"}}]\n'
                   '[ocpp  ] TRACE 2024/07/29 22:03:40 send CP7: [3,"1",{"currentTime":'
                   '"2024-07-29T22:03:40Z","interval":60,"status":"Accepted"}]\n')
    code, out, _ = run(capsys, log, "--json")
    [station] = json.loads(out)["stations"]
    assert code == 0 and station["station"] == "CP7"
    assert station["registration"] == "Accepted" and station["interval"] == 60


def test_a_damaged_line_is_told_on_stderr_and_the_rest_is_shown(capsys, session):
    lines = session.read_text().splitlines(keepends=True)
    lines[3] = "{not a record\n"
    session.write_text("".join(lines))
    code, out, err = run(capsys, session)
    assert code == 0 and "CP1" in out
    assert f"{session}: line 4: skipped, not a valid record" in err


@pytest.mark.skipif(os.name != "posix", reason="a POSIX shell closes standard input")
def test_a_closed_standard_input_is_one_line_and_exit_2():
    result = subprocess.run(["sh", "-c", 'exec "$0" -m app state - <&-', sys.executable],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr == "ocppscope state: -: standard input is closed\n"
