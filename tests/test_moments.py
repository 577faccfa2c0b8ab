"""A moment typed on the command line: every form, every refusal, and every command option
that takes one declared the same way."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

import pytest

from app import cli
from app.errors import UsageError
from app.moments import MOMENT_FORMS, Moment, fixed_epoch, read_moment

NOON = datetime(2024, 5, 1, 12, tzinfo=UTC).timestamp()


@pytest.mark.parametrize("text", [
    "2024-05-01T12:00:00Z", "2024-05-01T14:00:00+02:00", "2024-05-01T09:30:00-02:30",
    "2024-05-01T12:00:00", "2024-05-01 12:00:00Z", "2024-05-01t12:00:00z", "2024-05-01T12:00",
    "2024-05-01T12:00:00.0000000Z", " 2024-05-01T12:00:00Z ",
])
def test_a_date_time_with_or_without_offset_names_its_moment_in_utc(text: str) -> None:
    moment = read_moment(text, "--at")
    assert (moment.fixed, moment.after_start) == (NOON, None)
    assert moment.epoch(first_record=None) == NOON


def test_a_date_alone_is_midnight_utc() -> None:
    assert read_moment("2024-05-01", "--at").fixed == NOON - 12 * 3600


def test_fractions_finer_than_a_microsecond_are_cut() -> None:
    assert read_moment("2024-05-01T12:00:00.1234567Z", "--at").fixed == NOON + 0.123456


@pytest.mark.parametrize(("text", "seconds"), [("90", 90.0), ("2.5", 2.5), ("+0", 0.0),
                                               (".5", 0.5)])
def test_a_number_counts_seconds_from_the_first_record(text: str, seconds: float) -> None:
    moment = read_moment(text, "--from")
    assert moment.fixed is None and moment.epoch(first_record=NOON) == NOON + seconds


def test_seconds_without_a_first_record_are_refused_naming_the_option() -> None:
    with pytest.raises(UsageError) as caught:
        read_moment("90", "--start").epoch(first_record=None)
    assert str(caught.value) == ("--start '90': seconds count from the first record, and this "
                                 "input has none; give a date-time like 2024-05-01T10:00:00Z")


@pytest.mark.parametrize("text", ["100000000000000000000", "9" * 400],
                         ids=["past-9999", "infinite"])
def test_seconds_past_any_date_are_refused_naming_the_option(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        read_moment(text, "--at").epoch(first_record=NOON)
    assert str(caught.value).startswith(f"--at '{text}': that many seconds after the first "
                                        "record is past the year 9999")


@pytest.mark.parametrize(("text", "reason"), [
    ("yesterday", "not a moment"), ("", "not a moment"), ("-5", "not a moment"),
    ("nan", "not a moment"), ("inf", "not a moment"), ("1e3", "not a moment"),
    ("12:00", "not a moment"), ("2024-05-01T12:00:00+0200", "not a moment"),
    ("2024-05-01T12", "not a moment"), ("2024-05", "not a moment"),
    ("２０２４-05-01", "not a moment"),
    ("2024-02-30", "no such day or time in the calendar"),
    ("2024-05-01T24:00:00Z", "no such day or time in the calendar"),
    ("2024-05-01T12:00:60Z", "no such day or time in the calendar"),
    ("2024-05-01T12:00:00+24:00", "no such day or time in the calendar"),
    ("0001-01-01T00:00:00+01:00", "no such day or time in the calendar"),
])
def test_a_bad_value_is_one_sentence_with_the_option_and_the_forms(text: str,
                                                                   reason: str) -> None:
    with pytest.raises(UsageError) as caught:
        read_moment(text, "--to")
    assert str(caught.value) == f"--to '{text}': {reason}; give {MOMENT_FORMS}"


def test_fixed_epoch_reads_dates_and_date_times_but_not_seconds() -> None:
    assert fixed_epoch("2024-05-01T14:00:00+02:00") == NOON
    assert fixed_epoch("2024-05-01") == NOON - 12 * 3600
    assert fixed_epoch("90") is None and fixed_epoch("noon") is None


def _moment_options() -> dict[str, argparse.Action]:
    """Every option of every command whose value is a moment, by 'command --option'."""
    found: dict[str, argparse.Action] = {}
    for name in cli.COMMANDS:
        parser = cli.build_parser(name)
        [commands] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        for action in commands.choices[name]._actions:
            if action.metavar == "TIME":
                found[f"{name} {action.option_strings[0]}"] = action
    return found


def test_every_moment_option_reads_a_moment_and_says_the_same_forms() -> None:
    options = _moment_options()
    assert set(options) == {"state --at", "convert --from", "convert --to", "schedule --start"}
    for option, action in options.items():
        assert action.help and action.help.endswith(f": {MOMENT_FORMS}"), option
        assert action.type is not None and isinstance(action.type("90"), Moment), option
