"""From one captured packet to the TCP segment it carries, whatever link layer wrapped it.

dpkt decodes the headers (Ethernet, Linux cooked v1 and v2, IPv4, IPv6, TCP); this module
only picks the decoder for the capture's link type and says plainly what a packet that is
not a whole TCP segment is, so the importer can count it instead of failing on it.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass

import dpkt

from app.errors import NotTcp

# link types as written in capture files (LINKTYPE_*, tcpdump.org/linktypes.html)
LINK_NULL = 0          # BSD loopback: 4-byte address family in the host's byte order
LINK_ETHERNET = 1
LINK_RAW = 101         # bare IPv4 or IPv6
LINK_RAW_OPENBSD = 14  # older files from OpenBSD and Linux say RAW with these values
LINK_RAW_LINUX = 12
LINK_LOOP = 108        # OpenBSD loopback: address family in network byte order
LINK_SLL = 113         # Linux cooked capture (tcpdump -i any)
LINK_IPV4 = 228
LINK_IPV6 = 229
LINK_SLL2 = 276        # Linux cooked capture v2 (newer tcpdump -i any)

LINK_NAMES = {LINK_NULL: "BSD loopback", LINK_ETHERNET: "Ethernet", LINK_RAW: "raw IP",
              LINK_RAW_OPENBSD: "raw IP", LINK_RAW_LINUX: "raw IP", LINK_LOOP: "loopback",
              LINK_SLL: "Linux cooked", LINK_IPV4: "raw IPv4", LINK_IPV6: "raw IPv6",
              LINK_SLL2: "Linux cooked v2"}

_TCP = 6


@dataclass(frozen=True, slots=True)
class Endpoint:
    host: str
    port: int

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


@dataclass(frozen=True, slots=True)
class Segment:
    source: Endpoint
    target: Endpoint
    seq: int
    ack: int | None        # None when the ACK flag is not set
    syn: bool
    fin: bool
    rst: bool
    payload: bytes
    cut: int = 0           # payload bytes the capture did not keep (snap length, truncation)


def supported(link_type: int) -> bool:
    return link_type in LINK_NAMES


def segment_of(link_type: int, packet: bytes) -> Segment:
    """The TCP segment in `packet`, or `NotTcp` saying why there is none."""
    try:
        network = _network_layer(link_type, packet)
    except (dpkt.UnpackError, ValueError, IndexError) as exc:
        raise NotTcp(f"unreadable link layer ({exc})") from None
    if isinstance(network, dpkt.ip.IP):
        if network.mf or network.offset:
            raise NotTcp("an IP fragment")
        family, length = socket.AF_INET, network.len - network.hl * 4
    elif isinstance(network, dpkt.ip6.IP6):
        extensions = sum(len(bytes(h)) for h in network.all_extension_headers)
        family, length = socket.AF_INET6, network.plen - extensions
    else:
        raise NotTcp("not IP")
    tcp = network.data
    if network.p != _TCP:
        raise NotTcp("not TCP")
    if not isinstance(tcp, dpkt.tcp.TCP):
        raise NotTcp("a TCP header cut short")
    payload = bytes(tcp.data)
    # a length of 0 in the IP header: segmentation offload, the packet is all there is
    missing = max(0, length - tcp.off * 4 - len(payload)) if length > 0 else 0
    flags = tcp.flags
    return Segment(
        Endpoint(socket.inet_ntop(family, network.src), tcp.sport),
        Endpoint(socket.inet_ntop(family, network.dst), tcp.dport),
        tcp.seq, tcp.ack if flags & dpkt.tcp.TH_ACK else None,
        bool(flags & dpkt.tcp.TH_SYN), bool(flags & dpkt.tcp.TH_FIN),
        bool(flags & dpkt.tcp.TH_RST), payload, missing)


def _network_layer(link_type: int, packet: bytes) -> object:
    if link_type == LINK_ETHERNET:
        return dpkt.ethernet.Ethernet(packet).data
    if link_type == LINK_SLL:
        return dpkt.sll.SLL(packet).data
    if link_type == LINK_SLL2:
        return dpkt.sll2.SLL2(packet).data
    if link_type in (LINK_NULL, LINK_LOOP):
        return _ip(packet[4:])
    return _ip(packet)


def _ip(packet: bytes) -> object:
    """Bare IP: the version nibble says which."""
    version = packet[0] >> 4 if packet else 0
    if version == 4:
        return dpkt.ip.IP(packet)
    if version == 6:
        return dpkt.ip6.IP6(packet)
    raise ValueError(f"IP version {version}")
