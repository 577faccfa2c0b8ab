"""Rewriting: rules by path, timestamps shifted with their spacing, every change named."""

from datetime import UTC, datetime, timedelta

import pytest

from app.errors import InputError, UsageError
from app.replay.rewrite import Rewriter, load_rules_file, parse_rule, rewriter_from

EVENT = {"eventType": "Started", "timestamp": "2024-01-01T10:00:00.000Z",
         "transactionInfo": {"transactionId": "T-1"},
         "idToken": {"idToken": "OLD", "type": "ISO14443"},
         "meterValue": [{"timestamp": "2024-01-01T10:00:30Z", "sampledValue": [{"value": 1}]}]}


def test_a_rule_by_tail_rewrites_the_field_at_any_depth_and_names_it():
    payload, changed = Rewriter({"idToken.idToken": "LAB", "transactionId": "T-9"}).apply(EVENT)
    assert payload["idToken"] == {"idToken": "LAB", "type": "ISO14443"}
    assert payload["transactionInfo"]["transactionId"] == "T-9"
    assert changed == ["transactionInfo.transactionId", "idToken.idToken"]
    assert EVENT["idToken"]["idToken"] == "OLD"   # the recorded payload is left alone


def test_timestamps_move_so_the_first_is_now_and_keep_their_spacing():
    now = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
    rewriter = Rewriter().anchored([EVENT], now)
    payload, changed = rewriter.apply(EVENT)
    assert payload["timestamp"] == "2026-05-01T12:00:00.000Z"
    assert payload["meterValue"][0]["timestamp"] == "2026-05-01T12:00:30.000Z"
    assert changed == ["timestamp", "meterValue[0].timestamp"]
    assert rewriter.shift == now - datetime(2024, 1, 1, 10, tzinfo=UTC)


def test_without_timestamps_nothing_is_shifted():
    assert Rewriter().anchored([{"status": "Accepted"}]).shift is None
    assert Rewriter(shift=timedelta(days=1)).apply({"idToken": "2024"})[1] == []


def test_rule_values_read_as_json_when_they_can():
    assert parse_rule("evseId=2") == ("evseId", 2)
    assert parse_rule('idToken="0042"') == ("idToken", "0042")
    assert parse_rule("idToken.idToken=LAB-1") == ("idToken.idToken", "LAB-1")
    with pytest.raises(UsageError, match="PATH=VALUE"):
        parse_rule("no-equals-sign")


def test_rules_file_is_merged_and_the_command_line_wins(tmp_path):
    path = tmp_path / "rules.json"
    path.write_text('{"@station": "LAB-1", "evseId": 1}')
    rewriter = rewriter_from(["evseId=3"], str(path))
    assert rewriter.station == "LAB-1" and rewriter.fields["evseId"] == 3
    assert rewriter.patterns == ["evseId"]
    path.write_text("[1]")
    with pytest.raises(InputError, match="PATH: VALUE"):
        load_rules_file(path)
    with pytest.raises(InputError, match="no such file"):
        load_rules_file(tmp_path / "absent.json")
