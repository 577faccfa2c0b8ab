"""Failures to listen or connect, in words: `listen` raises one `ListenError` sentence that
both the command line and the window show."""

import asyncio
import errno
import socket

import pytest
from websockets.exceptions import InvalidMessage

from app.errors import ListenError, UsageError
from app.net.csms import CsmsConfig, CsmsEndpoint
from app.net.errors import describe_connect_error, describe_listen_error, listen
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
