from app.session.importers import ocpp_python
from tests.session.importers.samples import BOOT, BOOT_OK, DOWN, UP, rows


def test_the_ocpp_package_logger_of_a_csms_is_read_with_times_and_directions():
    log = (f"2025-10-03 13:09:13,380 - ocpp - INFO - CP1: receive message {BOOT}\n"
           f"2025-10-03 13:09:13,412 - ocpp - INFO - CP1: send {BOOT_OK}\n"
           "2025-10-03 13:09:14,000 - websockets.server - INFO - connection closed\n").encode()
    assert ocpp_python.sniff(log)
    imported = ocpp_python.read(log)
    assert rows(imported) == [("CP1", UP, "BootNotification", 2),
                              ("CP1", DOWN, "BootNotification", 3)]
    assert imported.times_known and imported.directions_known
    assert round(imported.messages[1].time - imported.messages[0].time, 3) == 0.032
    assert imported.places == ["line 1", "line 2"]
    assert any(n.where == "line 3" and "no OCPP frame" in n.text for n in imported.notes)
    assert any("local time" in n.text for n in imported.notes)


def test_a_station_running_the_package_is_recognised_from_what_it_sends():
    log = (f"2025-10-03 13:09:13,380 - ocpp - INFO - CP1: send {BOOT}\n"
           f"2025-10-03 13:09:13,412 - ocpp - INFO - CP1: receive message {BOOT_OK}\n").encode()
    assert [m.direction for m in ocpp_python.read(log).messages] == [UP, DOWN]


def test_home_assistant_lines_are_read():
    log = (b"2021-12-06 20:08:27 INFO (MainThread) [ocpp] CP9: send "
           b'[2,"g","GetVariables",{"getVariableData":[]}]\n'
           b"2021-12-06 20:08:28 INFO (MainThread) [ocpp] CP9: receive message "
           b'[3,"g",{"getVariableResult":[]}]\n')
    assert ocpp_python.sniff(log)
    assert rows(ocpp_python.read(log)) == [("CP9", DOWN, "GetVariables", 2),
                                           ("CP9", UP, "GetVariables", 3)]
