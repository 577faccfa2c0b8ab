"""The simulated station's device model: its variables, looked up as OCPP names them."""

import pytest

from app.ocpp.simulated_device_model import device_model, look_up

NOW = "2026-03-14T09:26:53.120Z"


def variable(component, name, **extra):
    return {"component": {"name": component}, "variable": {"name": name}, **extra}


@pytest.mark.parametrize(("component", "name", "value"), [
    ("DeviceDataCtrlr", "ItemsPerMessage", "100"),
    ("TxCtrlr", "EVConnectionTimeOut", "60"),
    ("SampledDataCtrlr", "TxUpdatedInterval", "60"),
    ("AuthCtrlr", "AuthorizeRemoteStart", "true"),
    ("ChargingStation", "VendorName", "OCPP Scope"),
])
def test_a_realistic_ac_station_is_described(component, name, value):
    assert look_up(device_model(NOW, 300), variable(component, name)) == ("Accepted", value)


def test_names_are_looked_up_whatever_their_case():
    model = device_model(NOW, 300)
    assert look_up(model, variable("securityctrlr", "SECURITYPROFILE")) == ("Accepted", "1")


def test_the_heartbeat_interval_and_the_clock_follow_the_peers_settings():
    model = device_model(NOW, 120)
    assert look_up(model, variable("OCPPCommCtrlr", "HeartbeatInterval")) == ("Accepted", "120")
    assert look_up(model, variable("ClockCtrlr", "DateTime")) == ("Accepted", NOW)


def test_unknown_names_and_other_attribute_types_have_no_value():
    model = device_model(NOW, 300)
    assert look_up(model, variable("FluxCapacitor", "Model")) == ("UnknownComponent", None)
    assert look_up(model, variable("EVSE", "NoSuchVariable")) == ("UnknownVariable", None)
    assert look_up(model, variable("EVSE", "Available", attributeType="MaxSet")) == (
        "NotSupportedAttributeType", None)


def test_a_request_without_names_finds_nothing():
    assert look_up(device_model(NOW, 300), {}) == ("UnknownComponent", None)
