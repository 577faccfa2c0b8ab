"""The mode dialogs: they open, remember what was entered, check it, and start the mode."""

import pytest
from PySide6.QtWidgets import QCheckBox, QLineEdit, QSpinBox

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
        editor = dialog.editors[field.key]
        assert isinstance(editor, QLineEdit | QSpinBox | QCheckBox)
        assert editor.toolTip() == field.hint or not field.hint


def test_defaults_make_engine_configurations(qtbot):
    proxy = dialogs.proxy_dialog()
    csms = dialogs.csms_dialog()
    station = dialogs.station_dialog()
    for dialog in (proxy, csms, station):
        qtbot.addWidget(dialog)
    assert dialogs.proxy_config(proxy.values()).port == 9000
    config, policy = dialogs.csms_setup(csms.values())
    assert config.port == 9000 and policy.heartbeat_interval == 300
    config, _ = dialogs.station_setup(station.values())
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
