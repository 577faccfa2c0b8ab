"""Reading a request leniently: only what a valid response may echo, defaults for the rest."""

from app.ocpp.request_fields import (
    NAME_LENGTH,
    as_dict,
    dicts,
    echo_attribute,
    int_or,
    is_int,
    named,
    one_of,
)


def test_only_objects_are_read_as_objects():
    assert as_dict({"a": 1}) == {"a": 1}
    assert as_dict([1]) == {} and as_dict(None) == {}
    assert dicts([{"a": 1}, 2, "x", None, {"b": 2}]) == [{"a": 1}, {"b": 2}]
    assert dicts({"a": 1}) == [] and dicts("text") == []


def test_a_bool_is_not_an_integer():
    assert is_int(3) and not is_int(True) and not is_int(3.0)
    assert int_or(True, 7) == 7 and int_or("3", 7) == 7 and int_or(-1, 7) == -1


def test_a_value_outside_the_allowed_ones_gets_the_default():
    assert one_of("A", ("W", "A"), "W") == "A"
    assert one_of("kW", ("W", "A"), "W") == "W"
    assert one_of(["A"], ("W", "A"), "W") == "W"


def test_a_named_thing_is_echoed_within_the_schemas_limits():
    long = "x" * (NAME_LENGTH + 10)
    item = {"component": {"name": long, "instance": long, "extra": 1,
                          "evse": {"id": 2, "connectorId": 1, "other": True}}}
    assert named(item, "component") == {
        "name": "x" * NAME_LENGTH, "instance": "x" * NAME_LENGTH,
        "evse": {"id": 2, "connectorId": 1}}


def test_an_evse_that_breaks_the_schema_is_left_out():
    for evse in ({"id": -1}, {"id": "1"}, {"id": True}, "1", {"connectorId": 1}):
        assert named({"variable": {"name": "V", "evse": evse}}, "variable") == {"name": "V"}
    assert named({"variable": {"name": "V", "evse": {"id": 1, "connectorId": "2"}}},
                 "variable") == {"name": "V", "evse": {"id": 1}}


def test_a_thing_without_a_name_gets_a_nameless_stand_in():
    assert named({}, "component") == {"name": ""}
    assert named({"component": {"name": 5}}, "component") == {"name": ""}
    assert named({"component": "Clock"}, "component") == {"name": ""}


def test_the_attribute_type_is_echoed_only_when_it_is_one_of_the_schemas():
    item = {"component": {"name": "C"}, "variable": {"name": "V"}, "attributeType": "Target"}
    assert echo_attribute(item) == {"attributeType": "Target", "component": {"name": "C"},
                                    "variable": {"name": "V"}}
    assert "attributeType" not in echo_attribute({**item, "attributeType": "Peak"})
