"""The recent-files list, kept in QSettings so it survives restarts."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

MAX_RECENT = 8


class RecentFiles:
    def __init__(self, settings: QSettings) -> None:
        self.settings = settings

    def paths(self) -> list[str]:
        value = self.settings.value("recent", [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in value or []]

    def remember(self, path: str) -> list[str]:
        path = str(Path(path).resolve())
        paths = [path, *[p for p in self.paths() if p != path]][:MAX_RECENT]
        self.settings.setValue("recent", paths)
        return paths

    def last_folder(self) -> str:
        paths = self.paths()
        return str(Path(paths[0]).parent) if paths else str(Path.home())
