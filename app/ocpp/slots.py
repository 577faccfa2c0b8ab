"""Building frozen slotted dataclasses at half the cost, for the records made per frame.

A frozen dataclass's `__init__` sets each field through `object.__setattr__`, looked up by
name, because its own `__setattr__` refuses: for the five fields of a verdict that is most
of the cost of judging an ordinary answer's pairing. The slots of such a class are
descriptors that set a field directly, so a function calling them in turn makes the very
same object, still frozen to everyone else. `fast_constructor` writes that function for one
class, positional arguments only, with the class's defaults; a field outside `__init__` with
a plain default (a frame's message type) is set to it, as the class's `__init__` does. A
class it does not fit (no slots, a `__post_init__`, a default factory, a field outside
`__init__` without a default) keeps its ordinary constructor.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import MISSING, fields, is_dataclass
from types import MemberDescriptorType
from typing import Any, TypeVar

from app.ocpp.generated_code import run_generated

T = TypeVar("T")


def fast_constructor(cls: type[T]) -> Callable[..., T]:
    """`cls(*arguments)` without the per-field `object.__setattr__`: the same object, the
    same defaults; positional arguments only. The class itself when it does not qualify."""
    if not is_dataclass(cls) or hasattr(cls, "__post_init__"):
        return cls
    namespace: dict[str, Any] = {"_new": object.__new__, "_cls": cls}
    parameters: list[str] = []
    body: list[str] = ["    made = _new(_cls)"]
    for index, item in enumerate(fields(cls)):
        if item.default_factory is not MISSING \
                or (not item.init and item.default is MISSING) \
                or not isinstance(cls.__dict__.get(item.name), MemberDescriptorType):
            return cls
        namespace[f"_set{index}"] = cls.__dict__[item.name].__set__
        if item.default is not MISSING:
            namespace[f"_default{index}"] = item.default
        if not item.init:  # not an argument: always its default
            body.append(f"    _set{index}(made, _default{index})")
            continue
        if item.default is not MISSING:
            parameters.append(f"a{index}=_default{index}")
        else:
            parameters.append(f"a{index}")
        body.append(f"    _set{index}(made, a{index})")
    signature = f"{', '.join(parameters)}, /" if parameters else ""
    source = "\n".join([f"def build({signature}):", *body, "    return made"])
    run_generated(source, f"<fast {cls.__name__}>", namespace)
    return namespace["build"]  # type: ignore[no-any-return]
