import json

from app.session.importers import traces
from tests.session.importers.samples import DOWN, UP, rows


def test_json_lines_of_events_with_relative_directions():
    lines = "\n".join(json.dumps(e) for e in (
        {"timestamp": "2024-05-01T10:00:00Z", "direction": "out",
         "message": [2, "1", "Heartbeat", {}]},
        {"timestamp": "2024-05-01T10:00:01Z", "direction": "in",
         "message": '[3,"1",{"currentTime":"2024-05-01T10:00:00Z"}]'})).encode()
    assert traces.sniff(lines)
    imported = traces.read(lines)
    assert rows(imported) == [("", UP, "Heartbeat", 2), ("", DOWN, "Heartbeat", 3)]
    assert imported.times_known


def test_an_object_with_an_events_list_names_its_station():
    data = json.dumps({"station": "CP4", "events": [
        {"time": 1714557600.25, "direction": "csms_to_station",
         "message": [2, "g", "GetVariables", {"getVariableData": []}]},
        {"time": 1714557600.5, "direction": "station_to_csms", "frame": [3, "g", {}]},
        {"time": 1714557601, "direction": "in"}]}).encode()
    assert traces.sniff(data)
    imported = traces.read(data)
    assert rows(imported) == [("CP4", DOWN, "GetVariables", 2), ("CP4", UP, "GetVariables", 3)]
    assert imported.messages[0].time == 1714557600.25
    assert [n.where for n in imported.notes if n.where] == ["events[2]"]
