"""The mode dialogs: they open, remember what was entered, check it, and start the mode."""

import os

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QLineEdit,
    QPushButton,
    QSpinBox,
)

from app import mode_config
from tests.widgets.conftest import run_until
from widgets import dialogs

FACTORIES = [dialogs.proxy_dialog, dialogs.csms_dialog, dialogs.station_dialog]


@pytest.mark.parametrize("factory", FACTORIES, ids=lambda f: f.__name__)
def test_each_dialog_opens_with_usable_defaults(qtbot, factory):
    dialog = factory()
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.problems() == []
    for field in dialog.fields:
        editor = dialog.editors[field.name]
        assert isinstance(editor, QLineEdit | QSpinBox | QDoubleSpinBox | QCheckBox | QComboBox)
        assert editor.toolTip().startswith(field.help)


def test_defaults_make_engine_configurations(qtbot):
    proxy = dialogs.proxy_dialog()
    csms = dialogs.csms_dialog()
    station = dialogs.station_dialog()
    for dialog in (proxy, csms, station):
        qtbot.addWidget(dialog)
    assert mode_config.proxy_config(proxy.values()).port == 9000
    config, policy = mode_config.csms_setup(csms.values())
    assert config.port == 9000 and policy.heartbeat_interval == 300
    config, _ = mode_config.station_setup(station.values())
    assert config.station_id == "CP-001" and config.connectors == [1]


def test_wrong_values_are_caught_and_good_ones_remembered(qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: shown.append(a[2]))
    dialog = dialogs.proxy_dialog()
    qtbot.addWidget(dialog)
    dialog.editors["upstream"].setText("http://csms.example.com")
    dialog.editors["listen"].setText("nonsense")
    dialog.accept()
    assert "ws:// or wss://" in shown[0] and "HOST:PORT" in shown[0]
    dialog.editors["upstream"].setText("wss://csms.example.com/ocpp")
    dialog.editors["listen"].setText("127.0.0.1:9123")
    dialog.accept()
    again = dialogs.proxy_dialog()
    qtbot.addWidget(again)
    assert again.editors["upstream"].text() == "wss://csms.example.com/ocpp"
    assert again.editors["listen"].text() == "127.0.0.1:9123"


def test_starting_the_csms_from_its_dialog(window, loop, monkeypatch):
    monkeypatch.setattr(dialogs.ModeDialog, "exec", lambda self: (
        self.editors["listen"].setText("127.0.0.1:0"), True)[1])
    window.start_csms()
    run_until(loop, lambda: window.runner.running is not None)
    assert window.runner.running.mode == "csms"
    assert window.mode_label.text().startswith("CSMS")
    assert window.workbench.responder.policy is window.policy


def test_secrets_and_weakened_checks_start_from_their_defaults_each_time(qtbot):
    dialog = dialogs.station_dialog()
    qtbot.addWidget(dialog)
    dialog.editors["password"].setText("s3cret")
    dialog.editors["insecure"].setChecked(True)
    dialog.editors["record_secrets"].setChecked(True)
    dialog.editors["vendor"].setText("Acme")
    dialog.accept()
    again = dialogs.station_dialog()
    qtbot.addWidget(again)
    values = again.values()
    assert (values["password"], values["insecure"], values["record_secrets"]) == ("", False,
                                                                                 False)
    assert values["vendor"] == "Acme"
    stored = QSettings()
    kept = {key.rsplit("/", 1)[-1] for key in stored.allKeys()}
    assert "vendor" in kept and not {"password", "insecure", "record_secrets"} & kept
    assert stored.value("dialogs/station/vendor") == "Acme"


@pytest.mark.parametrize("factory", [dialogs.proxy_dialog, dialogs.station_dialog],
                         ids=lambda f: f.__name__)
def test_switching_certificate_checks_off_is_never_remembered(qtbot, factory):
    dialog = factory()
    qtbot.addWidget(dialog)
    dialog.editors["insecure"].setChecked(True)
    dialog.accept()
    again = factory()
    qtbot.addWidget(again)
    assert again.values()["insecure"] is False
    assert not [key for key in QSettings().allKeys() if key.endswith("/insecure")]


def test_a_url_is_remembered_without_its_password_in_a_private_file(qtbot, usual_umask):
    dialog = dialogs.proxy_dialog()
    qtbot.addWidget(dialog)
    dialog.editors["upstream"].setText("ws://user:hunter2@csms.example.com/ocpp?token=hunter2")
    dialog.accept()
    stored = QSettings()
    stored.sync()
    with open(stored.fileName(), "rb") as file:
        assert b"hunter2" not in file.read()
    assert os.stat(stored.fileName()).st_mode & 0o777 == 0o600
    again = dialogs.proxy_dialog()
    qtbot.addWidget(again)
    assert again.editors["upstream"].text() == "ws://user@csms.example.com/ocpp?token="
    [problem] = again.problems()
    assert "names the user 'user' but no password" in problem


def test_a_password_an_older_version_remembered_is_forgotten_at_once(qtbot):
    QSettings().setValue("dialogs/station/csms", "ws://user:hunter2@csms/ocpp")
    dialog = dialogs.station_dialog()
    qtbot.addWidget(dialog)
    assert dialog.editors["csms"].text() == "ws://user@csms/ocpp"
    assert QSettings().value("dialogs/station/csms") == "ws://user@csms/ocpp"


def test_a_remembered_insecure_from_an_older_version_is_ignored_and_cleared(qtbot):
    QSettings().setValue("dialogs/proxy/insecure", True)
    dialog = dialogs.proxy_dialog()
    qtbot.addWidget(dialog)
    assert dialog.values()["insecure"] is False
    dialog.accept()
    assert QSettings().value("dialogs/proxy/insecure") is None


def test_remembered_numbers_come_back_as_numbers(qtbot):
    dialog = dialogs.proxy_dialog()
    qtbot.addWidget(dialog)
    dialog.editors["answer_timeout"].setValue(2.5)
    dialog.editors["max_size"].setValue(65536)
    dialog.editors["ping_interval"].setValue(20)
    dialog.accept()
    again = dialogs.proxy_dialog()
    qtbot.addWidget(again)
    values = again.values()
    assert (values["answer_timeout"], values["max_size"], values["ping_interval"]) == (
        2.5, 65536, 20.0)
    assert again.editors["ping_interval"].text() != "none"


def test_a_remembered_value_that_no_longer_reads_falls_back_to_the_default(qtbot):
    QSettings().setValue("dialogs/csms/heartbeat_interval", "often")
    dialog = dialogs.csms_dialog()
    qtbot.addWidget(dialog)
    assert dialog.values()["heartbeat_interval"] == 300


def test_optional_numbers_at_zero_say_what_zero_means(qtbot):
    proxy = dialogs.proxy_dialog()
    station = dialogs.station_dialog()
    for dialog in (proxy, station):
        qtbot.addWidget(dialog)
    assert proxy.editors["ping_interval"].text() == "none"
    assert station.editors["heartbeat_interval"].text() == "the CSMS's"
    assert station.editors["pong_timeout"].text().startswith("the ping interval")


def test_the_window_starts_the_proxy_with_every_dialog_value(window, monkeypatch):
    def fill(dialog):
        dialog.editors["upstream"].setText("ws://127.0.0.1:1/ocpp")
        dialog.editors["max_size"].setValue(65536)
        dialog.editors["answer_timeout"].setValue(0.5)
        return True

    started = []
    monkeypatch.setattr(dialogs.ModeDialog, "exec", fill)
    monkeypatch.setattr(window.runner, "start_proxy",
                        lambda *args, **options: started.append(args))
    window.start_proxy()
    [(_capture, config, answer_timeout)] = started
    assert (config.host, config.max_size, answer_timeout) == ("127.0.0.1", 65536, 0.5)


@pytest.mark.parametrize("factory", FACTORIES, ids=lambda f: f.__name__)
def test_record_to_is_offered_empty_each_time_and_browses_for_a_file_to_write(
        qtbot, factory, monkeypatch, tmp_path):
    dialog = factory()
    qtbot.addWidget(dialog)
    line = dialog.editors["record"]
    assert line.text() == "" and "captures folder" in line.placeholderText()
    asked = []
    monkeypatch.setattr(dialogs.QFileDialog, "getSaveFileName",
                        lambda *args: asked.append(args[1]) or (str(tmp_path / "a.jsonl"), ""))
    line.parentWidget().findChild(QPushButton).click()
    assert asked == ["Record to"] and line.text() == str(tmp_path / "a.jsonl")
    dialog.accept()  # a second run must not overwrite the first one's file
    again = factory()
    qtbot.addWidget(again)
    assert again.values()["record"] == ""


def _shown_texts(dialog):
    """What a dialog shows in its fields before anything is typed: placeholders, and the
    words spin boxes show at zero."""
    texts = [line.placeholderText() for line in dialog.findChildren(QLineEdit)]
    texts += [spin.specialValueText() for spin in dialog.findChildren(QSpinBox)]
    texts += [spin.specialValueText() for spin in dialog.findChildren(QDoubleSpinBox)]
    return [text for text in texts if text]


def test_no_dialog_field_speaks_of_the_command_line(qtbot):
    from widgets.replay_dialog import ReplayDialog

    for dialog in [factory() for factory in FACTORIES] + [ReplayDialog()]:
        qtbot.addWidget(dialog)
        for text in _shown_texts(dialog):
            assert "Ctrl-C" not in text and " --" not in text, text
