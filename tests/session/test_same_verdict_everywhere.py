"""The same frame gets the same verdict live, loaded and in `validate`: here for CALLs whose
answer did not come in time, the one rule that rests on time passing.

One recorded session is judged four ways: loaded (a `Capture` adopting its records), loaded
in worker processes (`ParallelJudge`), by `ocppscope validate --json`, and live (a
`Capture` fed the frames at their recorded times while its answer watch runs every second,
as a live run's does). Each record must get the same findings, and each answer the same
CALL, in all of them.
"""

from __future__ import annotations

import json
from typing import Any

from app.cli import main
from app.ocpp.findings import Finding
from app.session.capture import Capture
from app.session.message import Message, RecordKind
from app.session.parallel import ParallelJudge, worth_it
from tests.factories import DOWN, NOW, START, UP, boot, make_message, write_session
from tests.session.test_parallel import assert_same_verdicts, loaded

TIMEOUT = 30.0

STATUS = [2, "s1", "StatusNotification", {"timestamp": NOW, "connectorStatus": "Available",
                                          "evseId": 1, "connectorId": 1}]
VARIABLE = {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}}
GET_VARIABLES = [2, "g1", "GetVariables", {"getVariableData": [VARIABLE]}]
VARIABLES = [3, "g1", {"getVariableResult": [{"attributeStatus": "Accepted", **VARIABLE}]}]


def heartbeat(message_id: str) -> list[tuple[Any, Any]]:
    return [(UP, [2, message_id, "Heartbeat", {}]), (DOWN, [3, message_id, {"currentTime": NOW}])]


def timed_session() -> list[Message]:
    """Two stations, each on its connection, recorded with times (seconds from START).
    CP1's StatusNotification is never answered, and 40 s later CP1 sends a Heartbeat, which
    is answered; the CSMS's GetVariables is answered 35 s late. CP2 keeps talking all along,
    so that a clock looking at all connections has its say too."""
    cp1: list[tuple[float, Any, Any]] = [
        (1.0, *boot(interval=10)[0]), (1.1, *boot(interval=10)[1]),
        (2.0, UP, STATUS),                                  # never answered
        (42.0, *heartbeat("h1")[0]), (42.1, *heartbeat("h1")[1]),
        (50.0, DOWN, GET_VARIABLES),
        (79.9, *heartbeat("h2")[0]), (80.0, *heartbeat("h2")[1]),  # 29.9 s, 30.0 s on
        (85.0, UP, VARIABLES),                              # 35 s after its CALL
        (90.0, *heartbeat("h3")[0]), (90.1, *heartbeat("h3")[1]),
        (95.0, "closed", {"code": 1000})]
    cp2: list[tuple[float, Any, Any]] = [(0.5, *boot("b2", interval=10)[0]),
                                         (0.6, *boot("b2", interval=10)[1])]
    for second in range(10, 100, 10):
        cp2 += [(second + 0.2, *heartbeat(f"k{second}")[0]),
                (second + 0.5, *heartbeat(f"k{second}")[1])]
    timed = sorted([(t, "c1", "CP1", side, value) for t, side, value in cp1]
                   + [(t, "c2", "CP2", side, value) for t, side, value in cp2],
                   key=lambda entry: entry[0])
    messages = []
    for seq, (t, connection, station, side, value) in enumerate(timed, start=1):
        if side == "closed":
            messages.append(make_message(seq, kind=RecordKind.CLOSED, connection=connection,
                                         station=station, time=START + t, meta=value))
        else:
            messages.append(make_message(seq, value, direction=side, connection=connection,
                                         station=station, time=START + t))
    return messages


def verdicts_of(capture: Capture) -> dict[int, tuple[list[tuple[str, str, str]], int | None]]:
    """Each record's findings (code, severity, message) and the CALL it answers."""
    return {message.seq: (_words(capture.annotation(message.seq).findings),
                          capture.annotation(message.seq).call_seq)
            for message in capture.messages}


def _words(findings: tuple[Finding, ...]) -> list[tuple[str, str, str]]:
    return [(f.code, f.severity.value, f.message) for f in findings]


def judged_loaded(messages: list[Message]) -> Capture:
    capture = Capture()
    capture.adopt(messages)
    while capture.annotate(1.0):
        pass
    return capture


def judged_live(messages: list[Message]) -> Capture:
    """The frames fed as they crossed, at their recorded times, with the answer watch
    looking every recorded second in between, as `watch_answers` does in a live run."""
    capture = Capture()
    watched = messages[0].monotonic
    for message in messages:
        while watched + 1.0 <= message.monotonic:  # the watch's turns before this record
            watched += 1.0
            capture.expire(TIMEOUT, now=watched)
        seen = (message.time, message.monotonic)
        if message.kind is RecordKind.CLOSED:
            capture.event(RecordKind.CLOSED, message.connection, message.station,
                          message.meta or {}, seen=seen)
        else:
            capture.judge_frame(message.connection, message.station, message.direction,
                                message.text, seen=seen)
    return capture


def validated(capsys: Any, path: Any) -> dict[int, list[tuple[str, str, str]]]:
    """What `ocppscope validate --json` says of each record: a message's findings, then
    those the lost-CALL lines say of it."""
    main(["validate", "--json", "--answer-timeout", f"{TIMEOUT:g}", str(path)])
    said: dict[int, list[tuple[str, str, str]]] = {}
    for line in capsys.readouterr().out.splitlines():
        value = json.loads(line)
        if value["kind"] == "message":
            said.setdefault(int(value["position"].split()[1]), []).extend(
                (f["code"], f["severity"], f["message"]) for f in value["findings"])
        elif value["kind"] == "note" and value["severity"] != "info":
            said.setdefault(int(value["position"].split()[1]), []).append(
                (value["code"], value["severity"], value["message"]))
    return said


def test_a_call_timed_out_gets_one_verdict_loaded_in_parallel_validated_and_live(
        tmp_path, capsys):
    messages = timed_session()
    path = write_session(tmp_path / "timed.jsonl", messages)
    seqs = {(m.connection, m.message_id): m.seq for m in messages if m.message_type == 2}
    status, hello, variables = seqs["c1", "s1"], seqs["c1", "h1"], seqs["c1", "g1"]

    by_record = verdicts_of(judged_loaded(messages))

    # the same file loaded as the window loads it, judged in worker processes
    parallel = Capture()
    parallel.adopt(loaded(path))
    assert worth_it(parallel, least=1)
    judge = ParallelJudge(parallel, workers=2)
    while judge.step(0.05):
        pass
    assert not judge.serial
    from_file = judged_loaded(loaded(path))
    assert_same_verdicts(from_file, parallel)
    assert verdicts_of(parallel) == by_record

    findings_only = {seq: found for seq, (found, _) in by_record.items() if found}
    assert {seq: found for seq, found in validated(capsys, path).items() if found} \
        == findings_only
    assert verdicts_of(judged_live(messages)) == by_record

    # and that verdict: the CALLs timed out say so, and nothing else is said
    timeout_words = [("protocol.answer-timeout", "warning",
                      f"{action} got no answer within 30 s")
                     for action in ("StatusNotification", "GetVariables")]
    assert by_record[status] == ([timeout_words[0]], None)
    assert by_record[hello] == ([], None)         # the one before it was given up: alone
    assert by_record[variables] == ([timeout_words[1]], None)
    [late_answer] = [m.seq for m in messages if m.message_type == 3 and m.message_id == "g1"]
    assert by_record[late_answer] == ([], variables)  # paired with its CALL, quietly
    assert list(findings_only) == [status, variables]


def test_live_the_watch_says_a_timeout_at_once_and_the_next_frame_agrees(tmp_path):
    """While the connection is silent the watch flags the CALL; its next frame gives it up
    without saying it twice, and is not a second outstanding CALL."""
    capture = Capture()
    start = START + 1000.0
    capture.judge_frame("c1", "CP1", UP, json.dumps(STATUS), seen=(start, start))
    assert capture.expire(TIMEOUT, now=start + 29.9) == []
    [(seq, finding)] = capture.expire(TIMEOUT, now=start + 30.0)
    assert seq == 1 and _words((finding,)) == [
        ("protocol.answer-timeout", "warning", "StatusNotification got no answer within 30 s")]
    _, verdict = capture.judge_frame("c1", "CP1", UP, json.dumps(heartbeat("h1")[0][1]),
                                     seen=(start + 40, start + 40))
    assert verdict.findings == ()
    assert capture.expire(TIMEOUT, now=start + 41) == []
    assert [f.code for f in capture.annotation(1).findings] == ["protocol.answer-timeout"]


def test_live_a_timeout_a_frame_showed_first_is_still_handed_to_the_watch(tmp_path):
    """A frame that gives up on a CALL before the watch looked: the watch's next look hands
    the finding on, so a console prints it."""
    capture = Capture(keep=False)
    start = START + 1000.0
    capture.judge_frame("c1", "CP1", UP, json.dumps(STATUS), seen=(start, start))
    capture.judge_frame("c1", "CP1", UP, json.dumps(heartbeat("h1")[0][1]),
                        seen=(start + 40, start + 40))
    [(seq, finding)] = capture.expire(TIMEOUT, now=start + 40.5)
    assert seq == 1 and finding.code == "protocol.answer-timeout"
    assert capture.expire(TIMEOUT, now=start + 41.5) == []


def test_a_connection_closing_after_the_timeout_gives_the_timeout_not_a_lost_answer():
    """Closed 40 s after a CALL: live, the watch flagged it while the connection was
    silent; loaded, the close shows the time had run out. Both say timeout, once."""
    steps = [(0.0, UP, STATUS), (40.0, "closed", {"code": 1006})]
    messages = [make_message(seq, value, direction=side if side != "closed" else None,
                             kind=RecordKind.CLOSED if side == "closed" else RecordKind.FRAME,
                             time=START + t, meta=value if side == "closed" else None)
                for seq, (t, side, value) in enumerate(steps, start=1)]
    loaded_verdicts = verdicts_of(judged_loaded(messages))
    assert [code for code, _, _ in loaded_verdicts[1][0]] == ["protocol.answer-timeout"]
    assert verdicts_of(judged_live(messages)) == loaded_verdicts
