"""Helpers for the importer tests: what an import made of a sample, in a form to compare."""

from app.ocpp.conversation import Direction

UP, DOWN = Direction.STATION_TO_CSMS, Direction.CSMS_TO_STATION
BOOT = ('[2,"b1","BootNotification",{"reason":"PowerUp","chargingStation":'
        '{"model":"M","vendorName":"V"}}]')
BOOT_OK = '[3,"b1",{"currentTime":"2024-05-01T10:00:00Z","interval":300,"status":"Accepted"}]'
HEARTBEAT = '[2,"h1","Heartbeat",{}]'
HEARTBEAT_OK = '[3,"h1",{"currentTime":"2024-05-01T10:00:05Z"}]'


def rows(imported):
    """(station, direction, action, message type) of each record."""
    return [(m.station, m.direction, m.action, m.message_type) for m in imported.messages]
