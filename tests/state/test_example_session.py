"""The example session of a transaction charged under a profile opens and says what it
should (regenerate it with `tests/state/make_example_session.py`)."""

from __future__ import annotations

import json
from pathlib import Path

from app.cli import main
from app.session.sessionfile import SessionReader

EXAMPLE = Path(__file__).parents[2] / "resources" / "examples" / "smart-charging.jsonl"


def frames() -> list[list]:
    return [json.loads(m.text) for m in SessionReader.open(EXAMPLE)
            if m.kind.value == "frame"]


def test_validate_opens_it_and_finds_only_the_demo_faults(capsys):
    assert main(["validate", str(EXAMPLE)]) == 1
    out = capsys.readouterr().out
    assert "smartcharging.max-profile-relative" in out
    assert "1 invalid, 0 malformed" in out  # the timestamp without offset


def test_it_holds_the_statuses_the_transaction_the_profiles_and_the_composite_schedule():
    calls = [f for f in frames() if f[0] == 2]
    statuses = [f[3]["connectorStatus"] for f in calls if f[2] == "StatusNotification"]
    assert statuses[:3] == ["Available", "Occupied", "Available"]
    assert calls[0][2] == "BootNotification"
    events = [f[3]["eventType"] for f in calls if f[2] == "TransactionEvent"]
    assert events[0] == "Started" and "Ended" in events and events.count("Updated") >= 8
    profiles = [f[3]["chargingProfile"]["chargingProfilePurpose"] for f in calls
                if f[2] == "SetChargingProfile"]
    assert profiles == ["ChargingStationMaxProfile", "TxProfile"]
    answers = {f[1]: f[2] for f in frames() if f[0] == 3}
    rejected = next(answers[f[1]] for f in calls if f[2] == "SetChargingProfile")
    assert rejected["status"] == "Rejected" and rejected["statusInfo"]["reasonCode"]
    composite = next(answers[f[1]] for f in calls if f[2] == "GetCompositeSchedule")
    assert [p["limit"] for p in composite["schedule"]["chargingSchedulePeriod"]] == [16, 10]
