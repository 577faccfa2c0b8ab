from app.session.importers import steve
from tests.session.importers.samples import DOWN, HEARTBEAT, HEARTBEAT_OK, UP, rows


def test_received_and_sending_are_the_csms_view():
    log = ("2024-03-01 10:00:00,123 INFO  [qtp-17] WebSocketLogger - [chargeBoxId=cp001, "
           f"sessionId=9a1f] Received: {HEARTBEAT}\n"
           "2024-03-01 10:00:00,130 INFO  [qtp-17] WebSocketLogger - [chargeBoxId=cp001, "
           f"sessionId=9a1f] Sending: {HEARTBEAT_OK}\n").encode()
    assert steve.sniff(log)
    imported = steve.read(log)
    assert rows(imported) == [("cp001", UP, "Heartbeat", 2), ("cp001", DOWN, "Heartbeat", 3)]
    assert imported.times_known and imported.directions_known
