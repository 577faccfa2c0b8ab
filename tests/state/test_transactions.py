"""add_samples: a meter value's sampled values as samples, whatever odd values a peer sends."""

from hypothesis import given, settings
from hypothesis import strategies as st

from app.state.model import DEFAULT_MEASURAND, MeterSample, TransactionState
from app.state.transactions import add_samples
from app.state.values import as_int, as_number, as_str, epoch_of


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


# --- add_samples against the plain reading of a meterValue list ----------------------------

def samples_read_plainly(meter_values, seq, time):
    """What a meterValue list says, read one sampled value at a time with the helpers of
    `app.state.values`: the meaning `add_samples` keeps while reading faster."""
    found = []
    for meter_value in meter_values if isinstance(meter_values, list) else []:
        if not isinstance(meter_value, dict):
            continue
        when = epoch_of(meter_value.get("timestamp")) or time
        sampled_values = meter_value.get("sampledValue")
        for sampled in sampled_values if isinstance(sampled_values, list) else []:
            if not isinstance(sampled, dict):
                continue
            value = sampled.get("value")
            if as_number(value) is None or (type(value) is int and abs(value) > 10 ** 300):
                continue
            unit = sampled.get("unitOfMeasure")
            scaled, unit_name = float(value), "Wh"
            if isinstance(unit, dict):
                multiplier = as_int(unit.get("multiplier")) or 0
                if not -9 <= multiplier <= 9:
                    continue
                scaled = value * 10.0 ** multiplier if multiplier else float(value)
                unit_name = as_str(unit.get("unit")) or "Wh"
            found.append(MeterSample(
                when, seq, as_str(sampled.get("measurand")) or DEFAULT_MEASURAND, scaled,
                unit_name, as_str(sampled.get("phase")), as_str(sampled.get("context")),
                as_str(sampled.get("location"))))
    return found


_odd = st.one_of(st.none(), st.booleans(), st.text(max_size=4), st.integers(),
                 st.floats(), st.lists(st.integers(), max_size=2))
_names = st.one_of(st.sampled_from(["Voltage", "SoC", "", "L1", "Outlet", "Wh", "kW"]), _odd)
_numbers = st.one_of(st.floats(), st.integers(), st.integers(min_value=-(10 ** 310),
                                                             max_value=10 ** 310),
                     st.sampled_from([10 ** 300, -(10 ** 300), 10 ** 300 + 1, 2 ** 53 + 1]),
                     _odd)
_unit = st.one_of(_odd, st.fixed_dictionaries({}, optional={
    "unit": _names, "multiplier": st.one_of(st.integers(-12, 12), _odd)}))
_sampled = st.one_of(_odd, st.fixed_dictionaries({}, optional={
    "value": _numbers, "unitOfMeasure": _unit, "measurand": _names, "phase": _names,
    "context": _names, "location": _names}))
_meter_value = st.one_of(_odd, st.fixed_dictionaries({}, optional={
    "timestamp": st.one_of(st.sampled_from(["2024-05-01T12:00:00Z", "2024-05-01 12:00:00",
                                            "2024-05-01T12:00:00.1234567+02:00", "0"]),
                           _odd),
    "sampledValue": st.one_of(st.lists(_sampled, max_size=8), _odd)}))


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.lists(_meter_value, max_size=4), _odd),
       st.sampled_from([7, 0, 2 ** 33, -1, 2 ** 70]),
       st.sampled_from([1.0, 0.0, float("inf"), float("nan"), 2 ** 60 + 1]))
def test_samples_are_those_of_a_plain_reading_whatever_the_peer_sends(meter_values, seq,
                                                                        time):
    tx = TransactionState("TX-1", "CP-1")
    add_samples(tx, meter_values, seq, time)
    add_samples(tx, meter_values, seq + 1, time)  # a second list on a log already holding some
    expected = [*samples_read_plainly(meter_values, seq, time),
                *samples_read_plainly(meter_values, seq + 1, time)]
    assert repr(list(tx.meter)) == repr(expected)  # repr: NaN equals itself there
