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
from tests.factories import (
    DOWN,
    NOW,
    START,
    UP,
    boot,
    loaded_session,
    make_message,
    write_session,
)
from tests.session.test_parallel import assert_same_verdicts, loaded

TIMEOUT = 30.0

STATUS = [2, "s1", "StatusNotification", {"timestamp": NOW, "connectorStatus": "Available",
                                          "evseId": 1, "connectorId": 1}]
VARIABLE = {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}}
GET_VARIABLES = [2, "g1", "GetVariables", {"getVariableData": [VARIABLE]}]
VARIABLES = [3, "g1", {"getVariableResult": [{"attributeStatus": "Accepted", **VARIABLE}]}]


def heartbeat(message_id: str) -> list[tuple[Any, Any]]:
    return [(UP, [2, message_id, "Heartbeat", {}]), (DOWN, [3, message_id, {"currentTime": NOW}])]


# (seconds from START, a direction or "opened" or "closed", the frame or the event's meta)
Step = tuple[float, Any, Any]


def recorded(connections: dict[tuple[str, str], list[Step]]) -> list[Message]:
    """The records of these (connection, station)s, in order of time."""
    timed = sorted(((t, connection, station, side, value)
                    for (connection, station), steps in connections.items()
                    for t, side, value in steps), key=lambda entry: entry[0])
    messages = []
    for seq, (t, connection, station, side, value) in enumerate(timed, start=1):
        if side in ("opened", "closed"):
            messages.append(make_message(seq, kind=RecordKind(side), connection=connection,
                                         station=station, time=START + t, meta=value))
        else:
            messages.append(make_message(seq, value, direction=side, connection=connection,
                                         station=station, time=START + t))
    return messages


def heartbeats(every: float, until: float) -> list[Step]:
    """A station's boot at 0.5 s, then a Heartbeat every `every` s, each answered."""
    steps: list[Step] = [(0.5, *boot("b2", interval=10)[0]), (0.6, *boot("b2", interval=10)[1])]
    second = every
    while second <= until:
        steps += [(second + 0.2, *heartbeat(f"k{second:g}")[0]),
                  (second + 0.5, *heartbeat(f"k{second:g}")[1])]
        second += every
    return steps


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
    return recorded({("c1", "CP1"): cp1, ("c2", "CP2"): heartbeats(10, 90)})


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


def judged_live(messages: list[Message], timeout: float = TIMEOUT) -> Capture:
    """The frames fed as they crossed, at their recorded times, with the answer watch
    looking every recorded second in between, as `watch_answers` does in a live run."""
    capture = Capture()
    watched = messages[0].monotonic
    for message in messages:
        while watched + 1.0 <= message.monotonic:  # the watch's turns before this record
            watched += 1.0
            capture.expire(timeout, now=watched)
        seen = (message.time, message.monotonic)
        if message.kind in (RecordKind.OPENED, RecordKind.CLOSED):
            capture.event(message.kind, message.connection, message.station,
                          message.meta or {}, seen=seen)
        else:
            capture.judge_frame(message.connection, message.station, message.direction,
                                message.text, seen=seen)
    return capture


def validated(capsys: Any, path: Any, timeout: float | None = TIMEOUT,
              ) -> dict[int, list[tuple[str, str, str]]]:
    """What `ocppscope validate --json` says of each record: a message's findings, then
    those the lost-CALL lines say of it. `timeout` None: the command's default."""
    option = [] if timeout is None else ["--answer-timeout", f"{timeout:g}"]
    main(["validate", "--json", *option, str(path)])
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


def judged_four_ways(tmp_path: Any, capsys: Any, messages: list[Message], *,
                     recorded_timeout: float | None = None,
                     ) -> dict[int, tuple[list[tuple[str, str, str]], int | None]]:
    """`messages` written to a session file and judged loaded, in worker processes, by
    `validate --json` and live; asserts that all four give each record the same verdict,
    and returns it. `recorded_timeout`: the answer timeout of the live run, written in the
    file's header (loading and `validate` then read it there); None writes none."""
    header = {} if recorded_timeout is None else {"answer_timeout": recorded_timeout}
    path = write_session(tmp_path / "timed.jsonl", messages, **header)
    loader = loaded_session(path)
    serial = Capture()
    serial.adopt(loader.messages, answer_timeout=loader.answer_timeout)
    while serial.annotate(1.0):
        pass
    by_record = verdicts_of(serial)
    if recorded_timeout is None:  # the records judged in memory, as they were made
        assert verdicts_of(judged_loaded(messages)) == by_record

    # the same file loaded as the window loads it, judged in worker processes
    parallel = Capture()
    parallel.adopt(loaded(path), answer_timeout=loader.answer_timeout)
    assert worth_it(parallel, least=1)
    judge = ParallelJudge(parallel, workers=2)
    while judge.step(0.05):
        pass
    assert not judge.serial
    assert_same_verdicts(serial, parallel)
    assert verdicts_of(parallel) == by_record

    findings_only = {seq: found for seq, (found, _) in by_record.items() if found}
    said = validated(capsys, path, TIMEOUT if recorded_timeout is None else None)
    assert {seq: found for seq, found in said.items() if found} == findings_only
    live_timeout = TIMEOUT if recorded_timeout is None else recorded_timeout
    assert verdicts_of(judged_live(messages, live_timeout)) == by_record
    return by_record


def test_a_call_timed_out_gets_one_verdict_loaded_in_parallel_validated_and_live(
        tmp_path, capsys):
    messages = timed_session()
    seqs = {(m.connection, m.message_id): m.seq for m in messages if m.message_type == 2}
    status, hello, variables = seqs["c1", "s1"], seqs["c1", "h1"], seqs["c1", "g1"]
    by_record = judged_four_ways(tmp_path, capsys, messages)
    findings_only = {seq: found for seq, (found, _) in by_record.items() if found}

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


def timed_out(action: str, timeout: float = TIMEOUT) -> tuple[str, str, str]:
    return ("protocol.answer-timeout", "warning", f"{action} got no answer within {timeout:g} s")


def test_a_call_waiting_when_its_connection_closes_gets_one_verdict_everywhere(
        tmp_path, capsys):
    """CP1 closes 8 s after a CALL it sent: that answer will never come. CP3 closes 38 s
    after the CSMS's CALL, with nobody talking in between: it had timed out. The close
    says so in `validate` as it does loaded and live, on the CALL's record."""
    cp1: list[Step] = [(1.0, *boot(interval=10)[0]), (1.1, *boot(interval=10)[1]),
                       (2.0, UP, STATUS), (10.0, "closed", {"code": 1006})]
    cp3: list[Step] = [(3.0, *boot("b3", interval=10)[0]), (3.1, *boot("b3", interval=10)[1]),
                       (22.0, DOWN, GET_VARIABLES), (60.0, "closed", {"code": 1000})]
    messages = recorded({("c1", "CP1"): cp1, ("c2", "CP2"): heartbeats(10, 20),
                         ("c3", "CP3"): cp3})
    seqs = {(m.connection, m.message_id): m.seq for m in messages if m.message_type == 2}
    status, variables = seqs["c1", "s1"], seqs["c3", "g1"]

    by_record = judged_four_ways(tmp_path, capsys, messages)

    assert by_record[status] == ([("protocol.no-answer", "warning",
                                   "StatusNotification got no answer before the connection "
                                   "closed")], None)
    assert by_record[variables] == ([timed_out("GetVariables")], None)
    assert [seq for seq, (found, _) in by_record.items() if found] == [status, variables]


def test_a_call_of_a_connection_gone_silent_times_out_everywhere_while_others_talk(
        tmp_path, capsys):
    """CP1 never sends again nor closes, while CP2 goes on for 49 s: its CALL timed out,
    in a loaded file as live and in `validate`. CP2's own CALL, the file's last record, is
    not due yet and says nothing anywhere."""
    cp1: list[Step] = [(1.0, *boot(interval=10)[0]), (1.1, *boot(interval=10)[1]),
                       (2.0, UP, STATUS)]
    cp2 = [*heartbeats(10, 50), (51.0, UP, [2, "s2", *STATUS[2:]])]
    messages = recorded({("c1", "CP1"): cp1, ("c2", "CP2"): cp2})
    seqs = {(m.connection, m.message_id): m.seq for m in messages if m.message_type == 2}

    by_record = judged_four_ways(tmp_path, capsys, messages)

    assert by_record[seqs["c1", "s1"]] == ([timed_out("StatusNotification")], None)
    assert by_record[seqs["c2", "s2"]] == ([], None)
    assert [seq for seq, (found, _) in by_record.items() if found] == [seqs["c1", "s1"]]


def ending_session() -> list[Message]:
    """CP1 closes with its CALL waiting; CP5 and CP6 each send a CALL at 20.3 s and 20.4 s
    and nothing more, while CP2 talks until the file ends at 50.5 s: their time runs out
    between CP2's last two frames, less than a second apart."""
    cp1: list[Step] = [(1.0, *boot(interval=10)[0]), (1.1, *boot(interval=10)[1]),
                       (2.0, UP, STATUS), (10.0, "closed", {"code": 1006})]
    silent = {(f"c{n}", f"CP{n}"): [(1.0 + n / 10, *boot(f"b{n}", interval=10)[0]),
                                    (1.05 + n / 10, *boot(f"b{n}", interval=10)[1]),
                                    (at, UP, STATUS)]
              for n, at in ((5, 20.3), (6, 20.4))}
    return recorded({("c1", "CP1"): cp1, ("c2", "CP2"): heartbeats(10, 50), **silent})


def test_calls_overdue_when_the_file_ends_time_out_everywhere(tmp_path, capsys):
    messages = ending_session()
    seqs = {(m.connection, m.message_id): m.seq for m in messages if m.message_type == 2}

    by_record = judged_four_ways(tmp_path, capsys, messages)

    assert by_record[seqs["c1", "s1"]][0][0][0] == "protocol.no-answer"
    assert by_record[seqs["c5", "s1"]] == ([timed_out("StatusNotification")], None)
    assert by_record[seqs["c6", "s1"]] == ([timed_out("StatusNotification")], None)


def test_a_session_is_judged_by_the_answer_timeout_it_was_recorded_with(tmp_path, capsys):
    """Recorded with a 10 s timeout: an answer 15 s late timed out when loaded and in
    `validate` (which read the header), as it did live; older files say nothing and get
    the default 30 s."""
    cp1: list[Step] = [(1.0, *boot(interval=10)[0]), (1.1, *boot(interval=10)[1]),
                       (2.0, UP, STATUS),
                       (17.0, DOWN, [3, "s1", {}]),       # 15 s after its CALL
                       (20.0, *heartbeat("h1")[0]), (20.1, *heartbeat("h1")[1]),
                       (25.0, "closed", {"code": 1000})]
    messages = recorded({("c1", "CP1"): cp1})
    [status] = [m.seq for m in messages if m.message_id == "s1" and m.message_type == 2]
    [answer] = [m.seq for m in messages if m.message_id == "s1" and m.message_type == 3]

    by_record = judged_four_ways(tmp_path, capsys, messages, recorded_timeout=10.0)

    assert by_record[status] == ([timed_out("StatusNotification", 10.0)], None)
    assert by_record[answer] == ([], status)
    assert verdicts_of(judged_loaded(messages))[status] == ([], None)  # no header: 30 s
    assert loaded_session(write_session(tmp_path / "bad.jsonl", messages,
                                        answer_timeout="10")).answer_timeout == TIMEOUT


def test_live_the_watch_says_a_timeout_at_once_and_the_next_frame_agrees(tmp_path):
    """While the connection is silent the watch flags the CALL; its next frame gives it up
    without saying it twice, and is not a second outstanding CALL."""
    capture = Capture()
    start = START + 1000.0
    capture.judge_frame("c1", "CP1", UP, json.dumps(STATUS), seen=(start, start))
    assert capture.expire(TIMEOUT, now=start + 30.0) == []  # the deadline: in time
    [(seq, finding)] = capture.expire(TIMEOUT, now=start + 30.1)
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


def test_an_answer_exactly_at_the_deadline_is_in_time_everywhere(tmp_path, capsys):
    """A CALL at 2 s answered at 32 s, its deadline to the microsecond: in time, live
    (whose watch looks at 32 s too), loaded and in `validate`."""
    cp1: list[Step] = [(2.0, UP, STATUS), (32.0, DOWN, [3, "s1", {}])]
    messages = recorded({("c1", "CP1"): cp1, ("c2", "CP2"): heartbeats(10, 40)})
    [call, answer] = [m.seq for m in messages if m.message_id == "s1"]

    by_record = judged_four_ways(tmp_path, capsys, messages)

    assert by_record[answer] == ([], call)
    assert [seq for seq, (found, _) in by_record.items() if found] == []


def given_up_at(capsys: Any, path: Any) -> dict[int, str]:
    """Where `validate --json` says each CALL given up on was given up (`given_up_at`)."""
    main(["validate", "--json", str(path)])
    notes = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    return {int(note["position"].split()[1]): note["given_up_at"]
            for note in notes if note.get("given_up_at")}


def test_a_malformed_frame_after_the_deadline_gives_up_its_connections_call(
        tmp_path, capsys):
    """CP1's CALL at 2 s, then only a frame that is not JSON at 40 s, while CP2 talks on:
    the broken frame shows that CP1's time ran out, and is where `validate` gives the CALL
    up, with the verdict a live watch and a loaded session give."""
    cp1: list[Step] = [(2.0, UP, STATUS), (40.0, UP, '[2,"m1","MeterValues",{"evseId":1,')]
    messages = recorded({("c1", "CP1"): cp1, ("c2", "CP2"): heartbeats(10, 60)})
    [call, broken] = [m.seq for m in messages if m.connection == "c1"]

    by_record = judged_four_ways(tmp_path, capsys, messages)

    assert by_record[call] == ([timed_out("StatusNotification")], None)
    assert given_up_at(capsys, tmp_path / "timed.jsonl") == {call: f"seq {broken}"}


def mixed_versions_session() -> list[Message]:
    """CP1 connects in ocpp1.6 and boots the 1.6 way, which is answered; it reconnects in
    2.0.1 and sends the same 1.6 boot. CP2 talks 2.0.1 all along."""
    boot16 = [2, "x1", "BootNotification", {"chargePointVendor": "V", "chargePointModel": "M"}]
    cp1: list[Step] = [(0.5, "opened", {"subprotocol": "ocpp1.6"}),
                       (1.0, UP, boot16),
                       (1.1, DOWN, [3, "x1", {"status": "Accepted", "currentTime": NOW,
                                              "interval": 300}]),
                       (2.0, "closed", {"code": 1000}),
                       (3.0, "opened", {"subprotocol": "ocpp2.0.1"}),
                       (4.0, UP, boot16)]
    return recorded({("c1", "CP1"): cp1, ("c2", "CP2"): heartbeats(10, 20)})


def test_frames_of_a_connection_in_ocpp16_are_not_judged_anywhere(tmp_path, capsys):
    """CP1's handshake chose ocpp1.6: its 1.6 frames get one note saying they were not
    judged, loaded, in worker processes, in `validate` and live alike, not the 2.0.1
    schema's errors, and its answer still pairs with its CALL; CP2 beside it in 2.0.1 is
    judged as ever. When CP1 reconnects in 2.0.1 its frames are judged again."""
    messages = mixed_versions_session()
    [old_boot, new_boot] = [m.seq for m in messages if m.message_id == "x1"
                            and m.message_type == 2]

    by_record = judged_four_ways(tmp_path, capsys, messages)

    not_judged = ("frame.other-version", "info", "not judged: this connection agreed "
                  "ocpp1.6, and only OCPP 2.0.1 is judged here")
    on_cp1 = {m.seq: by_record[m.seq][0] for m in messages
              if m.connection == "c1" and m.kind is RecordKind.FRAME}
    assert on_cp1[old_boot] == [not_judged]
    assert on_cp1[old_boot + 1] == [not_judged]
    assert by_record[old_boot + 1][1] == old_boot   # paired all the same
    assert by_record[new_boot][0] and all(code.startswith("schema.")
                                          for code, _, _ in by_record[new_boot][0])
    assert not any(found for m in messages if m.connection == "c2"
                   for found in by_record[m.seq][0])
