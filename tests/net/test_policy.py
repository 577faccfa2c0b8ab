"""Response rules: what carries over when a mode starts with a policy of its own."""

from app.net.policy import ResponsePolicy, Rule


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
