"""The window's settings file, readable by its owner only.

QSettings remembers the dialogs' URLs, recent files and the window's layout. Passwords are
never among them (`widgets.dialogs` leaves them out), but user names, hosts and file paths
still say more about a site than other users of the machine need to know. Qt creates the
file with what the umask allows (usually 0644) and, when it rewrites the file, keeps the
permissions the file already has: so the file is created empty with 0600 before Qt first
writes it, and an existing one is set to 0600.

Only where the settings are a file of ours: on Linux and the BSDs (an INI file) and for
`IniFormat`. On macOS the native format belongs to the system's preferences daemon, which
rewrites the file its own way (an existing one is still set to 0600); on Windows they are in
the registry, under the user's own key.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

from PySide6.QtCore import QSettings

PRIVATE = 0o600


def private_settings() -> QSettings:
    """The application's QSettings, with its file made private (see the module's text)."""
    settings = QSettings()
    make_private(settings)
    return settings


def make_private(settings: QSettings) -> None:
    if os.name != "posix":
        return
    path = Path(settings.fileName())
    if path.is_file():
        with contextlib.suppress(OSError):  # not ours to change: leave it
            path.chmod(PRIVATE)
        return
    ours = settings.format() == QSettings.Format.IniFormat or sys.platform != "darwin"
    if not ours or not path.is_absolute():
        return
    with contextlib.suppress(OSError):  # a folder we cannot write: Qt will say so itself
        path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE))
