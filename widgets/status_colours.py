"""One colour per status, the same in every state view: a connector that is Faulted is red
wherever it appears.

The colours are mid-tones, dark enough for text on a light window and light enough for a
dark one, so a status reads the same whatever palette the OS gives. Statuses we do not know
(a peer's own word, or none yet) get the neutral colour rather than a guess; as backgrounds
they are tints with alpha, so the theme's text stays readable over them.
"""

from __future__ import annotations

from PySide6.QtGui import QColor

AVAILABLE = QColor(46, 160, 67)      # green
BUSY = QColor(52, 120, 220)          # blue: Occupied, Charging
RESERVED = QColor(214, 150, 0)       # amber: Reserved, a pause, anything that needs a look
UNAVAILABLE = QColor(130, 130, 140)  # grey
FAULTED = QColor(214, 48, 49)        # red
NEUTRAL = QColor(150, 140, 120)      # unknown: warm grey, unlike Unavailable's cool one
AMBER = RESERVED

_BY_STATUS = {
    # ConnectorStatusEnumType
    "available": AVAILABLE,
    "occupied": BUSY,
    "reserved": RESERVED,
    "unavailable": UNAVAILABLE,
    "faulted": FAULTED,
    # ChargingStateEnumType: only charging itself is blue, a pause is amber
    "charging": BUSY,
    "suspendedev": RESERVED,
    "suspendedevse": RESERVED,
}


def _known(status: object) -> QColor | None:
    return _BY_STATUS.get(status.strip().lower()) if isinstance(status, str) else None


def status_colour(status: object) -> QColor:
    """The colour of a status (case-insensitive, since stations send `available` too);
    neutral for an unknown or missing one. A copy: a caller that darkens it for a selection
    leaves everyone else's alone."""
    return QColor(_known(status) or NEUTRAL)


def tint(colour: QColor, alpha: int = 40) -> QColor:
    """A see-through version of `colour`, for a background that keeps the palette's text
    readable over it."""
    faded = QColor(colour)
    faded.setAlpha(alpha)
    return faded


def status_tint(status: object, alpha: int = 60) -> QColor | None:
    """A background for a cell showing `status`; None (the theme's own) for a status with
    no colour of its own."""
    colour = _known(status)
    return tint(colour, alpha) if colour is not None else None
