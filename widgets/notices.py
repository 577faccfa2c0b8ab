"""`Notices`: the one place where the window tells its user about a problem.

A person at the window gets a dialog (or, for something worth knowing but not worth a click,
a status bar message). Nobody is at the window when it runs headless (`ocppscope gui FILE
--screenshot shot.png`): a modal dialog would wait for a click that never comes, so there
every notice is one line on standard error, `ocppscope: <text>`, and the program goes on.
Every modal path that the command line can reach (a file that cannot be opened, lines
skipped while loading, a demo that fails) goes through here, so no other code needs to know
which of the two it is.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMainWindow

PROGRAM = "ocppscope"
STATUS_SECONDS = 15


class Notices:
    """Dialogs for the window's user, or lines on stderr when `headless` is set.

    `failed` becomes True when an error was told headless: what was asked for (open this
    file, run the demo) did not happen, and the command's exit status says so."""

    def __init__(self, window: QMainWindow, headless: bool = False) -> None:
        self.window = window
        self.headless = headless
        self.failed = False

    def error(self, text: str) -> None:
        """Something the user asked for did not happen: why, in one sentence."""
        if self.headless:
            self.failed = True
            self._line(text)
        else:
            from PySide6.QtWidgets import QMessageBox  # made by Qt when first named

            QMessageBox.warning(self.window, "OCPP Scope", text)

    def warning(self, title: str, text: str, details: Sequence[str] = ()) -> None:
        """It happened, but not completely (a damaged file loaded in part): what was left
        out, with up to a dozen `details`; headless, the first detail stands for them."""
        if self.headless:
            self._line(f"{text} (first: {details[0]})" if details else text)
        else:
            from PySide6.QtWidgets import QMessageBox

            body = (f"{text}\n\n" + "\n".join(details[:12])) if details else text
            QMessageBox.information(self.window, title, body)

    def note(self, text: str) -> None:
        """Worth knowing, not worth a click (a session without records): the status bar."""
        if self.headless:
            self._line(text)
        else:
            self.window.statusBar().showMessage(text, STATUS_SECONDS * 1000)

    def _line(self, text: str) -> None:
        # One line, whatever the text holds: a file name or a peer's text may carry line
        # breaks, and a reader of stderr counts lines.
        flat = " ".join(text.split())
        print(f"{PROGRAM}: {flat}", file=sys.stderr, flush=True)
        # and in the picture too, which otherwise shows a welcome page without saying why
        self.window.statusBar().showMessage(flat)
