""""Ask me" answers and rules changed while an endpoint runs, against an `ocpp` station."""

import asyncio

import pytest
from ocpp.exceptions import SecurityError
from ocpp.v201 import call
from websockets.asyncio.client import connect

from app.net.csms import CsmsConfig, CsmsEndpoint
from app.net.policy import Answer, PolicyError, ResponsePolicy, Rule, parse_rules
from app.ocpp.findings import error
from app.session.capture import Capture
from tests.net.peers import boot_request, ocpp_station, run

AUTHORIZE = call.Authorize(id_token={"id_token": "AB12", "type": "ISO14443"})


async def station_at_our_csms(policy, scenario):
    """An `ocpp` station connected to our CSMS; runs `scenario(csms, station)`."""
    csms = CsmsEndpoint(CsmsConfig(call_timeout=5), Capture(), policy)
    await csms.start()
    try:
        async with ocpp_station(csms.url, "CP-5") as (station, _):
            return await scenario(csms, station)
    finally:
        await csms.stop()


class Asker:
    """Answers from a table, and notes what it was asked."""

    def __init__(self, answers):
        self.answers = answers
        self.asked = []

    async def __call__(self, action, payload):
        self.asked.append((action, payload))
        return self.answers.get(action)


def test_the_asker_gets_the_request_and_its_answer_reaches_the_station():
    asker = Asker({
        "Authorize": Answer(payload={"idTokenInfo": {"status": "Blocked"}}),
        "Heartbeat": Answer(error=("SecurityError", "not you", {"why": "test"})),
    })
    policy = ResponsePolicy(rules=parse_rules({"Authorize": "ask", "Heartbeat": "ask"}),
                            asker=asker)

    async def scenario(csms, station):
        auth = await station.call(AUTHORIZE)
        with pytest.raises(SecurityError) as refused:
            await station.call(call.Heartbeat(), suppress=False)
        return auth, refused.value

    auth, refused = run(station_at_our_csms(policy, scenario))
    assert auth.id_token_info == {"status": "Blocked"}
    assert refused.description == "not you" and refused.details == {"why": "test"}
    assert asker.asked == [
        ("Authorize", {"idToken": {"idToken": "AB12", "type": "ISO14443"}}),
        ("Heartbeat", {})]


def test_an_asker_returning_none_or_failing_gives_the_default():
    async def failing(action, payload):
        raise RuntimeError("the window went away")

    async def scenario(csms, station):
        boot = await station.call(boot_request())
        policy.asker = failing
        auth = await station.call(AUTHORIZE)
        return boot, auth

    asker = Asker({})
    policy = ResponsePolicy(rules=parse_rules({"*": "ask"}), heartbeat_interval=42,
                            asker=asker)
    boot, auth = run(station_at_our_csms(policy, scenario))
    assert boot.status == "Accepted" and boot.interval == 42
    assert auth.id_token_info["status"] == "Accepted"
    assert [action for action, _ in asker.asked] == ["BootNotification"]


def test_ask_without_an_asker_answers_like_default():
    policy = ResponsePolicy(rules=parse_rules({"Authorize": "ask"}))

    async def scenario(csms, station):
        return await station.call(AUTHORIZE)

    auth = run(station_at_our_csms(policy, scenario))
    assert auth.id_token_info["status"] == "Accepted"


def test_a_held_request_does_not_hold_up_the_connection():
    release = asyncio.Event()

    async def slow(action, payload):
        await release.wait()
        return Answer(payload={"idTokenInfo": {"status": "Expired"}})

    policy = ResponsePolicy(rules={"Authorize": Rule(mode="ask")}, asker=slow)

    async def scenario(csms, station):
        asked = asyncio.create_task(station.call(AUTHORIZE))
        await csms.wait_for_station("CP-5")
        await asyncio.sleep(0.05)
        reset = await csms.call("CP-5", "Reset", {"type": "OnIdle"})
        assert not asked.done()
        release.set()
        return reset, await asked

    reset, auth = run(station_at_our_csms(policy, scenario))
    assert reset.ok
    assert auth.id_token_info == {"status": "Expired"}


def test_unknown_actions_are_not_asked():
    asker = Asker({})
    policy = ResponsePolicy(rules=parse_rules({"*": "ask"}), asker=asker)

    async def main():
        csms = CsmsEndpoint(CsmsConfig(), Capture(), policy)
        await csms.start()
        try:
            async with connect(f"{csms.url}/CP-1", subprotocols=["ocpp2.0.1"]) as ws:
                await ws.send('[2,"1","NoSuchAction",{}]')
                return await asyncio.wait_for(ws.recv(), 5)
        finally:
            await csms.stop()

    assert run(main()).startswith('[4,"1","NotImplemented"')
    assert asker.asked == []


def test_rules_set_at_run_time_apply_to_the_next_request():
    asker = Asker({"Authorize": Answer(payload={"idTokenInfo": {"status": "Unknown"}})})
    policy = ResponsePolicy(asker=asker)

    async def scenario(csms, station):
        statuses = [(await station.call(AUTHORIZE)).id_token_info["status"]]
        policy.set_rule("Authorize", Rule(mode="reject"))
        statuses.append((await station.call(AUTHORIZE)).id_token_info["status"])
        policy.set_rule("*", Rule(mode="ask"))
        statuses.append((await station.call(AUTHORIZE)).id_token_info["status"])  # own rule
        policy.set_rule("Authorize", None)
        statuses.append((await station.call(AUTHORIZE)).id_token_info["status"])  # "*"
        policy.set_rule("*", None)
        statuses.append((await station.call(AUTHORIZE)).id_token_info["status"])
        return statuses

    statuses = run(station_at_our_csms(policy, scenario))
    assert statuses == ["Accepted", "Invalid", "Invalid", "Unknown", "Accepted"]
    assert policy.rules == {}


def test_set_rule_refuses_unknown_actions_and_modes():
    policy = ResponsePolicy()
    with pytest.raises(ValueError, match="did you mean Authorize"):
        policy.set_rule("Authorise", Rule())
    with pytest.raises(ValueError, match="mode 'accept'"):
        policy.set_rule("Authorize", Rule(mode="accept"))
    policy.set_rule("Reset", None)  # removing what is not there is fine
    assert policy.rules == {}


def test_rules_files_say_ask():
    rules = parse_rules({"Reset": "ask", "Authorize": {"mode": "ask", "delay": 0.5}})
    assert rules["Reset"] == Rule(mode="ask")
    assert rules["Authorize"] == Rule(mode="ask", delay=0.5)
    with pytest.raises(PolicyError, match="ask"):
        parse_rules({"Reset": "question"})
    # without an asker, "ask" answers like default, strictness included
    policy = ResponsePolicy(rules=rules, strict=True)
    assert policy.answer("Reset", {"type": "OnIdle"}).payload == {"status": "Accepted"}
    missing = error("schema.required", "'type' is a required property")
    assert policy.answer("Reset", {}, (missing,)).error[0] == "OccurrenceConstraintViolation"
    assert policy.answer("Authorize", {}).delay == 0.5
    assert not policy.asks("Reset")
