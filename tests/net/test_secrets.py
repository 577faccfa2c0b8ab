"""Credentials in URLs: masked where they are shown, forgotten where they are remembered,
sent in exactly one Authorization header."""

import base64

import pytest

from app.net import secrets


@pytest.mark.parametrize(("url", "masked"), [
    ("ws://user:secret@127.0.0.1:9000/ocpp", "ws://user:***@127.0.0.1:9000/ocpp"),
    ("wss://csms.example.com/ocpp?token=secret&site=7",
     "wss://csms.example.com/ocpp?token=***&site=7"),
    ("ws://h/ocpp?Access_Token=secret&API-KEY=secret&client_secret=secret&Password=secret",
     "ws://h/ocpp?Access_Token=***&API-KEY=***&client_secret=***&Password=***"),
    ("/ocpp/CP-1?auth=secret", "/ocpp/CP-1?auth=***"),
    ("ws://u:p%40secret@[::1]:9000/x", "ws://u:***@[::1]:9000/x"),
    ("ws://u:secret@[::1/x", "ws://u:***@[::1/x"),  # unreadable host: the password still goes
    ("ws://h/ocpp?site=7/CP1?key=secret;pwd=secret", "ws://h/ocpp?site=7/CP1?key=***;pwd=***"),
])
def test_passwords_and_token_values_are_masked(url, masked):
    assert secrets.mask_url(url) == masked
    assert "secret" not in masked.replace("client_secret", "")


@pytest.mark.parametrize("url", [
    "ws://csms.example.com:9000/ocpp/CP-1?site=7&flag&empty=",
    "wss://user@csms.example.com/ocpp",
    "/ocpp/CP-1",
])
def test_a_url_without_secrets_stays_exactly_as_written(url):
    assert secrets.mask_url(url) == url
    assert secrets.forget_secrets(url) == url


def test_what_is_remembered_has_no_password_and_empty_tokens():
    assert secrets.forget_secrets("ws://user:secret@h/ocpp?token=secret&site=7") == (
        "ws://user@h/ocpp?token=&site=7")


def test_secrets_are_kept_only_when_asked_for():
    url = "ws://user:secret@h/ocpp"
    assert secrets.recorded_url(url, record_secrets=True) == url
    assert secrets.recorded_url(url, record_secrets=False) == "ws://user:***@h/ocpp"


@pytest.mark.parametrize(("key", "secret"), [
    ("token", True), ("TOKEN", True), ("access_token", True), ("X-Api-Key", True),
    ("apikey", True), ("auth", True), ("passwd", True), ("site", False), ("author", False),
    ("chargeBoxId", False),
])
def test_query_keys_that_carry_credentials(key, secret):
    assert secrets.is_secret_key(key) is secret


def test_credentials_are_taken_out_of_the_url_decoded():
    assert secrets.split_credentials("ws://us%3Aer:p%40ss@h:9/ocpp?x=1") == (
        "ws://h:9/ocpp?x=1", ("us:er", "p@ss"))
    assert secrets.split_credentials("ws://h/ocpp") == ("ws://h/ocpp", None)
    assert secrets.split_credentials("ws://[::1/x") == ("ws://[::1/x", None)


def _basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.mark.parametrize(("own", "from_url", "prefer", "sent", "whose"), [
    (["Basic c3RhdGlvbg=="], ("u", "p"), "station", "Basic c3RhdGlvbg==", "station"),
    (["Basic c3RhdGlvbg=="], ("u", "p"), "url", _basic("u", "p"), "url"),
    ([], ("u", "p"), "station", _basic("u", "p"), "url"),
    (["Basic c3RhdGlvbg=="], None, "url", "Basic c3RhdGlvbg==", "station"),
    (["Bearer one", "Bearer two"], None, "station", "Bearer one", "station"),
    ([], None, "station", None, "none"),
])
def test_exactly_one_authorization_is_chosen(own, from_url, prefer, sent, whose):
    headers, chosen = secrets.choose_authorization(own, from_url, prefer)
    assert headers == ({} if sent is None else {"Authorization": sent})
    assert chosen == whose
