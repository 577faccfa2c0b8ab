import hashlib
import json

import fastjsonschema
import jsonschema
import pytest

from app.ocpp import catalog
from app.ocpp.schemas import SCHEMA_DIR, PayloadKind, load_schema, required_fields

SCHEMA_FILES = sorted(SCHEMA_DIR.glob("*.json"))


def test_folder_holds_exactly_the_128_official_schemas():
    assert len(SCHEMA_FILES) == 128
    expected = {f"{a}{k.suffix}.json" for a in catalog.ACTIONS for k in PayloadKind}
    assert {p.name for p in SCHEMA_FILES} == expected


def test_schemas_are_byte_identical_to_the_recorded_checksums():
    sums = {}
    for line in (SCHEMA_DIR / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split()
        sums[name] = digest
    assert set(sums) == {p.name for p in SCHEMA_FILES}
    for path in SCHEMA_FILES:
        assert hashlib.sha256(path.read_bytes()).hexdigest() == sums[path.name], path.name


def test_provenance_is_documented():
    text = (SCHEMA_DIR / "README.md").read_text()
    assert "Open Charge Alliance" in text and "2.0.1" in text and "CC BY-ND 4.0" in text


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: p.stem)
def test_each_schema_is_draft6_and_compiles(path):
    schema = json.loads(path.read_text(encoding="utf-8"))
    assert schema["$schema"] == "http://json-schema.org/draft-06/schema#"
    assert schema["comment"] == "OCPP 2.0.1 FINAL"
    jsonschema.Draft6Validator.check_schema(schema)
    fastjsonschema.compile(schema, use_default=False)


def test_required_fields_follow_nesting_and_arrays():
    fields = required_fields("MeterValues", PayloadKind.REQUEST)
    assert fields[:2] == ["evseId", "meterValue"]
    assert "meterValue[].sampledValue" in fields
    assert "meterValue[].sampledValue[].value" in fields


def test_unknown_action_has_no_schema():
    with pytest.raises(KeyError):
        load_schema("StopTransaction", PayloadKind.REQUEST)
