import pytest

from app.errors import InputError
from app.session.importers import ocpp_core
from tests.session.importers.samples import DOWN, HEARTBEAT, HEARTBEAT_OK, UP, rows


def test_a_dump_folder_is_read_in_time_order_with_directions_from_the_names(tmp_path):
    (tmp_path / "2024-05-01_10-00-00-5000_CP1_ocpp201-out.txt").write_text(HEARTBEAT_OK)
    (tmp_path / "2024-05-01_10-00-00-1000_CP1_ocpp201-in.txt").write_text(HEARTBEAT)
    (tmp_path / "readme.md").write_text("not a dump")
    imported = ocpp_core.read_folder(tmp_path)
    assert rows(imported) == [("CP1", UP, "Heartbeat", 2), ("CP1", DOWN, "Heartbeat", 3)]
    assert imported.times_known
    assert round(imported.messages[1].time - imported.messages[0].time, 3) == 0.4
    assert any("1 other file" in n.text for n in imported.notes)


def test_a_folder_without_dumps_is_refused_in_a_sentence(tmp_path):
    with pytest.raises(InputError, match=r"holds no OCPP\.Core message dumps"):
        ocpp_core.read_folder(tmp_path)


def test_the_names_ocpp_core_writes_carry_no_station_and_are_read_all_the_same(tmp_path):
    """OCPP.Core names a dump `{time}_{protocol}-{in|out}.txt`: time to a ten-thousandth of
    a second, no station."""
    (tmp_path / "2024-05-01_10-00-00-1000_ocpp201-in.txt").write_text(HEARTBEAT)
    (tmp_path / "2024-05-01_10-00-00-1500_ocpp201-out.txt").write_text(HEARTBEAT_OK)
    imported = ocpp_core.read_folder(tmp_path)
    assert rows(imported) == [("", UP, "Heartbeat", 2), ("", DOWN, "Heartbeat", 3)]
    assert round(imported.messages[1].time - imported.messages[0].time, 3) == 0.05
