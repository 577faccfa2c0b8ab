"""Where replays start in the window: File > Replay session… (Ctrl+R) and the timeline's
"Replay from here…", both opening the Replay dialog, prefilled with the session shown and,
from a record, with its station and seq; then the Replay tab runs it.

The window keeps only the lines that create this and add its two actions to its menus;
starting goes through the window's usual path for live modes (`_start_from`: refused while
a mode runs, and asks before unsaved records are replaced), and the live run becomes the
window's live session, recorded from its first frame like any other. The dialog, the tab and
the replay engine behind them are loaded when a replay is first asked for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence

if TYPE_CHECKING:
    from app.replay.run import ReplayPlan
    from widgets.main_window import MainWindow
    from widgets.replay_dialog import ReplayDialog
    from widgets.replay_page import ReplayPage


class ReplayLauncher(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.page: ReplayPage | None = None
        self.action = QAction("Replay session…", window)
        self.action.setShortcut(QKeySequence("Ctrl+R"))
        self.action.setStatusTip("Play a recorded session to a live peer and compare")
        self.action.triggered.connect(lambda: self.open_dialog())
        self.from_here = QAction("Replay from here…", window)
        self.from_here.setStatusTip("Replay the selected record's station from this record")
        self.from_here.triggered.connect(self.replay_from_selected)

    def dialog(self, station: str = "", start_from: int = 0) -> ReplayDialog:
        """The dialog, its file the session shown (when one was opened from a file)."""
        from widgets.replay_dialog import ReplayDialog

        path = self.window.session_path
        return ReplayDialog(self.window, str(path) if path is not None else "", station,
                            start_from)

    def open_dialog(self, station: str = "", start_from: int = 0) -> None:
        dialog = self.dialog(station, start_from)
        self.window._start_from(dialog, lambda values: self.start(dialog.plan, values))

    def replay_from_selected(self) -> None:
        message = self.window.detail.message
        if message is None:
            self.open_dialog()
        else:
            self.open_dialog(message.station, message.seq)

    def start(self, plan: ReplayPlan | None, values: dict[str, Any], paused: bool = False
              ) -> None:
        """Run `plan` (the dialog's) as the window's live session, on the Replay tab."""
        if plan is None:
            return
        from app.ocpp.conversation import ANSWER_TIMEOUT

        capture = self.window._fresh_capture("replay", values)
        page = self.show_page()
        page.start(plan, capture, values.get("answer_timeout") or ANSWER_TIMEOUT, paused)

    def _select_in_window(self, seq: int) -> None:
        """The window's timeline follows, while it still shows the replay's live capture."""
        if self.page is not None and self.window.capture is self.page.live_model.capture:
            self.window.select_seq(seq)

    def show_page(self) -> ReplayPage:
        """The Replay tab (made on first use), brought to the front."""
        workbench = self.window.workbench
        if self.page is None:
            from widgets.replay_page import ReplayPage

            self.page = ReplayPage(self.window.runner)
            self.page.live_record_chosen.connect(self._select_in_window)
            workbench.addTab(self.page, "Replay")
        self.window.show_workspace()
        workbench.setCurrentWidget(self.page)
        return self.page
