"""The live commands as a user runs them: real processes, real sockets, Ctrl-C."""

import asyncio
import json
import socket
import subprocess

from websockets.asyncio.client import connect

from app.session.sessionfile import SessionReader
from tests.e2e.processes import OCPPSCOPE, interrupt, start_listening
from tests.net.peers import OcppCsmsServer, boot_request, ocpp_station, run


def test_proxy_between_ocpp_peers_records_a_file_that_validates(tmp_path):
    record = tmp_path / "site.jsonl"

    async def main():
        async with OcppCsmsServer() as csms:
            process, url, _ = await start_listening(
                "proxy", "--listen", "127.0.0.1:0", "--upstream", csms.url, "--record",
                str(record), "--json")
            try:
                async with ocpp_station(url, "CP-42") as (station, tap):
                    await station.call(boot_request())
            finally:
                code, out, err = await interrupt(process)
        return code, out, err, tap

    code, out, err, tap = run(main(), timeout=60)
    assert code == 0, err
    assert "Traceback" not in err
    lines = [json.loads(line) for line in out.splitlines()]
    # the wire-transparent proxy also records the closing handshake's close frames
    kinds = [line["kind"] for line in lines]
    assert [kind for kind in kinds if kind != "control"] == ["opened", "frame", "frame",
                                                             "closed"]
    assert all(line["meta"]["opcode"] == "close" for line in lines
               if line["kind"] == "control")
    assert lines[2]["action"] == "BootNotification" and lines[2]["latency_ms"] is not None
    recorded = [m.text for m in SessionReader.open(record) if m.kind.value == "frame"]
    assert recorded == [tap.sent[0], tap.received[0]]
    # a --json line and a line of the recording use the same key names
    file_lines = [json.loads(line) for line in record.read_text().splitlines()[1:]]
    for console, stored in zip(lines, file_lines, strict=True):
        assert {k: v for k, v in console.items() if k in stored} == stored
    check = subprocess.run([*OCPPSCOPE, "validate", str(record)], capture_output=True,
                           text=True, timeout=60)
    assert check.returncode == 0, check.stdout
    assert "2 messages: 2 valid" in check.stdout


def test_demo_plays_a_whole_session_and_records_it(tmp_path):
    record = tmp_path / "demo.jsonl"
    result = subprocess.run([*OCPPSCOPE, "demo", "--pace", "0.01", "--record", str(record)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for action in ("BootNotification", "Authorize", "TransactionEvent", "SetChargingProfile",
                   "GetVariables", "RequestStartTransaction", "RequestStopTransaction"):
        assert action in out
    assert "✗ schema.date-time" in out  # the one deliberate fault
    check = subprocess.run([*OCPPSCOPE, "validate", str(record)], capture_output=True,
                           text=True, timeout=60)
    assert check.returncode == 1
    assert "1 invalid, 0 malformed" in check.stdout


def test_port_in_use_is_one_clear_line():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run([*OCPPSCOPE, "csms", "--listen", f"127.0.0.1:{port}"],
                                capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "already in use" in result.stderr and "Traceback" not in result.stderr


def test_bad_arguments_are_one_clear_line(tmp_path):
    cases = [
        (["proxy", "--upstream", "http://example.com"], "must start with ws://"),
        (["proxy", "--upstream", "ws://x", "--listen", "nonsense"], "is not HOST:PORT"),
        (["proxy", "--upstream", "ws://x", "--record", str(tmp_path / "no" / "f.jsonl")],
         "cannot write"),
        (["csms", "--cert", str(tmp_path / "missing.pem")], "does not exist"),
        (["station", "--csms", "ws://x", "--id", "A", "--responses",
          str(tmp_path / "none.json")], "no such file"),
    ]
    bad_rules = tmp_path / "rules.json"
    bad_rules.write_text('{"Authorise": "reject", "Reset": {"error": "Nope"}}')
    cases.append((["csms", "--responses", str(bad_rules)], "did you mean Authorize"))
    for args, words in cases:
        result = subprocess.run([*OCPPSCOPE, *args], capture_output=True, text=True,
                                timeout=60)
        output = result.stdout + result.stderr
        assert result.returncode == 2, (args, output)
        assert words in result.stderr and result.stdout == "", (args, output)
        assert "Traceback" not in output


def test_a_call_left_unanswered_is_reported_live(tmp_path):
    rules = tmp_path / "rules.json"
    rules.write_text('{"Heartbeat": "ignore"}')

    async def main():
        process, url, _ = await start_listening(
            "csms", "--listen", "127.0.0.1:0", "--responses", str(rules), "--answer-timeout",
            "0.5")
        try:
            async with connect(f"{url}/CP-7", subprotocols=["ocpp2.0.1"]) as ws:
                await ws.send('[2,"hb-1","Heartbeat",{}]')
                await asyncio.sleep(2.0)
        finally:
            code, out, err = await interrupt(process)
        return code, out, err

    code, out, err = run(main(), timeout=60)
    assert code == 0, err
    assert "⧗  protocol.answer-timeout: Heartbeat got no answer within 0.5 s (id hb-1)" in out
