"""Every state view colours a status alike; an unknown status keeps the palette's own."""

from widgets.status_colours import status_colour


def test_statuses_have_their_colours():
    assert status_colour("Available").green() > status_colour("Available").red()
    assert status_colour("Charging") == status_colour("Occupied")
    assert status_colour("Faulted").red() > 180
    reserved = status_colour("Reserved")
    assert reserved.red() > reserved.blue() and reserved.green() > reserved.blue()
    grey = status_colour("Unavailable")
    assert grey.saturation() < 40


def test_an_unknown_status_is_neutral():
    assert status_colour(None) is None and status_colour("Dancing") is None


def test_the_shared_colours_cannot_be_changed_by_a_caller():
    status_colour("Faulted").setRed(0)
    assert status_colour("Faulted").red() > 180
