"""One colour per connector status, shared by every state view so a status reads the same
everywhere. Mid-tone colours: they stay readable as text or as a swatch on both light and
dark palettes."""

from __future__ import annotations

from PySide6.QtGui import QColor

STATUS_COLOURS: dict[str, QColor] = {
    "Available": QColor(46, 157, 74),      # green
    "Occupied": QColor(47, 116, 192),      # blue
    "Charging": QColor(47, 116, 192),
    "Reserved": QColor(214, 150, 0),       # amber
    "Unavailable": QColor(128, 134, 144),  # grey
    "Faulted": QColor(210, 60, 60),        # red
}


def status_colour(status: str | None) -> QColor | None:
    """The colour of `status`; None for a status we do not know (or none yet): the caller
    keeps the palette's own, neutral colour then."""
    colour = STATUS_COLOURS.get(status or "")
    return QColor(colour) if colour is not None else None
