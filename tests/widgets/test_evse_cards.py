"""EVSE cards: the status that speaks for a card, pills readable on their colour, links
that name their record, and a card that shows a bare EVSE without complaint."""

from app.state.model import ConnectorState, EvseState
from widgets.evse_cards import EvseCard, leading_status, link, pill_style
from widgets.status_colours import BUSY, NEUTRAL, RESERVED


def evse(*statuses):
    return EvseState(1, {n: ConnectorState(1, n, s) for n, s in enumerate(statuses, 1)})


def test_the_status_needing_a_look_first_leads_the_card():
    assert leading_status(evse("Available", "Faulted", "Occupied")) == "Faulted"
    assert leading_status(evse("Available", "Occupied")) == "Occupied"
    assert leading_status(evse("available", None)) == "available"
    assert leading_status(evse("SomethingNew")) == "SomethingNew"
    assert leading_status(evse()) is None


def test_pills_keep_text_readable_on_their_colour():
    assert "color: #ffffff" in pill_style(BUSY)
    assert "color: #1b1b1b" in pill_style(RESERVED)
    assert NEUTRAL.name() in pill_style(NEUTRAL)


def test_links_name_their_record_and_escape_their_text():
    assert link(12, "<x>") == '<a href="seq:12">&lt;x&gt;</a>'
    assert link(None, "a&b") == "a&amp;b"


def test_a_bare_evse_shows_without_transaction_or_reservations(qtbot):
    card = EvseCard(4)
    qtbot.addWidget(card)
    card.show_evse(EvseState(4), None, [])
    assert card.title.text() == "EVSE 4" and card.availability.text() == ""
    assert card.transaction.isHidden() and card.reservations.isHidden()
    with qtbot.assertNotEmitted(card.record_chosen):
        card._link("https://example.invalid")


def test_a_running_transaction_is_named_so_that_it_reads_apart_from_its_neighbours(qtbot):
    from app.state.model import TransactionState

    card = EvseCard(1)
    qtbot.addWidget(card)
    card.show_evse(evse("Occupied"), TransactionState("CP-0001-TX-000004", "CP-0001",
                                                      record_seqs=[5]), [])
    assert "CP-0001-TX-000004" in card.transaction.text()
