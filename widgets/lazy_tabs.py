"""Tabs built when first shown or first used, not with the window.

A tab and the modules it imports (charts, pygments, the network engine, the schemas) can cost
more than the whole window around it, and most tabs are never opened in a run. So such a tab
starts as an empty placeholder under its title; the first time it is shown, or its widget is
asked for (`get`, which the owner's property calls), it is built and put in the
placeholder's place, with the title the placeholder had by then (a title may change before).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QTabWidget, QWidget


class LazyTabs(QObject):
    # a tab was just built: its name and widget (connect to wire it before it is used)
    built = Signal(str, QWidget)

    def __init__(self, tabs: QTabWidget) -> None:
        super().__init__(tabs)
        self.tabs = tabs
        self._built: dict[str, QWidget] = {}
        self._placeholders: dict[str, tuple[QWidget, Callable[[], QWidget]]] = {}
        tabs.currentChanged.connect(self._build_shown)

    def add(self, name: str, title: str, build: Callable[[], QWidget]) -> int:
        """A tab under `title`, built by `build()` when first needed; its index."""
        placeholder = QWidget()
        self._placeholders[name] = (placeholder, build)
        return self.tabs.addTab(placeholder, title)

    def is_built(self, name: str) -> bool:
        return name in self._built

    def get(self, name: str) -> QWidget:
        """The tab `name`, built now if it was not yet; the shown tab stays shown."""
        widget = self._built.get(name)
        if widget is not None:
            return widget
        placeholder, build = self._placeholders.pop(name)
        widget = self._built[name] = build()
        tabs = self.tabs
        index, current = tabs.indexOf(placeholder), tabs.currentIndex()
        title, tip = tabs.tabText(index), tabs.tabToolTip(index)
        blocked = tabs.blockSignals(True)  # the same tab stays current: nothing changed
        try:
            tabs.removeTab(index)
            tabs.insertTab(index, widget, title)
            tabs.setTabToolTip(index, tip)
            tabs.setCurrentIndex(current)
        finally:
            tabs.blockSignals(blocked)
        placeholder.deleteLater()
        self.built.emit(name, widget)
        return widget

    def _build_shown(self, index: int) -> None:
        shown = self.tabs.widget(index)
        for name, (placeholder, _build) in list(self._placeholders.items()):
            if placeholder is shown:
                self.get(name)
