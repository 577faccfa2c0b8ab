"""The fields of a payload as a tree that views can show without reading JSON Schema.

The composer builds its form from it, the reference lists every field with its rules, and the
validator explains a finding next to the field's description. Each of those would otherwise
interpret `$ref`, `definitions`, `enum` and the OCA's generated descriptions on its own; doing
it once here keeps the three views in agreement, and keeps Qt code free of schema details.

Paths use the notation of `app.ocpp.schemas.required_fields`: `meterValue[].sampledValue`
names a field inside any item of an array, so a tree node matches a line of the reference.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from app.ocpp.schemas import PayloadKind, load_schema

# Deeper than any OCA payload (the deepest is 6); a cap that a broken schema cannot defeat.
MAX_DEPTH = 32

CUSTOM_DATA = "CustomData"


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field of a payload schema, with the rules a user has to know to fill it in.

    `kind` is one of "object", "array", "string", "integer", "number", "boolean", "enum",
    "datetime" or "custom". "custom" is a value whose content the schema leaves open: the
    `customData` extension point (an object with `vendorId` and anything else) and
    DataTransfer's untyped `data`; such a field has no children, since its content is the
    sender's business. `type_name` is the schema's name for the type (its `javaType`, e.g.
    "SampledValue", "BootReasonEnum", "CustomData"), or "" for a type written inline.
    """

    name: str
    path: str
    kind: str
    required: bool
    description: str = ""
    enum: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    min_length: int | None = None
    max_length: int | None = None
    min_items: int | None = None
    max_items: int | None = None
    children: tuple[FieldSpec, ...] = ()
    items: FieldSpec | None = None
    type_name: str = ""


@cache
def field_tree(action: str, kind: PayloadKind) -> FieldSpec:
    """The tree of one payload, its root of kind "object"; raises KeyError for no schema.

    Cached: the specs are immutable, and the views ask for the same action over and over.
    """
    schema = load_schema(action, kind)
    return _build(schema, schema, name="", path="", required=True, own_description=None,
                  refs=(), depth=0)


def walk(spec: FieldSpec) -> Iterator[FieldSpec]:
    """Every spec under `spec`, depth first, `spec` itself first, an array before its items.

    Iterative, so no tree shape can exhaust the call stack of a view that walks it.
    """
    stack = [spec]
    while stack:
        node = stack.pop()
        yield node
        below: list[FieldSpec] = list(node.children)
        if node.items is not None:
            below.append(node.items)
        stack.extend(reversed(below))


def describe_type(spec: FieldSpec) -> str:
    """A few words on what the field takes, for a tooltip or a reference column.

    It states the limits too, because a value that is the right type but too long or too
    small is the mistake users actually make.
    """
    if spec.kind == "string":
        return _with_limits("string", spec.min_length, spec.max_length, "character")
    if spec.kind in ("integer", "number"):
        return _bounded(spec.kind, spec.minimum, spec.maximum)
    if spec.kind == "boolean":
        return "true or false"
    if spec.kind == "enum":
        if len(spec.enum) == 1:
            return f"always {spec.enum[0]!r}"
        return f"one of {len(spec.enum)} values"
    if spec.kind == "datetime":
        return "date-time (RFC 3339)"
    if spec.kind == "custom":
        if spec.type_name == CUSTOM_DATA:
            return "custom JSON (vendor data)"
        return "any JSON value"
    if spec.kind == "array":
        what = _item_words(spec.items)
        return _with_limits(f"list of {what}", spec.min_items, spec.max_items, None)
    return "object"


def clean_description(text: str) -> str:
    """The schema's description as prose a user can read.

    The OCA generator prefixes most descriptions with the data dictionary's name and id
    ("Device. Model. CI20_ Text" then "urn:x-oca:ocpp:uid:1:569325") and writes AsciiDoc
    (cross references, `+` line breaks, HTML entities); none of it helps someone filling in a
    field.
    """
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    kept: list[str] = []
    for line in lines:
        if _URN.match(line):
            # the dictionary name sits on the line just above its urn
            if kept and kept[-1].strip() and all(not k.strip() for k in kept[:-1]):
                kept.pop()
            continue
        if line.endswith(" +"):
            line = line[:-2].rstrip()
        kept.append(line)
    prose = html.unescape("\n".join(kept))
    prose = _XREF.sub(lambda m: m.group(1).strip().strip("`"), prose)
    prose = re.sub(r"\n{3,}", "\n\n", prose)
    return prose.strip()


# the data dictionary's id: urn:x-oca:ocpp:uid:1:569325, urn:x-enexis:ecdm:uid:1:571
_URN = re.compile(r"\s*urn:x-[\w.-]+:\S*\s*$")
# AsciiDoc cross reference: <<target,Label>>
_XREF = re.compile(r"<<[^,<>]*,([^<>]*)>>")

_PLURALS = {
    "string": "strings", "integer": "integers", "number": "numbers", "boolean": "booleans",
    "enum": "values", "datetime": "date-times", "object": "objects", "array": "lists",
    "custom": "JSON values",
}


def _item_words(items: FieldSpec | None) -> str:
    if items is None:
        return "values"
    if items.kind == "object" and items.type_name:
        return items.type_name
    if items.kind == "enum" and items.type_name:
        return f"{items.type_name} values"
    return _PLURALS.get(items.kind, "values")


def _number_text(value: float) -> str:
    # the OCA schemas write bounds as floats ("minimum": 0.0); "0" reads better than "0.0"
    return str(int(value)) if float(value).is_integer() else str(value)


def _bounded(word: str, low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"{word} from {_number_text(low)} to {_number_text(high)}"
    if low is not None:
        return f"{word} ≥ {_number_text(low)}"
    if high is not None:
        return f"{word} ≤ {_number_text(high)}"
    return word


def _with_limits(word: str, low: int | None, high: int | None, unit: str | None) -> str:
    def count(n: int) -> str:
        if unit is None:
            return str(n)
        return f"{n} {unit}" if n == 1 else f"{n} {unit}s"

    if low is not None and high is not None:
        if low == high:
            return f"{word}, exactly {count(low)}"
        return f"{word}, {low} to {count(high)}"
    if low:  # "at least 0" says nothing
        return f"{word}, at least {count(low)}"
    if high is not None:
        return f"{word}, at most {count(high)}"
    return word


def _follow(schema: dict[str, Any], node: dict[str, Any], refs: tuple[str, ...]
            ) -> tuple[dict[str, Any], tuple[str, ...], bool]:
    """Resolve `$ref`s like `schemas.resolve`, noting the names passed and whether one repeats.

    `schemas.resolve` cannot see a cycle across nesting levels, so the names of the types
    being built are carried down the recursion.
    """
    while isinstance(node, dict) and "$ref" in node:
        name = str(node["$ref"]).rsplit("/", 1)[-1]
        target = schema.get("definitions", {}).get(name)
        if not isinstance(target, dict):
            return {}, refs, False  # a dangling reference: nothing known, anything goes
        if name in refs:
            return target, refs, True
        refs = (*refs, name)
        node = target
    return (node if isinstance(node, dict) else {}), refs, False


def _is_custom_data(node: dict[str, Any]) -> bool:
    """The CustomDataType: an object that carries `vendorId` and is left open for more."""
    return (node.get("javaType") == CUSTOM_DATA
            or (node.get("type") == "object" and "vendorId" in node.get("properties", {})
                and node.get("additionalProperties", True) is not False))


def _int_or_none(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _float_or_none(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _build(schema: dict[str, Any], raw: dict[str, Any], *, name: str, path: str,
           required: bool, own_description: str | None, refs: tuple[str, ...],
           depth: int) -> FieldSpec:
    node, refs, cycle = _follow(schema, raw, refs)
    # a property's own description is the specific one; its type's is generic
    described = own_description if own_description else node.get("description", "")
    description = clean_description(described) if isinstance(described, str) else ""
    common: dict[str, Any] = {"name": name, "path": path, "required": required,
                              "description": description,
                              "type_name": str(node.get("javaType", ""))}
    kind = node.get("type")
    # a type that contains itself is shown once, without its contents, rather than forever
    leaf = cycle or depth >= MAX_DEPTH

    if "enum" in node:
        return FieldSpec(kind="enum", enum=tuple(str(v) for v in node["enum"]),
                         min_length=_int_or_none(node.get("minLength")),
                         max_length=_int_or_none(node.get("maxLength")), **common)
    if kind == "object":
        if _is_custom_data(node):
            return FieldSpec(kind="custom", **common)
        properties = {} if leaf else node.get("properties", {})
        must = set(node.get("required", []))
        children = tuple(
            _build(schema, child if isinstance(child, dict) else {}, name=key,
                   path=f"{path}.{key}" if path else key, required=key in must,
                   own_description=(child.get("description") if isinstance(child, dict)
                                    else None),
                   refs=refs, depth=depth + 1)
            for key, child in properties.items())
        return FieldSpec(kind="object", children=children, **common)
    if kind == "array":
        raw_items = node.get("items")
        items = None if leaf else _build(
            schema, raw_items if isinstance(raw_items, dict) else {}, name="",
            path=f"{path}[]", required=True, own_description=None, refs=refs, depth=depth + 1)
        if not description and items is not None:
            # the OCA schemas describe a list by its item type; say that on the list too
            common["description"] = items.description
        return FieldSpec(kind="array", items=items,
                         min_items=_int_or_none(node.get("minItems")),
                         max_items=_int_or_none(node.get("maxItems")), **common)
    if kind == "string":
        return FieldSpec(kind="datetime" if node.get("format") == "date-time" else "string",
                         min_length=_int_or_none(node.get("minLength")),
                         max_length=_int_or_none(node.get("maxLength")), **common)
    if kind in ("integer", "number"):
        return FieldSpec(kind=kind, minimum=_float_or_none(node.get("minimum")),
                         maximum=_float_or_none(node.get("maximum")), **common)
    if kind == "boolean":
        return FieldSpec(kind="boolean", **common)
    return FieldSpec(kind="custom", **common)  # no type: the schema accepts any JSON
