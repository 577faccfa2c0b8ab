"""The redaction rules are data: the packaged defaults load, a user's file adds to them, and
every problem with a file is one sentence."""

import json
import re

import pytest

from app.errors import InputError
from app.ocpp import catalog
from app.session.redaction_rules import default_rules, load_rules, rules_from_data


def test_the_defaults_name_real_actions_and_known_kinds():
    rules = default_rules()
    assert set(rules.paths) <= set(catalog.ACTIONS)
    used = {kind for table in rules.paths.values() for kind in table.values()}
    used |= set(rules.variables.values()) | {p.kind for p in rules.patterns}
    assert used <= set(rules.kinds)
    assert rules.paths_for("Authorize")["idToken.idToken"] == "idToken"
    assert rules.variables["BasicAuthPassword"] == "password"


def test_a_users_file_adds_paths_kinds_and_patterns_first(tmp_path):
    path = tmp_path / "mine.json"
    path.write_text(json.dumps({
        "kinds": {"badge": {"shape": "text", "prefix": "BADGE"}},
        "paths": {"*": {"customData.badge": "badge"}, "Authorize": {"extra": "badge"}},
        "patterns": [{"kind": "badge", "regex": "BDG-\\d+"}]}))
    rules = load_rules(path)
    assert rules.paths_for("Authorize")["idToken.idToken"] == "idToken"  # defaults kept
    assert rules.paths_for("Authorize")["extra"] == "badge"
    assert rules.paths_for("Heartbeat") == {"customData.badge": "badge"}
    assert rules.patterns[0].kind == "badge" and rules.kind("badge").prefix == "BADGE"
    assert rules.kind("unheard").prefix == "UNHEARD"


@pytest.mark.parametrize("data, words", [
    ([], "expected an object"),
    ({"path": {}}, "unknown entry 'path'"),
    ({"kinds": {"x": {"shape": "round"}}}, "shapes are text, pem"),
    ({"paths": {"Authorize": {"idToken.idToken": 3}}}, "must name a kind"),
    ({"patterns": [{"kind": "x", "regex": "("}]}, "pattern 1 is not a regular expression"),
    ({"patterns": [{"regex": "a"}]}, 'needs a "kind" and a "regex"'),
    ({"variables": {"values": "attributeValue"}}, "must be a list of paths"),
    # a rule that can never match would let the secret it was written for through
    ({"paths": {"Authorise": {"customData.badge": "badge"}}},
     "paths: unknown action 'Authorise' (did you mean Authorize?)"),
    ({"paths": {"*": {"customData..badge": "badge"}}},
     "paths of '*': 'customData..badge' is not a payload path"),
    ({"paths": {"Authorize": {"idToken[0].idToken": "idToken"}}},
     "paths of 'Authorize': 'idToken[0].idToken' is not a payload path"),
])
def test_each_bad_rules_file_is_one_sentence(data, words):
    with pytest.raises(InputError, match=re.escape(words)):
        rules_from_data(data, "mine.json")


def test_a_missing_or_broken_file_is_one_sentence(tmp_path):
    with pytest.raises(InputError, match="no such rules file"):
        load_rules(tmp_path / "none.json")
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(InputError, match="not JSON"):
        load_rules(tmp_path / "bad.json")


def test_a_rules_file_with_a_byte_order_mark_is_read_and_one_not_utf8_is_one_sentence(
        tmp_path):
    path = tmp_path / "mine.json"
    path.write_bytes(b'\xef\xbb\xbf{"patterns": []}')
    assert load_rules(path) is not None
    path.write_bytes(b'{"patterns": ["\xe9"]}')
    with pytest.raises(InputError, match=f"^{path}: not UTF-8 text \\(byte 15\\)$"):
        load_rules(path)
