"""The window's actions: toolbar, menus, the timeline's context menu and the shortcuts,
each an action with its text, key and tip in one place. A part of `MainWindow`, kept in its
own module as `SessionsMixin` is.

They are made with the window, before its workspace (`widgets.workspace`) exists: an action
on the timeline, the detail pane or a tab reaches its target through the window's attributes
when triggered, which builds the workspace first if it is not there yet."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QAction, QKeySequence

from widgets.replay_launcher import ReplayLauncher
from widgets.workbench_tabs import TAB_TITLES

if TYPE_CHECKING:
    from widgets.main_window import MainWindow
    from widgets.redact_export import RedactExporter


class ActionsMixin:
    def _action(self: MainWindow, text: str, slot: Any, shortcut: str | QKeySequence | None = None,
                tip: str = "", checkable: bool = False) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setToolTip(tip)
            action.setStatusTip(tip)
        action.setCheckable(checkable)
        (action.toggled if checkable else action.triggered).connect(slot)
        return action

    @property
    def redact_export(self: MainWindow) -> RedactExporter:
        """What File > Export redacted… runs, made (its module with it) when first used."""
        if self._redact_exporter is None:
            from widgets.redact_export import RedactExporter

            self._redact_exporter = RedactExporter(self, self.redact_action)
        return self._redact_exporter

    def _build_actions(self: MainWindow) -> None:
        self.demo_action = self._action("Demo", self.start_demo, "Ctrl+D",
                                        "Run a charging session through the proxy, here")
        self.proxy_action = self._action("Proxy…", self.start_proxy, "Ctrl+Shift+P",
                                         "Relay stations to their CSMS and watch every frame")
        self.csms_action = self._action("CSMS…", self.start_csms, "Ctrl+Shift+M",
                                        "Let stations connect to OCPP Scope")
        self.station_action = self._action("Station…", self.start_station, "Ctrl+Shift+T",
                                           "Connect to a CSMS as a charging station")
        self.stop_action = self._action("Stop", self.stop_mode, "Ctrl+.",
                                        "Stop the running mode (the records stay)")
        self.open_action = self._action("Open…", self.open_dialog, QKeySequence.StandardKey.Open,
                                        "Open a session file or a file of frames")
        self.save_action = self._action("Save as…", self.save_dialog,
                                        QKeySequence.StandardKey.Save,
                                        "Save every record of the session shown as a session "
                                        "file (filters leave none out)")
        self.follow_action = self._action("Follow", self.set_follow, "Ctrl+End",
                                          "Keep the newest frame in view", checkable=True)
        self.follow_action.setChecked(True)
        self.pause_action = self._action("Pause display", self.set_paused, "Ctrl+P",
                                         "Freeze the display; capturing goes on",
                                         checkable=True)
        self.delta_action = self._action("Relative times", self.set_delta_time, "Ctrl+T",
                                         "Show time since the previous row", checkable=True)
        self.pair_action = self._action("Go to pair", lambda: self.detail.go_to_pair(),
                                        "Ctrl+J", "Jump between a request and its response")
        self.edit_action = self._action("Edit as new", self.edit_as_new, "Ctrl+E",
                                        "Open the selected frame in the composer")
        self.copy_action = self._action("Copy as JSON", lambda: self.detail.copy_json(),
                                        "Ctrl+Shift+C")
        self.replay = ReplayLauncher(self)  # File > Replay session…, "Replay from here…"
        self._redact_exporter: RedactExporter | None = None  # `redact_export`, on first use
        self.redact_action = self._action(
            "Export redacted…", lambda: self.redact_export.ask(),
            tip="Write the session with idTokens, serial numbers, certificates, passwords, "
                "hosts and station ids replaced, to share it")
        # View > Colouring…; the rules themselves come with the timeline (`colouring`)
        self.colouring_action = self._action(
            "Colouring rules…", lambda: self.colouring.open_editor(),
            tip="Colour timeline rows by expressions of the filter language")
        find = self._action("Find", lambda: self.filter_bar.search.setFocus(), "Ctrl+F")
        next_invalid = self._action("Next invalid frame", lambda: self.jumps.next_invalid(),
                                    "F8", "Select the next invalid frame in the timeline")
        previous_invalid = self._action("Previous invalid frame",
                                        lambda: self.jumps.previous_invalid(), "Shift+F8",
                                        "Select the previous invalid frame in the timeline")
        quit_action = self._action("Quit", self.close, QKeySequence.StandardKey.Quit)
        about = self._action("About OCPP Scope", self.about)

        toolbar = self.addToolBar("Main")
        toolbar.setObjectName("main-toolbar")
        for action in (self.demo_action, self.proxy_action, self.csms_action,
                       self.station_action, self.stop_action):
            toolbar.addAction(action)
        toolbar.addSeparator()
        toolbar.addAction(self.open_action)
        toolbar.addAction(self.save_action)
        toolbar.addSeparator()
        toolbar.addAction(self.follow_action)
        toolbar.addAction(self.pause_action)

        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        file_menu.addAction(self.open_action)
        self.recent_menu = file_menu.addMenu("Open &recent")
        file_menu.addMenu(self.captures_menu)
        file_menu.addAction(self.save_action)
        file_menu.addAction(self.replay.action)
        file_menu.addSeparator()
        file_menu.addAction(self._action("Export saved messages…", self.export_saved))
        file_menu.addAction(self._action("Import saved messages…", self.import_saved))
        file_menu.addAction(self.redact_action)
        file_menu.addSeparator()
        file_menu.addAction(quit_action)
        run_menu = menu.addMenu("&Run")
        for action in (self.demo_action, self.proxy_action, self.csms_action,
                       self.station_action, self.stop_action):
            run_menu.addAction(action)
        view_menu = self.view_menu = menu.addMenu("&View")
        pair, copy, edit = self.pair_action, self.copy_action, self.edit_action
        for action in (self.follow_action, self.pause_action, self.delta_action, find, pair,
                       copy, edit, next_invalid, previous_invalid):
            view_menu.addAction(action)
        # the Playback menu goes before the colouring rules when the timeline is built
        view_menu.addAction(self.colouring_action)
        view_menu.addSeparator()
        for index, name in enumerate(TAB_TITLES):
            view_menu.addAction(self._action(name, lambda _=False, i=index: self.show_tab(i),
                                             f"Ctrl+{index + 1}"))
        menu.addMenu("&Help").addAction(about)
        for action in (pair, copy, find, next_invalid, previous_invalid):
            self.addAction(action)
