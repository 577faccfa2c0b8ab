"""Credentials, end to end: a real proxy session between independent peers, with a password
in the upstream URL, a token in the station's URL and a password the station sends itself.
The CSMS gets exactly one Authorization header; the header line, records, console and
notices never hold a password unless --record-secrets. The station command reads its
password from a file or the environment, so that it never appears in a command line."""

import asyncio
import base64
import json
import os

import pytest
from websockets.asyncio.client import connect

from app.session.sessionfile import SessionReader
from tests.e2e.processes import interrupt, start, start_listening
from tests.net.peers import OcppCsmsServer, OcppStation, Tap, boot_request, run


def _basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


# "hunter2" marks every secret: test paths hold words like "secret" and "password" already
STATION_AUTH = _basic("CP-42", "hunter2-station")


async def _proxy_session(record, *options):
    """One station through a proxy process whose upstream URL holds a user and password;
    what the CSMS received, and the process's exit status, stdout and stderr."""
    async with OcppCsmsServer() as csms:
        upstream = csms.url.replace("ws://", "ws://user:hunter2-url@")
        process, url, said = await start_listening(
            "proxy", "--listen", "127.0.0.1:0", "--upstream", upstream, "--record",
            str(record), *options)
        try:
            async with connect(f"{url}/CP-42?token=hunter2-token", subprotocols=["ocpp2.0.1"],
                               additional_headers={"Authorization": STATION_AUTH}) as ws:
                station = OcppStation("CP-42", Tap(ws))
                reader = asyncio.create_task(station.start())
                await station.call(boot_request())
                reader.cancel()
        finally:
            code, out, err = await interrupt(process)
        return csms.headers, code, out, "".join(said) + err


@pytest.mark.parametrize("console", [[], ["--json"]], ids=["text", "json"])
def test_no_password_reaches_any_output_and_the_csms_gets_one_authorization(
        tmp_path, console):
    record = tmp_path / "site.jsonl"
    headers, code, out, err = run(_proxy_session(record, *console), timeout=60)
    assert code == 0, err
    assert [h.get_all("Authorization") for h in headers] == [[STATION_AUTH]]
    written = record.read_text()
    for output in (out, err, written):
        assert "hunter2" not in output
    reader = SessionReader.open(record)
    assert reader.header["upstream"].startswith("ws://user:***@127.0.0.1:")
    opened = next(m for m in reader if m.kind.value == "opened")
    assert opened.meta["auth_sent"] == "station"
    assert opened.meta["upstream"].endswith("/ocpp/CP-42?token=***")
    assert opened.meta["path"] == "/CP-42?token=***"
    if console:
        lines = [json.loads(line) for line in out.splitlines()]
        assert lines[0]["meta"]["auth_sent"] == "station"


def test_record_secrets_keeps_the_passwords_in_the_record_only(tmp_path):
    record = tmp_path / "site.jsonl"
    _, code, _, err = run(_proxy_session(record, "--record-secrets", "--quiet"), timeout=60)
    assert code == 0, err
    reader = SessionReader.open(record)
    assert "user:hunter2-url@" in reader.header["upstream"]
    opened = next(m for m in reader if m.kind.value == "opened")
    assert opened.meta["auth"]["password"] == "hunter2-station"
    assert "token=hunter2-token" in opened.meta["upstream"]
    assert "hunter2" not in err  # notices are for the screen, not the record


@pytest.mark.parametrize("source", ["file", "environment"])
def test_the_station_takes_its_password_from_a_file_or_the_environment(tmp_path, source):
    options, env = [], dict(os.environ)
    if source == "file":
        (tmp_path / "password").write_text("pw-from-somewhere\n")
        options = ["--password-file", str(tmp_path / "password")]
    else:
        env["OCPPSCOPE_PASSWORD"] = "pw-from-somewhere"

    async def main():
        async with OcppCsmsServer() as csms:
            process = await start("station", "--csms", csms.url, "--id", "CP-5", *options,
                                  env=env)
            try:
                await asyncio.wait_for(csms.connected.wait(), 20)
            finally:
                code, out, err = await interrupt(process)
            return csms.headers, code, out + err

    headers, code, output = run(main(), timeout=60)
    assert code == 0, output
    assert headers[0].get_all("Authorization") == [_basic("CP-5", "pw-from-somewhere")]
    assert "pw-from-somewhere" not in output
