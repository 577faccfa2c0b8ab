"""The `ocppscope` entry point: a usage error of any command is one line per problem on
stderr and exit status 2, before anything listens or connects."""

import os
import subprocess
import sys

import pytest

from app import __version__, cli
from app.ocpp import fast_json


@pytest.mark.parametrize(("words", "message"), [
    (["proxy", "--upstream", "http://example.com"],
     "ocppscope proxy: CSMS URL: 'http://example.com' must start with ws:// or wss://"),
    (["proxy", "--upstream", "ws://x", "--listen", "nonsense"],
     "ocppscope proxy: Listen on: 'nonsense' is not HOST:PORT"),
    (["csms", "--listen", "127.0.0.1:65536"],
     "ocppscope csms: Listen on: port 65536 is out of range"),
    (["csms", "--max-size", "512"],
     "ocppscope csms: Largest frame (bytes): must be at least 1k, not 512"),
    (["station", "--csms", "ws://x/ocpp", "--id", "A", "--connectors", "0"],
     "ocppscope station: EVSEs: must be at least 1, not 0"),
    (["station", "--csms", "ftp://x", "--id", ""],
     "ocppscope station: CSMS URL: 'ftp://x' must start with ws:// or wss://"),
    (["demo", "--pace", "-1"], "ocppscope demo: --pace: must be at least 0, not -1"),
    (["state", "s.jsonl", "--at", "noon"], "ocppscope state: --at 'noon': not a moment"),
])
def test_a_usage_error_goes_to_stderr_with_exit_status_2(words, message, capsys):
    assert cli.main(words) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(message)


def test_every_problem_gets_its_own_line(capsys):
    assert cli.main(["station", "--csms", "ftp://x", "--id", "", "--connectors", "0"]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 3 and all(line.startswith("ocppscope station: ") for line in lines)


def test_unusable_files_named_in_options_are_usage_errors_too(tmp_path, capsys):
    assert cli.main(["csms", "--cert", str(tmp_path / "missing.pem")]) == 2
    assert cli.main(["station", "--csms", "ws://x", "--id", "A", "--responses",
                     str(tmp_path / "none.json")]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        f"ocppscope csms: certificate '{tmp_path / 'missing.pem'}' does not exist or is not "
        "a file",
        f"ocppscope station: {tmp_path / 'none.json'}: no such file"]


def test_argparse_errors_also_go_to_stderr_with_exit_status_2(capsys):
    with pytest.raises(SystemExit) as ended:
        cli.main(["station", "--csms", "ws://x"])
    assert ended.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "--id" in captured.err


def test_the_listed_help_of_each_command_is_the_one_its_module_gives():
    full = cli.build_parser()
    listed = {action.dest: action.help for action in full._subparsers._group_actions[0]
              ._choices_actions}
    assert listed == cli.COMMANDS


def test_help_version_and_validate_import_no_other_command_nor_the_network(tmp_path):
    """`--help`, `--version` and `validate` start fast because they leave the other
    commands (asyncio, websockets, the window) unimported."""
    import json
    import subprocess
    import sys

    frames = tmp_path / "one.txt"
    frames.write_text('[2,"1","Heartbeat",{}]\n', encoding="utf-8")
    probe = ("import sys, io, contextlib\n"
             "from app import cli\n"
             "with contextlib.redirect_stdout(io.StringIO()):\n"
             "    try:\n"
             "        cli.main(sys.argv[1:])\n"
             "    except SystemExit:\n"
             "        pass\n"
             "import json\n"
             "print(json.dumps(sorted(m for m in sys.modules if m.startswith(("
             "'app.commands.', 'asyncio', 'websockets', 'PySide6', 'app.net.',"
             " 'app.query.compiler', 'app.query.syntax')))))\n")
    for words, allowed in ((["--help"], ["app.net.limits"]),
                           (["--version"], ["app.net.limits"]),
                           (["validate", str(frames)],
                            # nor the diagnosis of connections (and its ssl), nor the
                            # filter language: frames only
                            ["app.commands.json_lines", "app.commands.validate",
                             "app.commands.validate_judging",
                             "app.commands.validate_parallel",
                             "app.commands.validate_report", "app.net.limits"])):
        done = subprocess.run([sys.executable, "-c", probe, *words], capture_output=True,
                              text=True, check=True)
        assert json.loads(done.stdout.strip().splitlines()[-1]) == allowed, words


def test_version_is_alone_on_the_first_line_and_the_json_decoder_follows(capsys):
    with pytest.raises(SystemExit) as ended:
        cli.main(["--version"])
    assert ended.value.code == 0
    first, second = capsys.readouterr().out.splitlines()
    assert first == f"ocppscope {__version__}"
    python = ".".join(str(part) for part in sys.version_info[:3])
    assert second == f"Python {python}, {fast_json.decoder()}"


def test_version_says_when_json_is_decoded_without_orjson(monkeypatch, capsys):
    monkeypatch.setattr(fast_json, "_orjson_loads", None)
    with pytest.raises(SystemExit):
        cli.main(["--version"])
    assert "without orjson" in capsys.readouterr().out.splitlines()[1]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs a device that is full")
@pytest.mark.parametrize("command", [["validate"], ["state"], ["validate", "--json"]])
def test_output_to_a_full_disk_is_one_line_not_a_traceback(tmp_path, command):
    from tests.factories import make_message, write_session

    session = write_session(tmp_path / "s.jsonl", [
        make_message(seq, [2, str(seq), "Heartbeat", {}]) for seq in range(1, 200)])
    with open("/dev/full", "w") as full:
        result = subprocess.run([sys.executable, "-m", "app", *command, str(session)],
                                stdout=full, stderr=subprocess.PIPE, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr == (f"ocppscope {command[0]}: cannot write the output "
                             "(No space left on device)\n")


@pytest.mark.parametrize("words", [["valdate", "site.jsonl"], ["convrt", "a", "b"], ["stat"]])
def test_a_misspelt_command_is_named_with_the_one_meant(words, capsys, tmp_path,
                                                        monkeypatch):
    monkeypatch.chdir(tmp_path)   # no file of that name here: the word is no file to open
    assert cli.main(words) == 2
    meant = {"valdate": "validate", "convrt": "convert", "stat": "state"}[words[0]]
    assert capsys.readouterr().err == (
        f"ocppscope: '{words[0]}' is not a command; did you mean '{meant}'? "
        "(ocppscope --help lists them)\n")


def test_a_file_named_like_a_command_is_still_opened_in_the_window(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "stat").write_text("[2,\"1\",\"Heartbeat\",{}]\n")
    opened = []
    monkeypatch.setattr(cli, "command_module", lambda name: _Recorder(name, opened))
    cli.main(["stat"])
    assert opened == [("gui", "stat")]


class _Recorder:
    """A command module that notes what it was asked to run instead of running it."""

    def __init__(self, name, opened):
        self.name, self.opened = name, opened

    def add_parser(self, subparsers):
        parser = subparsers.add_parser(self.name)
        parser.add_argument("file", nargs="?")
        parser.set_defaults(run=lambda args: self.opened.append((self.name, args.file)) or 0)
