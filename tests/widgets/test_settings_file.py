"""The window's settings file is readable by its owner only, from its first write on."""

import os

from PySide6.QtCore import QSettings

from widgets.settings_file import private_settings


def _mode(path):
    return os.stat(path).st_mode & 0o777


def test_a_new_settings_file_is_private_and_stays_so_when_qt_writes_it(usual_umask):
    settings = private_settings()
    settings.setValue("dialogs/proxy/listen", "127.0.0.1:9000")
    settings.sync()
    assert _mode(settings.fileName()) == 0o600
    again = QSettings()
    again.setValue("window/geometry", "x")
    again.sync()
    assert _mode(again.fileName()) == 0o600
    assert private_settings().value("dialogs/proxy/listen") == "127.0.0.1:9000"


def test_a_settings_file_others_could_read_is_made_private(usual_umask):
    older = QSettings()
    older.setValue("recent/files", ["a.jsonl"])
    older.sync()
    assert _mode(older.fileName()) == 0o644  # what Qt alone does under the usual umask
    assert _mode(private_settings().fileName()) == 0o600
