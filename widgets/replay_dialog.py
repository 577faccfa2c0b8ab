"""The Replay dialog: the `replay` mode's settings (`app.settings`), built like the other
start dialogs, plus what only a replay has: the session file, the station picked from the
stations that file holds, rewrite rules typed one per line, and paths left out of the
comparison.

It refuses what cannot run in one sentence each (no such file, no such station, a rule that
is not PATH=VALUE, a CSMS URL that is no ws:// URL), in the words the command line uses, and
on Start reads and judges the file once into `plan` (`app.replay.run.plan_replay`), which
the window then runs: the dialog decides nothing about the replay itself.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from app.errors import OcppScopeError
from app.replay.rewrite import load_rules_file, parse_rule
from app.replay.run import ReplayPlan, plan_replay, recorded_stations
from app.replay.script import Recording, load_recording
from app.settings import Setting
from widgets.dialogs import ModeDialog

FILE_LABEL = "Session file"
RULES_LABEL = "Rewrite rules"
IGNORE_LABEL = "Also ignore"
_SEPARATORS = re.compile(r"[\s,]+")


class ReplayDialog(ModeDialog):
    """`values()` also holds "file", "rewrite" (a list of PATH=VALUE) and "ignore" (a list
    of paths); after Start, `plan` is the replay to run."""

    def __init__(self, parent: QWidget | None = None, file: str = "", station: str = "",
                 start_from: int = 0) -> None:
        super().__init__("replay", "Replay a session",
                         "Play one side of a recorded session to a live peer and see where "
                         "it now answers differently. Message ids are fresh and date-times "
                         "move so that the first one sent is now.", parent)
        self.plan: ReplayPlan | None = None
        self._recording: Recording | None = None   # read once, kept for the same file
        self._stations: tuple[str, list[str] | str] | None = None   # file -> stations/error
        self.station_box: QComboBox = self.editors["station"]  # type: ignore[assignment]
        form = self._main_form()
        self.file_edit = QLineEdit(file)
        self.file_edit.setPlaceholderText("a session file recorded by OCPP Scope")
        self.file_edit.setToolTip("the recorded session to replay")
        browse = QPushButton("…")
        browse.setFixedWidth(28)
        browse.setToolTip("Choose a session file")
        browse.clicked.connect(self._choose_file)
        holder = QWidget(self)
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.file_edit, 1)
        row.addWidget(browse)
        form.insertRow(0, FILE_LABEL, holder)
        self.file_edit.editingFinished.connect(self._fill_stations)
        self.rules_edit = QPlainTextEdit()
        self.rules_edit.setPlaceholderText("one PATH=VALUE a line, e.g. "
                                           "idToken.idToken=LAB-TAG-1 or @station=LAB-7")
        self.rules_edit.setToolTip(self._help_of("rewrite"))
        self.rules_edit.setFixedHeight(self.fontMetrics().height() * 4 + 12)
        self.ignore_edit = QLineEdit()
        self.ignore_edit.setPlaceholderText("paths, separated by commas or spaces")
        self.ignore_edit.setToolTip(self._help_of("ignore"))
        rules_file = self.editors["rewrite_file"].parentWidget()
        position = form.getWidgetPosition(rules_file)[0] if rules_file is not None else -1
        at = position + 1 if position >= 0 else form.rowCount()
        form.insertRow(at, RULES_LABEL, self.rules_edit)
        form.insertRow(at + 1, IGNORE_LABEL, self.ignore_edit)
        role: QComboBox = self.editors["role"]  # type: ignore[assignment]
        role.currentIndexChanged.connect(self._role_changed)
        self._role_changed()
        if station:
            self.station_box.setCurrentText(station)
        if start_from:
            self.editors["start_from"].setValue(start_from)  # type: ignore[attr-defined]
        self._fill_stations()
        if station:  # the record's station wins over last time's
            self.station_box.setCurrentText(station)

    # --- building -------------------------------------------------------------------------

    def _editor(self, field: Setting) -> tuple[QWidget, QWidget]:
        """The station is chosen from the file's stations (or typed, as the CSMS)."""
        if field.name != "station":
            return super()._editor(field)
        box = QComboBox()
        box.setEditable(True)
        box.setCurrentText(str(self._initial(field)))
        box.lineEdit().setPlaceholderText("the only station of the file")
        return box, box

    def _main_form(self) -> QFormLayout:
        layout = self.layout()
        for index in range(layout.count()):
            form = layout.itemAt(index).layout()
            if isinstance(form, QFormLayout):
                return form
        raise AssertionError("the dialog has no main form")

    def _help_of(self, name: str) -> str:
        from app import settings

        return next(s.help for s in settings.mode_settings("replay") if s.name == name)

    def _role_changed(self) -> None:
        as_station = self.editors["role"].currentData() == "station"  # type: ignore[attr-defined]
        for name, on in (("csms", as_station), ("listen", not as_station),
                         ("wait", not as_station)):
            holder = self.editors[name]
            holder.setEnabled(on)

    def _choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Replay a session", self.file_edit.text(),
                                              "Sessions (*.jsonl);;All files (*)")
        if path:
            self.file_edit.setText(path)
            self._fill_stations()

    def _fill_stations(self) -> None:
        """List the stations of the file named; a single one is chosen at once."""
        found = self._stations_of(self.file_edit.text().strip())
        typed = self.station_box.currentText()
        self.station_box.clear()
        if isinstance(found, list):
            self.station_box.addItems(found)
        if typed:
            self.station_box.setCurrentText(typed)
        elif isinstance(found, list) and len(found) == 1:
            self.station_box.setCurrentText(found[0])
        else:  # several: the user chooses, none is taken for them
            self.station_box.setCurrentIndex(-1)

    def _stations_of(self, file: str) -> list[str] | str:
        """The file's stations, or why there are none (a sentence); read once per file."""
        if not file:
            return "choose the recorded session to replay"
        if self._stations is not None and self._stations[0] == file:
            return self._stations[1]
        found: list[str] | str
        if not Path(file).is_file():
            found = f"'{file}': no such file"
        else:
            try:
                found = recorded_stations(file)
            except OcppScopeError as exc:
                found = str(exc)
            except OSError as exc:
                found = f"'{file}': cannot be read ({exc.strerror or exc})"
        self._stations = (file, found)
        return found

    # --- values and checks ----------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        out = super().values()
        out["station"] = self.station_box.currentText().strip()
        out["file"] = self.file_edit.text().strip()
        out["rewrite"] = [line.strip() for line in self.rules_edit.toPlainText().splitlines()
                          if line.strip()]
        out["ignore"] = [p for p in _SEPARATORS.split(self.ignore_edit.text()) if p]
        return out

    def problems(self) -> list[str]:
        """The settings table's problems, then the file's, the station's and the rules'."""
        found = super().problems()
        values = self.values()
        stations = self._stations_of(values["file"])
        if isinstance(stations, str):
            found.insert(0, f"{FILE_LABEL}: {stations}")
        elif not stations:
            found.insert(0, f"{FILE_LABEL}: no OCPP frames of any station to replay")
        elif values["station"] and values["station"] not in stations:
            found.append(f"Station: this file has no station '{values['station']}' (it "
                         f"holds {', '.join(stations)})")
        elif not values["station"] and len(stations) > 1:
            found.append(f"Station: choose one of the file's {len(stations)} stations "
                         f"({', '.join(stations)})")
        for rule in values["rewrite"]:
            try:
                parse_rule(rule)
            except OcppScopeError as exc:
                found.append(f"{RULES_LABEL}: {str(exc).removeprefix('--rewrite ')}")
        if values["rewrite_file"]:
            try:
                load_rules_file(values["rewrite_file"])
            except OcppScopeError as exc:
                found.append(f"Rewrite rules file: {exc}")
        return found

    def accept(self) -> None:
        """Read and judge the file into `plan`, then close (remembering the settings)."""
        if self.told_problems():
            return
        values = self.values()
        try:
            if self._recording is None or str(self._recording.path) != values["file"]:
                self._recording = load_recording(values["file"])
            self.plan = plan_replay(values["file"], values, self._recording)
        except OcppScopeError as exc:
            QMessageBox.warning(self, self.windowTitle(), str(exc))
            return
        super().accept()
