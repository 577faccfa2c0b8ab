"""The live modes' settings are declared once (`app/settings.py`): the command line and the
window's start dialogs offer the same options, with the same defaults and the same checks."""

import argparse

import pytest
from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QComboBox

from app import cli, mode_config, settings
from app.errors import OcppScopeError
from app.settings import Setting

DIALOG_MODES = ("proxy", "csms", "station")

# every option the commands had before the table, which scripts may rely on
FLAGS = {
    "proxy": {"--listen", "--upstream", "--cert", "--key", "--client-ca", "--upstream-ca",
              "--upstream-cert", "--upstream-key", "--insecure", "--ping-interval",
              "--record", "--record-secrets", "--quiet", "--json", "--answer-timeout",
              "--max-size", "--upstream-auth", "--rules", "--transparent", "--tls-keylog",
              "--pong-timeout"},
    "csms": {"--listen", "--heartbeat-interval", "--cert", "--key", "--client-ca",
             "--responses", "--strict", "--record", "--record-secrets", "--quiet", "--json",
             "--answer-timeout", "--max-size", "--tls-keylog", "--ping-interval",
             "--pong-timeout"},
    "station": {"--csms", "--id", "--password", "--connectors", "--vendor", "--model",
                "--heartbeat-interval", "--ca", "--client-cert", "--client-key", "--insecure",
                "--responses", "--strict", "--record", "--record-secrets", "--quiet",
                "--json", "--answer-timeout", "--max-size", "--password-file",
                "--tls-keylog", "--ping-interval", "--pong-timeout"},
    "demo": {"--pace", "--keep-running", "--record", "--record-secrets", "--quiet", "--json",
             "--answer-timeout", "--max-size"},
    "replay": {"--as", "--csms", "--listen", "--station", "--speed", "--start-from",
               "--rewrite", "--rewrite-file", "--ignore", "--report", "--settle", "--wait",
               "--record", "--record-secrets", "--quiet", "--json", "--answer-timeout",
               "--max-size", "--filter"},
}


@pytest.fixture
def fresh_settings(tmp_path, qapp):
    """QSettings in an empty folder of the test's own, never the user's."""
    QCoreApplication.setOrganizationName("OCPP Scope Tests")
    QCoreApplication.setApplicationName("OCPP Scope Tests")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path))


def _dialog(qtbot, mode, **options):
    from widgets.dialogs import ModeDialog

    dialog = ModeDialog(mode, mode, "", **options)
    qtbot.addWidget(dialog)
    return dialog


def _required_arguments(mode):
    """The options the command line insists on, given their table defaults."""
    words = []
    for setting in settings.mode_settings(mode):
        if setting.required:
            words += [setting.option, str(setting.default)]
    return words


def _parse(mode, *words):
    inputs = ["session.jsonl"] if mode == "replay" else []  # replay reads a file
    return vars(cli.build_parser().parse_args([mode, *inputs, *_required_arguments(mode),
                                               *words]))


# --- the table ---------------------------------------------------------------------------


@pytest.mark.parametrize("setting", settings.SETTINGS, ids=lambda s: s.name)
def test_every_setting_has_help_and_a_default_of_its_type(setting):
    assert setting.help.strip()
    assert type(setting.default) is setting.type
    assert setting.modes and setting.modes <= set(settings.MODES)
    if setting.minimum is not None:
        assert setting.minimum <= setting.default or setting.required
    if setting.zero:  # what the window shows for "not set": 0, or an empty text
        assert setting.minimum == 0 if setting.type is not str else setting.default == ""


@pytest.mark.parametrize("mode", settings.MODES)
def test_names_and_flags_are_unique_within_a_mode(mode):
    own = settings.mode_settings(mode)
    assert len({s.name for s in own}) == len(own)
    assert len({s.option for s in own}) == len(own)


@pytest.mark.parametrize("mode", settings.MODES)
def test_each_mode_keeps_every_option_it_had(mode):
    assert {s.option for s in settings.mode_settings(mode)} == FLAGS[mode]


def test_secrets_and_weakened_checks_are_not_remembered():
    forgotten = {s.name for s in settings.SETTINGS if not s.remembered}
    assert {"password", "insecure", "record_secrets"} <= forgotten


def test_every_server_listens_on_loopback_unless_told_otherwise():
    listening = [s for s in settings.SETTINGS if s.kind == "address"]
    assert listening and all(s.default.startswith("127.0.0.1:") for s in listening)


# --- the command line --------------------------------------------------------------------


@pytest.mark.parametrize("mode", settings.MODES)
def test_command_line_defaults_are_the_table_defaults(mode):
    values = _parse(mode)
    assert {name: values[name] for name in settings.defaults(mode)} == settings.defaults(mode)


@pytest.mark.parametrize("mode", settings.MODES)
def test_help_explains_every_option(mode, capsys):
    shown = _help(mode, capsys)
    for setting in settings.mode_settings(mode):
        assert setting.option in shown
        assert " ".join(setting.help.split()) in shown, setting.name


def test_help_names_the_defaults(capsys):
    shown = _help("proxy", capsys)
    assert "(default 127.0.0.1:9000)" in shown
    assert "(default 10M)" in shown and "(default 30)" in shown


def _help(mode, capsys):
    with pytest.raises(SystemExit) as ended:
        cli.main([mode, "--help"])
    assert ended.value.code == 0
    return " ".join(capsys.readouterr().out.split())


def test_sizes_take_suffixes_and_bad_ones_are_argparse_errors(capsys):
    assert settings.parse_size("65536") == 65536
    assert settings.parse_size("64k") == 64 * 1024
    assert settings.parse_size("10M") == 10 * 1024 ** 2
    with pytest.raises(argparse.ArgumentTypeError, match="not a size"):
        settings.parse_size("ten")
    assert _parse("csms", "--max-size", "64k")["max_size"] == 65536
    with pytest.raises(SystemExit) as ended:
        _parse("csms", "--max-size", "lots")
    assert ended.value.code == 2
    assert "'lots' is not a size" in capsys.readouterr().err


# --- checking ----------------------------------------------------------------------------


@pytest.mark.parametrize("mode", settings.MODES)
def test_the_defaults_pass_the_check(mode):
    assert settings.check(mode, settings.defaults(mode)) == []
    assert settings.check(mode, {}) == []


@pytest.mark.parametrize(("mode", "name", "value", "words"), [
    ("proxy", "upstream", "http://csms.example.com", "CSMS URL: 'http://csms.example.com' "
                                                     "must start with ws:// or wss://"),
    ("proxy", "upstream", "ws:///ocpp", "names no host"),
    ("proxy", "upstream", "ws://csms:port/ocpp", "port that is not a number"),
    ("station", "csms", "ws://[::1/ocpp", "CSMS URL: 'ws://[::1/ocpp' is not a URL "
                                          "(Invalid IPv6 URL)"),
    ("station", "csms", "ws://csms/ocpp#x", "CSMS URL: 'ws://csms/ocpp#x' has a #fragment, "
                                            "which a WebSocket URL cannot have"),
    ("proxy", "listen", "nonsense", "Listen on: 'nonsense' is not HOST:PORT"),
    ("csms", "listen", "127.0.0.1:70000", "Listen on: port 70000 is out of range"),
    ("station", "station_id", " ", "Station id: must not be empty"),
    ("station", "connectors", 0, "EVSEs: must be at least 1, not 0"),
    ("station", "csms", "", "CSMS URL: '' must start with ws:// or wss://"),
    ("csms", "max_size", 512, "Largest frame (bytes): must be at least 1k, not 512"),
    ("csms", "heartbeat_interval", -5, "must be at least 0, not -5"),
    ("demo", "pace", 100.0, "--pace: must be at most 60, not 100"),
    ("proxy", "answer_timeout", float("nan"), "Answer timeout (s): must be a number, not nan"),
    ("proxy", "ping_interval", float("nan"), "must be a number, not nan"),
    ("replay", "speed", float("nan"), "must be a number, not nan"),
])
def test_each_bad_value_is_one_problem_in_words(mode, name, value, words):
    problems = settings.check(mode, {name: value})
    assert len(problems) == 1 and words in problems[0]


def test_all_problems_are_reported_at_once():
    problems = settings.check("proxy", {"upstream": "http://x", "listen": "x",
                                        "max_size": 1})
    assert len(problems) == 3


def test_listen_addresses_take_ipv6_and_a_bare_port():
    assert settings.parse_address("[::1]:9000") == ("::1", 9000)
    assert settings.parse_address(":0") == ("127.0.0.1", 0)
    assert settings.parse_address("0.0.0.0:9000") == ("0.0.0.0", 9000)


def test_a_setting_with_choices_offers_only_them(monkeypatch, qtbot, fresh_settings):
    flavour = Setting("flavour", str, "plain", "how it tastes", label="Flavour",
                      choices=("plain", "salty"))
    monkeypatch.setattr(settings, "SETTINGS", (flavour,))
    assert settings.check("csms", {"flavour": "sweet"}) == [
        "Flavour: 'sweet' is not one of plain, salty"]
    parser = argparse.ArgumentParser()
    settings.add_options(parser, "csms")
    assert parser.parse_args(["--flavour", "salty"]).flavour == "salty"
    dialog = _dialog(qtbot, "csms")
    editor = dialog.editors["flavour"]
    assert isinstance(editor, QComboBox) and editor.count() == 2
    editor.setCurrentIndex(1)
    assert dialog.values() == {"flavour": "salty"}


def test_a_switch_that_is_on_by_default_can_be_turned_off(monkeypatch):
    colour = Setting("colour", bool, True, "colour the output")
    monkeypatch.setattr(settings, "SETTINGS", (colour,))
    parser = argparse.ArgumentParser()
    settings.add_options(parser, "demo")
    assert parser.parse_args([]).colour is True
    assert parser.parse_args(["--no-colour"]).colour is False


# --- the window's dialogs ----------------------------------------------------------------


@pytest.mark.parametrize("mode", DIALOG_MODES)
def test_dialog_defaults_are_the_command_line_defaults(mode, qtbot, fresh_settings):
    shown = _dialog(qtbot, mode).values()
    command_line = _parse(mode)
    assert shown == {name: command_line[name] for name in shown}
    assert set(shown) == {s.name for s in settings.dialog_settings(mode)}


@pytest.mark.parametrize("mode", ["proxy", "csms"])
def test_the_window_listens_on_loopback_by_default(mode, qtbot, fresh_settings):
    assert _dialog(qtbot, mode).values()["listen"] == "127.0.0.1:9000"


@pytest.mark.parametrize(("mode", "name", "text"), [
    ("proxy", "upstream", "http://csms.example.com"),
    ("proxy", "listen", "nonsense"),
    ("csms", "listen", "127.0.0.1:70000"),
    ("station", "station_id", ""),
])
def test_a_bad_value_gets_the_same_words_from_the_command_line_and_the_dialog(
        mode, name, text, qtbot, fresh_settings, capsys):
    dialog = _dialog(qtbot, mode)
    dialog.editors[name].setText(text)
    [problem] = dialog.problems()
    setting = next(s for s in settings.mode_settings(mode) if s.name == name)
    words = [mode, *_required_arguments(mode)]
    if setting.option in words:
        words[words.index(setting.option) + 1] = text
    else:
        words += [setting.option, text]
    assert cli.main(words) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"ocppscope {mode}: {problem}\n"


# --- credentials and cautions -------------------------------------------------------------


def test_the_password_comes_from_the_first_source_given(tmp_path):
    secret_file = tmp_path / "password"
    secret_file.write_text("from-file\nignored second line\n")
    environ = {settings.PASSWORD_ENV: "from-env"}
    assert mode_config.station_password({"password": "typed"}, environ) == "typed"
    assert mode_config.station_password({"password_file": str(secret_file)}, environ) == (
        "from-file")
    assert mode_config.station_password({}, environ) == "from-env"
    assert mode_config.station_password({}, None) is None  # the window reads no environment
    config, _ = mode_config.station_setup({"password_file": str(secret_file)})
    assert config.password == "from-file"


def test_a_password_file_that_cannot_be_used_is_one_sentence(tmp_path):
    empty = tmp_path / "empty"
    empty.write_text("\n")
    with pytest.raises(OcppScopeError, match="has no password on its first line"):
        mode_config.station_setup({"password_file": str(empty)})
    with pytest.raises(OcppScopeError, match="cannot be read: No such file"):
        mode_config.station_setup({"password_file": str(tmp_path / "missing")})


def test_a_password_and_a_password_file_together_are_a_problem(tmp_path):
    [problem] = settings.check("station", {"password": "pw", "password_file": "f"})
    assert "not both" in problem


def test_the_help_says_how_to_keep_the_password_out_of_ps(capsys):
    shown = _help("station", capsys)
    assert settings.PASSWORD_ENV in shown and "--password-file" in shown and "`ps`" in shown


def test_sending_the_urls_credentials_needs_a_url_with_them():
    [problem] = settings.check("proxy", {"upstream": "ws://csms/ocpp", "upstream_auth": "url"})
    assert "needs a user and password in the CSMS URL" in problem
    assert settings.check("proxy", {"upstream": "ws://u:p@csms/ocpp", "upstream_auth": "url"}
                          ) == []
    config = mode_config.proxy_config({"upstream": "ws://u:p@csms/ocpp", "upstream_auth": "url"})
    assert config.upstream_auth == "url"


def test_a_url_whose_password_was_forgotten_asks_for_it():
    [problem] = settings.check("station", {"csms": "ws://user@csms/ocpp"})
    assert "names the user 'user' but no password" in problem


def test_problems_with_a_url_never_repeat_its_password():
    problems = settings.check("proxy", {"upstream": "http://user:secret@csms/ocpp"})
    assert problems and "secret" not in " ".join(problems)
    assert "user:***@" in problems[0]


def test_switching_certificate_checks_off_is_a_caution_and_noted_in_the_header():
    values = {"upstream": "wss://user:secret@csms/ocpp", "insecure": True}
    [caution] = mode_config.cautions("proxy", values)
    assert caution.startswith("certificate checks are off: ")
    assert mode_config.cautions("proxy", {}) == [] and mode_config.cautions("csms", values) == []
    assert mode_config.header_details("proxy", values) == {
        "listen": "127.0.0.1:9000", "upstream": "wss://user:***@csms/ocpp", "insecure": True,
        "answer_timeout": 30.0}
    kept = mode_config.header_details("station", {"csms": "ws://u:secret@h/ocpp",
                                                  "station_id": "CP-1", "record_secrets": True})
    assert kept == {"csms": "ws://u:secret@h/ocpp", "station": "CP-1", "answer_timeout": 30.0}


def test_the_header_says_the_answer_timeout_a_loaded_session_is_judged_by():
    details = mode_config.header_details("csms", {"answer_timeout": 12.5})
    assert details["answer_timeout"] == 12.5


def test_proxy_is_wire_transparent_unless_told_otherwise():
    assert mode_config.proxy_config({}).transparent is True
    assert mode_config.proxy_config({"transparent": False}).transparent is False


@pytest.mark.parametrize("mode", DIALOG_MODES)
def test_a_tls_key_log_is_offered_by_every_mode_and_never_remembered(mode):
    [keylog] = [s for s in settings.dialog_settings(mode) if s.name == "tls_keylog"]
    assert keylog.option == "--tls-keylog" and keylog.kind == "output"
    assert not keylog.remembered and "secrets" in keylog.label


def test_a_tls_key_log_is_a_caution_that_it_holds_secrets():
    values = {"upstream": "wss://csms/ocpp", "tls_keylog": "keys.log"}
    [caution] = mode_config.cautions("proxy", values)
    assert "'keys.log'" in caution and "decrypt" in caution
    [empty] = mode_config.cautions("csms", {"tls_keylog": "keys.log"})
    assert "stays empty" in empty and "no connection of this csms uses TLS" in empty
    assert "decrypt" in mode_config.cautions("station", {"csms": "wss://c/ocpp",
                                                         "tls_keylog": "k"})[0]


def test_the_key_log_reaches_every_tls_context_and_is_created_private(tmp_path):
    folder = tmp_path
    log = folder / "keys.log"
    config = mode_config.proxy_config({"upstream": "wss://csms.example/ocpp",
                                       "tls_keylog": str(log)})
    assert config.upstream_ssl.keylog_filename == str(log)
    station, _ = mode_config.station_setup({"csms": "wss://csms.example/ocpp",
                                            "tls_keylog": str(log)})
    assert station.client_ssl.keylog_filename == str(log)
    assert log.exists() and log.stat().st_mode & 0o077 == 0
    plain, _ = mode_config.station_setup({"csms": "ws://csms.example/ocpp"})
    assert plain.client_ssl is None
