"""Hostile payloads for fuzz tests: catalog examples (and common errors) of an action with
one to three values replaced, anywhere, by arbitrary JSON, including the strings real peers
get wrong (lone surrogates, NUL, non-ASCII digits, wrong case, over-long text)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.ocpp import reference
from app.ocpp.schemas import PayloadKind

JSON_LEAVES = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
    st.sampled_from(["\ud800", "\udfff", "\x00", "٢٠٢٦-١١-٣٠T00:00:00Z", "2026-11-30T10:00:00",
                     "Accepted", "accepted", "Hard", "ISO14443", "", "9" * 400]),
)
JSON_VALUES = st.recursive(
    JSON_LEAVES,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)


def examples(action: str) -> list[tuple[PayloadKind, dict[str, Any]]]:
    page = reference.page(action)
    return [(example.kind, example.payload) for example in page.examples] + [
        (common.kind, common.payload) for common in page.common_errors]


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            out.extend(_paths(child, (*prefix, key)))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            out.extend(_paths(child, (*prefix, index)))
    return out


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: _replace(value[head], rest, new)}
    copy = list(value)
    copy[head] = _replace(copy[head], rest, new)
    return copy



@st.composite
def mutated_payloads(draw: st.DrawFn, action: str,
                     kind: PayloadKind | None = None) -> tuple[PayloadKind, Any]:
    """(kind, payload): an example of `action` (of `kind`, if given), mutated."""
    choices = [(k, p) for k, p in examples(action) if kind is None or k is kind]
    kind, payload = draw(st.sampled_from(choices or [(kind, {})]))
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        path = draw(st.sampled_from(_paths(payload)))
        payload = _replace(payload, path, draw(JSON_VALUES))
    return kind, payload


def holds_for_mutations(action: str, check: Callable[[PayloadKind, Any], object], *,
                        examples: int = 50, whole_values: bool = False) -> None:
    """Call `check(kind, payload)` on `examples` mutated payloads of `action` and, with
    `whole_values`, on arbitrary JSON in place of each whole payload too. The fuzz tests of
    every layer drive hypothesis this one way (no deadline, no example database: the
    runs stay independent of each other), so that each states only what must hold."""

    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(data=st.data())
    def each(data: st.DataObject) -> None:
        kind, payload = data.draw(mutated_payloads(action))
        check(kind, payload)
        if whole_values:
            check(kind, data.draw(JSON_VALUES))

    each()
