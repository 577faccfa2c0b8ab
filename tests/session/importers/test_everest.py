import json

from app.session.importers import everest
from tests.session.importers.samples import DOWN, UP, rows


def pretty(frame: list) -> str:
    return json.dumps(frame, indent=4)


def test_a_pretty_printed_log_is_joined_frame_by_frame():
    log = ("2023-12-07T04:03:32.400Z: SYS  Session logging started.\n"
           "2023-12-07T04:03:32.455Z: ChargePoint>CentralSystem BootNotification\n"
           + pretty([2, "19", "BootNotification", {"reason": "PowerUp", "chargingStation": {
               "model": "M", "vendorName": "V"}}]) + "\n"
           "2023-12-07T04:03:32.655Z: CentralSystem>ChargePoint BootNotificationResponse\n"
           + pretty([3, "19", {"currentTime": "2023-12-07T04:03:32Z", "interval": 60,
                               "status": "Accepted"}]) + "\n").encode()
    assert everest.sniff(log)
    imported = everest.read(log)
    assert rows(imported) == [("", UP, "BootNotification", 2), ("", DOWN, "BootNotification", 3)]
    assert imported.places[0].startswith("lines 2–")
    assert imported.times_known and imported.messages[0].time == 1701921812.455
    assert [n.where for n in imported.notes] == ["line 1"]


def test_a_frame_that_never_closes_is_kept_as_the_broken_frame_it_is():
    log = (b"2023-12-07T04:03:32.455Z: ChargePoint>CentralSystem Heartbeat\n"
           b'[\n    2,\n    "1",\n    "Heartbeat",\n    {\n'
           b"2023-12-07T04:03:33.000Z: CentralSystem>ChargePoint HeartbeatResponse\n"
           b'[\n    3,\n    "1",\n    {}\n]\n')
    imported = everest.read(log)
    assert [m.message_type for m in imported.messages] == [None, 3]


def test_the_header_lines_libocpp_writes_with_the_type_in_the_senders_column():
    """libocpp puts the type in one of two columns (the CSMS's second): a CSMS line has two
    spaces before it, a station line a space after it."""
    log = ("2023-12-07T04:03:32.455Z: ChargePoint>CentralSystem Heartbeat \n"
           + pretty([2, "7", "Heartbeat", {}]) + "\n\n"
           + "2023-12-07T04:03:32.655Z: CentralSystem>ChargePoint  HeartbeatResponse\n"
           + pretty([3, "7", {"currentTime": "2023-12-07T04:03:32.600Z"}]) + "\n\n").encode()
    assert everest.sniff(log)
    assert rows(everest.read(log)) == [("", UP, "Heartbeat", 2), ("", DOWN, "Heartbeat", 3)]
