"""Envelope parsing: each malformation yields a precise finding and no exception."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.ocpp import fast_json
from app.ocpp.frames import (
    Call,
    CallError,
    CallResult,
    MessageType,
    frame_parts,
    parse_frame,
    serialize,
)


def codes(text):
    return [f.code for f in parse_frame(text).findings]


class TestWellFormed:
    def test_call_is_parsed(self):
        parsed = parse_frame('[2,"19223201","BootNotification",{"reason":"PowerUp"}]')
        assert parsed.ok
        assert parsed.frame == Call("19223201", "BootNotification", {"reason": "PowerUp"})
        assert parsed.frame.message_type is MessageType.CALL

    def test_callresult_is_parsed(self):
        parsed = parse_frame('[3, "abc", {"status": "Accepted"}]')
        assert parsed.ok and parsed.frame == CallResult("abc", {"status": "Accepted"})

    def test_callerror_is_parsed(self):
        parsed = parse_frame('[4,"abc","NotImplemented","Unknown action",{}]')
        assert parsed.ok
        assert parsed.frame == CallError("abc", "NotImplemented", "Unknown action", {})

    @pytest.mark.parametrize("frame", [
        Call("1", "Heartbeat", {}),
        CallResult("x-2", {"currentTime": "2024-01-01T00:00:00Z"}),
        CallError("3", "GenericError", "désolé", {"k": 1}),
    ])
    def test_serialize_round_trips(self, frame):
        assert parse_frame(serialize(frame)).frame == frame

    def test_serialize_is_compact_and_keeps_unicode(self):
        assert serialize(Call("1", "DataTransfer", {"data": "é"})) == \
            '[2,"1","DataTransfer",{"data":"é"}]'


class TestMalformed:
    @pytest.mark.parametrize(("text", "code"), [
        ('[2,"1","Heartbeat",{', "frame.not-json"),
        ('{"transactionId":,}', "frame.not-json"),
        ("", "frame.not-json"),
        ('[2,"1","Heartbeat",NaN]', "frame.not-json"),
        ('{"a":1}', "frame.not-array"),
        ('"text"', "frame.not-array"),
        ("[]", "frame.empty-array"),
        ('["2","1","Heartbeat",{}]', "frame.bad-message-type"),
        ('[true,"1","Heartbeat",{}]', "frame.bad-message-type"),
        ('[7,"1",{}]', "frame.unknown-message-type"),
        ('[2,"1","Heartbeat"]', "frame.wrong-length"),
        ('[3,"1","Heartbeat",{}]', "frame.wrong-length"),
        ('[4,"1","GenericError",""]', "frame.wrong-length"),
    ])
    def test_unusable_frame_gives_one_precise_finding(self, text, code):
        parsed = parse_frame(text)
        assert parsed.frame is None
        assert [f.code for f in parsed.findings] == [code]

    def test_not_json_says_where(self):
        message = parse_frame('{"transactionId":,}').findings[0].message
        assert "character 18" in message and "transactionId" in message

    def test_ocpp21_message_types_are_named(self):
        assert "OCPP 2.1" in parse_frame('[6,"1","X",{}]').findings[0].message

    def test_wrong_length_shows_the_expected_shape(self):
        message = parse_frame('[3,"1","Heartbeat",{}]').findings[0].message
        assert "[3, messageId, payload]" in message and "4" in message

    def test_numeric_message_id_is_flagged_but_kept_for_pairing(self):
        parsed = parse_frame('[2,19,"Heartbeat",{}]')
        assert [f.code for f in parsed.findings] == ["frame.message-id-not-string"]
        assert parsed.frame.message_id == "19"

    def test_message_id_longer_than_36_characters(self):
        assert codes(f'[2,"{"x" * 37}","Heartbeat",{{}}]') == ["frame.message-id-too-long"]
        assert codes(f'[2,"{"x" * 36}","Heartbeat",{{}}]') == []

    def test_unknown_action_suggests_the_right_case(self):
        parsed = parse_frame('[2,"1","bootNotification",{}]')
        assert parsed.frame.action == "bootNotification"
        finding = parsed.findings[0]
        assert finding.code == "frame.unknown-action"
        assert "'BootNotification'" in finding.message and "case-sensitive" in finding.message

    def test_ocpp16_action_names_its_successor(self):
        finding = parse_frame('[2,"1","GetConfiguration",{}]').findings[0]
        assert finding.code == "frame.unknown-action"
        assert "OCPP 1.6" in finding.message and "GetVariables" in finding.message

    def test_action_not_a_string(self):
        assert codes('[2,"1",5,{}]') == ["frame.action-not-string"]

    def test_payload_must_be_an_object(self):
        assert codes('[2,"1","Heartbeat",[]]') == ["frame.payload-not-object"]
        assert codes('[3,"1",null]') == ["frame.payload-not-object"]

    def test_unknown_error_code(self):
        assert codes('[4,"1","Oops","x",{}]') == ["frame.unknown-error-code"]

    def test_ocpp16_spelling_of_format_violation_is_explained(self):
        finding = parse_frame('[4,"1","FormationViolation","x",{}]').findings[0]
        assert "FormatViolation" in finding.message and "1.6" in finding.message

    @pytest.mark.parametrize(("code", "fits"), [
        ("Handler not implemented", "'NotImplemented'"),
        ("Unknown action FooBar", "'NotImplemented'"),
        ("Unsupported action", "'NotSupported' (or 'NotImplemented'"),
        ("POST /transactions", "'InternalError'"),
        ("Oops", "'InternalError'"),
        ("Could not parse JSON", "'FormatViolation'"),
        ("Invalid value for connectorId", "'PropertyConstraintViolation'"),
        ("Required field missing", "'OccurrenceConstraintViolation'"),
    ])
    def test_error_code_written_as_words_names_the_code_that_fits(self, code, fits):
        finding = parse_frame(json.dumps([4, "1", code, "", {}])).findings[0]
        assert finding.code == "frame.unknown-error-code"
        assert f"the code that fits is probably {fits}" in finding.message
        assert ("reads like a description" in finding.message) == (" " in code)

    @pytest.mark.parametrize("code", ["notImplemented", "NOT_IMPLEMENTED", "not-implemented"])
    def test_error_code_in_another_spelling_is_named(self, code):
        finding = parse_frame(json.dumps([4, "1", code, "", {}])).findings[0]
        assert "did you mean 'NotImplemented'? (error codes are case-sensitive)" in \
            finding.message

    def test_error_details_as_string_is_flagged(self):
        assert codes('[4,"1","GenericError","x","details"]') == ["frame.error-details-not-object"]

    def test_error_code_and_description_types(self):
        assert codes('[4,"1",3,null,{}]') == [
            "frame.error-code-not-string", "frame.error-description-not-string"]

    def test_binary_frame_is_flagged_and_still_read(self):
        parsed = parse_frame(b'[2,"1","Heartbeat",{}]')
        assert [f.code for f in parsed.findings] == ["frame.binary"]
        assert parsed.frame == Call("1", "Heartbeat", {})

    def test_binary_frame_that_is_not_utf8(self):
        parsed = parse_frame(b"\xff\xfe")
        assert parsed.frame is None
        assert [f.code for f in parsed.findings] == ["frame.binary", "frame.not-utf8"]

    def test_deeply_nested_json_does_not_raise(self):
        parsed = parse_frame("[" * 100000 + "]" * 100000)
        assert parsed.frame is None
        assert parsed.findings[0].code == "frame.not-json"


def _by_the_standard_library(text, monkeypatch, **options):
    with monkeypatch.context() as patched:
        patched.setattr(fast_json, "_orjson_loads", None)
        return parse_frame(text, **options)


def _same_parse(a, b):
    """Equal frames with equal findings; payloads compared with their types (1 != 1.0 here)
    and NaN equal to itself."""
    return (a.findings == b.findings and type(a.frame) is type(b.frame)
            and repr(a.frame) == repr(b.frame))


class TestDecoders:
    """orjson decodes when it is sure to agree with the standard library, which stays the
    reference: both give the very same frame and findings, faults worded alike."""

    @pytest.mark.parametrize("text", [
        '[2,"1","Heartbeat",{}]', '[3,"1",{"currentTime":"2024-01-01T00:00:00Z"}]',
        '[2,"1","MeterValues",{"evseId":1,"v":[-0.0,-0,1e-400,1.5E+3]}]',
        '[2,"1","Heartbeat",{"n":18446744073709551616}]', '[2,"1","Heartbeat",{"n":1e400}]',
        '[2,"1","Heartbeat",{"n":NaN}]', '[2,"1","Heartbeat",{"n":-Infinity}]',
        '[2,"\\ud800","Heartbeat",{}]', '[2,"1","Heartbeat",{"a":1,"a":2}]',
        '\ufeff[2,"1","Heartbeat",{}]', '[2,"1","Heartbeat",{"a":"\x01"}]',
        ' \t[3,"1",{}]\r\n', '\f[3,"1",{}]', '[3,"1",{}] x', "", "   ", '[2,"1",',
        '[99999999999999999999,"1",{}]', '[4,"1","NotImplemented","",{}]', '[5,"1"]',
        "[" * 1100 + "]" * 1100, '[2,"1","Heartbeat",' + "[" * 300 + "]" * 300 + "]",
        b'[2,"1","Heartbeat",{}]', b'[2,"\xff","Heartbeat",{}]', b"\xef\xbb\xbf[3,\"1\",{}]",
    ])
    def test_odd_frames_parse_alike_with_or_without_orjson(self, text, monkeypatch):
        for binary in (True, False):
            assert _same_parse(parse_frame(text, binary=binary),
                               _by_the_standard_library(text, monkeypatch, binary=binary))

    @settings(max_examples=300, deadline=None)
    @given(st.text(alphabet=st.sampled_from(list('[]{}",:0123456789.eE-+ \\uaHNI\ud800')),
                   max_size=30))
    def test_any_text_parses_alike_with_or_without_orjson(self, text):
        with pytest.MonkeyPatch.context() as monkeypatch:
            assert _same_parse(parse_frame(text),
                               _by_the_standard_library(text, monkeypatch))


class _Text(str):
    """A caller's own string type."""


def test_a_frame_given_as_a_str_subclass_parses_as_its_plain_text():
    for text in ('[2,"1","Heartbeat",{}]', '[2,"1","Heartbeat",{"n":12345678901234567890}]'):
        assert parse_frame(_Text(text)) == parse_frame(text)


# Frames the shortcuts for a plain CALL or CALLRESULT take, and frames that look like one
# but are not: each must leave the shortcut for the general path's findings.
_PLAIN_OR_NEARLY = [
    '[2,"1","Heartbeat",{}]', '[3,"1",{"currentTime":"2024-01-01T00:00:00Z"}]',
    '[2,"","Heartbeat",{}]', '[2,1,"Heartbeat",{}]', '[2,"' + "x" * 37 + '","Heartbeat",{}]',
    '[2,"1","heartbeat",{}]', '[2,"1",7,{}]', '[2,"1","Heartbeat",[]]', '[3,"1",null]',
    '[3,1.5,{}]', '[2.0,"1","Heartbeat",{}]', '[true,"1",{}]', '[3,"1",{},{}]',
    '[2,"1","Heartbeat",{"n":123456789012345678901}]', '[4,"1","GenericError","",{}]',
]


class TestShortcuts:
    """The shortcuts give what the general path gives: a binary frame always takes the
    general path, and differs only by the finding that it was binary."""

    @pytest.mark.parametrize("text", _PLAIN_OR_NEARLY)
    def test_a_text_frame_parses_as_the_general_path_does(self, text):
        quick = parse_frame(text, binary=False)
        general = parse_frame(text.encode(), binary=True)
        assert general.findings[0].code == "frame.binary"
        assert quick.findings == general.findings[1:]
        assert type(quick.frame) is type(general.frame) and quick.frame == general.frame
        if quick.frame is not None:
            assert quick.frame.message_type is general.frame.message_type

    @settings(max_examples=300, deadline=None)
    @given(st.lists(st.one_of(
        st.sampled_from([2, 3, 4, 2.0, True, None, "", "1", "Heartbeat", "heartbeat",
                         "x" * 37, {}, [], {"a": 1}, 2**70, -1]),
        st.dictionaries(st.text(max_size=3), st.integers(), max_size=2)), max_size=5))
    def test_any_array_parses_as_the_general_path_does(self, value):
        text = json.dumps(value)
        quick = parse_frame(text, binary=False)
        general = parse_frame(text.encode(), binary=True)
        assert quick.findings == general.findings[1:]
        assert _same_parse(quick, parse_frame(text)) and repr(quick.frame) == repr(general.frame)

    @pytest.mark.parametrize("text", [*_PLAIN_OR_NEARLY, "", "[]", b'[3,"1",{}]', b"\xff"])
    def test_frame_parts_are_the_parts_of_parse_frame(self, text):
        for binary in (True, False):
            parsed = parse_frame(text, binary=binary)
            assert frame_parts(text, binary) == (parsed.frame, parsed.findings)
