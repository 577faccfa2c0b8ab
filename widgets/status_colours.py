"""One colour per connector status, the same in every state view.

The colours are mid-tones, dark enough for text on a light window and light enough for a
dark one, so a status reads the same whatever palette the OS gives. Statuses we do not know
(a peer's own word, or none yet) get the neutral colour rather than a guess.
"""

from __future__ import annotations

from PySide6.QtGui import QColor

AVAILABLE = QColor(46, 160, 67)      # green
BUSY = QColor(52, 120, 220)          # blue: Occupied, Charging
RESERVED = QColor(214, 150, 0)       # amber
UNAVAILABLE = QColor(130, 130, 140)  # grey
FAULTED = QColor(214, 48, 49)        # red
NEUTRAL = QColor(150, 140, 120)      # unknown: warm grey, unlike Unavailable's cool one

_BY_STATUS = {
    "available": AVAILABLE,
    "occupied": BUSY,
    "charging": BUSY,
    "reserved": RESERVED,
    "unavailable": UNAVAILABLE,
    "faulted": FAULTED,
}


def status_colour(status: str | None) -> QColor:
    """The colour of a connector status (case-insensitive, since stations send
    `available` too); neutral for an unknown or missing one."""
    if not isinstance(status, str):
        return QColor(NEUTRAL)
    return QColor(_BY_STATUS.get(status.strip().lower(), NEUTRAL))


def tint(colour: QColor, alpha: int = 40) -> QColor:
    """A see-through version of `colour`, for a background that keeps the palette's text
    readable over it."""
    faded = QColor(colour)
    faded.setAlpha(alpha)
    return faded
