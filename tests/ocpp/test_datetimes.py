import pytest

from app.ocpp.datetimes import epoch_seconds, explain, is_rfc3339, needs_notes, notes


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
