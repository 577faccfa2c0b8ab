import json

from app.session.importers import har
from tests.session.importers.samples import DOWN, UP, rows


def test_websocket_messages_of_a_har_file_with_the_station_from_the_url():
    data = json.dumps({"log": {"version": "1.2", "entries": [
        {"request": {"url": "https://example.test/"}},
        {"request": {"url": "wss://csms.example.test/ocpp/CP%2012"}, "_webSocketMessages": [
            {"type": "send", "time": 1714557600.5, "opcode": 1,
             "data": '[2,"1","Heartbeat",{}]'},
            {"type": "receive", "time": 1714557600.6, "opcode": 1,
             "data": '[3,"1",{"currentTime":"2024-05-01T10:00:00Z"}]'},
            {"type": "receive", "time": 1714557600.7, "opcode": 2, "data": "AAE="}]}]}}).encode()
    assert har.sniff(data)
    imported = har.read(data)
    assert rows(imported) == [("CP 12", UP, "Heartbeat", 2), ("CP 12", DOWN, "Heartbeat", 3)]
    assert imported.times_known and imported.messages[0].time == 1714557600.5
    assert any("opcode 2" in n.text for n in imported.notes)


def test_a_har_file_without_websocket_messages_says_so():
    data = json.dumps({"log": {"entries": [{"request": {"url": "https://x.test/"}}]}}).encode()
    imported = har.read(data)
    assert imported.messages == [] and "no WebSocket messages" in imported.notes[-1].text
