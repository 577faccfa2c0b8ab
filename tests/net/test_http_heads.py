"""The heads around a relayed upgrade: read leniently, rewritten only where they must be."""

from urllib.parse import urlsplit

from websockets.datastructures import Headers

from app.net.http_heads import answer_head, parse_head, request_head, status_of


def test_a_head_is_read_leniently_keeping_each_header():
    head = (b"GET /ocpp/CP-1 HTTP/1.1\r\nHost: proxy:9000\r\nno colon here\r\n"
            b": nameless\r\nSec-WebSocket-Protocol:  ocpp2.0.1 \r\nX-Caf\xe9: 1\r\n\r\n")
    line, headers = parse_head(head)
    assert line == "GET /ocpp/CP-1 HTTP/1.1"
    assert list(headers.raw_items()) == [("Host", "proxy:9000"),
                                         ("Sec-WebSocket-Protocol", "ocpp2.0.1"),
                                         ("X-Café", "1")]


def test_the_status_of_a_response_line_or_zero():
    assert status_of("HTTP/1.1 101 Switching Protocols") == 101
    assert status_of("HTTP/1.1 404") == 404
    assert status_of("HTTP/1.1 abc Not a number") == 0
    assert status_of("") == 0


def test_the_csms_gets_its_own_path_and_host_and_our_one_authorization():
    headers = Headers([("Host", "proxy:9000"), ("Upgrade", "websocket"),
                       ("Authorization", "Basic c3RhdGlvbg=="), ("X-Order", "kept")])
    head = request_head(urlsplit("ws://csms.example:8080/ocpp/CP-1?token=1"), headers,
                        {"Authorization": "Basic b3Vycw=="})
    assert head == (b"GET /ocpp/CP-1?token=1 HTTP/1.1\r\nHost: csms.example:8080\r\n"
                    b"Upgrade: websocket\r\nX-Order: kept\r\n"
                    b"Authorization: Basic b3Vycw==\r\n\r\n")


def test_a_default_port_is_left_out_of_the_host_and_an_ipv6_host_is_bracketed():
    head = request_head(urlsplit("wss://[::1]:443"), Headers(), {})
    assert head == b"GET / HTTP/1.1\r\nHost: [::1]\r\n\r\n"
    head = request_head(urlsplit("ws://[::1]:9000/ocpp"), Headers(), {})
    assert head.startswith(b"GET /ocpp HTTP/1.1\r\nHost: [::1]:9000\r\n")


def test_our_own_answer_says_why_in_plain_text_and_closes():
    head = answer_head(502, "the CSMS could not be reached ✗\n")
    status, _, body = head.partition(b"\r\n\r\n")
    lines = status.decode("latin-1").split("\r\n")
    assert lines[0] == "HTTP/1.1 502 Bad Gateway"
    assert "Connection: close" in lines
    assert f"Content-Length: {len(body)}" in lines
    assert body.decode("utf-8") == "the CSMS could not be reached ✗\n"
    assert answer_head(418, "no").startswith(b"HTTP/1.1 418 Error\r\n")
