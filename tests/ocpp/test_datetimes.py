import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.ocpp.datetimes import (
    epoch_seconds,
    explain,
    is_rfc3339,
    needs_notes,
    notes,
    plainly_valid,
)


@pytest.mark.parametrize("value", [
    "2024-05-01T12:00:00Z", "2024-05-01t12:00:00z", "2024-05-01T12:00:00.123+02:00",
    "2024-02-29T23:59:59-05:30", "2024-05-01T12:00:00.1234567Z",
])
def test_valid(value):
    assert is_rfc3339(value)


@pytest.mark.parametrize("value", [
    "2024-05-01T12:00:00", "2024-05-01T12:00:00+0200", "2024-05-01T12:00:00+02",
    "2024-05-01 12:00:00Z", "", "0", "2023-02-29T00:00:00Z", "2024-05-01T24:00:00Z",
    "2024-05-01T12:00:00+25:00", "2024-05-01T12:00Z",
])
def test_invalid(value):
    assert not is_rfc3339(value)
    assert explain(value)


def test_non_strings_are_left_to_the_type_check():
    assert is_rfc3339(5)


def test_notes_only_for_valid_values():
    assert notes("2024-05-01T12:00:00.123Z") == []
    assert [c for c, _ in notes("2024-05-01T12:00:00.1234Z")] == ["datetime.precision"]
    assert [c for c, _ in notes("1970-01-01T00:00:00Z")] == ["datetime.clock-not-set"]
    assert notes("garbage") == []


@pytest.mark.parametrize("value", [
    "2024-05-01T12:00:00Z", "2024-05-01T12:00:00.123Z", "1970-01-01T00:00:00Z",
    "2024-05-01T12:00:00.1234Z", "x", "",
])
def test_needs_notes_never_misses_a_note(value):
    if notes(value):
        assert needs_notes(value)


@pytest.mark.parametrize("value", [
    "٢٠٢٤-05-01T12:00:00Z",            # Arabic-Indic digits in the year
    "2024-05-01T12:00:00.١٢٣Z",        # ... in the fraction
    "２０２４-05-01T12:00:00Z",          # full-width digits
    "2024-05-01T12:00:00+０２:00",       # ... in the offset
])
def test_only_ascii_digits_are_digits(value):
    assert not is_rfc3339(value)
    assert "outside 0-9" in explain(value)


def test_other_digits_in_a_fraction_do_not_ask_for_notes():
    assert not needs_notes("2024-05-01T12:00:00.1٢٣٤Z")
    assert not needs_notes("１９７０-01-01T00:00:00Z")


def test_epoch_seconds_reads_rfc3339_and_refuses_anything_else():
    assert epoch_seconds("2024-01-01T01:00:00+01:00") == 1704067200.0
    assert epoch_seconds("2024-01-01T00:00:00.1234567Z") == 1704067200.123456
    for odd in ("2024-01-01T00:00:00", "", None, 5, "2024-01-01T00:00:60Z"):
        assert epoch_seconds(odd) is None


@pytest.mark.parametrize("value, valid", [
    ("2024-02-29T00:00:00Z", True), ("2023-02-29T00:00:00Z", False),
    ("2024-04-30T00:00:00Z", True), ("2024-04-31T00:00:00Z", False),
    ("2024-12-31T23:59:60Z", True), ("2024-13-01T00:00:00Z", False),
    ("2024-00-10T00:00:00Z", False), ("2024-01-00T00:00:00Z", False),
    ("0000-01-01T00:00:00Z", False), ("0001-01-01T00:00:00Z", True),
])
def test_calendar_dates_are_checked_at_every_edge(value, valid):
    assert is_rfc3339(value) is valid


# --- the everyday shape, passed by one match ------------------------------------------------

def _assert_plain_is_a_safe_shortcut(value: str) -> None:
    """What `plainly_valid` passes, the full checks pass with nothing to note."""
    if plainly_valid(value):
        assert is_rfc3339(value) and not needs_notes(value) and not notes(value), value


@pytest.mark.parametrize("value", [
    "2026-11-25T09:00:00Z", "2026-11-25T09:00:00.123Z", "2026-11-25T09:00:00+02:00",
    "2026-01-31T23:59:59-05:30", "2026-04-30T00:00:00Z", "2010-01-01T00:00:00.1Z",
])
def test_everyday_date_times_are_plainly_valid(value):
    assert plainly_valid(value)
    _assert_plain_is_a_safe_shortcut(value)


@pytest.mark.parametrize("value", [
    "2024-02-29T00:00:00Z",          # a leap day: the calendar decides
    "2024-12-31T23:59:60Z",          # a leap second
    "2024-04-31T00:00:00Z", "2023-02-30T00:00:00Z",
    "1970-01-01T00:00:00Z", "2009-12-31T23:59:59Z",   # a clock never set
    "2024-05-01T12:00:00.1234Z",     # too many fractional digits
    "2024-05-01t12:00:00z", "2024-05-01T12:00:00", "2024-05-01T12:00:00+0200",
    "2024-05-01T24:00:00Z", "2024-05-01T12:00:00+24:00", "٢٠٢٤-05-01T12:00:00Z",
    "2024-05-01T12:00:00Z\n", "", "2024-05-01T12:00:00.Z",
])
def test_anything_else_is_left_to_the_full_checks(value):
    assert not plainly_valid(value)


def test_every_day_of_a_leap_and_a_common_year_agrees_with_the_full_check():
    for year in (2023, 2024):
        for month in range(1, 13):
            for day in range(1, 33):
                value = f"{year}-{month:02d}-{day:02d}T10:20:30.400+01:00"
                _assert_plain_is_a_safe_shortcut(value)
                if is_rfc3339(value) and day not in (29, 30, 31):
                    assert plainly_valid(value), value


_DATE_CHARS = st.sampled_from([*"0123456789-:T.Zzt+ ٢", "60", "29", "31", "00"])


@settings(max_examples=400, deadline=None, database=None)
@given(template=st.sampled_from(["2026-11-25T09:00:00.123Z", "2024-02-29T23:59:60+05:30",
                                 "2010-12-31T00:00:00Z", "1999-01-01T00:00:00.1234Z"]),
       edits=st.lists(st.tuples(st.integers(0, 30), _DATE_CHARS), max_size=3))
def test_a_mangled_date_time_is_plain_only_when_the_full_checks_agree(template, edits):
    value = template
    for position, text in edits:
        value = value[:position] + text + value[position + 1:]
    _assert_plain_is_a_safe_shortcut(value)


@settings(max_examples=300, deadline=None, database=None)
@given(value=st.text(max_size=30))
def test_any_text_is_plain_only_when_the_full_checks_agree(value):
    _assert_plain_is_a_safe_shortcut(value)
