"""pcap and pcapng captures (tcpdump, Wireshark) of unencrypted OCPP traffic as records.

The file format is read by dpkt (BSD licence; pcap in both byte orders and both time
resolutions, pcapng, and the Ethernet, Linux cooked v1/v2 and IP headers); TCP reassembly,
the upgrade and the frames are read per connection (`ws_connection`). Every connection that
carried WebSocket traffic becomes the records a live proxy would have made of it: opened
(path, subprotocol offered and chosen, Basic-auth user), frames, pings, pongs and closes,
closed. Connections of any OCPP version are imported; their opened record names the
subprotocol, which is what keeps a 1.6 connection from being judged as 2.0.1.
"""

from __future__ import annotations

import io
from collections import Counter, defaultdict
from collections.abc import Iterator

import dpkt

from app.ocpp.other_versions import other_version
from app.session.importers.packets import (
    Endpoint,
    NotTcp,
    Segment,
    segment_of,
    supported,
)
from app.session.importers.pcap import NAME
from app.session.importers.ws_connection import CapturedConnection, Roles, Seen, order_counter
from app.session.importing import DIRECTIONS_INFERRED, OTHER_VERSION, Imported, ImportNote
from app.session.message import Message, RecordKind, frame_message
from app.wording import count


def read_capture(data: bytes) -> Imported:
    """The records of every OCPP WebSocket connection in the capture; what was skipped and
    why is in the notes. Never raises for the content."""
    if not data:
        return _failed("the file is empty")
    try:
        reader = dpkt.pcap.UniversalReader(io.BytesIO(data))
        link_type = int(reader.datalink())
    except Exception as exc:  # a file that only looks like a capture: say so, never raise
        return _failed(f"this is not a readable pcap or pcapng capture ({exc})")
    if not supported(link_type):
        return _failed(f"the capture's link type {link_type} is not one that can be read "
                       "here (Ethernet, Linux cooked, raw IP or loopback)")
    importer = _Importer()
    importer.run(_packets(reader, importer.notes), link_type)
    return importer.result()


def _failed(why: str) -> Imported:
    return Imported([], [ImportNote("file", why)], format=NAME)


def _packets(reader: object, notes: list[ImportNote]) -> Iterator[tuple[float, bytes]]:
    """The capture's packets; a file cut short ends them with a note instead of an error."""
    packets = iter(reader)  # type: ignore[call-overload]
    number = 0
    while True:
        number += 1
        try:
            time, packet = next(packets)
        except StopIteration:
            return
        except Exception:  # dpkt's errors for a cut block or header: the file ends here
            notes.append(ImportNote(f"packet {number}", "the file ends inside this packet "
                                    "(cut short); it and anything after it are not read"))
            return
        yield float(time), bytes(packet)


class _Importer:
    def __init__(self) -> None:
        self.notes: list[ImportNote] = []
        self.connections: list[CapturedConnection] = []
        self._open: dict[frozenset[Endpoint], CapturedConnection] = {}
        self._order = order_counter()
        self._not_tcp: Counter[str] = Counter()
        self._packets = 0

    def run(self, packets: Iterator[tuple[float, bytes]], link_type: int) -> None:
        last_time, number = 0.0, 0
        for number, (time, packet) in enumerate(packets, 1):
            last_time = time
            try:
                segment = segment_of(link_type, packet)
            except NotTcp as reason:
                self._not_tcp[str(reason)] += 1
                continue
            self._segment(segment, time, number)
        self._packets = number
        for connection in self._open.values():
            connection.finish(last_time, number, capture_ended=True)

    def _segment(self, segment: Segment, time: float, number: int) -> None:
        key = frozenset((segment.source, segment.target))
        connection = self._open.get(key)
        opening = segment.syn and segment.ack is None
        if connection is not None and opening and (connection.ended or connection.seen):
            connection.finish(time, number)   # the ports were reused by a new connection
            connection = None
        if connection is None:
            connection = CapturedConnection(segment, self._order)
            self._open[key] = connection
            self.connections.append(connection)
        if not connection.ended:
            connection.segment(segment, time, number)

    def result(self) -> Imported:
        servers = _servers(self.connections)
        placed: list[tuple[Seen, CapturedConnection, Roles]] = []
        directions_known = True
        for connection in self.connections:
            roles = connection.roles(servers)
            name = f"{roles.station}-{roles.csms}"
            self._connection_notes(connection, roles, name)
            if connection.carried_websocket and not roles.certain:
                directions_known = False
            placed.extend((seen, connection, roles) for seen in connection.seen)
        placed.sort(key=lambda item: (item[0].packet, item[0].order))
        messages = [_message(seq, seen, connection, roles)
                    for seq, (seen, connection, roles) in enumerate(placed, 1)]
        if self._not_tcp:
            reasons = ", ".join(f"{count} {why}" for why, count in self._not_tcp.most_common())
            skipped = sum(self._not_tcp.values())
            self.notes.append(ImportNote("capture", f"{count(skipped, 'packet')} without a TCP "
                                         f"segment {'was' if skipped == 1 else 'were'} skipped "
                                         f"({reasons})"))
        if not messages:
            self.notes.append(ImportNote("capture", f"no OCPP WebSocket traffic was found in "
                                         f"its {count(self._packets, 'packet')}"))
        return Imported(messages, self.notes, format=NAME, directions_known=directions_known)

    def _connection_notes(self, connection: CapturedConnection, roles: Roles,
                          name: str) -> None:
        if connection.skipped_because:
            self.notes.append(ImportNote(name, f"not imported: {connection.skipped_because}"))
            return
        if not connection.carried_websocket:
            return
        for packet, text, code in connection.notes:
            self.notes.append(ImportNote(f"packet {packet}, {name}", text, code))
        if roles.how == "masking":
            how = "the side that masks its frames is the station"
        elif roles.how == "port":
            how = f"{roles.csms} took connections from several peers, so it is the CSMS"
        elif roles.how == "actions":
            how = "the actions each side sends tell which is the station"
        elif roles.how == "guess":
            how = f"a guess: {roles.station} is on the higher port, so taken as the station"
        else:
            how = ""
        if how:
            self.notes.append(ImportNote(name, f"directions inferred: {how}",
                                         DIRECTIONS_INFERRED))
        if other_version(connection.subprotocol) is not None:
            self.notes.append(ImportNote(name, f"this connection speaks "
                                         f"{connection.subprotocol}: its frames are imported "
                                         "and not judged as OCPP 2.0.1", OTHER_VERSION))


def _servers(connections: list[CapturedConnection]) -> set[Endpoint]:
    """Endpoints that several peers connected to: a server's address and port."""
    peers: defaultdict[Endpoint, set[Endpoint]] = defaultdict(set)
    for connection in connections:
        a, b = connection.endpoints
        peers[a].add(b)
        peers[b].add(a)
    return {endpoint for endpoint, seen in peers.items() if len(seen) > 1}


def _message(seq: int, seen: Seen, connection: CapturedConnection, roles: Roles) -> Message:
    name = f"{roles.station}-{roles.csms}"
    station = connection.station_id
    direction = roles.direction(seen.sender)
    if seen.kind is RecordKind.FRAME:
        try:
            text = seen.data.decode("utf-8")
        except UnicodeDecodeError:
            return Message(seq, seen.time, seen.time, name, station, direction,
                           RecordKind.FRAME, text=seen.data.decode("utf-8", "replace"),
                           data=seen.data)
        return frame_message(seq, text, connection=name, station=station,
                             direction=direction, time=seen.time, monotonic=seen.time)
    meta = dict(seen.meta or {})
    if isinstance(meta.get("by"), Endpoint):
        meta["by"] = roles.name(meta["by"])
    elif "by" in meta:
        meta["by"] = "?"
    return Message(seq, seen.time, seen.time, name, station, direction, seen.kind,
                   data=seen.data if seen.kind is RecordKind.BINARY else b"",
                   meta=meta or None)
