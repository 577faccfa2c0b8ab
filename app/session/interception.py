"""How a record says an intercept rule touched its frame: a short mark for the timeline and a
diff of what arrived against what was sent, for the detail pane. Both read only the record's
meta (`meta["intercept"]`, written by `app.net.intercept`)."""

from __future__ import annotations

import difflib
import json
from typing import Any

from app.session.message import Message

_VERBS = {"hold": "held", "rewrite": "rewritten", "delay": "delayed", "drop": "dropped",
          "duplicate": "duplicated", "answer": "answered", "close": "closed"}


def interception(message: Message) -> dict[str, Any] | None:
    """The record's intercept meta, or None when no rule touched it."""
    meta = message.meta
    found = meta.get("intercept") if meta else None
    return found if isinstance(found, dict) else None


def interception_mark(message: Message) -> str:
    """'⚑ rewritten by refuse boots', '⚑ held 3.2 s, edited', or '' for untouched frames."""
    found = interception(message)
    if found is None:
        return ""
    action = str(found.get("action", ""))
    words = _VERBS.get(action, action)
    if action == "answer" and message.meta and message.meta.get("injected"):
        words = "answer given in place of the peer"
    elif action == "answer":
        words = "answered in place of the peer (not sent on)"
    if action == "hold":
        held = found.get("held_ms")
        words += f" {held / 1000:.1f} s" if isinstance(held, int | float) else ""
        words += f", {found.get('released')}" if found.get("released") else ""
    if action == "delay" and found.get("ms"):
        words += f" {found['ms']} ms"
    if action == "duplicate" and found.get("copy"):
        words += f" (copy {found['copy']})"
    return f"⚑ {words} by {found.get('rule', '?')}"


def interception_diff(message: Message) -> str:
    """What arrived against what was sent, as a unified diff of the pretty JSON; a note when
    the text was not changed."""
    found = interception(message)
    if found is None:
        return ""
    lines = [interception_mark(message)]
    if message.meta and message.meta.get("delivered") is False:
        lines.append("This frame was not sent on.")
    original = found.get("original")
    if not isinstance(original, str):
        if len(lines) == 1:
            lines.append("Sent as it arrived.")
        return "\n".join(lines)
    before, after = _pretty(original).splitlines(), _pretty(message.text).splitlines()
    lines.append("")
    lines.extend(difflib.unified_diff(before, after, "arrived", "sent on", lineterm=""))
    return "\n".join(lines)


def _pretty(text: str) -> str:
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except ValueError:
        return text
