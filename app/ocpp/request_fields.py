"""Reading a request leniently, for the simulated peer that answers it (`app.ocpp.responses`).

A peer answers an invalid request with a CALLERROR, yet the simulated one still answers a
malformed request with something valid: these readers take only what is of the expected type
and within the response schema's limits, and fall back to a default for the rest. They are
kept apart from the answers themselves because every answer that echoes part of its request
(a component, a variable, a monitor, an id) reads it through them, and the rule they keep is
one: a request that breaks its schema must not make our answer break the response schema.
"""

from __future__ import annotations

from typing import Any

# ComponentType and VariableType: names and instances are at most 50 characters.
NAME_LENGTH = 50

ATTRIBUTE_TYPES = ("Actual", "Target", "MinSet", "MaxSet")


def as_dict(value: Any) -> dict[str, Any]:
    """`value` if it is an object, else an empty one."""
    return value if isinstance(value, dict) else {}


def dicts(value: Any) -> list[dict[str, Any]]:
    """The object entries of a request list; anything else in it is skipped."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def is_int(value: Any) -> bool:
    """A JSON integer (a bool is not one, though Python says it is an int)."""
    return isinstance(value, int) and not isinstance(value, bool)


def int_or(value: Any, default: int) -> int:
    return value if is_int(value) else default


def one_of(value: Any, allowed: tuple[str, ...], default: str) -> str:
    return value if value in allowed else default


def named(item: dict[str, Any], key: str) -> dict[str, Any]:
    """A component or variable to echo, made of the request's fields that the response schema
    allows; a nameless stand-in if the request lacks a name."""
    value = item.get(key)
    if not isinstance(value, dict) or not isinstance(value.get("name"), str):
        return {"name": ""}
    out: dict[str, Any] = {"name": value["name"][:NAME_LENGTH]}
    if isinstance(value.get("instance"), str):
        out["instance"] = value["instance"][:NAME_LENGTH]
    evse = value.get("evse")
    if isinstance(evse, dict) and is_int(evse.get("id")) and evse["id"] >= 0:
        out["evse"] = {"id": evse["id"]}
        if is_int(evse.get("connectorId")):
            out["evse"]["connectorId"] = evse["connectorId"]
    return out


def name_of(item: dict[str, Any], key: str) -> str:
    """The name of the component or variable under `key` ("" when there is none)."""
    return named(item, key)["name"]


def echo_attribute(item: dict[str, Any]) -> dict[str, Any]:
    """Component and variable, plus the attribute type when the request named one."""
    out: dict[str, Any] = {}
    if item.get("attributeType") in ATTRIBUTE_TYPES:
        out["attributeType"] = item["attributeType"]
    out["component"] = named(item, "component")
    out["variable"] = named(item, "variable")
    return out
