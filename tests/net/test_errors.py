"""Failures to listen or connect, in words: `listen` raises one `ListenError` sentence that
both the command line and the window show."""

import asyncio
import errno
import socket

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidMessage

from app.errors import ListenError, UsageError
from app.net.csms import CsmsConfig, CsmsEndpoint
from app.net.errors import describe_connect_error, describe_listen_error, listen
from app.net.wire import AnswerKeepingConnection
from app.session.capture import Capture


def test_listening_on_a_busy_port_raises_one_sentence():
    async def main():
        with socket.socket() as busy:
            busy.bind(("127.0.0.1", 0))
            busy.listen()
            port = busy.getsockname()[1]
            server = CsmsEndpoint(CsmsConfig(host="127.0.0.1", port=port), Capture())
            with pytest.raises(ListenError, match=f"port {port} on 127.0.0.1 is already in use"):
                await listen(server, "127.0.0.1", port)

    asyncio.run(main())


def test_a_listen_error_is_a_usage_error_so_commands_exit_with_2():
    class Refusing:
        async def start(self) -> None:
            raise OSError(errno.EACCES, "Permission denied")

    with pytest.raises(UsageError, match="no permission to listen on port 80"):
        asyncio.run(listen(Refusing(), "0.0.0.0", 80))


@pytest.mark.parametrize(("error", "words"), [
    (OSError(errno.EADDRNOTAVAIL, "x"), "10.9.9.9 is not an address of this machine"),
    (socket.gaierror(-2, "Name or service not known"), "cannot resolve listen address"),
    (OSError(errno.ENOBUFS, "No buffer space"), "cannot listen on 10.9.9.9:9000: No buffer"),
])
def test_each_listen_failure_names_its_cause(error, words):
    assert words in describe_listen_error(error, "10.9.9.9", 9000)


def _invalid_answer(cause: BaseException) -> InvalidMessage:
    """What websockets raises when the other side's answer to the upgrade is no HTTP/1.1."""
    try:
        raise InvalidMessage("did not receive a valid HTTP response") from cause
    except InvalidMessage as exc:
        return exc


def test_a_server_that_closes_without_answering_the_upgrade_may_expect_tls():
    silent = _invalid_answer(EOFError("connection closed while reading HTTP status line"))
    assert describe_connect_error(silent, "ws://csms:9000/ocpp/CP-1").reason == (
        "ws://csms:9000/ocpp/CP-1 closed the connection without answering the WebSocket "
        "handshake: does it expect TLS (wss://)?")
    assert describe_connect_error(silent, "wss://csms/ocpp/CP-1").reason == (
        "wss://csms/ocpp/CP-1 closed the connection without answering the WebSocket "
        "handshake")


def test_a_web_server_that_answers_in_another_http_names_its_answer():
    other = _invalid_answer(ValueError("unsupported protocol; expected HTTP/1.1: "
                                       "HTTP/1.0 404 File not found"))
    failure = describe_connect_error(other, "ws://127.0.0.1:8000/ocpp/CP-1")
    assert failure.reason == ("ws://127.0.0.1:8000/ocpp/CP-1 did not answer as a WebSocket "
                              "server: it sent 'HTTP/1.0 404 File not found'")
    assert failure.status == 502 and not failure.answered


async def _answered_with(reply: bytes) -> str:
    """The sentence for a connection to a server on 127.0.0.1 that answers the upgrade with
    `reply`, exactly those bytes, and then closes."""
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(reply)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    url = f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}/ocpp/CP-1"
    try:
        async with asyncio.timeout(10):
            with pytest.raises(InvalidMessage) as caught:
                await connect(url, open_timeout=5, create_connection=AnswerKeepingConnection)
    finally:
        server.close()
        await server.wait_closed()
    return describe_connect_error(caught.value, url).reason.removeprefix(url + " ")


@pytest.mark.parametrize(("reply", "reason"), [
    (b"", "closed the connection without answering the WebSocket handshake: does it expect "
          "TLS (wss://)?"),
    (b"HTTP/1.1 10", "began an answer to the WebSocket handshake ('HTTP/1.1 10') and closed "
                     "the connection before its status line ended"),
    (b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n",
     "answered the WebSocket handshake with 'HTTP/1.1 101 Switching Protocols', but the "
     "answer was cut off (connection closed while reading HTTP headers)"),
    (b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 5\r\n\r\nab",
     "answered the WebSocket handshake with 'HTTP/1.1 502 Bad Gateway', but the answer was "
     "cut off (stream ends after 2 bytes, expected 5 bytes)"),
    (b"HTTP/1.1 101 Switching Protocols\r\nFoo bar\r\n\r\n",
     "answered the WebSocket handshake with 'HTTP/1.1 101 Switching Protocols', but the "
     "answer is malformed (invalid HTTP header line: Foo bar)"),
    (b"HTTP/1.0 404 File not found\r\n\r\n",
     "did not answer as a WebSocket server: it sent 'HTTP/1.0 404 File not found'"),
], ids=["nothing", "half a status line", "101 cut in its headers", "502 cut in its body",
        "101 then a bad header", "HTTP/1.0"])
def test_only_an_upgrade_closed_before_any_answer_suggests_tls(reply, reason):
    assert asyncio.run(_answered_with(reply)) == reason
