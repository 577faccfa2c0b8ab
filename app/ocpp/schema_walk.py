"""Every way a payload breaks its schema, found by one plain walk: the explanation stage of
validation.

jsonschema can say the same, but through its general machinery (a validator object per
level, an error object with lazy paths per keyword, a registry for each `$ref`), which costs
about a millisecond for a rejected TransactionEvent. The official OCPP 2.0.1 schemas use a
dozen keywords of Draft 6, always the same way, so this walk knows only those and does
exactly what Draft 6 asks of each: the same errors, in the same order, with the same paths,
values and schema fragments as jsonschema's `iter_errors`. A test holds the two together on
every catalog example, common error and a large set of mutated payloads; a keyword the walk
does not know raises `UnknownKeyword`, so a new schema file cannot be judged wrongly in
silence.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from app.errors import UnknownKeyword
from app.ocpp import datetimes


@dataclass(frozen=True, slots=True)
class SchemaError:
    """One broken rule, with the attribute names of a jsonschema `ValidationError`, so that
    one function turns either into a sentence."""

    validator: str                  # the keyword: "type", "required", "enum", ...
    absolute_path: tuple[Any, ...]  # where in the payload: keys and list indices
    instance: Any                   # the value that breaks it
    validator_value: Any            # the keyword's value in the schema
    schema: dict[str, Any]          # the schema node holding the keyword
    message: str = ""


def schema_errors(schema: dict[str, Any], payload: Any) -> list[SchemaError]:
    """All errors of `payload` against `schema`, in jsonschema's order."""
    return list(_walk(schema, schema, payload, ()))


def _walk(root: dict[str, Any], node: dict[str, Any], value: Any, path: tuple[Any, ...]
          ) -> Iterator[SchemaError]:
    if "$ref" in node:  # Draft 6: a `$ref` replaces its siblings
        yield from _walk(root, _definition(root, node["$ref"]), value, path)
        return
    for keyword, rule in node.items():
        check = _KEYWORDS.get(keyword)
        if check is None:
            if keyword in ANNOTATIONS:
                continue
            raise UnknownKeyword(f"schema keyword {keyword!r} is not supported")
        yield from check(root, node, rule, value, path)


def _definition(root: dict[str, Any], ref: str) -> dict[str, Any]:
    prefix = "#/definitions/"
    if not isinstance(ref, str) or not ref.startswith(prefix):
        raise UnknownKeyword(f"$ref {ref!r} is not a local definition")
    return root["definitions"][ref[len(prefix):]]


# --- Draft 6 types ------------------------------------------------------------------------

def _is_integer(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


_TYPES: dict[str, Callable[[Any], bool]] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": _is_integer,
    "number": _is_number,
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def json_equal(one: Any, two: Any) -> bool:
    """JSON equality: `true` is not `1`, as jsonschema compares enum values."""
    if isinstance(one, bool) or isinstance(two, bool):
        return type(one) is type(two) and one == two
    return bool(one == two)


# --- the keywords the official schemas use ------------------------------------------------

Check = Callable[[dict[str, Any], dict[str, Any], Any, Any, tuple[Any, ...]],
                 Iterator[SchemaError]]


def _type(root: dict[str, Any], node: dict[str, Any], rule: Any, value: Any,
          path: tuple[Any, ...]) -> Iterator[SchemaError]:
    types = [rule] if isinstance(rule, str) else rule
    if not any(_TYPES[name](value) for name in types):
        yield SchemaError("type", path, value, rule, node)


def _properties(root: dict[str, Any], node: dict[str, Any], rule: Any, value: Any,
                path: tuple[Any, ...]) -> Iterator[SchemaError]:
    if isinstance(value, dict):
        for name, child in rule.items():
            if name in value:
                yield from _walk(root, child, value[name], (*path, name))


def _additional_properties(root: dict[str, Any], node: dict[str, Any], rule: Any, value: Any,
                           path: tuple[Any, ...]) -> Iterator[SchemaError]:
    if rule is not False:
        raise UnknownKeyword("additionalProperties other than false is not supported")
    if isinstance(value, dict) and "patternProperties" not in node:
        allowed = node.get("properties", {})
        if any(name not in allowed for name in value):
            yield SchemaError("additionalProperties", path, value, rule, node)


def _required(root: dict[str, Any], node: dict[str, Any], rule: Any, value: Any,
              path: tuple[Any, ...]) -> Iterator[SchemaError]:
    if isinstance(value, dict):
        for name in rule:
            if name not in value:
                yield SchemaError("required", path, value, rule, node)


def _enum(root: dict[str, Any], node: dict[str, Any], rule: Any, value: Any,
          path: tuple[Any, ...]) -> Iterator[SchemaError]:
    if isinstance(value, str):
        if value not in rule:
            yield SchemaError("enum", path, value, rule, node)
    elif not any(json_equal(option, value) for option in rule):
        yield SchemaError("enum", path, value, rule, node)


def _items(root: dict[str, Any], node: dict[str, Any], rule: Any, value: Any,
           path: tuple[Any, ...]) -> Iterator[SchemaError]:
    if not isinstance(rule, dict):
        raise UnknownKeyword("items other than one schema is not supported")
    if isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(root, rule, item, (*path, index))


def _additional_items(root: dict[str, Any], node: dict[str, Any], rule: Any, value: Any,
                      path: tuple[Any, ...]) -> Iterator[SchemaError]:
    if not isinstance(node.get("items", {}), dict):  # beside one `items` schema: no effect
        raise UnknownKeyword("additionalItems beside a list of items is not supported")
    return iter(())


def _bound(keyword: str, applies: Callable[[Any], bool], measure: Callable[[Any], Any],
           broken: Callable[[Any, Any], bool]) -> Check:
    """The check of a bound: a value it `applies` to breaks it when its `measure` is
    `broken` against the schema's number. Six keywords of Draft 6 are bounds that differ only
    in these three; none says anything about a value of another type."""

    def check(root: dict[str, Any], node: dict[str, Any], rule: Any, value: Any,
              path: tuple[Any, ...]) -> Iterator[SchemaError]:
        if applies(value) and broken(measure(value), rule):
            yield SchemaError(keyword, path, value, rule, node)

    return check


def _itself(value: Any) -> Any:
    return value


# keyword: (the values it bounds, what of them is measured, broken when measure ? limit)
_BOUNDS: dict[str, tuple[Callable[[Any], bool], Callable[[Any], Any],
                         Callable[[Any, Any], bool]]] = {
    "maxLength": (_TYPES["string"], len, operator.gt),
    "minLength": (_TYPES["string"], len, operator.lt),
    "minimum": (_is_number, _itself, operator.lt),
    "maximum": (_is_number, _itself, operator.gt),
    "minItems": (_TYPES["array"], len, operator.lt),
    "maxItems": (_TYPES["array"], len, operator.gt),
}


def _format(root: dict[str, Any], node: dict[str, Any], rule: Any, value: Any,
            path: tuple[Any, ...]) -> Iterator[SchemaError]:
    # the only format checked, as in both validation stages; any other is an annotation
    if rule == "date-time" and not datetimes.is_rfc3339(value):
        yield SchemaError("format", path, value, rule, node,
                          f"{value!r} is not a 'date-time'")


_KEYWORDS: dict[str, Check] = {
    "type": _type,
    "properties": _properties,
    "additionalProperties": _additional_properties,
    "required": _required,
    "enum": _enum,
    "items": _items,
    "additionalItems": _additional_items,
    "format": _format,
    **{keyword: _bound(keyword, *parts) for keyword, parts in _BOUNDS.items()},
}
# words that describe and never reject
ANNOTATIONS = frozenset({"$schema", "$id", "$comment", "comment", "description", "javaType",
                          "definitions", "default", "title", "examples"})
