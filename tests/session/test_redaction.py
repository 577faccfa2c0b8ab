"""Redaction replaces every secret the rules name by a consistent pseudonym of the same
shape, finds the same secrets and the patterns' ones in every other text, and leaves the
rest of each record as it was."""

import json

import pytest

from app.session.exporting import judged
from app.session.message import RecordKind
from app.session.redaction import REMOVED, answered_actions, redact, summary_lines
from app.session.redaction_rules import default_rules, rules_from_data
from app.session.sessionfile import record_to_json
from tests.factories import DOWN, UP, make_message
from tests.session import redaction_samples as samples


@pytest.fixture(scope="module")
def redacted():
    return redact(samples.secret_session(), {"mode": "proxy", "station": samples.STATION,
                                             "upstream": "wss://csms.acme-energy.com/ocpp"},
                  default_rules())


def _everything(result) -> str:
    """All the text a session file of the result would hold."""
    lines = [json.dumps(result.header, ensure_ascii=False)]
    lines += [json.dumps(record_to_json(m), ensure_ascii=False) for m in result.messages]
    return "\n".join(lines)


def _payload(message):
    return json.loads(message.text)[-1]


def test_no_original_secret_is_left_anywhere(redacted):
    text = _everything(redacted)
    left = [secret for secret in samples.SECRETS if secret in text]
    assert left == []
    assert "acme" not in text.lower()


def test_the_same_token_gets_the_same_pseudonym_everywhere(redacted):
    boot, _, authorize, _, started = redacted.messages[1:6]
    token = _payload(authorize)["idToken"]["idToken"]
    assert token.startswith("TOKEN-") and len(token) <= 36
    assert _payload(started)["idToken"]["idToken"] == token
    assert token in redacted.messages[-2].text  # also inside the frame that is not JSON
    assert _payload(boot)["chargingStation"]["serialNumber"].startswith("SERIAL-")


def test_keycode_tokens_are_removed(redacted):
    keycode = next(m for m in redacted.messages if '"KeyCode"' in m.text)
    assert _payload(keycode)["idToken"] == {"idToken": REMOVED, "type": "KeyCode"}


def test_keycode_tokens_are_removed_even_when_no_rule_names_them():
    messages = [make_message(1, [2, "1", "Authorize", {"idToken": {
        "idToken": "4242", "type": "KeyCode"}}])]
    result = redact(messages, {}, rules_from_data({}))
    assert "4242" not in result.messages[0].text and REMOVED in result.messages[0].text
    assert result.summary["KeyCode"] == (1, 1)


@pytest.mark.parametrize("pin", ["9876", "42"])
def test_keycode_tokens_in_a_frame_that_is_not_json_are_removed_too(pin):
    """A trailing comma makes the frame malformed: its text is kept, less the PIN, however
    short, and the same PIN elsewhere goes too."""
    broken = ('[2,"2","Authorize",{"idToken":{"type":"KeyCode","idToken":"' + pin
              + '"},}]')
    messages = [make_message(1, broken),
                make_message(2, [2, "3", "DataTransfer", {"vendorId": "V", "data": "9876"}])]
    result = redact(messages, {}, rules_from_data({}))
    assert pin not in result.messages[0].text
    assert result.messages[0].text == broken.replace(f'"{pin}"', f'"{REMOVED}"')
    assert ("9876" in result.messages[1].text) == (pin != "9876")
    assert result.summary["KeyCode"] == (1, 1 + (pin == "9876"))


def test_station_ids_addresses_and_users_in_connection_records_are_replaced(redacted):
    opened = redacted.messages[0]
    station = opened.station
    assert station == "STATION-0001" and {m.station for m in redacted.messages} == {station}
    assert opened.meta["path"] == f"/ocpp/{station}"
    assert opened.meta["remote"] == "192.0.2.1:51234"
    assert opened.meta["auth"]["user"] == station  # the same value, the same pseudonym
    assert opened.meta["auth"]["password"].startswith("SECRET-")
    assert opened.meta["upstream"] == f"wss://host-2.example:443/ocpp/{station}"
    assert redacted.header["station"] == station
    assert redacted.header["upstream"] == "wss://host-2.example/ocpp"  # the same host


def test_secret_variables_are_replaced_and_others_kept(redacted):
    data = _payload(redacted.messages[9])["setVariableData"]
    assert [d["attributeValue"][:7] for d in data[:2]] == ["SECRET-", "SECRET-"]
    assert data[2]["attributeValue"] == "300"


def test_network_profile_certificates_and_free_text(redacted):
    profile = _payload(redacted.messages[11])["connectionData"]
    assert profile["ocppCsmsUrl"] == "wss://host-3.example/ocpp"
    assert profile["apn"]["simPin"] != samples.SIM_PIN and isinstance(
        profile["apn"]["simPin"], int)
    assert profile["vpn"]["server"] == "host-1.example"  # named by place: learnt first
    assert profile["messageTimeout"] == 30 and profile["vpn"]["type"] == "IPSec"
    csr = _payload(redacted.messages[13])["csr"]
    assert csr.startswith("-----BEGIN CERTIFICATE REQUEST-----\n")
    assert csr.endswith("-----END CERTIFICATE REQUEST-----\n")
    chain = _payload(redacted.messages[15])["certificateChain"]
    assert chain.startswith("-----BEGIN CERTIFICATE-----")
    text = _payload(redacted.messages[19])["data"]
    assert text == "diag: uplink 192.0.2.1 via https://host-4.example/status"


def test_meter_values_timestamps_and_untouched_frames_keep_their_text(redacted):
    original = samples.secret_session()
    started = redacted.messages[5].text
    assert '"value":1234.50' in started and '"timestamp":"2024-05-01T10:00:05.000Z"' in started
    answer = redacted.messages[2]
    assert answer.text == original[2].text  # nothing to replace: byte for byte
    assert [(m.seq, m.time, m.direction, m.message_id, m.kind) for m in redacted.messages] \
        == [(m.seq, m.time, m.direction, m.message_id, m.kind) for m in original]


def test_the_redacted_session_gets_the_same_verdicts(redacted):
    before = judged(samples.secret_session(), times_known=True)
    after = judged(redacted.messages, times_known=True)
    verdicts = [(before.annotation(m.seq).valid, [f.code for f in
                before.annotation(m.seq).findings]) for m in before.messages]
    assert verdicts == [(after.annotation(m.seq).valid, [f.code for f in
                        after.annotation(m.seq).findings]) for m in after.messages]
    assert sum(not valid for valid, _ in verdicts) == 1  # only the torn frame


def test_the_summary_counts_values_and_places_by_kind(redacted):
    summary = redacted.summary
    # the token twice and once in the torn frame, a contract id, a group id
    assert summary["idToken"] == (3, 5)
    assert summary["KeyCode"] == (1, 1)
    assert summary["station"][0] == 1 and summary["ip"] == (1, 2)
    assert "idToken: 3 values in 5 places" in summary_lines(summary)
    assert summary_lines({}) == ["nothing to redact was found"]


def test_answers_take_the_action_of_the_call_with_their_id_on_their_connection():
    messages = [make_message(1, [2, "a", "Authorize", {}]),
                make_message(2, [3, "a", {}], direction=DOWN, connection="c2"),
                make_message(3, [3, "a", {}], direction=DOWN)]
    assert answered_actions(messages) == ["Authorize", None, "Authorize"]


def test_odd_and_hostile_frames_never_raise():
    deep = "[" * 5000 + "]" * 5000
    texts = [deep, "", "null", '[2,"1"]', '[4,"1","X","10.1.1.1",{"host":"a"}]',
             '{"idToken": "x"}', "[true,1,2,3]", '[2,"1","Authorize",[1,2]]',
             '[2,"1","SetVariables",{"setVariableData":[{"variable":"x"},{"variable":'
             '{"name":"BasicAuthPassword"},"attributeValue":{"a":["pw-1234"]}}]}]']
    messages = [make_message(i, text, direction=UP) for i, text in enumerate(texts, 1)]
    messages.append(make_message(99, kind=RecordKind.OPENED, meta={"auth": "odd",
                                                                    "remote": 3}))
    result = redact(messages, {"station": 5}, default_rules())
    assert len(result.messages) == len(messages)
    assert "10.1.1.1" not in result.messages[4].text
    assert "pw-1234" not in result.messages[8].text


def test_a_dotted_version_number_is_kept_while_addresses_in_other_fields_are_replaced():
    boot = make_message(1, [2, "b", "BootNotification", {
        "reason": "PowerUp", "chargingStation": {
            "model": "M", "vendorName": "V", "firmwareVersion": "1.0.2.15"}}])
    status = make_message(2, [2, "s", "DataTransfer", {
        "vendorId": "V", "data": "modem at 10.1.2.3, firmware 1.0.2.15"}])
    odd = make_message(3, [2, "o", "DataTransfer", {
        "vendorId": "V", "data": {"firmwareVersion": "build 1.2.3.4 from 10.20.30.40"}}])
    result = redact([boot, status, odd], {}, default_rules())
    assert _payload(result.messages[0])["chargingStation"]["firmwareVersion"] == "1.0.2.15"
    assert "10.1.2.3" not in result.messages[1].text
    assert "10.20.30.40" not in result.messages[2].text  # not a version: swept as ever
