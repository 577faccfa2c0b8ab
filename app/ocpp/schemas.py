"""The official OCPP 2.0.1 JSON schemas shipped in the top-level `schemas/` folder.

Each action has `<Action>Request.json` and `<Action>Response.json`. They are read once and
cached; callers must treat the returned dicts as read-only.

An action name usually comes off the wire, so it never becomes a path by itself: only the
64 actions of the catalog have a schema, looked up from a table built from the catalog, and
any other name (`../../x`, 250 characters, a NUL) is a KeyError that judging reports as an
unknown action.
"""

from __future__ import annotations

import json
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

from app.ocpp import catalog

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas"


class PayloadKind(StrEnum):
    """Which half of an action a payload is: the CALL's request or the CALLRESULT's response."""

    REQUEST = "request"
    RESPONSE = "response"

    @property
    def suffix(self) -> str:
        return "Request" if self is PayloadKind.REQUEST else "Response"


# Built from the catalog's names, never from the name asked for: a lookup cannot leave the
# folder whatever string it is given.
_FILES: dict[tuple[str, PayloadKind], str] = {
    (name, kind): f"{name}{kind.suffix}.json" for name in catalog.ACTIONS for kind in PayloadKind
}


def schema_path(action: str, kind: PayloadKind) -> Path:
    """The file of a known action's schema; raises KeyError for any other name."""
    try:
        return SCHEMA_DIR / _FILES[(action, kind)]
    except (KeyError, TypeError):
        raise KeyError(f"no schema for action {action!r:.80}") from None


def load_schema(action: str, kind: PayloadKind) -> dict[str, Any]:
    """The schema of one payload; raises KeyError for an action without one."""
    path = schema_path(action, kind)
    return _read(path)


@cache
def _read(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """Follow a local `$ref` (the OCA schemas only use `#/definitions/...`)."""
    while "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        node = schema["definitions"][name]
    return node


def required_fields(action: str, kind: PayloadKind) -> list[str]:
    """Dotted paths of every field that must be present when its parent is present.

    Array items are written `meterValue[].sampledValue`: what a reference page lists as
    "required", nested the way a form shows it.
    """
    schema = load_schema(action, kind)
    out: list[str] = []

    def walk(node: dict[str, Any], prefix: str, depth: int) -> None:
        node = resolve(schema, node)
        if depth > 12:
            return
        if node.get("type") == "array" and "items" in node:
            walk(node["items"], prefix + "[]", depth + 1)
            return
        properties = node.get("properties", {})
        for name in node.get("required", []):
            path = f"{prefix}.{name}" if prefix else name
            out.append(path)
            if name in properties:
                walk(properties[name], path, depth + 1)

    walk(schema, "", 0)
    return out
