"""Reading peer values leniently: the state wants the moment, the schema flags the form."""

import re
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.state import values
from app.state.values import as_int, epoch_of


@pytest.mark.parametrize("text, expected", [
    ("2024-01-01T00:00:00Z", 1704067200.0),
    ("2024-01-01T00:00:00", 1704067200.0),                  # no offset: read as UTC
    ("2024-01-01 02:00:00+02:00", 1704067200.0),
    ("2024-01-01T00:00:00.1234567Z", 1704067200.123456),    # seven fractional digits
    ("0", None), ("", None), (None, None), (17, None), ("not a date at all", None),
])
def test_epoch_of_reads_what_stations_send(text, expected):
    assert epoch_of(text) == expected


def test_as_int_refuses_bools_and_floats():
    assert (as_int(3), as_int(True), as_int(3.0), as_int("3")) == (3, None, None, None)


def test_epoch_of_gives_the_same_moment_when_a_string_comes_again():
    first = [epoch_of(text) for text in ("2024-01-01T00:00:00Z", "bad date-time", "1")]
    again = [epoch_of(text) for text in ("2024-01-01T00:00:00Z", "bad date-time", "1")]
    assert first == again == [1704067200.0, None, None]


def test_epoch_of_stays_right_after_its_memory_of_strings_fills():
    for second in range(5000):  # more distinct strings than are remembered
        text = f"2024-01-01T01:{second // 60 % 60:02d}:{second % 60:02d}Z"
        assert epoch_of(text) == 1704070800.0 + (second // 60 % 60) * 60 + second % 60


@pytest.mark.parametrize("stamp", [
    "2026-11-25T09:00:00Z", "2026-11-25T09:00:00.123Z", "2026-11-25T09:00:00.123456+02:00",
    "2026-11-25T09:00:00-05:30", "2026-02-30T09:00:00Z", "2026-11-25T24:00:00Z",
    "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "2026-11-25T09:00:60Z",
    "2026-11-25T09:00:00+24:00", "2026-11-25T09:00:00.1Z",
])
def test_plain_stamps_read_directly_give_the_moment_the_rewriting_gives(stamp, monkeypatch):
    quick = values._epoch_of(stamp)
    monkeypatch.setattr(values, "_PLAIN", re.compile(r"(?!)"))  # the rewriting path only
    assert quick == values._epoch_of(stamp)


@settings(max_examples=300, deadline=None)
@given(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
       st.integers(-23 * 60 - 59, 23 * 60 + 59), st.sampled_from([0, 1, 3, 6]),
       st.booleans())
def test_the_quick_reading_of_the_usual_form_gives_the_moment_datetime_gives(
        moment, offset_minutes, digits, zulu):
    """The usual form skips `datetime.timestamp()` for the same subtraction written out:
    it must give the very same float."""
    sign = "-" if offset_minutes < 0 else "+"
    offset = "Z" if zulu else f"{sign}{abs(offset_minutes) // 60:02}:{abs(offset_minutes) % 60:02}"
    fraction = f".{moment.microsecond:06}"[:digits + 1] if digits else ""
    text = moment.strftime("%Y-%m-%dT%H:%M:%S").rjust(19, "0") + fraction + offset
    assert values._PLAIN.match(text)
    assert epoch_of(text) == datetime.fromisoformat(text).timestamp()


@pytest.mark.parametrize("value, expected", [
    (3, 3.0), (2.5, 2.5), (True, None), ("7", None), (None, None),
    (10 ** 400, None), (-(10 ** 400), None),             # no float holds them
], ids=["int", "float", "bool", "text", "none", "huge", "huge-negative"])
def test_a_number_is_read_as_a_float_when_one_holds_it(value, expected):
    assert values.as_number(value) == expected
