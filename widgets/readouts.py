"""Figures as a field engineer reads them at a glance: local clock times, kWh with two
decimals, kW and A with one, whole percent. A missing figure is an en dash, never "None"."""

from __future__ import annotations

from datetime import datetime

MISSING = "–"


def clock(epoch: float | None) -> str:
    """Local time of day, HH:MM:SS; empty for no time (0: a file recorded without times)."""
    if not epoch:
        return ""
    try:
        return datetime.fromtimestamp(epoch).strftime("%H:%M:%S")
    except (OverflowError, OSError, ValueError):   # a time out of the platform's range
        return ""


def rfc3339_clock(text: str | None) -> str:
    """A peer's RFC 3339 date-time as a local HH:MM:SS, or the text as sent when it does not
    parse (a peer's odd date is shown, not hidden)."""
    if not text:
        return ""
    try:
        moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return str(text)
    if moment.tzinfo is None:
        return moment.strftime("%H:%M:%S")
    return moment.astimezone().strftime("%H:%M:%S")


def kwh(value: float | None) -> str:
    return MISSING if value is None else f"{value:,.2f} kWh"


def kw(value: float | None) -> str:
    return MISSING if value is None else f"{value:,.1f} kW"


def amps(values: list[float]) -> str:
    """One current, or one per phase separated by slashes."""
    if not values:
        return MISSING
    return " / ".join(f"{v:.1f}" for v in values) + " A"


def percent(value: float | None) -> str:
    return MISSING if value is None else f"{value:.0f} %"
