"""pcap and pcapng captures (tcpdump, Wireshark) of unencrypted OCPP traffic, as records.

Recognising a capture needs only its magic numbers; reading one needs the pcap reader, TCP
reassembly and WebSocket decoding (`pcap_reader`), which are imported when a capture is
actually read, so that `validate` on a text file and `--help` stay quick.
"""

from __future__ import annotations

from app.session.importing import Imported

NAME = "pcap/pcapng capture"

_PCAP_MAGICS = {bytes.fromhex(m) for m in ("a1b2c3d4", "d4c3b2a1",    # microseconds
                                           "a1b23c4d", "4d3cb2a1")}   # nanoseconds
_PCAPNG_SECTION = bytes.fromhex("0a0d0d0a")
_PCAPNG_BYTE_ORDERS = {bytes.fromhex("1a2b3c4d"), bytes.fromhex("4d3c2b1a")}


def sniff(head: bytes) -> bool:
    """A pcap file header (either byte order, µs or ns times) or a pcapng section header."""
    if head[:4] in _PCAP_MAGICS:
        return True
    return head[:4] == _PCAPNG_SECTION and (len(head) < 12 or head[8:12] in
                                            _PCAPNG_BYTE_ORDERS)


def read(data: bytes) -> Imported:
    """The records of every OCPP WebSocket connection in the capture; what was skipped and
    why is in the notes. Never raises for the content."""
    from app.session.importers.pcap_reader import read_capture

    return read_capture(data)
