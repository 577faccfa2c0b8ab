from app.ocpp import catalog
from app.ocpp.catalog import Sender


def test_all_64_actions_in_eleven_categories():
    assert len(catalog.ACTIONS) == 64
    assert len(catalog.CATEGORIES) == 11
    assert sum(len(catalog.actions_in(c)) for c in catalog.CATEGORIES) == 64


def test_senders():
    assert catalog.ACTIONS["BootNotification"].sender is Sender.STATION
    assert catalog.ACTIONS["SetChargingProfile"].sender is Sender.CSMS
    assert catalog.ACTIONS["DataTransfer"].sender is Sender.BOTH
    assert [a.name for a in catalog.ACTIONS.values() if a.sender is Sender.BOTH] == [
        "DataTransfer"]


def test_categories_match_the_usual_grouping():
    assert [a.name for a in catalog.actions_in("Reservation")] == [
        "ReserveNow", "CancelReservation", "ReservationStatusUpdate"]
    assert catalog.ACTIONS["CostUpdated"].category == "Core"
    assert catalog.ACTIONS["UnlockConnector"].category == "Remote Control"


def test_closest_action():
    assert catalog.closest_action("heartbeat") == "Heartbeat"
    assert catalog.closest_action("BootNotificaton") == "BootNotification"
    assert catalog.closest_action("Zzz") is None


def test_which_side_may_send_an_action():
    station, csms = Sender.STATION, Sender.CSMS
    assert catalog.ACTIONS["BootNotification"].sent_by(station)
    assert not catalog.ACTIONS["BootNotification"].sent_by(csms)
    assert catalog.ACTIONS["Reset"].sent_by(csms) and not catalog.ACTIONS["Reset"].sent_by(station)
    assert all(catalog.ACTIONS["DataTransfer"].sent_by(side) for side in (station, csms))
