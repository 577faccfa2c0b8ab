from app.session.importers import citrineos
from tests.session.importers.samples import DOWN, UP, rows


def test_origin_gives_the_direction_and_the_station_column_the_station():
    export = (b'id,stationId,correlationId,origin,timestamp,message\n'
              b'1,cp001,h1,cs,2024-05-01T10:00:00.000Z,"[2,""h1"",""Heartbeat"",{}]"\n'
              b'2,cp001,h1,csms,2024-05-01T10:00:00.050Z,'
              b'"[3,""h1"",{""currentTime"":""2024-05-01T10:00:00Z""}]"\n'
              b'3,cp001,,cs,2024-05-01T10:00:01.000Z,\n')
    assert citrineos.sniff(export)
    imported = citrineos.read(export)
    assert rows(imported) == [("cp001", UP, "Heartbeat", 2), ("cp001", DOWN, "Heartbeat", 3)]
    assert imported.times_known and [n.where for n in imported.notes] == ["line 4"]
