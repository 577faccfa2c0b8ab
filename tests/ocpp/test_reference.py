"""The catalog's reference data: complete for all 64 actions, and true.

Every example must pass both validation stages; every common error must be rejected by both,
with exactly the finding it documents. This is also the proof that the compiled fast path and
jsonschema agree.
"""

import pytest

from app.ocpp import catalog, reference
from app.ocpp.schemas import PayloadKind
from app.ocpp.validation import SchemaValidator

ACTIONS = list(catalog.ACTIONS)
VALIDATOR = SchemaValidator()


@pytest.mark.parametrize("action", ACTIONS)
def test_page_is_complete(action):
    page = reference.page(action)
    assert page.action.name == action
    assert 10 < len(page.summary) <= 90
    assert len(page.description) > 80
    assert page.examples_of(PayloadKind.REQUEST), "needs a request example"
    assert page.examples_of(PayloadKind.RESPONSE), "needs a response example"
    assert len(page.common_errors) >= 2
    for item in page.common_errors:
        assert item.title and len(item.explanation) > 30


@pytest.mark.parametrize("action", ACTIONS)
def test_examples_are_valid_in_both_stages(action):
    for example in reference.page(action).examples:
        assert VALIDATOR.is_valid(action, example.kind, example.payload), example.title
        assert VALIDATOR.explain(action, example.kind, example.payload) == [], example.title
        assert VALIDATOR.validate(action, example.kind, example.payload) == [], example.title


@pytest.mark.parametrize("action", ACTIONS)
def test_common_errors_are_rejected_as_documented(action):
    for item in reference.page(action).common_errors:
        assert not VALIDATOR.is_valid(action, item.kind, item.payload), item.title
        findings = VALIDATOR.validate(action, item.kind, item.payload)
        assert [(f.code, f.path) for f in findings] == [(item.code, item.path)], item.title


def test_no_reference_file_without_an_action():
    names = {p.stem for p in reference.REFERENCE_DIR.glob("*.json")}
    assert names == set(ACTIONS)
