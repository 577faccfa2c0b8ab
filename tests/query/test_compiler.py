"""The filter language evaluated against a table of records, as the timeline filters them."""

from __future__ import annotations

import pytest

from app.ocpp.findings import error
from app.query import FrameContext, QueryError, compile_query
from app.query.record_view import RecordContext
from app.session.capture import Annotation
from app.session.message import RecordKind
from tests.factories import DOWN, START, UP, boot, judged_capture, make_message, tx_event

SCRIPT = [
    ("opened", {"path": "/ocpp/CP1"}),                                      # 1
    *boot(),                                                                # 2, 3
    *tx_event("t1", "Started", "tx-1", 0, energy=0.0),                      # 4, 5
    *tx_event("t2", "Ended", "tx-1", 1, energy=0.0),                        # 6, 7
    *tx_event("t3", "Ended", "tx-2", 0, evse=2, energy=1250.5),             # 8, 9
    (UP, [2, "m1", "MeterValues", {"evseId": 3, "meterValue": [
        {"timestamp": "2023-11-14T22:13:20Z", "sampledValue": [
            {"value": 1.0, "measurand": "Voltage"},
            {"value": 2.0, "measurand": "Current.Import"}]}]}]),             # 10
    (DOWN, [4, "m1", "NotImplemented", "not here", {}]),                    # 11
    (UP, '[2,"x1","Heartbeat",{"oops":}]'),                                # 12 malformed
    (UP, [2, "h1", "Heartbeat", {}]),                                       # 13
    (DOWN, [3, "h1", {"currentTime": "2023-11-14T22:13:20"}]),              # 14 bad time
]


@pytest.fixture(scope="module")
def capture():  # type: ignore[no-untyped-def]
    return judged_capture(SCRIPT)


def seqs(capture, text: str) -> list[int]:  # type: ignore[no-untyped-def]
    keep = compile_query(text).predicate(RecordContext(capture))
    return [m.seq for m in capture.messages if keep(m)]


@pytest.mark.parametrize(("text", "expected"), [
    ('action == "TransactionEvent"', [4, 5, 6, 7, 8, 9]),          # answers by their CALL
    ('action == "TransactionEvent" && type == CALL', [4, 6, 8]),
    ('action == "TransactionEvent" && payload.eventType == "Ended" '
     '&& payload.meterValue[0].sampledValue[0].value == 0', [6]),
    ('type == ERROR', [11]),
    ('type in {RESULT, ERROR} && dir == "down"', [3, 5, 7, 9, 11, 14]),
    ('dir == "station_to_csms" && action == "Heartbeat"', [13]),   # 12 has no action
    ('error.code == "NotImplemented"', [11]),
    ('evse == 2', [8]),
    ('evse >= 1 && connector == 1', [4, 6, 8]),
    ('evse == 3', [10]),
    ('payload.meterValue[*].sampledValue[*].measurand == "Current.Import"', [10]),
    ('all(payload.meterValue[*].sampledValue[*].measurand == "Voltage")', []),
    ('all(payload.meterValue[*].sampledValue[*].value > 0)', [8, 10]),
    ('payload.meterValue[*].sampledValue[*].measurand ~ "^Volt"', [10]),
    ('payload.chargingStation.model contains "ac"', [2]),
    ('payload.chargingStation', [2]),
    ('!payload.meterValue && action == "TransactionEvent"', [5, 7, 9]),
    ('kind == "opened"', [1]),
    ('!valid', [12, 14]),
    ('valid == false && type == RESULT', [14]),
    ('finding ~ "^frame\\."', [12]),
    ('finding contains "date"', [14]),
    ('action matches "^(Boot|Heart)"', [2, 3, 13, 14]),
    ('id == "t3" || id == "m1"', [8, 9, 10, 11]),
    ('station == "CP1" && size > 190 && size <= 306', [6, 10]),
    ('rtt >= 0 && action == "BootNotification"', [3]),
    ('"voltra"', [2]),
    ('payload.status != "Accepted" && action == "BootNotification"', [2]),
    ('time >= "2023-11-14T22:13:33Z"', [13, 14]),
    ('time >= "2023-11-14 23:13:33+01:00"', [13, 14]),       # as a command line reads it
    ('time >= "2023-11-14T22:13:33"', [13, 14]),              # no offset: UTC
    ('time >= "2023-11-14" && time < "2023-11-14T22:13:22"', [1]),  # a date: midnight UTC
    ('time >= "2023-11-15"', []),
    (f"time < {START + 2}", [1]),
    ('payload.eventType == 1 || payload.chargingStation > 1', []),  # wrong types: no match
])
def test_expression_selects_records(capture, text: str, expected: list[int]) -> None:  # type: ignore[no-untyped-def]
    assert seqs(capture, text) == expected


def test_a_connection_event_has_no_payload_and_counts_as_valid(capture) -> None:  # type: ignore[no-untyped-def]
    assert seqs(capture, "valid && !type") == [1]


@pytest.mark.parametrize(("text", "column", "words"), [
    ('type == "call"', 9, "CALL, RESULT or ERROR"),
    ('dir == "sideways"', 8, "station_to_csms"),
    ('time > "yesterday"', 8, "date and time"),
    ('time > "2023-02-29"', 8, "a date like \"2024-05-01\""),
    ('valid == 1', 10, "true or false"),
    ('size > true', 8, "not true"),
    ('payload.x ~ 3', 13, "in quotes"),
    ('action.name == "x"', 1, "no parts"),
    ('colour == "red"', 1, "not a field"),
])
def test_values_that_cannot_fit_the_field_are_errors(text: str, column: int,
                                                      words: str) -> None:
    with pytest.raises(QueryError) as caught:
        compile_query(text)
    assert (caught.value.column, words in caught.value.message) == (column, True)


def test_an_in_flight_frame_is_judged_with_the_annotation_given() -> None:
    frame = make_message(0, [3, "b1", {"status": "Rejected"}], direction=DOWN)
    query = compile_query('!valid && payload.status == "Rejected"')
    broken = FrameContext(Annotation((error("schema.required", "x"),)))
    assert query.matches(frame, broken) is True
    assert query.matches(frame, FrameContext()) is False


def test_a_binary_or_malformed_record_never_raises() -> None:
    records = [make_message(1, "not json"), make_message(2, kind=RecordKind.CLOSED),
               make_message(3, '[2,"a","X",[1,2]]')]
    query = compile_query('payload.a[*].b > 1 || error.code == "x" || evse == 1 || '
                          'payload.x')
    keep = query.predicate()
    assert [keep(m) for m in records] == [False, False, False]
    assert compile_query("payload[1] == 2").predicate()(records[2]) is True


@pytest.mark.parametrize("terms", [2, 17, 1_000])
def test_a_chain_of_any_length_selects_as_its_terms_do(capture, terms):
    """A script may write a thousand terms: short chains are paired closures, long ones a
    loop, and both select the same records."""
    both = " && ".join(['action != "BootNotification"'] * (terms - 1)
                       + ['action == "Heartbeat"'])
    either = " || ".join(['action == "Nothing"'] * (terms - 1) + ['action == "Heartbeat"'])
    assert seqs(capture, both) == seqs(capture, either) == [13, 14]  # answers by CALL
