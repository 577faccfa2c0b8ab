from app.session.importers.records import RecordMaker, Relative, parse_time, unwrapped
from tests.session.importers.samples import DOWN, HEARTBEAT, HEARTBEAT_OK, UP


def test_the_writer_of_a_send_receive_log_is_found_from_its_calls():
    maker = RecordMaker("x")
    maker.add("line 1", HEARTBEAT, heading=Relative.SENT)
    maker.add("line 2", HEARTBEAT_OK, heading=Relative.RECEIVED)
    assert [m.direction for m in maker.finish().messages] == [UP, DOWN]


def test_times_with_and_without_a_zone():
    assert parse_time("2024-05-01T10:00:00Z") == (1714557600.0, True)
    assert parse_time("2024/05/01 10:00:00,5")[1] is False
    assert parse_time("yesterday") == (None, False)


def test_prefixes_of_docker_compose_and_serial_monitors_are_dropped():
    assert unwrapped("csms-1  | hello") == "hello"
    assert unwrapped("12:00:01.123 -> [MO] Send: x") == "[MO] Send: x"
    assert unwrapped("\x1b[32mgreen\x1b[0m") == "green"
