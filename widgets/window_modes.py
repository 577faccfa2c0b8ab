"""The window's modes: starting the demo, a proxy, a CSMS or a station from its dialog,
stopping it, and what the window shows while one runs (title, cautions, counts, the
composer's targets). A part of `MainWindow`, kept in its own module as `SessionsMixin` is;
the runs themselves live in the engine (`widgets.runner.ModeRunner` starts them there)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.errors import OcppScopeError
from app.wording import count

if TYPE_CHECKING:
    from app.session.capture import Capture
    from widgets.dialogs import ModeDialog
    from widgets.main_window import MainWindow


class ModesMixin:
    def _fresh_capture(self: MainWindow, mode: str = "live",
                       values: dict[str, Any] | None = None) -> Capture:
        """A new live capture, recorded from its first record (`values["record"]`, or a new
        file in the captures folder); an InputError if the file named cannot be written."""
        capture = self.capture_guard.record(mode, values or {})
        self.session_path = None
        self._show_capture(capture, live=True)
        self.show_workspace()
        return capture

    def start_demo(self: MainWindow) -> None:
        if self.runner.busy:
            return self._error("a mode is already running: stop it first")
        self.capture_guard.proceed("starting the demo", lambda: self.runner.start_demo(
            self._fresh_capture("demo")))

    # the start dialogs and the settings behind them load the network engine's
    # configuration: imported when a mode is chosen, not with the window
    def start_proxy(self: MainWindow) -> None:
        from app import mode_config
        from widgets import dialogs

        def start(values: dict[str, Any]) -> None:
            config = mode_config.proxy_config(values)
            self.runner.start_proxy(self._fresh_capture("proxy", values), config,
                                    values["answer_timeout"],
                                    cautions=mode_config.cautions("proxy", values))

        self._start_from(dialogs.proxy_dialog(self), start)

    def start_csms(self: MainWindow) -> None:
        from app import mode_config
        from widgets import dialogs

        def start(values: dict[str, Any]) -> None:
            config, self.policy = mode_config.csms_setup(values)
            self.runner.start_csms(self._fresh_capture("csms", values), config, self.policy,
                                   values["answer_timeout"],
                                   cautions=mode_config.cautions("csms", values))

        self._start_from(dialogs.csms_dialog(self), start)

    def start_station(self: MainWindow) -> None:
        from app import mode_config
        from widgets import dialogs

        def start(values: dict[str, Any]) -> None:
            config, self.policy = mode_config.station_setup(values)
            self.runner.start_station(self._fresh_capture("station", values), config,
                                      self.policy, values["answer_timeout"],
                                      cautions=mode_config.cautions("station", values))

        self._start_from(dialogs.station_dialog(self), start)

    def _start_from(self: MainWindow, dialog: ModeDialog, start: Any) -> None:
        if self.runner.busy:
            return self._error("a mode is already running: stop it first")
        if not dialog.exec():
            return None
        values = dialog.values()

        def begin() -> None:
            try:
                start(values)
            except OcppScopeError as exc:  # a certificate, rules or record file: say why
                self._error(str(exc))

        self.capture_guard.proceed("starting a new capture", begin)
        return None

    def stop_mode(self: MainWindow) -> None:
        self.runner.stop()

    def _mode_started(self: MainWindow, mode: str, address: str) -> None:
        self.mode_label.setText(f"{mode.upper()}  {address}")
        self.setWindowTitle(f"OCPP Scope — {mode} {address}")
        cautions = self.runner.running.cautions if self.runner.running else []
        self.caution_label.setText("⚠ " + " · ".join(cautions))
        self.caution_label.setToolTip("\n".join(cautions))
        self.caution_label.setVisible(bool(cautions))
        self._update_mode_actions()
        self.workbench.mode_started(mode, self.policy if mode in ("csms", "station") else None)
        self._update_targets()

    def _mode_stopped(self: MainWindow) -> None:
        self.mode_label.setText("Stopped")
        self.caution_label.hide()
        self._update_mode_actions()
        self._update_targets()

    def _update_targets(self: MainWindow) -> None:
        from app.state.summary import named_stations

        running = self.runner.running
        connected = sorted(s.station for s in named_stations(self.state) if s.connected)
        self.workbench.update_targets(running.mode if running else None, connected)

    def show_tab(self: MainWindow, index: int) -> None:
        self.show_workspace()
        self.workbench.setCurrentIndex(index)

    def show_reference(self: MainWindow) -> None:
        self.show_tab(self.workbench.reference_tab)

    def edit_as_new(self: MainWindow) -> None:
        message = self.detail.message
        if message is None or not self.workbench.edit_as_new(self.capture, message):
            self.statusBar().showMessage("only a CALL or CALLRESULT with a known action "
                                         "can be edited as new", 6000)

    def _update_mode_actions(self: MainWindow) -> None:
        runner = self._runner  # none yet: no mode ever ran
        running = runner is not None and runner.running is not None
        for action in (self.demo_action, self.proxy_action, self.csms_action,
                       self.station_action, self.open_action):
            action.setEnabled(not running)
        self.stop_action.setEnabled(running)

    def _update_counts(self: MainWindow) -> None:
        if not self.workspace_built:  # nothing recorded or opened yet
            self.counts_label.setText(_counts_text(0, 0, 0, 0, 0))
            return
        from app.state.summary import named_stations

        if self.runner.running is not None:
            # CALLs turn "unanswered" by the clock alone: repaint what is visible
            self.table.viewport().update()
        connected = sum(1 for s in named_stations(self.state) if s.connected)
        waiting = self.bridge.pending if self.bridge.paused else 0
        self.counts_label.setText(_counts_text(len(self.capture.messages),
                                               self.capture.invalid, connected,
                                               len(self.model.rows), waiting))


def _counts_text(total: int, invalid: int, connected: int, shown: int, waiting: int) -> str:
    """The status bar's counts; `waiting`: records held back while the display is paused."""
    text = f"{count(total, 'record')} · {invalid:,} invalid · {connected} connected"
    if shown != total:
        text += f" · {shown:,} shown"
    if waiting:
        text += f" · {waiting:,} waiting (paused)"
    return text
