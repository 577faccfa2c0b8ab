"""`ocppscope replay` against `ocpp`-package CSMSs: the exit status says whether the peer
still answers as recorded, the lines and reports say where not.

The command runs in a worker thread (its own event loop), the live CSMS on the test's loop."""

import asyncio
import json
import socket
from typing import Any

import pytest
from ocpp.routing import on
from ocpp.v201 import call_result

from app import cli
from app.session.message import RecordKind
from app.session.sessionfile import SessionReader
from tests.net.peers import OcppCsms, OcppCsmsServer, run
from tests.replay.sessions import csms_calls, record_session, talk


class RefusingCsms(OcppCsms):
    """The same CSMS after a change: it no longer knows the tag."""

    @on("Authorize")
    def on_authorize(self, id_token: dict, **_: Any) -> Any:
        return call_result.Authorize(id_token_info={"status": "Invalid"})


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    path = tmp_path_factory.mktemp("rec") / "bench.jsonl"
    run(record_session(path))
    return path


async def _replay(csms_class, *words):
    async with OcppCsmsServer(csms_class) as csms:
        command = asyncio.to_thread(cli.main, ["replay", *words, "--as", "station",
                                               "--csms", csms.url, "--quiet", "--settle", "10"])
        status, _ = await asyncio.gather(command, csms_calls(csms, "CP-17"))
        return status, csms


def test_replaying_to_the_same_csms_matches_everything(recorded, tmp_path, capsys):
    replayed = tmp_path / "replayed.jsonl"
    status, csms = run(_replay(OcppCsms, str(recorded), "--record", str(replayed)))
    out = capsys.readouterr().out
    assert status == 0, out
    assert "5 same, 0 different, 0 missing, 0 extra" in out
    assert csms.paths == ["/ocpp/CP-17"]
    calls = [m for m in SessionReader.open(replayed) if m.message_type == 2
             and m.direction.value == "station_to_csms"]
    boot = calls[0]
    assert boot.action == "BootNotification"
    assert boot.meta["replay"]["rewritten"][0] == "messageId"


def test_a_csms_that_answers_differently_is_named_field_by_field(recorded, tmp_path, capsys):
    report = tmp_path / "diff.json"
    page = tmp_path / "diff.html"
    status, _ = run(_replay(RefusingCsms, str(recorded), "--report", str(report),
                            "--report", str(page)))
    out = capsys.readouterr().out
    assert status == 1
    assert "different → Authorize #1: idTokenInfo.status: 'Accepted' -> 'Invalid'" in out
    assert "4 same, 1 different, 0 missing, 0 extra" in out
    data = json.loads(report.read_text())
    assert data["counts"] == {"same": 4, "different": 1, "missing": 0, "extra": 0, "total": 5}
    (changed,) = [x for x in data["exchanges"] if x["verdict"] == "different"]
    assert changed["differences"][0]["path"] == "idTokenInfo.status"
    assert "currentTime" in data["ignored"]
    html = page.read_text()
    assert "idTokenInfo.status: &#x27;Accepted&#x27; -&gt; &#x27;Invalid&#x27;" in html


def test_rewritten_fields_are_sent_and_marked(recorded, tmp_path, capsys):
    replayed = tmp_path / "replayed.jsonl"
    status, _ = run(_replay(OcppCsms, str(recorded), "--record", str(replayed),
                            "--rewrite", "idToken.idToken=LAB-TAG"))
    assert status == 0, capsys.readouterr().out
    (authorize,) = [m for m in SessionReader.open(replayed)
                    if m.action == "Authorize" and m.message_type == 2]
    assert json.loads(authorize.text)[3]["idToken"]["idToken"] == "LAB-TAG"
    assert "idToken.idToken" in authorize.meta["replay"]["rewritten"]


def test_an_unreachable_csms_is_one_line_and_status_2(recorded, capsys):
    status = cli.main(["replay", str(recorded), "--as", "station", "--csms",
                       "ws://127.0.0.1:9/ocpp", "--quiet"])
    err = capsys.readouterr().err
    assert status == 2
    assert "ocppscope replay: connection to ws://127.0.0.1:9/ocpp/CP-17 refused" in err
    assert "Traceback" not in err


def test_a_missing_file_or_station_is_status_2(recorded, tmp_path, capsys):
    assert cli.main(["replay", str(tmp_path / "none.jsonl"), "--as", "station"]) == 2
    assert "no such file" in capsys.readouterr().err
    assert cli.main(["replay", str(recorded), "--as", "station", "--station", "CP-9"]) == 2
    assert "no station 'CP-9' (it holds CP-17)" in capsys.readouterr().err


def test_replaying_at_recorded_speed_keeps_the_recorded_spacing(recorded, tmp_path, capsys):
    replayed = tmp_path / "replayed.jsonl"
    status, _ = run(_replay(OcppCsms, str(recorded), "--record", str(replayed),
                            "--speed", "0.5"))
    assert status == 0, capsys.readouterr().out

    def calls(path):
        return [m.time for m in SessionReader.open(path) if m.message_type == 2
                and m.direction.value == "station_to_csms"]

    # At half speed each CALL is sent no sooner than twice its recorded distance from the
    # first after the replay began, and the replay began after its connection opened. (The
    # span between the first and last CALLs proves nothing: a first CALL sent late, on a
    # busy machine, leaves the others on time and the span short.)
    opened = next(m.time for m in SessionReader.open(replayed) if m.kind is RecordKind.OPENED)
    recorded_calls, replayed_calls = calls(recorded), calls(replayed)
    assert len(replayed_calls) == len(recorded_calls) > 2
    for was, now in zip(recorded_calls, replayed_calls, strict=True):
        assert now - opened >= (was - recorded_calls[0]) / 0.5 - 0.001  # clock rounding


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def _talk_when_listening(url: str, station: str, timeout: float = 10.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        try:
            return await talk(url, station)
        except OSError:  # the command is not listening yet
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.05)


def test_replaying_as_the_csms_answers_a_live_station_as_recorded(recorded, capsys):
    port = _free_port()

    async def scenario():
        command = asyncio.to_thread(cli.main, [
            "replay", str(recorded), "--as", "csms", "--listen", f"127.0.0.1:{port}",
            "--wait", "10", "--settle", "10", "--quiet"])
        return await asyncio.gather(command, _talk_when_listening(
            f"ws://127.0.0.1:{port}/ocpp", "LIVE-3"))

    status, station = run(scenario())
    out = capsys.readouterr().out
    assert status == 0, out
    assert "5 same, 0 different, 0 missing, 0 extra" in out
    assert [name for name, _ in station.received] == ["GetVariables", "Reset"]
    assert station.answers[1].id_token_info == {"status": "Accepted"}


def test_an_address_in_use_as_the_csms_is_one_line_and_no_comparison(recorded, tmp_path,
                                                                      capsys):
    report = tmp_path / "diff.json"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        status = cli.main(["replay", str(recorded), "--as", "csms", "--listen",
                           f"127.0.0.1:{port}", "--quiet", "--report", str(report)])
    out, err = capsys.readouterr()
    assert status == 2
    assert f"ocppscope replay: port {port} on 127.0.0.1 is already in use" in err
    assert out == "" and not report.exists()   # nothing ran, so nothing is "missing"


def test_lines_of_the_recording_that_could_not_be_read_are_told_before_it_plays(
        recorded, tmp_path, capsys):
    lines = recorded.read_text().splitlines(keepends=True)
    lines[3] = "{not a record\n"
    damaged = tmp_path / "damaged.jsonl"
    damaged.write_text("".join(lines))
    status = cli.main(["replay", str(damaged), "--as", "station", "--csms",
                       "ws://127.0.0.1:9/ocpp", "--quiet"])
    err = capsys.readouterr().err
    assert status == 2   # the CSMS is not there; what matters is what was said before
    assert f"ocppscope replay: {damaged}: line 4: skipped, not a valid record" in err


def test_a_report_that_cannot_be_written_is_refused_before_the_replay_runs(
        recorded, tmp_path, capsys):
    nowhere = tmp_path / "missing" / "diff.json"
    status = cli.main(["replay", str(recorded), "--as", "station", "--csms",
                       "ws://127.0.0.1:9/ocpp", "--quiet", "--report", str(nowhere)])
    err = capsys.readouterr().err
    assert status == 2
    assert err == (f"ocppscope replay: --report '{nowhere}': its folder "
                   f"'{nowhere.parent}' does not exist\n")   # said before any connecting


def test_a_report_under_a_file_is_refused_as_not_a_folder(recorded, tmp_path, capsys):
    a_file = tmp_path / "notes.txt"
    a_file.write_text("not a folder")
    status = cli.main(["replay", str(recorded), "--as", "station", "--csms",
                       "ws://127.0.0.1:9/ocpp", "--quiet", "--report",
                       str(a_file / "diff.json")])
    assert status == 2
    assert capsys.readouterr().err == (
        f"ocppscope replay: --report '{a_file / 'diff.json'}': '{a_file}' is not a folder\n")
