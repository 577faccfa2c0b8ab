"""One colour per status, the same in every state view: a connector that is Faulted is red
wherever it appears. Mid-tone colours that read on light and dark palettes; as backgrounds
they are tints with alpha, so the text colour of the theme stays readable over them."""

from __future__ import annotations

from PySide6.QtGui import QColor

GREEN = QColor(46, 160, 67)
BLUE = QColor(33, 128, 220)
AMBER = QColor(222, 150, 0)
GREY = QColor(128, 128, 128)
RED = QColor(215, 48, 48)

STATUS_COLOURS: dict[str, QColor] = {
    # ConnectorStatusEnumType
    "Available": GREEN,
    "Occupied": BLUE,
    "Reserved": AMBER,
    "Unavailable": GREY,
    "Faulted": RED,
    # ChargingStateEnumType: only charging itself is blue, a pause is amber
    "Charging": BLUE,
    "SuspendedEV": AMBER,
    "SuspendedEVSE": AMBER,
}


def status_colour(status: str | None) -> QColor | None:
    """The colour of a status, or None (the theme's own) for one with no colour of its own.
    A copy: a caller that darkens it for a selection leaves everyone else's alone."""
    colour = STATUS_COLOURS.get(status or "")
    return QColor(colour) if colour is not None else None


def status_tint(status: str | None, alpha: int = 60) -> QColor | None:
    """A background for a cell showing `status`."""
    colour = status_colour(status)
    if colour is None:
        return None
    tint = QColor(colour)
    tint.setAlpha(alpha)
    return tint
