"""The explanation walk says exactly what jsonschema says: the same findings (codes, paths,
messages, order) for every catalog example and common error, and for thousands of mutated
payloads of every action in both directions."""

from functools import cache
from typing import Any

import jsonschema
import pytest

from app.ocpp import catalog, datetimes, reference
from app.ocpp.schema_walk import UnknownKeyword, schema_errors
from app.ocpp.schemas import PayloadKind, load_schema
from app.ocpp.validation import SchemaValidator
from tests.ocpp.mutations import holds_for_mutations

VALIDATOR = SchemaValidator()
ACTIONS = list(catalog.ACTIONS)
REQ = PayloadKind.REQUEST


@cache
def draft6(action: str, kind: PayloadKind) -> jsonschema.Draft6Validator:
    """jsonschema's own Draft 6 validator with the date-time check the program uses: the
    reference the walk is held to."""
    checker = jsonschema.FormatChecker(formats=())
    checker.checks("date-time")(datetimes.is_rfc3339)
    return jsonschema.Draft6Validator(load_schema(action, kind), format_checker=checker)


def explain_by_jsonschema(action: str, kind: PayloadKind, payload: Any) -> list[Any]:
    errors = list(draft6(action, kind).iter_errors(payload))
    return VALIDATOR.findings_of_errors(action, kind, payload, errors)


def assert_same_explanation(action: str, kind: PayloadKind, payload: Any) -> None:
    walked = VALIDATOR.explain(action, kind, payload)
    assert walked == explain_by_jsonschema(action, kind, payload), payload
    # and the compiled stage agrees that there is something (or nothing) to explain
    assert bool(walked) != VALIDATOR.is_valid(action, kind, payload) or all(
        finding.code.startswith("datetime.") for finding in walked), payload


@pytest.mark.parametrize("action", ACTIONS)
def test_catalog_examples_and_common_errors_are_explained_as_jsonschema_does(action):
    page = reference.page(action)
    for item in [*page.examples, *page.common_errors]:
        assert_same_explanation(action, item.kind, item.payload)


@pytest.mark.parametrize("payload", [None, [], "{}", 3, 2.5, True, {"": {}}])
def test_payloads_that_are_not_objects_are_explained_as_jsonschema_does(payload):
    for kind in PayloadKind:
        assert_same_explanation("TransactionEvent", kind, payload)


@pytest.mark.parametrize("action", ACTIONS)
def test_mutated_payloads_are_explained_as_jsonschema_does(action):
    # a payload replaced as a whole, too
    holds_for_mutations(
        action, lambda kind, payload: assert_same_explanation(action, kind, payload),
        whole_values=True)


def test_errors_carry_the_path_value_and_rule_they_break():
    payload = {"idToken": {"idToken": "04A2B3", "type": "iso14443"}}
    (found,) = schema_errors(load_schema("Authorize", REQ), payload)
    assert found.validator == "enum"
    assert found.absolute_path == ("idToken", "type")
    assert found.instance == "iso14443" and "ISO14443" in found.validator_value


def test_required_fields_missing_in_list_items_are_found_at_each_index():
    payload = {"evseId": 1, "meterValue": [{"timestamp": "2026-11-25T09:00:00Z"},
                                           {"sampledValue": [{"value": 1}]}]}
    errors = schema_errors(load_schema("MeterValues", REQ), payload)
    assert [(e.validator, e.absolute_path) for e in errors] == [
        ("required", ("meterValue", 0)), ("required", ("meterValue", 1))]


def test_a_keyword_the_walk_does_not_know_is_refused_rather_than_ignored():
    with pytest.raises(UnknownKeyword):
        schema_errors({"type": "string", "pattern": "^a"}, "b")
