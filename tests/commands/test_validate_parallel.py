"""validate in several processes writes, byte for byte, what one process writes."""

import errno
import io
import json
import multiprocessing.process
import os
import signal
import sys

import pytest

from app.cli import build_parser, main
from app.commands import validate as validate_command
from app.commands import validate_parallel, validate_share
from app.commands.validate_parallel import workers_for
from app.commands.validate_share import Owners, _Conflict, frame_head, place_of
from app.inputs import InputFrame, open_frames
from app.ocpp import catalog
from app.ocpp.conversation import Direction
from app.ocpp.reference import all_pages
from app.ocpp.schemas import PayloadKind
from app.session.message import frame_message
from app.session.sessionfile import SessionWriter, make_header
from tests.benchmarks.make_session import write_session

UP, DOWN = Direction.STATION_TO_CSMS, Direction.CSMS_TO_STATION


def run(capsys, *args):
    code = main(["validate", *map(str, args)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def fallbacks(monkeypatch):
    """How often the workers left a file to one process (which then makes a report)."""
    made = []

    def report(*args, **kwargs):
        made.append(kwargs.get("skip", 0))
        return validate_parallel.FileReport(*args, **kwargs)

    monkeypatch.setattr(validate_command, "FileReport", report)
    return made


def assert_same_in_one_and_two_processes(capsys, path, *options):
    for as_json in (("--json",), ()):
        one = run(capsys, *as_json, *options, "--jobs", "1", path)
        two = run(capsys, *as_json, *options, "--jobs", "2", path)
        assert two == one
    return one


def write_lines(path, lines):
    with path.open("a", encoding="utf-8") as stream:
        stream.writelines(line + "\n" for line in lines)


def catalogue_session(path, stations=3):
    """Every example and common error of the catalogue, sent by several stations at once
    (interleaved), answered or not; some CALLs are left to time out while other
    connections keep talking, so that sweeps give up on CALLs of other processes."""
    records, seq, clock = [], 0, 0.0
    entries = []
    for page in all_pages():
        action = page.action
        up = action.sender is not catalog.Sender.CSMS
        requests = [e.payload for e in page.examples_of(PayloadKind.REQUEST)]
        requests += [e.payload for e in page.common_errors if e.kind is PayloadKind.REQUEST]
        answers = [e.payload for e in page.examples_of(PayloadKind.RESPONSE)]
        answers += [e.payload for e in page.common_errors if e.kind is PayloadKind.RESPONSE]
        for number, payload in enumerate(requests):
            entries.append((action.name, up, payload, answers[number % len(answers)]
                            if answers and number % 5 != 4 else None))
    for number, (action, up, payload, answer) in enumerate(entries):
        for station in range(stations):
            seq += 1
            clock += 0.4 if number % 40 else 31.0
            ident = f"{number}-{station}"
            conn = f"CP-{station}#{1 + number // 150}"
            where = {"connection": conn, "station": f"CP-{station}"}
            direction = UP if up else DOWN
            records.append(frame_message(
                seq, json.dumps([2, ident, action, payload]), direction=direction,
                time=1.7e9 + clock, monotonic=clock, **where))
            if answer is not None:
                seq += 1
                records.append(frame_message(
                    seq, json.dumps([3, ident, answer]), direction=direction.opposite,
                    time=1.7e9 + clock, monotonic=clock + 0.05, **where))
    with SessionWriter(path, make_header("proxy")) as writer:
        writer.write_batch(records)


def test_the_benchmark_mix_is_written_the_same_by_two_processes_as_by_one(
        capsys, tmp_path, fallbacks):
    path = tmp_path / "mix.jsonl"
    write_session(path, 6000, stations=5)
    code, out, _ = assert_same_in_one_and_two_processes(capsys, path)
    assert code == 1 and "schema.enum" in out
    _, out, _ = assert_same_in_one_and_two_processes(capsys, path, "--filter",
                                                     'action == "Heartbeat"')
    assert "rule.heartbeat-early" in out and "schema.enum" not in out
    assert len(fallbacks) == 4  # the four runs in one process, none after a failure


def test_frames_that_were_not_utf8_are_judged_in_two_processes_too(capsys, tmp_path,
                                                                   fallbacks):
    path = tmp_path / "mix.jsonl"
    write_session(path, 3000, stations=4)
    head = ('{"seq":%d,"time":"2026-11-25T10:00:00.000000Z","mono":9000.5,"conn":"CP-0002#1",'
            '"station":"CP-0002","dir":"station_to_csms","kind":"frame",')
    write_lines(path, [head % 10**6 + '"text":"?","data":"/w=="}',
                       head % (10**6 + 1) + '"text":"[2,\\"7\\",\\"Heartbeat\\",{}]"}'])
    _, out, _ = assert_same_in_one_and_two_processes(capsys, path)
    assert "seq 1000000" in out and len(fallbacks) == 2


def test_a_line_that_only_looks_like_a_frame_is_judged_as_one_process_judges_it(
        capsys, tmp_path, fallbacks):
    path = tmp_path / "mix.jsonl"
    write_session(path, 3000, stations=4)
    head = ('{"seq":%d,"time":"2026-11-25T10:00:00.000000Z","mono":9000.5,"conn":"CP-0002#1",'
            '"station":"CP-0002","dir":"up","kind":"frame","text":"[]"}')
    write_lines(path, [head % 10**6, head.replace('"up"', "null") % (10**6 + 1)])
    _, _, err = assert_same_in_one_and_two_processes(capsys, path)
    assert "not a direction" in err
    assert len(fallbacks) == 4  # each run in two processes was left to one


def test_the_catalogue_is_written_the_same_by_two_processes_as_by_one(capsys, tmp_path):
    path = tmp_path / "catalogue.jsonl"
    catalogue_session(path)
    _, out, _ = assert_same_in_one_and_two_processes(capsys, path)
    assert "protocol.answer-timeout" in out and "got no answer" in out
    assert_same_in_one_and_two_processes(capsys, path, "--answer-timeout", "5")


def test_a_torn_and_renumbered_session_is_written_the_same(capsys, tmp_path):
    path = tmp_path / "mix.jsonl"
    write_session(path, 3000, stations=4)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    joined = lines + lines[1:]  # two recordings joined: renumbered from there on
    path.write_text("".join(joined) + joined[-1][:40], encoding="utf-8")
    _, _, err = assert_same_in_one_and_two_processes(capsys, path)
    assert "incomplete last line" in err and "does not follow" in err


def test_a_connection_that_changes_station_is_judged_in_one_process(capsys, tmp_path):
    path = tmp_path / "moved.jsonl"
    write_session(path, 3000, stations=4)
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    station_of = {}
    for number, line in enumerate(lines[1:], start=1):
        record = json.loads(line)
        station_of.setdefault(record["conn"], record["station"])
        if number > 2000 and record["station"] != "CP-0001":
            lines[number] = line.replace(f'"station":"{record["station"]}"',
                                         '"station":"CP-0001"', 1)
            break
    path.write_text("".join(lines), encoding="utf-8")
    assert_same_in_one_and_two_processes(capsys, path)


@pytest.mark.parametrize("start_method", ["fork", "spawn"] if sys.platform == "linux"
                         else ["spawn"])
def test_workers_failing_midway_leave_no_line_written_twice(capsys, tmp_path, monkeypatch,
                                                           fallbacks, start_method):
    path = tmp_path / "mix.jsonl"
    write_session(path, 6000, stations=4)
    expected = run(capsys, "--json", "--jobs", "1", path)
    monkeypatch.setattr(validate_parallel, "START_METHOD", start_method)
    monkeypatch.setattr(validate_parallel, "FAIL_AFTER_FRAMES", 4000)  # reaches spawned ones
    # the parent reads no worker more than a batch ahead of the other, so lines are written
    # before a failure is read however the two are scheduled (a slow start under load)
    monkeypatch.setattr(validate_parallel, "AHEAD_FRAMES", validate_share.BATCH_FRAMES)
    assert run(capsys, "--json", "--jobs", "2", path) == expected
    assert fallbacks[0] == 0 and fallbacks[1] > 0  # lines written before were skipped


def test_a_recording_growing_while_judged_is_judged_as_it_was_when_opened(
        capsys, tmp_path, monkeypatch, fallbacks):
    path = tmp_path / "live.jsonl"
    write_session(path, 3000, stations=4)
    original = path.read_bytes()
    expected = run(capsys, "--json", "--jobs", "1", path)
    more = original.decode("utf-8").splitlines()[1:500]  # as a proxy keeps recording
    real_open_frames = validate_command.open_frames

    def open_then_grow(name):
        source = real_open_frames(name)
        write_lines(path, more)  # after the command saw the file, before workers start
        return source

    monkeypatch.setattr(validate_command, "open_frames", open_then_grow)
    for jobs in ("1", "2"):
        path.write_bytes(original)
        assert run(capsys, "--json", "--jobs", jobs, path) == expected
    assert len(fallbacks) == 2 and path.stat().st_size > len(original)


class _FullDisk(io.StringIO):
    """An output that refuses every write, as a full disk or a closed pipe on Windows
    (EINVAL) does."""

    def write(self, text):
        raise OSError(errno.EINVAL, "Invalid argument")


def test_an_error_writing_the_output_ends_the_command_without_a_second_pass(
        tmp_path, fallbacks):
    path = tmp_path / "mix.jsonl"
    write_session(path, 3000, stations=4)
    args = build_parser("validate").parse_args(["validate", "--json", "--jobs", "2",
                                                str(path)])
    with pytest.raises(OSError) as raised:
        validate_command.run(args, out=_FullDisk(), err=io.StringIO())
    assert raised.value.errno == errno.EINVAL
    assert fallbacks == []  # the workers' output was not judged again in this process


def test_a_small_session_or_another_input_is_judged_in_this_process(tmp_path, monkeypatch):
    path = tmp_path / "mix.jsonl"
    write_session(path, 200)
    assert workers_for(open_frames(path), None) == 1
    assert workers_for(open_frames(path), 3) == 3
    assert workers_for(open_frames(path), 1) == 1
    monkeypatch.setattr(validate_parallel, "PARALLEL_FROM_BYTES", 0)
    monkeypatch.setattr(validate_parallel, "usable_cores", lambda: 3)
    assert workers_for(open_frames(path), None) == 3  # big enough: one per core
    monkeypatch.setattr(validate_parallel, "usable_cores", lambda: 64)
    assert workers_for(open_frames(path), None) == validate_parallel.MAX_WORKERS
    assert workers_for(open_frames(path), 64) == validate_parallel.MAX_WORKERS
    frames = tmp_path / "frames.txt"
    frames.write_text('[2,"1","Heartbeat",{}]\n')
    assert workers_for(open_frames(frames), 4) == 1


def frame(connection, station=""):
    return InputFrame("seq 1", "[]", connection=connection, station=station)


def test_a_station_and_its_connections_stay_with_one_worker_and_new_ones_spread():
    owners = Owners(2)
    first = owners.of(frame("a#1", "A"))
    second = owners.of(frame("b#1", "B"))
    assert first != second
    assert owners.of(frame("a#2", "A")) == first     # A reconnected
    assert owners.of(frame("c")) in (0, 1)           # no station: keyed by its connection
    assert owners.of(frame("b#1", "B")) == second


def test_a_connection_tying_two_workers_stations_together_is_a_conflict():
    owners = Owners(2)
    owners.of(frame("a#1", "A"))
    owners.of(frame("b#1", "B"))
    with pytest.raises(_Conflict):
        owners.of(frame("a#1", "B"))


def test_a_worker_far_ahead_waits_and_the_output_stays_the_same(capsys, tmp_path,
                                                                monkeypatch, fallbacks):
    path = tmp_path / "mix.jsonl"
    write_session(path, 6000, stations=3)  # one worker judges twice what the other does
    monkeypatch.setattr(validate_parallel, "AHEAD_FRAMES", 1)
    assert_same_in_one_and_two_processes(capsys, path)
    assert len(fallbacks) == 2


def test_workers_are_as_many_as_the_cores_this_process_may_use_whatever_the_load(
        monkeypatch):
    from app.commands.validate_parallel import usable_cores

    monkeypatch.setattr(validate_parallel.os, "sched_getaffinity", lambda _: {0, 1, 2},
                        raising=False)
    monkeypatch.setattr(validate_parallel.os, "cpu_count", lambda: 8)
    monkeypatch.setattr(validate_parallel.os, "getloadavg", lambda: (9.0, 9.0, 9.0),
                        raising=False)
    assert usable_cores() == 3   # the cores it may run on, not the machine's


@pytest.mark.skipif(os.name != "posix", reason="a child runs the parent's handler on POSIX")
def test_ctrl_c_is_held_while_each_worker_starts_and_handled_again_after(
        capsys, tmp_path, monkeypatch):
    path = tmp_path / "mix.jsonl"
    write_session(path, 3000, stations=4)
    handlers = []
    real_start = multiprocessing.process.BaseProcess.start

    def start(process):
        handlers.append(signal.getsignal(signal.SIGINT))
        real_start(process)

    monkeypatch.setattr(multiprocessing.process.BaseProcess, "start", start)
    before = signal.getsignal(signal.SIGINT)
    run(capsys, "--jobs", "2", path)
    assert handlers == [signal.SIG_IGN, signal.SIG_IGN]
    assert signal.getsignal(signal.SIGINT) is before


def test_closes_and_the_end_of_the_file_give_up_alike_in_two_processes(capsys, tmp_path):
    """A close gives up on its connection's CALLs in the worker that judges it, and the
    CALLs overdue at the end are given up by each worker at the file's last record: the
    notes come out in one process's order."""
    from tests.factories import write_session as write_records
    from tests.session.test_same_verdict_everywhere import ending_session

    path = write_records(tmp_path / "ends.jsonl", ending_session())
    code, out, _ = assert_same_in_one_and_two_processes(capsys, path)
    assert code == 1
    code, out, _ = run(capsys, "--json", "--jobs", "2", path)
    notes = [json.loads(line) for line in out.splitlines()]
    lost = [(note["code"], note["position"]) for note in notes if note["kind"] == "note"
            and note["severity"] == "warning"]
    assert [code for code, _ in lost] == ["protocol.no-answer", "protocol.answer-timeout",
                                          "protocol.answer-timeout"]
    assert int(lost[1][1].split()[1]) < int(lost[2][1].split()[1])  # in the file's order


def test_a_connection_in_another_ocpp_version_is_left_unjudged_alike_in_two_processes(
        capsys, tmp_path):
    from tests.factories import write_session as write_records
    from tests.session.test_same_verdict_everywhere import mixed_versions_session

    path = write_records(tmp_path / "versions.jsonl", mixed_versions_session())
    _, out, _ = assert_same_in_one_and_two_processes(capsys, path)
    assert "note: 2 frames unchecked: their connection agreed another OCPP version" in out


def test_a_call_given_up_at_a_frame_is_reported_after_it_whatever_its_seq(capsys, tmp_path):
    """The seqs of a file may be negative: a CALL a sweep gives up at a frame still comes
    after that frame's own line, in two processes as in one, whichever worker judges the
    CALL (c1's and c3's go to one worker, c2's to the other)."""
    from tests.factories import NOW, START, make_message
    from tests.factories import write_session as write_records

    def heartbeat(seq, n, connection, at):
        station = connection.replace("c", "CP")
        return [make_message(seq, [2, f"h{n}", "Heartbeat", {"x": 1} if n % 10 == 1 else {}],
                             connection=connection, station=station, time=START + at),
                make_message(seq + 1, [3, f"h{n}", {"currentTime": NOW}], direction=DOWN,
                             connection=connection, station=station, time=START + at + 0.1)]

    records = [make_message(-100, [2, "lost", "Heartbeat", {}], connection="c1",
                            station="CP1", time=START), *heartbeat(-99, 0, "c3", 0.1)]
    for n in range(100):
        records += heartbeat(-97 + 2 * n, n, "c2", 0.5 * (n + 1))
    path = write_records(tmp_path / "negative.jsonl", records)
    code, _, _ = assert_same_in_one_and_two_processes(capsys, path, "--answer-timeout", "30")
    assert code == 1


WRITER_HEAD = ('{"seq":%s,"time":"2026-11-25T10:00:00.000000Z","mono":%s,"conn":"%s",'
               '"station":"%s","dir":"station_to_csms","kind":"frame",'
               '"text":"[2,\\"7\\",\\"Heartbeat\\",{}]"}')


def test_a_glance_at_a_frame_line_gives_its_seq_time_and_connection_with_station():
    line = (WRITER_HEAD % (12, "9000.5", "CP-1#2", "CP-1")).encode() + b"\n"
    seq, time, pair = frame_head(line)
    assert (seq, time) == (12, 9000.5)
    owners = Owners(2)
    assert place_of(pair, owners) == (0, "CP-1#2", "CP-1")
    assert owners.loads == [1, 0]


@pytest.mark.parametrize("line", [
    WRITER_HEAD % (12, "9000.5", "CP-1#2", "CP-1"),               # torn: no newline
    (WRITER_HEAD % (12, "9000.5", "CP-1#2", "CP-1")).replace('"frame"', '"closed"') + "\n",
    WRITER_HEAD % (12, "null", "CP-1#2", "CP-1") + "\n",          # a time that is no number
    WRITER_HEAD % (12, "9000.5", 'CP-\\"1', "CP-1") + "\n",       # an escape in a name
    WRITER_HEAD % ("-12", "9000.5", "CP-1#2", "CP-1") + "\n",
])
def test_a_line_not_laid_out_as_our_writer_writes_frames_is_not_glanced_at(line):
    assert frame_head(line.encode()) is None


def test_frame_heads_our_writer_may_write_oddly_are_judged_the_same_in_two_processes(
        capsys, tmp_path, fallbacks):
    """Names in other scripts, times in exponent form, and a frame whose head is laid out
    as ours but whose seq is not JSON: the glances of the workers agree with one reading."""
    path = tmp_path / "mix.jsonl"
    write_session(path, 3000, stations=4)
    write_lines(path, [WRITER_HEAD % (10**6, "9000.5", "Ладестation#1", "Ладестation"),
                       WRITER_HEAD % (10**6 + 1, "1e-06", "CP-0002#1", "CP-0002"),
                       WRITER_HEAD % (10**6 + 2, "9001", "Ладестation#1", "Ладестation")])
    _, out, _ = assert_same_in_one_and_two_processes(capsys, path)
    assert "seq 1000002" in out and len(fallbacks) == 2  # no run in two processes gave up
    write_lines(path, [WRITER_HEAD % ("01000003", "9002.5", "CP-0002#1", "CP-0002")])
    _, _, err = assert_same_in_one_and_two_processes(capsys, path)
    assert "skipped" in err
