"""What the endpoints share about a connection: reading Authorization headers, and saying
when a server listens beyond this machine."""

from websockets.datastructures import Headers

from app.net import links


def test_a_request_with_two_authorizations_is_read_by_its_first():
    headers = Headers([("Authorization", "Basic Q1AtMTpwdw=="), ("Authorization", "Bearer x")])
    assert links.first_authorization(headers) == "Basic Q1AtMTpwdw=="
    assert links.basic_auth(headers) == ("CP-1", "pw")
    assert links.auth_summary(headers, record_secrets=False) == {"scheme": "Basic",
                                                                 "user": "CP-1"}
    assert links.first_authorization(Headers()) is None


def test_only_loopback_listening_goes_without_a_caution():
    for host in ("127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost", "::ffff:127.0.0.1"):
        assert links.listening_caution(host, 9000) is None, host
    assert links.listening_caution("0.0.0.0", 9000) == (
        "listening on 0.0.0.0:9000 — reachable from the network, not only this machine")
    assert links.listening_caution("::", 9000).startswith("listening on [::]:9000 — reachable")
    for host in ("192.168.1.20", "", "charger-bench.local"):
        assert "reachable from the network" in links.listening_caution(host, 1), host


def test_the_url_of_a_server_on_an_ipv6_address_puts_it_in_brackets():
    assert links.listening_url(None, "::1", 9000, "/ocpp") == "ws://[::1]:9000/ocpp"
    assert links.listening_url(object(), "127.0.0.1", 443) == "wss://127.0.0.1:443"
    assert links.listening_url(None, "[::1]", 9000) == "ws://[::1]:9000"
