"""Response rules: what carries over when a mode starts with a policy of its own, and what
a rules file may say."""

import pytest

from app.errors import PolicyError
from app.net.policy import ResponsePolicy, Rule, parse_rules


def test_rules_set_before_a_mode_starts_carry_into_its_policy():
    window = ResponsePolicy()
    window.set_rule("Authorize", Rule(mode="reject"))
    window.set_rule("Heartbeat", Rule(mode="ignore"))
    from_file = ResponsePolicy(rules={"Heartbeat": Rule(mode="ask")}, heartbeat_interval=60)
    from_file.carry_over(window)
    assert from_file.rule("Authorize").mode == "reject"
    assert from_file.rule("Heartbeat").mode == "ask"  # the file, chosen last, wins
    assert from_file.heartbeat_interval == 60
    assert window.rule("Heartbeat").mode == "ignore"  # the earlier policy is left as it was


def test_a_delay_that_is_no_finite_number_of_seconds_is_refused_with_the_others():
    with pytest.raises(PolicyError) as refused:
        parse_rules({"Heartbeat": {"delay": float("nan")}, "Authorize": {"delay": float("inf")},
                     "Reset": {"delay": 1e300}, "MeterValues": {"delay": 2.5}}, "rules.json")
    assert str(refused.value) == (
        "rules.json: Heartbeat: delay must be a number of seconds from 0 to 86400; "
        "Authorize: delay must be a number of seconds from 0 to 86400; "
        "Reset: delay must be a number of seconds from 0 to 86400")


def test_a_misspelt_key_of_a_rule_is_refused_instead_of_giving_the_default_answer():
    with pytest.raises(PolicyError) as refused:
        parse_rules({"BootNotification": {"paylod": {"status": "Pending"}},
                     "Reset": {"error": "NotSupported", "descripton": "no"}}, "rules.json")
    assert str(refused.value) == (
        "rules.json: BootNotification: unknown key 'paylod' (did you mean 'payload'?); "
        "Reset: unknown key 'descripton' (did you mean 'description'?)")
