"""The message reference: for each action, a summary, examples and common errors.

The pages are data (`reference/<Action>.json`, one per action) so that the reference view,
the composer's templates and the validator's "common errors" all read the same facts, and
tests can prove every example valid and every common error rejected as documented.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from app.ocpp import catalog
from app.ocpp.schemas import PayloadKind, required_fields

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"


@dataclass(frozen=True, slots=True)
class Example:
    title: str
    kind: PayloadKind
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class CommonError:
    title: str
    kind: PayloadKind
    payload: dict[str, Any]
    code: str           # the finding code the validator reports for it
    path: str           # ...and the path it reports
    explanation: str


@dataclass(frozen=True, slots=True)
class ReferencePage:
    action: catalog.Action
    summary: str
    description: str
    examples: tuple[Example, ...]
    common_errors: tuple[CommonError, ...]

    def examples_of(self, kind: PayloadKind) -> list[Example]:
        return [e for e in self.examples if e.kind is kind]

    def required(self, kind: PayloadKind) -> list[str]:
        return required_fields(self.action.name, kind)


@cache
def page(action: str) -> ReferencePage:
    """The reference page of one action; KeyError for an action not in the catalog."""
    entry = catalog.ACTIONS[action]
    data = json.loads((REFERENCE_DIR / f"{action}.json").read_text(encoding="utf-8"))
    examples = tuple(
        Example(item["title"], PayloadKind(kind), item["payload"])
        for kind in ("request", "response")
        for item in data["examples"][kind]
    )
    errors = tuple(
        CommonError(item["title"], PayloadKind(item["kind"]), item["payload"],
                    item["finding"]["code"], item["finding"]["path"], item["explanation"])
        for item in data["common_errors"]
    )
    return ReferencePage(entry, data["summary"], data["description"], examples, errors)


def all_pages() -> list[ReferencePage]:
    return [page(name) for name in catalog.ACTIONS]
