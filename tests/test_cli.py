"""The `ocppscope` entry point: a usage error of any command is one line per problem on
stderr and exit status 2, before anything listens or connects."""

import pytest

from app import cli


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
