"""Payload validation: the plain-language findings, and the two stages agreeing."""

import copy

import pytest

from app.ocpp.findings import Severity
from app.ocpp.schemas import PayloadKind
from app.ocpp.validation import SchemaValidator

REQ, RES = PayloadKind.REQUEST, PayloadKind.RESPONSE


@pytest.fixture(scope="module")
def validator():
    return SchemaValidator()


def only(findings):
    assert len(findings) == 1, findings
    return findings[0]


def boot(**station):
    return {"reason": "PowerUp",
            "chargingStation": {"model": "AC22", "vendorName": "Voltra", **station}}


def test_valid_payload_has_no_findings(validator):
    assert validator.validate("BootNotification", REQ, boot()) == []
    assert validator.is_valid("BootNotification", REQ, boot())


def test_enum_in_wrong_case_suggests_the_right_value(validator):
    finding = only(validator.validate(
        "Authorize", REQ, {"idToken": {"idToken": "04A2", "type": "iso14443"}}))
    assert (finding.code, finding.path) == ("schema.enum", "idToken.type")
    assert "'ISO14443'" in finding.message and "case-sensitive" in finding.message
    assert finding.severity is Severity.ERROR


def test_enum_value_not_in_list_lists_the_options(validator):
    payload = {"evseId": 1, "meterValue": [{"timestamp": "2024-01-01T00:00:00Z",
                                            "sampledValue": [{"value": 1, "unitOfMeasure": {},
                                                              "measurand": "Request.Energy"}]}]}
    finding = only(validator.validate("MeterValues", REQ, payload))
    assert finding.path == "meterValue[0].sampledValue[0].measurand"
    assert "Energy.Active.Import.Register" in finding.message


def test_number_as_string_says_not_to_quote(validator):
    finding = only(validator.validate(
        "StatusNotification", REQ, {"timestamp": "2024-01-01T00:00:00Z",
                                    "connectorStatus": "Available", "evseId": "1",
                                    "connectorId": 1}))
    assert (finding.code, finding.path) == ("schema.type", "evseId")
    assert "must not be quoted" in finding.message


def test_fraction_where_integer_required(validator):
    finding = only(validator.validate("Heartbeat", RES, {"currentTime": "2024-01-01T00:00:00Z"})
                   or validator.validate("BootNotification", RES, {
                       "currentTime": "2024-01-01T00:00:00Z", "interval": 1.5,
                       "status": "Accepted"}))
    assert finding.code == "schema.type" and "whole number" in finding.message


def test_draft6_accepts_integral_floats_as_integers(validator):
    payload = {"currentTime": "2024-01-01T00:00:00Z", "interval": 300.0, "status": "Accepted"}
    assert validator.validate("BootNotification", RES, payload) == []


def test_booleans_are_not_integers(validator):
    payload = {"currentTime": "2024-01-01T00:00:00Z", "interval": True, "status": "Accepted"}
    assert only(validator.validate("BootNotification", RES, payload)).code == "schema.type"


def test_property_with_wrong_case_is_named(validator):
    findings = validator.validate("BootNotification", REQ, {
        "reason": "PowerUp", "chargingStation": {"Model": "AC22", "vendorName": "Voltra"}})
    by_code = {f.code: f for f in findings}
    extra = by_code["schema.additional-property"]
    assert extra.path == "chargingStation.Model"
    assert "did you mean 'model'" in extra.message
    assert by_code["schema.required"].path == "chargingStation.model"


def test_all_findings_are_reported_not_just_the_first(validator):
    findings = validator.validate("BootNotification", REQ, {
        "reason": "powerUp", "chargingStation": {"model": "x" * 21, "vendorName": 5},
        "connectorId": 1})
    assert {(f.code, f.path) for f in findings} == {
        ("schema.enum", "reason"),
        ("schema.max-length", "chargingStation.model"),
        ("schema.type", "chargingStation.vendorName"),
        ("schema.additional-property", "connectorId"),
    }


def test_findings_are_ordered_by_path_with_indices_in_numeric_order(validator):
    sampled = [{"value": 1}] * 12
    for index in (2, 10, 11):
        sampled[index] = {"value": "1"}
    payload = {"evseId": 1, "meterValue": [
        {"timestamp": "2024-01-01T00:00:00Z", "sampledValue": sampled}]}
    findings = validator.validate("MeterValues", REQ, payload)
    assert [f.path for f in findings] == [
        f"meterValue[0].sampledValue[{i}].value" for i in (2, 10, 11)]


def test_over_long_string_gives_lengths(validator):
    finding = only(validator.validate("BootNotification", REQ, boot(model="x" * 25)))
    assert "25 characters" in finding.message and "at most 20" in finding.message


def test_missing_required_fields_are_each_reported(validator):
    findings = validator.validate("BootNotification", REQ, {})
    assert [(f.code, f.path) for f in findings] == [
        ("schema.required", "reason"), ("schema.required", "chargingStation")]


def test_min_items(validator):
    finding = only(validator.validate("MeterValues", REQ, {"evseId": 1, "meterValue": []}))
    assert (finding.code, finding.path) == ("schema.min-items", "meterValue")


@pytest.mark.parametrize(("soc", "code"), [(-1, "schema.minimum"), (101, "schema.maximum")])
def test_bounds(validator, soc, code):
    payload = {"evseId": 1, "chargingNeeds": {
        "requestedEnergyTransfer": "DC",
        "dcChargingParameters": {"evMaxCurrent": 200, "evMaxVoltage": 800,
                                 "stateOfCharge": soc}}}
    finding = only(validator.validate("NotifyEVChargingNeeds", REQ, payload))
    assert finding.code == code
    assert finding.path == "chargingNeeds.dcChargingParameters.stateOfCharge"


@pytest.mark.parametrize(("value", "words"), [
    ("2023-10-19T15:28:07", "no UTC offset"),
    ("2023-10-19T15:28:07+0200", "'+02:00'"),
    ("2023-10-19T15:28:07+03", "'+03:00'"),
    ("2023-10-19 15:28:07Z", "needs 'T'"),
    ("0", "not a date-time"),
    ("", "empty string"),
    ("2023-02-30T10:00:00Z", "calendar"),
])
def test_bad_date_times_are_explained(validator, value, words):
    finding = only(validator.validate("Heartbeat", RES, {"currentTime": value}))
    assert (finding.code, finding.path) == ("schema.date-time", "currentTime")
    assert words in finding.message


@pytest.mark.parametrize("value", ["٢٠٢٤-05-01T10:00:00Z", "２０２４-05-01T10:00:00Z"])
def test_date_times_with_other_scripts_digits_fail_in_both_stages(validator, value):
    assert not validator.is_valid("Heartbeat", RES, {"currentTime": value})
    finding = only(validator.validate("Heartbeat", RES, {"currentTime": value}))
    assert finding.code == "schema.date-time" and "outside 0-9" in finding.message


def test_seven_fractional_digits_is_a_warning(validator):
    finding = only(validator.validate("Heartbeat", RES,
                                      {"currentTime": "2024-05-01T10:00:00.1234567Z"}))
    assert (finding.code, finding.severity) == ("datetime.precision", Severity.WARNING)
    assert finding.path == "currentTime"


def test_clock_never_set_is_a_warning_with_its_path(validator):
    payload = {"evseId": 1, "meterValue": [
        {"timestamp": "2024-01-01T00:00:00Z", "sampledValue": [{"value": 1}]},
        {"timestamp": "1970-01-01T00:00:12Z", "sampledValue": [{"value": 2}]}]}
    finding = only(validator.validate("MeterValues", REQ, payload))
    assert (finding.code, finding.path) == ("datetime.clock-not-set", "meterValue[1].timestamp")


def test_a_date_time_seen_again_gets_the_same_findings(validator):
    """Date-time verdicts are remembered per string: the second frame stamped with a
    value must be judged (and its notes given) exactly as the first."""
    for value in ("2024-05-01T10:00:00.1234567Z", "2024-05-01T10:00:00", "1970-01-01T00:00:00Z",
                  "2024-05-01T10:00:00Z"):
        first = validator.validate("Heartbeat", RES, {"currentTime": value})
        again = validator.validate("Heartbeat", RES, {"currentTime": value})
        assert first == again
    assert validator.validate("Heartbeat", RES, {"currentTime": "2024-05-01T10:00:00Z"}) == []


def test_validation_never_writes_defaults_into_the_payload(validator):
    payload = {"requestId": 1, "reportBase": "FullInventory"}
    before = copy.deepcopy(payload)
    validator.validate("GetBaseReport", REQ, payload)
    assert payload == before
    payload = {"customerIdentifier": "x", "report": True, "clear": False, "requestId": 1}
    before = copy.deepcopy(payload)
    validator.validate("CustomerInformation", REQ, payload)
    assert payload == before


def test_non_object_payload_is_a_type_finding(validator):
    assert only(validator.validate("Heartbeat", REQ, [])).code == "schema.type"


def test_unknown_action_raises_key_error(validator):
    with pytest.raises(KeyError):
        validator.validate("StartTransaction", REQ, {})


@pytest.mark.parametrize("action", ["Heart\x00beat", "Heart\udfffbeat", "../../pyproject",
                                    "heartbeat"])
def test_an_action_outside_the_catalog_is_a_key_error_whatever_its_name(validator, action):
    for check in (validator.validate, validator.is_valid, validator.explain):
        with pytest.raises(KeyError):
            check(action, REQ, {})


def test_a_note_found_on_one_payload_never_lands_on_the_next(validator):
    """The compiled stage marks a date-time worth a note as it passes; the mark is read
    and cleared by that payload's own validation, whatever its verdict."""
    old = "1970-01-01T00:00:12Z"
    assert validator.is_valid("Heartbeat", RES, {"currentTime": old})
    assert validator.validate("Heartbeat", RES, {"currentTime": "2026-11-25T09:00:00Z"}) == []
    broken = {"currentTime": old, "extra": 1}  # the note's date-time, in an invalid payload
    assert [f.code for f in validator.validate("Heartbeat", RES, broken)] == [
        "schema.additional-property"]
    assert validator.validate("Heartbeat", RES, {"currentTime": "2026-11-25T09:00:00Z"}) == []
    assert [f.code for f in validator.validate("Heartbeat", RES, {"currentTime": old})] == [
        "datetime.clock-not-set"]


def test_each_thread_keeps_its_own_note_mark(validator):
    import threading

    seen: list[list[str]] = []
    worker = threading.Thread(target=lambda: seen.append([f.code for f in validator.validate(
        "Heartbeat", RES, {"currentTime": "2026-11-25T09:00:00.1234567Z"})]))
    worker.start()
    worker.join()
    assert seen == [["datetime.precision"]]
    assert validator.validate("Heartbeat", RES, {"currentTime": "2026-11-25T09:00:00Z"}) == []
