"""Which connections are in another OCPP version, and the verdict their frames get."""

from app.ocpp.conversation import Direction
from app.ocpp.other_versions import OtherVersions, chosen_subprotocol, other_version

NOT_JUDGED = "not judged: this connection agreed ocpp1.6, and only OCPP 2.0.1 is judged here"


def test_only_a_chosen_ocpp_subprotocol_other_than_201_names_another_version():
    assert other_version("ocpp1.6") == "ocpp1.6"
    assert other_version("OCPP2.1") == "OCPP2.1"
    assert other_version("ocpp2.0.1") is None
    assert other_version("OCPP2.0.1") is None    # the same version, written in capitals
    assert other_version("graphql-ws") is None   # names no OCPP version: judged as 2.0.1
    assert other_version(None) is None
    assert other_version(16) is None


def test_a_file_s_meta_of_any_shape_gives_a_subprotocol_or_none():
    assert chosen_subprotocol({"subprotocol": "ocpp1.6"}) == "ocpp1.6"
    assert chosen_subprotocol({"subprotocol": ["ocpp1.6"]}) is None
    assert chosen_subprotocol(["subprotocol"]) is None
    assert chosen_subprotocol(None) is None


def test_a_frame_of_a_16_connection_gets_its_envelope_and_one_note():
    versions = OtherVersions()
    versions.opened("c1", "ocpp1.6")
    verdict = versions.verdict("c1", '[2,"1","BootNotification",{"chargePointVendor":"V"}]',
                               binary=False)
    assert verdict is not None
    assert verdict.action == "BootNotification" and verdict.frame is not None
    assert [(f.code, f.message) for f in verdict.findings] == [
        ("frame.other-version", NOT_JUDGED)]
    assert versions.verdict("c2", '[2,"1","Heartbeat",{}]', binary=False) is None


def test_an_answer_on_a_16_connection_pairs_with_its_call_and_says_nothing_more():
    versions = OtherVersions()
    versions.opened("c1", "ocpp1.6")
    up, down = Direction.STATION_TO_CSMS, Direction.CSMS_TO_STATION
    versions.verdict("c1", '[2,"1","Authorize",{"idTag":"A"}]', False, up, 1, 10.0)
    # a second CALL while the first waits, then the answers: no finding about either
    versions.verdict("c1", '[2,"2","Heartbeat",{}]', False, up, 2, 11.0)
    answer = versions.verdict("c1", '[3,"1",{"idTagInfo":{"status":"Accepted"}}]', False,
                              down, 3, 10.25)
    assert answer is not None and answer.call is not None
    assert (answer.action, answer.call.seq, answer.latency) == ("Authorize", 1, 0.25)
    assert [f.code for f in answer.findings] == ["frame.other-version"]
    late = versions.verdict("c1", '[3,"2",{"currentTime":"x"}]', False, down, 4, 100.0)
    assert late is not None and late.call is not None and late.call.seq == 2
    assert [f.code for f in late.findings] == ["frame.other-version"]


def test_a_broken_frame_of_a_16_connection_still_gets_its_note_and_no_frame():
    versions = OtherVersions()
    versions.opened("c1", "ocpp1.6")
    verdict = versions.verdict("c1", "[2,", binary=False)
    assert verdict is not None and verdict.frame is None
    assert [f.code for f in verdict.findings] == ["frame.other-version"]


def test_a_connection_is_judged_again_once_closed_or_reopened_in_201():
    versions = OtherVersions()
    versions.opened("c1", "ocpp1.6")
    versions.closed("c1")
    assert not versions and versions.verdict("c1", "[2,", binary=False) is None
    versions.opened("c1", "ocpp1.6")
    versions.opened("c1", "ocpp2.0.1")
    assert not versions
