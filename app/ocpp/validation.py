"""Schema validation of payloads, in two stages.

A proxy validates every frame live and a session holds millions, so the decision
valid/invalid comes from functions compiled from the schemas (`schema_compiler`, some fifty
times faster than jsonschema). Only a rejected payload is walked completely (`schema_walk`):
the walk yields *all* findings with paths, the errors jsonschema (Draft 6) would give, at a
fraction of its cost, and we turn each into a sentence a field engineer understands. Both
stages use the same date-time check (`datetimes.is_rfc3339`); tests prove they agree on every
example and common error of the catalog and on thousands of mutated payloads, and that the
walk says what jsonschema says; jsonschema itself is used only by that test.
"""

from __future__ import annotations

import difflib
import threading
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from app.ocpp import catalog, datetimes
from app.ocpp.findings import Finding, error, format_path, kind_of, show_value, warning
from app.ocpp.legacy import ocpp16_hint
from app.ocpp.schema_compiler import compile_schema
from app.ocpp.schema_walk import SchemaError, schema_errors
from app.ocpp.schemas import PayloadKind, load_schema


# Date-times that are valid RFC 3339 but break OCPP's extra rules (fraction digits, unset
# clock). The compiled validators pass date-times of the everyday shape by one match
# (`datetimes.plain_match`) and call `_fast_date_time` for the others; it records here only
# that a closer look is needed, so that valid traffic pays nothing more. The mark is a
# hint: `validate` clears it when it reads it, and one left set (an exception between)
# costs the next payload a walk for notes it would find anyway, never a finding.
class _Seen(threading.local):
    """Per thread, so a GUI and an engine thread may both validate; `notes` is False in a
    thread that never set it (read as a class attribute: a `getattr` with a default
    would raise and catch AttributeError inside, on every valid payload)."""

    notes = False


_seen = _Seen()


# What the two checks said of recent date-time strings outside the everyday shape: (valid,
# needs notes). A sender that writes six fractional digits does so in every frame, and
# answers repeat their CALL's moment; the bound keeps a peer sending endless distinct
# strings from growing it.
_DATE_TIMES: dict[str, tuple[bool, bool]] = {}
_DATE_TIMES_KEPT = 4096


def _fast_date_time(value: Any) -> bool:
    if not isinstance(value, str):
        return True
    known = _DATE_TIMES.get(value)
    if known is None:
        if len(_DATE_TIMES) >= _DATE_TIMES_KEPT:
            _DATE_TIMES.clear()
        known = _DATE_TIMES[value] = (datetimes.is_rfc3339(value),
                                      datetimes.needs_notes(value))
    if known[1]:
        _seen.notes = True
    return known[0]


_REQUEST = PayloadKind.REQUEST


class SchemaValidator:
    """Validates payloads against the official schemas; compiles each schema on first use."""

    def __init__(self) -> None:
        # the compiled functions by action, one table per kind: asked for every frame, and
        # a key of action and kind would hash the enum member in Python each time
        self._requests: dict[str, Callable[[Any], bool]] = {}
        self._responses: dict[str, Callable[[Any], bool]] = {}
        # the schemas the slow stage walks, by the same keys: `load_schema` builds a file
        # path for every call, which cost a rejected payload more than its walk
        self._schemas: dict[tuple[str, str], dict[str, Any]] = {}

    def is_valid(self, action: str, kind: PayloadKind, payload: Any) -> bool:
        """The fast decision alone; raises KeyError for an unknown action."""
        valid = self._compiled(action, kind)(payload)
        _seen.notes = False
        return valid

    def validate(self, action: str, kind: PayloadKind, payload: Any) -> list[Finding]:
        """All findings for a payload; an empty list when it is valid.

        Raises KeyError for an action that has no schema (the frame layer reports those).
        """
        compiled = (self._requests if kind is _REQUEST else self._responses).get(action) \
            or self._compiled(action, kind)
        if compiled(payload):
            if _seen.notes:
                _seen.notes = False
                return self._notes(action, kind, payload)
            return []
        _seen.notes = False
        findings = self.explain(action, kind, payload)
        if not findings:  # the stages disagree (our bug): report rather than hide it
            findings = [error("schema.invalid", f"the payload breaks the {action} "
                              f"{kind.suffix.lower()} schema", "")]
        hint = ocpp16_hint(action, kind, payload)
        if hint:  # the fastest diagnosis goes where it is read first
            findings[0] = replace(findings[0], message=f"{findings[0].message} — {hint}")
        return findings

    def explain(self, action: str, kind: PayloadKind, payload: Any) -> list[Finding]:
        """Every schema finding for a payload, by walking all of it."""
        _known(action)
        return self.findings_of_errors(action, kind, payload,
                                       schema_errors(self._schema(action, kind), payload))

    def findings_of_errors(self, action: str, kind: PayloadKind, payload: Any,
                           errors: list[Any]) -> list[Finding]:
        """Findings in our words for schema errors shaped like jsonschema's (`schema_walk`
        makes them; the tests feed jsonschema's own to prove the two agree)."""
        findings: list[Finding] = []
        seen_required: set[tuple[Any, ...]] = set()
        for err in sorted(errors, key=lambda e: _path_key(e.absolute_path)):
            findings.extend(_describe(err, seen_required))
        findings.extend(self._notes(action, kind, payload) if not findings else [])
        return findings

    def _compiled(self, action: str, kind: PayloadKind) -> Callable[[Any], bool]:
        table = self._requests if kind is _REQUEST else self._responses
        compiled = table.get(action)
        if compiled is None:
            _known(action)
            compiled = compile_schema(load_schema(action, kind), _fast_date_time,
                                      datetimes.plain_match)
            table[action] = compiled
        return compiled

    def _schema(self, action: str, kind: PayloadKind) -> dict[str, Any]:
        """`load_schema`, remembered per action and kind (as their values: an enum
        member's hash is a Python function)."""
        key = (action, kind.value)
        schema = self._schemas.get(key)
        if schema is None:
            schema = self._schemas[key] = load_schema(action, kind)
        return schema

    def _notes(self, action: str, kind: PayloadKind, payload: Any) -> list[Finding]:
        """Warnings for valid date-times that break OCPP's own limits, with their paths."""
        findings: list[Finding] = []
        for path, value in _date_time_values(self._schema(action, kind), payload):
            for code, message in datetimes.notes(value):
                findings.append(warning(code, message, path))
        return findings


def _known(action: str) -> None:
    """KeyError for an action outside the 64, before its name comes near a file name: a
    peer's action may hold a NUL, a lone surrogate or `../`, which the file system rejects
    with other errors (or, worse, follows)."""
    if action not in catalog.ACTIONS:
        raise KeyError(f"no schema for {action!r}")


def _path_key(path: Any) -> list[tuple[int, int, str]]:
    """Sort key for a JSON path: indices compare as numbers (`[2]` before `[10]`), and
    within one parent an index and a key never meet, so the kind tag only keeps tuples
    comparable."""
    return [(0, part, "") if isinstance(part, int) else (1, 0, str(part)) for part in path]


def _date_time_values(schema: dict[str, Any], payload: Any) -> list[tuple[str, str]]:
    """(path, value) of every string the schema declares as a date-time."""
    out: list[tuple[str, str]] = []

    def walk(node: dict[str, Any], value: Any, path: tuple[Any, ...]) -> None:
        while "$ref" in node:
            node = schema["definitions"][node["$ref"].rsplit("/", 1)[-1]]
        if node.get("format") == "date-time" and isinstance(value, str):
            out.append((format_path(path), value))
        elif isinstance(value, dict):
            for key, child in node.get("properties", {}).items():
                if key in value:
                    walk(child, value[key], (*path, key))
        elif isinstance(value, list) and isinstance(node.get("items"), dict):
            for index, item in enumerate(value):
                walk(node["items"], item, (*path, index))

    walk(schema, payload, ())
    return out


# --- turning schema errors into sentences -------------------------------------------------

_CODES = {
    "required": "schema.required",
    "additionalProperties": "schema.additional-property",
    "enum": "schema.enum",
    "type": "schema.type",
    "maxLength": "schema.max-length",
    "minLength": "schema.min-length",
    "minimum": "schema.minimum",
    "maximum": "schema.maximum",
    "minItems": "schema.min-items",
    "maxItems": "schema.max-items",
    "format": "schema.date-time",
}

_JSON_TYPES = {
    "string": "a string", "integer": "an integer", "number": "a number",
    "boolean": "a boolean", "object": "an object", "array": "an array", "null": "null",
}


def _describe(err: SchemaError, seen_required: set[tuple[Any, ...]]) -> list[Finding]:
    """One error (of the walk, or a jsonschema `ValidationError`, which has the same
    attributes) as findings with sentences."""
    keyword = str(err.validator)
    path = tuple(err.absolute_path)
    where = format_path(path)
    code = _CODES.get(keyword, "schema.invalid")
    value = err.instance

    if keyword == "required":
        # jsonschema yields one error per missing property; report each once, in schema order
        if path in seen_required:
            return []
        seen_required.add(path)
        missing = [name for name in err.validator_value if name not in value]
        return [error(code, f"required field '{name}' is missing", format_path((*path, name)))
                for name in missing]
    if keyword == "additionalProperties":
        allowed = list(err.schema.get("properties", {}))
        return [error(code, _unexpected_property(name, allowed), format_path((*path, name)))
                for name in value if name not in allowed]
    if keyword == "enum":
        return [error(code, _not_in_enum(value, err.validator_value), where)]
    if keyword == "type":
        return [error(code, _wrong_type(value, err.validator_value), where)]
    template = _BOUND_SENTENCES.get(keyword)
    if template is not None:
        return [error(code, _bound_sentence(template, value, err.validator_value), where)]
    if keyword == "format" and err.validator_value == "date-time":
        return [error(code, datetimes.explain(value), where)]
    return [error(code, err.message, where)]


# What a value that breaks one of the schema's bounds is told, by keyword: `{shown}` is the
# value as written (shortened), `{size}` its length, `{limit}` the bound. One table, so that
# the six bounds speak alike and a seventh is one line.
_BOUND_SENTENCES = {
    "maxLength": "{shown} has {size} characters; at most {limit} are allowed",
    "minLength": "{shown} has {size} characters; at least {limit} are required",
    "minimum": "{shown} is below the minimum {limit}",
    "maximum": "{shown} is above the maximum {limit}",
    "minItems": "the list has {size} entries; at least {limit} are required",
    "maxItems": "the list has {size} entries; at most {limit} are allowed",
}


def _bound_sentence(template: str, value: Any, limit: Any) -> str:
    size = len(value) if isinstance(value, str | list | dict) else None
    shown = show_value(value) if "{shown}" in template else ""
    return template.format(shown=shown, size=size, limit=limit)


def _unexpected_property(name: str, allowed: list[str]) -> str:
    message = f"unexpected field '{name}'"
    lowered = {a.lower(): a for a in allowed}
    if name.lower() in lowered:
        return (f"{message}: did you mean '{lowered[name.lower()]}'? "
                "(field names are case-sensitive)")
    close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.75)
    if close:
        return f"{message}: did you mean '{close[0]}'?"
    if allowed:
        return f"{message}; allowed here: {', '.join(allowed)}"
    return f"{message}; no fields are allowed here"


def _not_in_enum(value: Any, allowed: list[Any]) -> str:
    options = ", ".join(str(a) for a in allowed)
    if isinstance(value, str):
        lowered = {str(a).lower(): a for a in allowed}
        if value.lower() in lowered:
            return (f"'{value}' is not one of {options}: did you mean "
                    f"'{lowered[value.lower()]}'? (values are case-sensitive)")
        return f"'{value}' is not one of {options}"
    return f"{show_value(value)} is {kind_of(value)}; expected one of {options}"


def _wrong_type(value: Any, expected: str | list[str]) -> str:
    wanted = expected if isinstance(expected, str) else expected[0]
    wanted_text = _JSON_TYPES.get(wanted, wanted)
    if value is None:
        return f"null where {wanted_text} is expected"
    message = f"{show_value(value)} is {kind_of(value)}; expected {wanted_text}"
    if isinstance(value, str) and wanted in ("integer", "number"):
        try:
            float(value)
        except ValueError:
            return message
        return message + " (numbers must not be quoted)"
    if wanted == "integer" and isinstance(value, float):
        return message + " (a whole number is required here)"
    if wanted == "string" and isinstance(value, int | float) and not isinstance(value, bool):
        return message + " (put the value in quotes)"
    if wanted == "boolean" and isinstance(value, str) and value.lower() in ("true", "false"):
        return message + " (write true/false without quotes)"
    return message
