"""What follows an accepted command of the CSMS: which CALLs, and the connectors' status."""

import pytest

from app.ocpp.station_followups import TRIGGERABLE, StationFollowUps

BOOT = {"reason": "PowerUp", "chargingStation": {"model": "M", "vendorName": "V"}}


def statuses(calls):
    return [(p["evseId"], p["connectorId"], p["connectorStatus"]) for a, p in calls
            if a == "StatusNotification"]


def test_an_inoperative_evse_reports_each_of_its_connectors_once():
    station = StationFollowUps([2, 1], BOOT)
    calls = station.after("ChangeAvailability", {"operationalStatus": "Inoperative",
                                                  "evse": {"id": 1}}, {"status": "Accepted"})
    assert statuses(calls) == [(1, 1, "Unavailable"), (1, 2, "Unavailable")]
    again = station.after("ChangeAvailability", {"operationalStatus": "Inoperative"},
                          {"status": "Accepted"})
    assert statuses(again) == [(2, 1, "Unavailable")]   # only what changed
    back = station.after("ChangeAvailability", {"operationalStatus": "Operative",
                                                 "evse": {"id": 1, "connectorId": 2}},
                         {"status": "Accepted"})
    assert statuses(back) == [(1, 2, "Available")]


@pytest.mark.parametrize("answer", [{"status": "Rejected"}, {"status": "Scheduled"}, {}, None,
                                    "Accepted"])
def test_a_command_not_accepted_or_an_odd_answer_calls_for_nothing(answer):
    station = StationFollowUps([1], BOOT)
    assert station.after("ChangeAvailability", {"operationalStatus": "Inoperative"},
                         answer) == []
    assert station.status == {(1, 1): "Available"}


@pytest.mark.parametrize("request_", [None, [], {"operationalStatus": "Broken"},
                                      {"operationalStatus": "Inoperative", "evse": {"id": 9}},
                                      {"operationalStatus": "Inoperative", "evse": "1"}])
def test_a_malformed_or_unknown_target_calls_for_nothing_and_never_raises(request_):
    station = StationFollowUps([1], BOOT)
    calls = station.after("ChangeAvailability", request_, {"status": "Accepted"})
    assert statuses(calls) in ([], [(1, 1, "Unavailable")])  # "1" is no object: the station


def test_each_triggerable_message_is_sent_and_the_others_are_not():
    station = StationFollowUps([1], BOOT)
    sent = {asked: station.after("TriggerMessage", {"requestedMessage": asked},
                                 {"status": "Accepted"}) for asked in TRIGGERABLE}
    assert {asked: [action for action, _ in calls] for asked, calls in sent.items()} == {
        asked: [asked] for asked in TRIGGERABLE}
    assert sent["BootNotification"][0][1]["reason"] == "Triggered"
    assert station.after("TriggerMessage", {"requestedMessage": "MeterValues"},
                         {"status": "Accepted"}) == []


@pytest.mark.parametrize("field", [[], {}, 7, None])
def test_an_unhashable_or_odd_value_from_the_csms_never_raises(field):
    station = StationFollowUps([1], BOOT)
    assert station.after("TriggerMessage", {"requestedMessage": field},
                         {"status": "Accepted"}) == []
    assert station.after("ChangeAvailability", {"operationalStatus": field},
                         {"status": "Accepted"}) == []
