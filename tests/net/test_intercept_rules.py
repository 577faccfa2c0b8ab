"""Intercept rules as data: files in JSON and TOML, one clear sentence for a bad rule, and
payload paths set and removed."""

from __future__ import annotations

import pytest

from app import cli
from app.errors import InputError
from app.net.intercept_rules import (
    RuleAction,
    load_rules,
    remove_path,
    rule_from_json,
    save_rules,
    set_path,
)

TOML = '''
[[rules]]
name = "break at Ended"
when = 'station == "CP-1" && payload.eventType == "Ended"'
action = "hold"

[[rules]]
name = "refuse"
when = 'action == "BootNotification" && type == RESULT'
action = "rewrite"
set = { status = "Rejected" }
remove = ["interval"]
enabled = false
'''


def test_a_toml_file_gives_its_rules_and_saving_reads_back_the_same(tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text(TOML)
    rules = load_rules(path)
    assert [(r.name, r.action, r.enabled) for r in rules] == [
        ("break at Ended", RuleAction.HOLD, True), ("refuse", RuleAction.REWRITE, False)]
    assert rules[1].set == {"status": "Rejected"} and rules[1].remove == ["interval"]
    saved = tmp_path / "rules.json"
    save_rules(rules, saved)
    assert [r.to_json() for r in load_rules(saved)] == [r.to_json() for r in rules]


@pytest.mark.parametrize(("rule", "words"), [
    ({"name": "r", "action": "hold"}, "r: 'when' must be an expression"),
    ({"name": "r", "when": "size >", "action": "hold"}, "r: 'when' column 7"),
    ({"name": "r", "when": "size > 1", "action": "explode"}, "'action' must be one of"),
    ({"name": "r", "when": "size > 1", "action": "delay", "ms": -5}, "'ms' must be a whole"),
    ({"name": "r", "when": "size > 1", "action": "answer", "error": {}}, "needs a 'code'"),
    ({"name": "r", "when": "size > 1", "action": "rewrite", "set": {"a..b": 1}},
     "'a..b' is not a payload path"),
    ({"name": "r", "when": "size > 1", "action": "close", "code": 80}, "'code' must be"),
    ({"name": "r", "when": "size > 1", "action": "answer", "paylod": {"status": "Invalid"}},
     "r: unknown key 'paylod' (did you mean 'payload'?)"),
    ({"name": "r", "when": "size > 1", "action": "drop", "enable": False},
     "r: unknown key 'enable' (did you mean 'enabled'?)"),
])
def test_a_bad_rule_is_one_sentence_naming_it(rule, words):
    with pytest.raises(InputError, match=None) as caught:
        rule_from_json(rule)
    assert words in str(caught.value)


def test_a_rules_file_that_is_not_readable_is_one_line_from_the_command(tmp_path, capsys):
    path = tmp_path / "rules.json"
    path.write_text('{"rules": [{"when": "action = 1", "action": "drop"}]}')
    status = cli.main(["proxy", "--upstream", "ws://127.0.0.1:1/ocpp", "--rules", str(path)])
    err = capsys.readouterr().err
    assert status == 2
    assert err.strip() == ("ocppscope proxy: rule 1: 'when' column 8: write '==' to compare "
                           "('=' alone is not an operator)")


def test_paths_are_set_through_missing_objects_and_removed():
    payload = {"meterValue": [{"sampledValue": [{"value": 1}]}]}
    assert set_path(payload, "meterValue[0].sampledValue[0].value", 0)
    assert set_path(payload, "idTokenInfo.status", "Blocked")
    assert not set_path(payload, "meterValue[3].timestamp", "x")
    assert payload["idTokenInfo"] == {"status": "Blocked"}
    assert payload["meterValue"][0]["sampledValue"][0]["value"] == 0
    assert remove_path(payload, "idTokenInfo.status") and payload["idTokenInfo"] == {}
    assert not remove_path(payload, "nothing.here")


@pytest.mark.parametrize("suffix", [".json", ".toml"])
def test_a_rules_file_that_is_not_utf8_is_one_line_from_the_command(tmp_path, capsys, suffix):
    path = tmp_path / f"rules{suffix}"
    path.write_bytes(b"\xff\xfe\x00")
    status = cli.main(["proxy", "--upstream", "ws://127.0.0.1:1/ocpp", "--rules", str(path)])
    err = capsys.readouterr().err
    assert (status, err) == (2, f"ocppscope proxy: {path}: not UTF-8 text (byte 0)\n")


def test_a_rules_file_saved_with_a_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "rules.toml"
    path.write_bytes(b"\xef\xbb\xbf" + TOML.encode())
    assert len(load_rules(path)) == 2


def test_a_rules_file_nested_too_deeply_is_one_line_from_the_command(tmp_path, capsys):
    path = tmp_path / "rules.json"
    path.write_text("[" * 100_000)
    status = cli.main(["proxy", "--upstream", "ws://127.0.0.1:1/ocpp", "--rules", str(path)])
    err = capsys.readouterr().err
    assert status == 2 and err.startswith(f"ocppscope proxy: {path}: not a valid rules file")
    assert len(err.splitlines()) == 1
