"""Charging profiles as the station holds them: installed, replaced, rejected, cleared,
reported, external limits, and TxProfiles leaving with their transaction."""

from tests.factories import DOWN, NOW, UP, boot, judged_capture, tx_event


def profile(profile_id, purpose="TxDefaultProfile", stack_level=0, **extra):
    return {"id": profile_id, "stackLevel": stack_level, "chargingProfilePurpose": purpose,
            "chargingProfileKind": "Absolute", "chargingSchedule": [{
                "id": 1, "chargingRateUnit": "A",
                "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16}]}], **extra}


def set_profile(message_id, evse_id, body, answer):
    return [(DOWN, [2, message_id, "SetChargingProfile", {"evseId": evse_id,
                                                          "chargingProfile": body}]),
            (UP, [3, message_id, answer])]


def installed(capture):
    return [(p.profile_id, p.evse_id) for p in capture.state.stations["CP1"].profiles]


def test_accepted_profiles_install_and_replace_by_id_or_purpose_and_stack_level():
    capture = judged_capture([
        *boot(),
        *set_profile("1", 1, profile(10), {"status": "Accepted"}),
        *set_profile("2", 1, profile(11, stack_level=1), {"status": "Accepted"}),
        *set_profile("3", 1, profile(12), {"status": "Accepted"}),        # same purpose+level
        *set_profile("4", 2, profile(11, stack_level=1), {"status": "Accepted"})])  # same id
    assert installed(capture) == [(12, 1), (11, 2)]


def test_rejected_profiles_keep_their_reason_and_call_errors_their_code():
    capture = judged_capture([
        *boot(),
        *set_profile("1", 0, profile(5, "ChargingStationMaxProfile", kind="Relative"),
                     {"status": "Rejected", "statusInfo": {
                         "reasonCode": "InvalidSchedule", "additionalInfo": "Relative"}}),
        (DOWN, [2, "2", "SetChargingProfile", {"evseId": 1, "chargingProfile": profile(6)}]),
        (UP, [4, "2", "NotSupported", "", {}])])
    station = capture.state.stations["CP1"]
    assert station.profiles == []
    first, second = station.rejected_profiles
    assert (first.status, first.reason_code, first.additional_info) == (
        "Rejected", "InvalidSchedule", "Relative")
    assert first.seq == 3   # the SetChargingProfile CALL, which holds the profile
    assert (second.status, second.reason_code, second.evse_id) == ("NotSupported", None, 1)


def test_clear_charging_profile_by_id_and_by_criteria_once_accepted():
    capture = judged_capture([
        *boot(),
        *set_profile("1", 1, profile(1), {"status": "Accepted"}),
        *set_profile("2", 1, profile(2, stack_level=2), {"status": "Accepted"}),
        *set_profile("3", 2, profile(3, "TxProfile", transactionId="T9"), {"status": "Accepted"}),
        (DOWN, [2, "4", "ClearChargingProfile", {"chargingProfileId": 1}]),
        (UP, [3, "4", {"status": "Unknown"}])])
    assert installed(capture) == [(1, 1), (2, 1), (3, 2)]
    capture = judged_capture([
        *boot(),
        *set_profile("1", 1, profile(1), {"status": "Accepted"}),
        *set_profile("2", 1, profile(2, stack_level=2), {"status": "Accepted"}),
        *set_profile("3", 2, profile(3, "TxProfile", transactionId="T9"), {"status": "Accepted"}),
        (DOWN, [2, "4", "ClearChargingProfile", {"chargingProfileId": 1}]),
        (UP, [3, "4", {"status": "Accepted"}]),
        (DOWN, [2, "5", "ClearChargingProfile", {"chargingProfileCriteria": {
            "evseId": 2, "chargingProfilePurpose": "TxProfile"}}]),
        (UP, [3, "5", {"status": "Accepted"}])])
    assert installed(capture) == [(2, 1)]


def test_a_tx_profile_leaves_with_its_transaction():
    capture = judged_capture([
        *boot(),
        *tx_event("t1", "Started", "T1", 0),
        *set_profile("p", 1, profile(7, "TxProfile", transactionId="T1"),
                     {"status": "Accepted"}),
        *set_profile("q", 1, profile(8), {"status": "Accepted"}),
        *tx_event("t2", "Ended", "T1", 1)])
    station = capture.state.stations["CP1"]
    assert installed(capture) == [(8, 1)]
    assert 5 in station.transactions["T1"].record_seqs   # the TxProfile's CALL


def test_reports_replace_per_evse_and_external_limits_come_and_go():
    def report(message_id, request_id, profiles, tbc=False):
        return (UP, [2, message_id, "ReportChargingProfiles", {
            "requestId": request_id, "chargingLimitSource": "CSO", "evseId": 1, "tbc": tbc,
            "chargingProfile": profiles}])

    capture = judged_capture([
        *boot(),
        *set_profile("1", 1, profile(1), {"status": "Accepted"}),
        report("r1", 3, [profile(20)], tbc=True), (DOWN, [3, "r1", {}]),
        report("r2", 3, [profile(21, stack_level=1)]), (DOWN, [3, "r2", {}]),
        (UP, [2, "n", "NotifyChargingLimit", {"evseId": 1, "chargingLimit": {
            "chargingLimitSource": "SO", "isGridCritical": True}}]),
        (DOWN, [3, "n", {}])])
    station = capture.state.stations["CP1"]
    assert [(p.profile_id, p.source) for p in station.profiles] == [
        (20, "ReportChargingProfiles"), (21, "ReportChargingProfiles"),
        (None, "NotifyChargingLimit")]
    capture = judged_capture([
        *boot(),
        (UP, [2, "n", "NotifyChargingLimit", {"evseId": 1, "chargingLimit": {
            "chargingLimitSource": "SO"}}]), (DOWN, [3, "n", {}]),
        (UP, [2, "c", "ClearedChargingLimit", {"chargingLimitSource": "SO", "evseId": 1}]),
        (DOWN, [3, "c", {}])])
    assert capture.state.stations["CP1"].profiles == []


def test_composite_schedule_answers_are_kept_with_the_requested_evse():
    schedule = {"evseId": 2, "duration": 60, "scheduleStart": NOW, "chargingRateUnit": "W",
                "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 11000}]}
    capture = judged_capture([
        *boot(),
        (DOWN, [2, "g", "GetCompositeSchedule", {"duration": 60, "evseId": 2}]),
        (UP, [3, "g", {"status": "Accepted", "schedule": schedule}])])
    [reported] = capture.state.stations["CP1"].reported_schedules
    assert reported.evse_id == 2 and reported.schedule["chargingSchedulePeriod"][0][
        "limit"] == 11000


# --- history: every profile that stops applying is kept, with when and by which record ---

def past(capture):
    return [(p.profile_id, p.removed_seq) for p in capture.state.stations["CP1"].past_profiles]


def test_a_replaced_profile_is_kept_as_past_with_the_time_its_successor_came():
    capture = judged_capture([
        *boot(),
        *set_profile("1", 1, profile(10), {"status": "Accepted"}),         # seqs 3, 4
        *set_profile("2", 1, profile(12), {"status": "Accepted"}),         # same purpose+level
        *set_profile("3", 2, profile(12, stack_level=3), {"status": "Accepted"})])  # same id
    station = capture.state.stations["CP1"]
    assert past(capture) == [(10, 5), (12, 7)]
    first, second = station.past_profiles
    assert first.removed == second.installed   # the answer that installed its successor
    assert station.profiles[0].removed is None


def test_a_cleared_profile_is_kept_as_past_at_the_accepted_answer():
    capture = judged_capture([
        *boot(),
        *set_profile("1", 1, profile(1), {"status": "Accepted"}),
        (DOWN, [2, "4", "ClearChargingProfile", {"chargingProfileId": 1}]),
        (UP, [3, "4", {"status": "Accepted"}])])
    [cleared] = capture.state.stations["CP1"].past_profiles
    assert (cleared.profile_id, cleared.removed_seq) == (1, 6)
    assert cleared.removed == capture.messages[5].time


def test_a_tx_profile_dropped_with_its_transaction_is_past_at_the_end_event():
    ended = "2023-11-14T22:20:00Z"
    capture = judged_capture([
        *boot(),
        *tx_event("t1", "Started", "T1", 0),
        *set_profile("p", 1, profile(7, "TxProfile", transactionId="T1"),
                     {"status": "Accepted"}),
        (UP, [2, "t2", "TransactionEvent", {
            "eventType": "Ended", "timestamp": ended, "triggerReason": "StopAuthorized",
            "seqNo": 1, "transactionInfo": {"transactionId": "T1"}}]),
        (DOWN, [3, "t2", {}])])
    [dropped] = capture.state.stations["CP1"].past_profiles
    assert (dropped.profile_id, dropped.removed_seq) == (7, 7)
    assert dropped.removed == 1_700_000_400.0   # the Ended event's own timestamp


def test_reported_profiles_and_external_limits_that_give_way_are_past():
    capture = judged_capture([
        *boot(),
        *set_profile("1", 1, profile(1), {"status": "Accepted"}),
        (UP, [2, "r1", "ReportChargingProfiles", {
            "requestId": 3, "chargingLimitSource": "CSO", "evseId": 1, "tbc": False,
            "chargingProfile": [profile(20)]}]), (DOWN, [3, "r1", {}]),
        (UP, [2, "n", "NotifyChargingLimit", {"evseId": 1, "chargingLimit": {
            "chargingLimitSource": "SO"}}]), (DOWN, [3, "n", {}]),
        (UP, [2, "c", "ClearedChargingLimit", {"chargingLimitSource": "SO", "evseId": 1}]),
        (DOWN, [3, "c", {}])])
    station = capture.state.stations["CP1"]
    assert [(p.profile_id, p.source, p.removed_seq) for p in station.past_profiles] == [
        (1, "SetChargingProfile", 5), (None, "NotifyChargingLimit", 9)]
    assert [p.profile_id for p in station.profiles] == [20]
