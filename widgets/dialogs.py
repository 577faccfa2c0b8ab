"""The dialogs that start a mode. Each remembers what was entered last time (QSettings), and
checks its values before closing, so that a wrong URL is caught here, in words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.net import tls
from app.net.csms import CsmsConfig
from app.net.policy import ResponsePolicy
from app.net.proxy import ProxyConfig
from app.net.station import StationConfig


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    kind: str = "text"          # text, password, int, file, check
    default: Any = ""
    hint: str = ""
    minimum: int = 0
    maximum: int = 65535


PROXY_FIELDS = (
    Field("listen", "Listen on", default="0.0.0.0:9000",
          hint="HOST:PORT where stations connect"),
    Field("upstream", "CSMS URL", default="ws://localhost:9001/ocpp",
          hint="ws:// or wss://; the station id is appended"),
    Field("cert", "Server certificate", "file", hint="PEM; makes the proxy listen on wss://"),
    Field("key", "Server key", "file", hint="PEM, if not inside the certificate file"),
    Field("client_ca", "Require station certificates from CA", "file",
          hint="security profile 3"),
    Field("upstream_ca", "Trust CSMS certificates from CA", "file",
          hint="default: the system's CAs"),
    Field("upstream_cert", "Client certificate for the CSMS", "file"),
    Field("upstream_key", "Client key for the CSMS", "file"),
    Field("insecure", "Do not verify the CSMS certificate", "check", default=False),
)

CSMS_FIELDS = (
    Field("listen", "Listen on", default="0.0.0.0:9000",
          hint="stations connect to ws://HOST:PORT/ocpp/<stationId>"),
    Field("heartbeat", "Heartbeat interval (s)", "int", default=300, minimum=0,
          maximum=86400),
    Field("responses", "Answer rules file", "file", hint="JSON; see the README"),
    Field("strict", "Answer invalid requests with CALLERROR", "check", default=False),
    Field("cert", "Server certificate", "file", hint="PEM; listen on wss://"),
    Field("key", "Server key", "file"),
    Field("client_ca", "Require station certificates from CA", "file"),
)

STATION_FIELDS = (
    Field("csms", "CSMS URL", default="ws://localhost:9000/ocpp",
          hint="ws:// or wss://; the station id is appended"),
    Field("station_id", "Station id", default="CP-001"),
    Field("password", "Basic auth password", "password", hint="empty: no Basic auth"),
    Field("connectors", "EVSEs", "int", default=1, minimum=1, maximum=32),
    Field("responses", "Answer rules file", "file"),
    Field("ca", "Trust CSMS certificates from CA", "file"),
    Field("client_cert", "Client certificate", "file", hint="security profile 3"),
    Field("client_key", "Client key", "file"),
)


class ModeDialog(QDialog):
    def __init__(self, mode: str, title: str, fields: tuple[Field, ...], intro: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.mode = mode
        self.fields = fields
        self.settings = QSettings()
        self.editors: dict[str, QWidget] = {}
        form = QFormLayout()
        for field in fields:
            editor, shown = self._editor(field)
            self.editors[field.key] = editor
            label = QLabel(field.label)
            if field.hint:
                label.setToolTip(field.hint)
                editor.setToolTip(field.hint)
            form.addRow(label, shown)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Start")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        text = QLabel(intro)
        text.setWordWrap(True)
        layout.addWidget(text)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.setMinimumWidth(620)

    def _editor(self, field: Field) -> tuple[QWidget, QWidget]:
        """The widget holding the value, and the widget to put in the form (for a file, the
        line edit with its browse button beside it)."""
        stored = self.settings.value(f"dialogs/{self.mode}/{field.key}", field.default)
        if field.kind == "check":
            box = QCheckBox()
            box.setChecked(str(stored).lower() in ("true", "1"))
            return box, box
        if field.kind == "int":
            spin = QSpinBox()
            spin.setRange(field.minimum, field.maximum)
            try:
                spin.setValue(int(stored))
            except (TypeError, ValueError):
                spin.setValue(int(field.default))
            return spin, spin
        line = QLineEdit(str(stored or ""))
        line.setPlaceholderText(field.hint)
        if field.kind == "password":
            line.setEchoMode(QLineEdit.EchoMode.Password)
            line.setText("")  # passwords are not remembered
        if field.kind != "file":
            return line, line
        holder = QWidget(self)
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        browse = QPushButton("…")
        browse.setFixedWidth(28)
        browse.setToolTip("Choose a file")
        browse.clicked.connect(lambda: self._browse(line))
        row.addWidget(line, 1)
        row.addWidget(browse)
        return line, holder

    def _browse(self, line: QLineEdit) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose a file", line.text())
        if path:
            line.setText(path)

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for field in self.fields:
            editor = self.editors[field.key]
            if isinstance(editor, QCheckBox):
                out[field.key] = editor.isChecked()
            elif isinstance(editor, QSpinBox):
                out[field.key] = editor.value()
            else:
                out[field.key] = editor.text().strip()  # type: ignore[attr-defined]
        return out

    def problems(self) -> list[str]:
        values = self.values()
        found = []
        for key in ("upstream", "csms"):
            if key in values and urlsplit(values[key]).scheme not in ("ws", "wss"):
                found.append(f"the URL '{values[key]}' must start with ws:// or wss://")
        if "listen" in values:
            _, _, port = values["listen"].rpartition(":")
            if not port.isdigit() or not 0 <= int(port) <= 65535:
                found.append(f"'{values['listen']}' is not HOST:PORT, e.g. 0.0.0.0:9000")
        if "station_id" in values and not values["station_id"]:
            found.append("the station id is empty")
        return found

    def accept(self) -> None:
        problems = self.problems()
        if problems:
            QMessageBox.warning(self, self.windowTitle(), "\n".join(problems))
            return
        for key, value in self.values().items():
            if key != "password":
                self.settings.setValue(f"dialogs/{self.mode}/{key}", value)
        super().accept()


def proxy_dialog(parent: QWidget | None = None) -> ModeDialog:
    return ModeDialog("proxy", "Start the proxy", PROXY_FIELDS,
                      "Stations connect here and are relayed to the CSMS; every frame is "
                      "forwarded unchanged, then checked and shown.", parent)


def csms_dialog(parent: QWidget | None = None) -> ModeDialog:
    return ModeDialog("csms", "Act as a CSMS", CSMS_FIELDS,
                      "Stations connect to OCPP Scope, which answers all 64 actions with "
                      "schema-valid defaults (change them with an answer rules file).", parent)


def station_dialog(parent: QWidget | None = None) -> ModeDialog:
    return ModeDialog("station", "Act as a charging station", STATION_FIELDS,
                      "OCPP Scope connects to the CSMS as a station: BootNotification, "
                      "status, heartbeats, and an answer to every request.", parent)


# --- from dialog values to engine configuration (raise TlsSetupError, PolicyError, ValueError)


def proxy_config(values: dict[str, Any]) -> ProxyConfig:
    host, port = _address(values["listen"])
    return ProxyConfig(
        upstream=values["upstream"], host=host, port=port,
        server_ssl=tls.server_context(values["cert"], values["key"] or None,
                                      values["client_ca"] or None) if values["cert"] else None,
        upstream_ssl=tls.client_context(values["upstream_ca"] or None,
                                        values["upstream_cert"] or None,
                                        values["upstream_key"] or None,
                                        verify=not values["insecure"])
        if values["upstream"].startswith("wss:") else None)


def csms_setup(values: dict[str, Any]) -> tuple[CsmsConfig, ResponsePolicy]:
    host, port = _address(values["listen"])
    config = CsmsConfig(host=host, port=port, server_ssl=tls.server_context(
        values["cert"], values["key"] or None, values["client_ca"] or None)
        if values["cert"] else None)
    return config, _policy(values["responses"], values["heartbeat"], values["strict"])


def station_setup(values: dict[str, Any]) -> tuple[StationConfig, ResponsePolicy]:
    config = StationConfig(
        csms_url=values["csms"], station_id=values["station_id"],
        password=values["password"] or None, connectors=[1] * values["connectors"],
        client_ssl=tls.client_context(values["ca"] or None, values["client_cert"] or None,
                                      values["client_key"] or None)
        if values["csms"].startswith("wss:") else None)
    return config, _policy(values["responses"])


def _address(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not port.isdigit():
        raise ValueError(f"'{text}' is not HOST:PORT")
    return host.strip("[]") or "127.0.0.1", int(port)


def _policy(path: str, heartbeat: int = 300, strict: bool = False) -> ResponsePolicy:
    if path:
        return ResponsePolicy.from_file(path, heartbeat_interval=heartbeat, strict=strict)
    return ResponsePolicy(heartbeat_interval=heartbeat, strict=strict)
