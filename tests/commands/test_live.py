"""The live commands' own lines: what weakens safety is said, and credentials are not.

These run the commands in this process, on 127.0.0.1 port 0, and end them the way a user
does, with SIGINT, as soon as they have started."""

import asyncio
import re
import signal

import pytest

from app import cli
from app.net import links
from app.net.csms import CsmsEndpoint
from app.net.proxy import Proxy
from app.session.sessionfile import SessionReader


@pytest.fixture
def interrupted_once_started(monkeypatch):
    """`interrupt(Endpoint)`: the endpoint's command gets Ctrl-C right after it started."""
    def interrupt(endpoint):
        started = endpoint.start

        async def start_then_interrupt(self):
            await started(self)
            asyncio.get_running_loop().call_soon(signal.raise_signal, signal.SIGINT)

        monkeypatch.setattr(endpoint, "start", start_then_interrupt)

    return interrupt


def test_listening_beyond_loopback_is_said_in_one_line(
        monkeypatch, capsys, interrupted_once_started):
    interrupted_once_started(CsmsEndpoint)
    # 127.0.0.1 stands in for a network address: tests never listen beyond loopback
    monkeypatch.setattr(links, "is_loopback", lambda host: False)
    assert cli.main(["csms", "--listen", "127.0.0.1:0", "--quiet"]) == 0
    err = capsys.readouterr().err
    said = re.findall(r"listening on 127\.0\.0\.1:\d+ — reachable from the network.*", err)
    assert len(said) == 1


def test_listening_on_loopback_says_nothing_more(capsys, interrupted_once_started):
    interrupted_once_started(CsmsEndpoint)
    assert cli.main(["csms", "--listen", "127.0.0.1:0", "--quiet"]) == 0
    assert "reachable" not in capsys.readouterr().err


def test_insecure_is_warned_and_noted_in_the_header_and_the_password_is_not(
        tmp_path, capsys, interrupted_once_started):
    interrupted_once_started(Proxy)
    record = tmp_path / "site.jsonl"
    assert cli.main(["proxy", "--listen", "127.0.0.1:0", "--insecure", "--upstream",
                     "wss://user:secret@127.0.0.1:1/ocpp?token=secret", "--record",
                     str(record)]) == 0
    err = capsys.readouterr().err
    assert "ocppscope proxy: certificate checks are off: " in err
    assert "relaying to wss://user:***@127.0.0.1:1/ocpp?token=***/<stationId>" in err
    header = SessionReader.open(record).header
    assert header["insecure"] is True
    assert header["upstream"] == "wss://user:***@127.0.0.1:1/ocpp?token=***"
    assert "secret" not in err + record.read_text()
