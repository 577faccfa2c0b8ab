"""Small pieces of layout that several views build alike."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


def titled(label: QLabel, widget: QWidget, stretch: int = 0) -> QWidget:
    """`widget` under its title, with no margin of their own: panes shown side by side or
    stacked in a splitter (this message and its answer, recorded and live, a list under its
    heading) line up with the pane around them. `stretch` 1 gives all the height to the
    widget, none to the title."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(label)
    layout.addWidget(widget, stretch)
    return box
