"""add_samples: a meter value's sampled values as samples, whatever odd values a peer sends."""

from app.state.model import DEFAULT_MEASURAND, MeterSample, TransactionState
from app.state.transactions import add_samples


def test_sampled_values_become_scaled_samples_and_odd_ones_are_skipped_or_defaulted():
    tx = TransactionState("TX-1", "CP-1")
    meter_values = [
        {"timestamp": "2024-05-01T12:00:00Z", "sampledValue": [
            {"value": 7.2, "measurand": "Power.Active.Import",
             "unitOfMeasure": {"unit": "kW", "multiplier": 3}},
            {"value": 5, "unitOfMeasure": {"unit": "", "multiplier": True}},
            {"value": 230, "measurand": "Voltage", "phase": "L1-N", "context": "Sample.Periodic",
             "location": "Outlet"},
            {"value": 1, "measurand": "", "phase": 3, "context": None, "location": ""},
            {"value": 2, "unitOfMeasure": {"multiplier": 12}},      # beyond the schema's range
            {"value": True}, {"value": "3"}, "not an object",
        ]},
        {"sampledValue": [{"value": 9}]},                          # no timestamp: the record's
        {"timestamp": "2024-05-01T12:00:00Z", "sampledValue": "none"},
        "not a meter value",
    ]
    add_samples(tx, meter_values, 42, 1.0)
    when = 1714564800.0
    assert tx.meter == [
        MeterSample(when, 42, "Power.Active.Import", 7200.0, "kW"),
        MeterSample(when, 42, DEFAULT_MEASURAND, 5.0, "Wh"),
        MeterSample(when, 42, "Voltage", 230.0, "Wh", "L1-N", "Sample.Periodic", "Outlet"),
        MeterSample(when, 42, DEFAULT_MEASURAND, 1.0, "Wh", None, None, ""),
        MeterSample(1.0, 42, DEFAULT_MEASURAND, 9.0, "Wh"),
    ]


def test_anything_but_a_list_adds_nothing():
    tx = TransactionState("TX-1", "CP-1")
    add_samples(tx, {"sampledValue": []}, 1, 0.0)
    add_samples(tx, None, 1, 0.0)
    assert tx.meter == []


def test_an_integer_no_float_can_hold_is_skipped_without_losing_the_others():
    tx = TransactionState("TX-1", "CP-1")
    add_samples(tx, [{"sampledValue": [{"value": 10 ** 400}, {"value": 3}]}], 7, 2.0)
    assert tx.meter == [MeterSample(2.0, 7, DEFAULT_MEASURAND, 3.0, "Wh")]
