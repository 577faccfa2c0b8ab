"""Status colours: one per status, case-insensitive, neutral for anything unknown, and a
tint that lets the palette's text show through."""

from widgets.status_colours import (
    AVAILABLE,
    BUSY,
    FAULTED,
    NEUTRAL,
    RESERVED,
    UNAVAILABLE,
    status_colour,
    status_tint,
    tint,
)


def test_each_status_has_its_colour():
    assert status_colour("Available") == AVAILABLE
    assert status_colour("Occupied") == status_colour("Charging") == BUSY
    assert status_colour("Reserved") == RESERVED
    assert status_colour("Unavailable") == UNAVAILABLE
    assert status_colour("Faulted") == FAULTED


def test_stations_lowercase_statuses_get_the_same_colour():
    assert status_colour(" faulted") == FAULTED


def test_unknown_or_missing_statuses_are_neutral():
    assert status_colour("Error") == status_colour(None) == status_colour(3) == NEUTRAL


def test_a_tint_is_the_colour_see_through():
    faded = tint(FAULTED, 50)
    assert faded.alpha() == 50 and faded.rgb() == FAULTED.rgb()
    assert FAULTED.alpha() == 255


def test_pauses_are_amber_and_only_known_statuses_get_a_background():
    assert status_colour("SuspendedEV") == RESERVED
    assert status_tint("Charging", 60).alpha() == 60
    assert status_tint("EVConnected") is None and status_tint(None) is None


def test_callers_get_a_copy_they_may_change():
    status_colour("Faulted").setRed(0)
    assert status_colour("Faulted") == FAULTED
