"""Schemas turned into Python functions that answer valid/invalid: the fast stage of
validation.

Every frame of a live proxy and of a session is judged, so this decision must be as cheap as
Python allows. General compilers (fastjsonschema) emit code for any schema: a set of the
keys of each object, one removal per property, an error text built for every nested call.
The official OCPP 2.0.1 schemas use a dozen Draft 6 keywords the same way everywhere, so the
code here can be plainer: one set comparison checks the allowed and the required keys of an
object, enums are frozensets, a property is looked at only when present, and nothing is
formatted until the answer is "invalid" (which `schema_walk` then explains). Large repeated
structures (the 200 entries of a NotifyReport, the sampled values of each meter value) cost
a loop over a few inlined tests each.

The semantics are those of `schema_walk` (Draft 6 as jsonschema implements it): a keyword
applies only to values of its type, `$ref` replaces its siblings, integral floats are
integers, booleans are not numbers. A test proves both stages give the same verdict on every
catalog example, common error and thousands of mutated payloads.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.ocpp.generated_code import run_generated
from app.ocpp.schema_walk import ANNOTATIONS, UnknownKeyword, json_equal

_TYPE_TESTS = {
    # the exact classes first: what JSON decoding gives, passed by one identity test, the
    # `isinstance` only for other values (subclasses, and the wrong types)
    "object": "({v}.__class__ is dict or isinstance({v}, dict))",
    "array": "({v}.__class__ is list or isinstance({v}, list))",
    "string": "({v}.__class__ is str or isinstance({v}, str))",
    "integer": ("({v}.__class__ is int or (isinstance({v}, int) and not isinstance({v}, bool)) "
                "or (isinstance({v}, float) and {v}.is_integer()))"),
    "number": ("({v}.__class__ is float or {v}.__class__ is int "
               "or (isinstance({v}, (int, float)) and not isinstance({v}, bool)))"),
    "boolean": "({v} is True or {v} is False)",  # bool has no subclasses
    "null": "{v} is None",
}


def _never(value: str) -> bool:
    return False


def compile_schema(schema: dict[str, Any], date_time: Callable[[Any], bool],
                   surely_good: Callable[[str], object] = _never) -> Callable[[Any], bool]:
    """A function that tells whether a payload is valid against `schema`; `date_time` is
    the check of `"format": "date-time"` values (called with strings only). `surely_good`
    is a cheap first test of a date-time string: one it calls true is one `date_time`
    would accept with nothing more to say, and is passed without calling `date_time`
    (a C-level regular expression match for the everyday shape, instead of a Python
    function for every timestamp of every frame)."""
    return _Compiler(schema, date_time, surely_good).function()


class _Compiler:
    """Writes one Python function per definition the schema uses, plus one for the root.

    The code is made from our own schema files, never from peer data: names and limits go
    in as Python literals (`repr`), sets and callables as constants of the namespace.

    Each function's body runs inside one `try` that turns KeyError and TypeError into
    "invalid", which costs nothing while no exception is raised and lets the valid path
    skip tests: a required property is read by subscript alone (a missing one raises
    KeyError), and a string enum is one set lookup without a type test before it (only a
    string can be a member; an unhashable value raises TypeError)."""

    def __init__(self, schema: dict[str, Any], date_time: Callable[[Any], bool],
                 surely_good: Callable[[str], object] = _never) -> None:
        self.schema = schema
        self.constants: dict[str, Any] = {"_date_time": date_time, "_equal": json_equal,
                                          "_surely_good": surely_good}
        self.functions: dict[str, str] = {}   # definition name -> function name
        self.inlining: list[str] = []         # definitions whose code is being written
        self.sources: list[str] = []
        self.names = 0

    def function(self) -> Callable[[Any], bool]:
        root = self._define("root", self.schema)
        namespace = dict(self.constants)
        run_generated("\n".join(self.sources), "<ocpp schema>", namespace)
        return namespace[root]  # type: ignore[no-any-return]

    # --- names --------------------------------------------------------------------------

    def _fresh(self, prefix: str) -> str:
        self.names += 1
        return f"{prefix}{self.names}"

    def _constant(self, value: Any) -> str:
        name = self._fresh("_k")
        self.constants[name] = value
        return name

    def _definition(self, ref: Any) -> str:
        prefix = "#/definitions/"
        if not isinstance(ref, str) or not ref.startswith(prefix):
            raise UnknownKeyword(f"$ref {ref!r} is not a local definition")
        name = ref[len(prefix):]
        if name not in self.functions:
            self._define(name, self.schema["definitions"][name])
        return self.functions[name]

    def _reference(self, ref: Any, v: str, ind: str) -> list[str]:
        """A definition's code written in place: a call per sampled value, per enum,
        per report entry costs more than its tests. Only a definition that refers back
        to itself is called, as a function of its own."""
        prefix = "#/definitions/"
        if not isinstance(ref, str) or not ref.startswith(prefix):
            raise UnknownKeyword(f"$ref {ref!r} is not a local definition")
        name = ref[len(prefix):]
        if name in self.inlining:
            return [f"{ind}if not {self._definition(ref)}({v}): return False"]
        self.inlining.append(name)
        try:
            return self._node(self.schema["definitions"][name], v, ind) or [f"{ind}pass"]
        finally:
            self.inlining.pop()

    def _define(self, name: str, node: dict[str, Any]) -> str:
        function = self._fresh("_v")
        self.functions[name] = function  # before the body: a definition may refer to itself
        body = self._node(node, "data", "        ") or ["        pass"]
        self.sources.append("\n".join([
            f"def {function}(data):", "    try:", *body,
            "    except (KeyError, TypeError):", "        return False", "    return True", ""]))
        return function

    # --- code ---------------------------------------------------------------------------

    def _node(self, node: dict[str, Any], v: str, ind: str) -> list[str]:
        if "$ref" in node:  # Draft 6: a `$ref` replaces its siblings
            return self._reference(node["$ref"], v, ind)
        rule = node.get("type")
        known = rule if isinstance(rule, str) else None  # asserted before the rest
        lines: list[str] = []
        if _string_enum_only(node):
            # membership of the set says it all: only strings are in it
            return [f"{ind}if {v} not in {self._constant(frozenset(node['enum']))}: "
                    "return False"]
        if rule is not None:  # first, whatever its place: the code below relies on it
            kinds = [rule] if isinstance(rule, str) else list(rule)
            test = " or ".join(_TYPE_TESTS[kind].format(v=v) for kind in kinds)
            lines.append(f"{ind}if not ({test}): return False")
        for keyword, value in node.items():
            if keyword == "type":
                continue
            if keyword in _BY_TYPE:
                kind, emit = _BY_TYPE[keyword]
                sure = kind == known or (kind == "number" and known == "integer")
                if known is not None and not sure:
                    continue  # never applies: the type test above let only `known` through
                code = emit(self, node, value, v, ind if sure else ind + "    ")
                if code and not sure:
                    lines.append(f"{ind}if {_TYPE_TESTS[kind].format(v=v)}:")
                lines.extend(code)
            elif keyword == "enum":
                lines.extend(self._enum(value, v, ind, known))
            elif keyword == "format":
                if value == "date-time":  # the only format checked; others only describe
                    sure = "" if known == "string" else f"isinstance({v}, str) and "
                    lines.append(f"{ind}if {sure}not _surely_good({v}) "
                                 f"and not _date_time({v}): return False")
            elif keyword not in ANNOTATIONS:
                raise UnknownKeyword(f"schema keyword {keyword!r} is not supported")
        return lines

    def _enum(self, options: list[Any], v: str, ind: str, known: str | None) -> list[str]:
        if known == "string" and all(isinstance(option, str) for option in options):
            return [f"{ind}if {v} not in {self._constant(frozenset(options))}: return False"]
        choices = self._constant(tuple(options))
        return [f"{ind}if not any(_equal(option, {v}) for option in {choices}): return False"]

    def _properties(self, node: dict[str, Any], properties: dict[str, Any], v: str,
                    ind: str) -> list[str]:
        """Each property's checks, when present; a required one is read at once (KeyError
        when missing), which is also its `required` test (`_required` leaves it out)."""
        lines: list[str] = []
        required = _required_properties(node)
        rare = _rare_properties(node)  # checked by `_additional`, only when present
        for name, child in properties.items():
            if name in rare:
                continue
            x = self._fresh("x")
            if name in required:
                lines.append(f"{ind}{x} = {v}[{name!r}]")
                lines += self._node(child, x, ind)
                continue
            lines += [f"{ind}if {name!r} in {v}:", f"{ind}    {x} = {v}[{name!r}]"]
            lines += self._node(child, x, ind + "    ") or [f"{ind}    pass"]
        return lines

    def _additional(self, node: dict[str, Any], rule: Any, v: str, ind: str) -> list[str]:
        """No key outside `properties`: one set test (`issuperset` of the dict, which
        reads its keys without the view `keys() <=` builds). The rare properties
        (`_rare_properties`) are left out of the first test, so that an object without
        them, nearly every one, is not asked about each; one that has some takes the
        second test and their checks."""
        if rule is not False:
            raise UnknownKeyword("additionalProperties other than false is not supported")
        properties = node.get("properties", {})
        allowed = self._constant(frozenset(properties).issuperset)
        rare = _rare_properties(node)
        if not rare:
            return [f"{ind}if not {allowed}({v}): return False"]
        usual = self._constant(frozenset(properties).difference(rare).issuperset)
        lines = [f"{ind}if not {usual}({v}):", f"{ind}    if not {allowed}({v}): return False"]
        lines += self._properties({"properties": {name: properties[name] for name in rare}},
                                  {name: properties[name] for name in rare}, v, ind + "    ")
        return lines

    def _required(self, node: dict[str, Any], names: list[str], v: str, ind: str
                  ) -> list[str]:
        read = _required_properties(node)  # already read by `_properties`
        names = [name for name in names if name not in read]
        if not names:
            return []
        if len(names) == 1:
            return [f"{ind}if {names[0]!r} not in {v}: return False"]
        return [f"{ind}if not {v}.keys() >= {self._constant(frozenset(names))}: return False"]

    def _items(self, node: dict[str, Any], items: Any, v: str, ind: str) -> list[str]:
        if not isinstance(items, dict):
            raise UnknownKeyword("items other than one schema is not supported")
        x = self._fresh("x")
        return [f"{ind}for {x} in {v}:", *(self._node(items, x, ind + "    ")
                                           or [f"{ind}    pass"])]

    def _additional_items(self, node: dict[str, Any], rule: Any, v: str, ind: str
                          ) -> list[str]:
        if not isinstance(node.get("items", {}), dict):
            raise UnknownKeyword("additionalItems beside a list of items is not supported")
        return []  # beside one `items` schema it has no effect


def _required_properties(node: dict[str, Any]) -> frozenset[str]:
    """The required names that `properties` also describes: `_properties` reads these by
    subscript, which tests their presence too. Both keywords apply to objects alone, so
    they are written under the same type test (or none, when the type is known)."""
    required, properties = node.get("required"), node.get("properties")
    if not isinstance(required, list) or not isinstance(properties, dict):
        return frozenset()
    return frozenset(name for name in required if isinstance(name, str) and name in properties)


# Optional properties nearly never sent: `customData`, the vendor extension every object of
# the 2.0.1 schemas allows. Any choice here judges alike; it only decides which objects
# take the second key test.
_RARE = frozenset({"customData"})


def _rare_properties(node: dict[str, Any]) -> list[str]:
    """The rare optional properties of an object node that `_additional` checks instead of
    `_properties`: only beside `"additionalProperties": false`, whose key test sees them."""
    properties = node.get("properties")
    if node.get("additionalProperties") is not False or not isinstance(properties, dict):
        return []
    required = _required_properties(node)
    return [name for name in properties if name in _RARE and name not in required]


def _string_enum_only(node: dict[str, Any]) -> bool:
    """A node that asks only for one of some strings (`type` string and `enum`, the rest
    annotations or keywords of other types, such as the `additionalProperties` the
    official enum definitions carry): its enum set alone decides, since no other JSON
    value equals a string."""
    options = node.get("enum")
    return (node.get("type") == "string" and isinstance(options, list) and bool(options)
            and all(isinstance(option, str) for option in options)
            and all(key in ("type", "enum") or key in ANNOTATIONS
                    or (key in _BY_TYPE and _BY_TYPE[key][0] != "string") for key in node))


def _compare(operator: str) -> Callable[[_Compiler, dict[str, Any], Any, str, str], list[str]]:
    def emit(compiler: _Compiler, node: dict[str, Any], limit: Any, v: str, ind: str
             ) -> list[str]:
        return [f"{ind}if {v} {operator} {limit!r}: return False"]
    return emit


def _length(operator: str) -> Callable[[_Compiler, dict[str, Any], Any, str, str], list[str]]:
    def emit(compiler: _Compiler, node: dict[str, Any], limit: Any, v: str, ind: str
             ) -> list[str]:
        return [f"{ind}if len({v}) {operator} {int(limit)}: return False"]
    return emit


# keyword -> (the type it applies to, the code it writes for a value of that type)
_BY_TYPE: dict[str, tuple[str, Callable[[_Compiler, dict[str, Any], Any, str, str],
                                        list[str]]]] = {
    "properties": ("object", _Compiler._properties),
    "additionalProperties": ("object", _Compiler._additional),
    "required": ("object", _Compiler._required),
    "maxLength": ("string", _length(">")),
    "minLength": ("string", _length("<")),
    "minimum": ("number", _compare("<")),
    "maximum": ("number", _compare(">")),
    "items": ("array", _Compiler._items),
    "additionalItems": ("array", _Compiler._additional_items),
    "minItems": ("array", _length("<")),
    "maxItems": ("array", _length(">")),
}
