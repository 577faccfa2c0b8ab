"""pcap and pcapng captures of real WebSocket exchanges read back as records."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest
from websockets.extensions.permessage_deflate import ClientPerMessageDeflateFactory

from app.ocpp.conversation import Direction
from app.session.capture import Capture
from app.session.importers import pcap
from app.session.importing import Imported
from app.session.message import RecordKind
from tests.net.peers import run
from tests.session import pcaps
from tests.session.pcaps import ETHERNET, RAW, SLL, SLL2, Exchange, Hosts

STATION, CSMS = Direction.STATION_TO_CSMS, Direction.CSMS_TO_STATION


@cache
def exchange(kind: str = "plain") -> Exchange:
    """One real exchange per kind, recorded once for the whole module."""
    if kind == "deflate":
        return run(pcaps.ocpp_exchange("CP-Z", compression="deflate"))
    if kind == "deflate-no-takeover":
        factory = ClientPerMessageDeflateFactory(server_no_context_takeover=True,
                                                 client_no_context_takeover=True)
        return run(pcaps.ocpp_exchange("CP-Z2", extensions=[factory]))
    if kind == "fragmented":
        return run(pcaps.fragmented_exchange())
    if kind == "ocpp16":
        return run(pcaps.ocpp16_exchange())
    return run(pcaps.ocpp_exchange("CP%2F7", user="operator", ping=True))


def frames_of(imported: Imported) -> list[tuple[bool, str]]:
    return [(m.direction is STATION, m.text) for m in imported.messages
            if m.kind is RecordKind.FRAME]


def kinds(imported: Imported) -> list[RecordKind]:
    return [m.kind for m in imported.messages]


def capture_of(packets: list[pcaps.Packet], link: int = ETHERNET) -> bytes:
    return pcaps.pcap_file(pcaps.frames(packets, Hosts(), link), link)


@pytest.mark.parametrize("link", [ETHERNET, SLL, SLL2, RAW])
def test_every_frame_direction_and_station_is_read_under_each_link_layer(link):
    recorded = exchange()
    imported = pcap.read(capture_of(pcaps.tcp_packets(recorded.sent), link))
    assert frames_of(imported) == recorded.texts
    assert {m.station for m in imported.messages} == {"CP/7"}
    assert {m.connection for m in imported.messages} == {"10.0.0.5:51234-10.0.0.1:9000"}
    assert imported.format == pcap.NAME and imported.directions_known
    assert imported.notes == []


def test_the_upgrade_gives_path_subprotocols_and_user_but_never_the_password():
    imported = pcap.read(capture_of(pcaps.tcp_packets(exchange().sent)))
    opened = imported.messages[0]
    assert opened.kind is RecordKind.OPENED and opened.seq == 1
    assert opened.meta == {"path": "/ocpp/CP%2F7", "remote": "10.0.0.5:51234",
                           "offered": ["ocpp2.0.1"], "subprotocol": "ocpp2.0.1",
                           "auth": {"scheme": "Basic", "user": "operator"}}
    assert "secret-password" not in json.dumps([m.meta for m in imported.messages])


def test_ping_pong_and_close_are_control_records_and_the_connection_closes():
    imported = pcap.read(capture_of(pcaps.tcp_packets(exchange().sent)))
    controls = [m for m in imported.messages if m.kind is RecordKind.CONTROL]
    assert [(c.direction, c.meta["opcode"]) for c in controls] == [
        (STATION, "ping"), (CSMS, "pong"), (STATION, "close"), (CSMS, "close")]
    assert controls[0].meta["payload"] == b"are you there".hex()
    assert controls[1].meta["rtt"] >= 0
    closed = imported.messages[-1]
    assert closed.kind is RecordKind.CLOSED
    assert {k: closed.meta[k] for k in ("code", "reason", "by", "clean")} == {
        "code": 1000, "reason": "bye", "by": "station", "clean": True}
    assert [m.seq for m in imported.messages] == list(range(1, len(imported.messages) + 1))


def test_frames_carry_the_time_of_the_packet_that_completed_them():
    recorded = exchange()
    packets = pcaps.tcp_packets(recorded.sent, segment=40)
    imported = pcap.read(capture_of(packets))
    boot = next(m for m in imported.messages if m.action == "BootNotification")
    last_piece = max(p.time for p in packets if p.payload and p.from_client
                     and p.time <= boot.time + 1e-6)
    assert boot.time == pytest.approx(last_piece, abs=1e-6)
    assert boot.monotonic == boot.time


def test_ipv6_pcapng_and_nanosecond_big_endian_pcap_read_the_same():
    recorded = exchange()
    packets = pcaps.tcp_packets(recorded.sent)
    v6 = Hosts(("fd00::5", 40000), ("fd00::1", 9000))
    imported = pcap.read(pcaps.pcapng_file(pcaps.frames(packets, v6)))
    assert frames_of(imported) == recorded.texts
    assert imported.messages[0].connection == "[fd00::5]:40000-[fd00::1]:9000"
    nano = pcaps.pcap_file(pcaps.frames(packets), nano=True, big_endian=True)
    assert pcap.sniff(nano[:4])
    assert frames_of(pcap.read(nano)) == recorded.texts


@pytest.mark.parametrize("kind", ["deflate", "deflate-no-takeover"])
def test_permessage_deflate_is_inflated_with_and_without_context_takeover(kind):
    recorded = exchange(kind)
    imported = pcap.read(capture_of(pcaps.tcp_packets(recorded.sent)))
    assert "permessage-deflate" in imported.messages[0].meta["extensions"]
    no_takeover = "server_no_context_takeover" in imported.messages[0].meta["extensions"]
    assert no_takeover is (kind == "deflate-no-takeover")
    assert frames_of(imported) == recorded.texts


def test_a_fragmented_message_is_one_record():
    recorded = exchange("fragmented")
    imported = pcap.read(capture_of(pcaps.tcp_packets(recorded.sent)))
    assert frames_of(imported) == recorded.texts
    assert imported.messages[1].action == "Heartbeat"


def test_out_of_order_and_retransmitted_segments_are_put_back_in_order():
    recorded = exchange()
    packets = pcaps.tcp_packets(recorded.sent, segment=30)
    data = [i for i, p in enumerate(packets) if p.payload and p.from_client]
    shuffled = pcaps.moved(packets, data[3], data[6])      # captured late
    shuffled.insert(data[8], shuffled[data[5]])           # and a segment seen twice
    imported = pcap.read(capture_of(shuffled))
    assert frames_of(imported) == recorded.texts
    assert imported.notes == []


def test_two_connections_and_a_16_one_beside_a_201_one_are_imported_and_marked():
    modern, legacy = exchange(), exchange("ocpp16")
    first = pcaps.frames(pcaps.tcp_packets(modern.sent))
    second = pcaps.frames(pcaps.tcp_packets(legacy.sent),
                          Hosts(("10.0.0.6", 40001), ("10.0.0.1", 9000)))
    imported = pcap.read(pcaps.pcap_file(pcaps.interleave(first, second)))
    opened = {m.station: m.meta["subprotocol"] for m in imported.messages
              if m.kind is RecordKind.OPENED}
    assert opened == {"CP/7": "ocpp2.0.1", "CP-16": "ocpp1.6"}
    by_station = {station: [(s, t) for s, t in frames_of(imported)
                            if any(m.text == t and m.station == station
                                   for m in imported.messages)]
                  for station in opened}
    assert by_station["CP-16"] == legacy.texts and by_station["CP/7"] == modern.texts
    assert any("ocpp1.6" in note.text for note in imported.notes)
    times = [m.time for m in imported.messages]
    assert times == sorted(times)


def test_a_16_connection_is_not_judged_as_201():
    legacy = exchange("ocpp16")
    imported = pcap.read(capture_of(pcaps.tcp_packets(legacy.sent)))
    capture = Capture()
    capture.adopt(imported.messages, times_known=imported.times_known)
    while capture.annotate():
        pass
    frames = [m for m in imported.messages if m.kind is RecordKind.FRAME]
    assert frames and capture.invalid == 0
    for message in frames:
        codes = [f.code for f in capture.annotation(message.seq).findings]
        assert codes == ["frame.other-version"]


def test_a_capture_that_starts_mid_stream_skips_to_a_trusted_frame_and_says_so():
    recorded = exchange()
    packets = pcaps.tcp_packets(recorded.sent, segment=25, handshake=False)
    # from the middle of the station's first frame on: the upgrade and half a frame lost
    upgrade_end = next(i for i, p in enumerate(packets)
                       if not p.from_client and b"101" in p.payload)
    boot = next(i for i, p in enumerate(packets) if i > upgrade_end and p.from_client)
    imported = pcap.read(capture_of(packets[boot + 1:]))
    texts = frames_of(imported)
    assert recorded.texts[0] not in texts        # the BootNotification began before
    assert texts[-2:] == recorded.texts[-2:]     # the heartbeat and its answer are whole
    assert all(m.station == "" for m in imported.messages)
    said = " ".join(note.text for note in imported.notes)
    assert "middle of this connection" in said and "skipped" in said
    assert "masks its frames" in said and imported.directions_known


def test_lost_bytes_inside_a_connection_lose_one_message_and_reading_goes_on():
    recorded = exchange()
    packets = pcaps.tcp_packets(recorded.sent, segment=30)
    upgraded = next(i for i, p in enumerate(packets) if p.payload.startswith(b"HTTP/1.1 101"))
    boot = next(i for i, p in enumerate(packets) if i > upgraded and p.from_client)
    imported = pcap.read(capture_of(packets[:boot + 1] + packets[boot + 2:]))
    texts = frames_of(imported)
    assert recorded.texts[0] not in texts
    assert texts[-3:] == recorded.texts[-3:]
    assert any("missing from the capture" in note.text for note in imported.notes)


def test_a_truncated_last_packet_is_a_note_and_everything_before_it_is_kept():
    recorded = exchange()
    data = capture_of(pcaps.tcp_packets(recorded.sent, close=False))
    imported = pcap.read(data[:-5])
    texts = frames_of(imported)
    assert texts == recorded.texts[:len(texts)] and len(texts) >= 3
    assert imported.notes


@pytest.mark.parametrize("content", [b"", b"hello, this is not a capture\n",
                                     bytes(range(256)) * 4, b"\xd4\xc3\xb2\xa1\x02"])
def test_garbage_empty_and_binary_files_give_a_sentence_not_a_traceback(content):
    imported = pcap.read(content)
    assert imported.messages == []
    assert imported.notes and all(note.text for note in imported.notes)


def test_sniff_knows_pcap_in_both_byte_orders_and_resolutions_and_pcapng():
    for magic in ("a1b2c3d4", "d4c3b2a1", "a1b23c4d", "4d3cb2a1"):
        assert pcap.sniff(bytes.fromhex(magic) + bytes(20))
    assert pcap.sniff(bytes.fromhex("0a0d0d0a1c0000004d3c2b1a"))
    assert pcap.sniff(pcaps.pcapng_file([]))
    assert not pcap.sniff(b'{"format": "ocppscope"}')
    assert not pcap.sniff(b"")


def test_a_capture_without_ocpp_says_so():
    imported = pcap.read(pcaps.pcap_file([]))
    assert imported.messages == []
    assert "no OCPP WebSocket traffic" in imported.notes[-1].text


def closed_in(path: Path) -> bool:
    messages = pcap.read(path.read_bytes()).messages if path.exists() else []
    return bool(messages) and messages[-1].kind is RecordKind.CLOSED


@pytest.mark.skipif(not pcaps.Tcpdump.available(), reason="tcpdump is not installed")
@pytest.mark.parametrize("interface", ["lo", "any"])
def test_a_tcpdump_capture_of_an_ocpp_station_and_csms_opens_with_everything_right(
        tmp_path: Path, interface: str):
    path = tmp_path / "ocpp.pcap"

    async def scenario() -> Exchange:
        async with pcaps.OcppCsmsServer() as csms:
            port = int(csms.url.rsplit(":", 1)[1].split("/")[0])
            with pcaps.Tcpdump(path, interface, port):
                result = await pcaps.direct_exchange(csms.url, "CP-DUMP")
                # until tcpdump has written the connection's end (it writes each packet)
                await pcaps.until(lambda: closed_in(path))
            return result

    # `-i any` on a busy machine now and then misses packets, often the first ones (the
    # import says which bytes are missing, or that the upgrade was not captured): capture
    # again, a bounded number of times
    for _ in range(10):
        recorded = run(scenario())
        imported = pcap.read(path.read_bytes())
        if not any("missing" in note.text or "starts in the middle" in note.text
                   for note in imported.notes):
            break
    assert frames_of(imported) == recorded.texts
    assert {m.station for m in imported.messages} == {"CP-DUMP"}
    opened = imported.messages[0]
    assert opened.kind is RecordKind.OPENED
    # `-i any` on loopback sometimes loses the 101 answer for good; the import says so
    lost = any("answer to the upgrade is missing" in note.text for note in imported.notes)
    assert opened.meta["subprotocol"] == ("ocpp2.0.1" if not lost else None)
    assert imported.messages[-1].kind is RecordKind.CLOSED
    # the helper's UDP probes (how it knows tcpdump is capturing) are told, not imported
    assert any("without a TCP segment" in note.text and "skipped (" in note.text
               for note in imported.notes)


def test_a_lost_upgrade_answer_still_gives_every_frame_and_says_what_is_unknown():
    recorded = exchange()
    packets = pcaps.tcp_packets(recorded.sent)
    answer = next(i for i, p in enumerate(packets) if p.payload.startswith(b"HTTP/1.1 101"))
    imported = pcap.read(capture_of(packets[:answer] + packets[answer + 1:]))
    assert frames_of(imported) == recorded.texts
    assert imported.messages[0].meta["subprotocol"] is None
    assert imported.messages[0].station == "CP/7"
    assert any("subprotocol it chose is unknown" in note.text for note in imported.notes)
