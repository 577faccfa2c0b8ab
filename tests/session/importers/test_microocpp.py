from app.session.importers import microocpp
from tests.session.importers.samples import DOWN, HEARTBEAT, HEARTBEAT_OK, UP, rows


def test_serial_monitor_output_has_directions_but_no_times():
    log = (f"12:00:01.123 -> [MO] Send: {HEARTBEAT}\n"
           f"12:00:01.311 -> [MO] Recv: {HEARTBEAT_OK}\n"
           "12:00:01.400 -> [MO] info (Connection.cpp:80): connected\n").encode()
    assert microocpp.sniff(log)
    imported = microocpp.read(log)
    assert rows(imported) == [("", UP, "Heartbeat", 2), ("", DOWN, "Heartbeat", 3)]
    assert not imported.times_known and [m.time for m in imported.messages] == [0.0, 0.0]
    assert any("no times" in n.text for n in imported.notes)
