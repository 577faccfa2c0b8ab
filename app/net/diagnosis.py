"""The connection doctor: what one connection attempt says, in one sentence.

A charger that cannot connect usually shows its engineer nothing better than "connection
refused". The endpoints already know why (the path asked for, the subprotocols offered, the
headers, the credentials, the TLS error, the close code); this module turns those facts into
a `Diagnosis`: the facts that matter and one sentence a field engineer understands ("the
charger offered no subprotocol; the CSMS requires ocpp2.0.1").

Pure: no I/O, no sockets. `handshake_facts` and `tls_facts` read what an endpoint holds (the
request headers, an ssl exception) into plain values for a record's meta; `diagnose` reads a
record's meta (a live one or one loaded from a file, so any value may be of any type) and
never raises.
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from app.ocpp.findings import Finding, warning

if TYPE_CHECKING:
    from websockets.datastructures import Headers

OCPP201 = "ocpp2.0.1"

# OpenSSL's X509_V_ERR_* codes, grouped by what the engineer has to fix.
_UNKNOWN_CA = {18, 19, 20, 21, 27, 28}   # self-signed, untrusted root, incomplete chain...
_INCOMPLETE = {2, 20, 21}                # the issuer's certificate is not at hand
_EXPIRED, _NOT_YET_VALID = 10, 9
_HOSTNAME = {62, 64}                     # host name or IP address not in the certificate

# TLS failures in words, by class; the class is what `tls_facts` stores.
TLS_WORDS = {
    "plain-to-tls": "plain TCP (ws://) was sent to a TLS port: use wss://",
    "tls-to-plain": "TLS (wss://) was sent to a plain port: use ws://",
    "incomplete-chain": "the certificate chain is incomplete: an intermediate CA "
                        "certificate is missing",
    "unknown-ca": "the certificate is signed by a CA the other side does not trust "
                  "(or its chain lacks an intermediate certificate)",
    "expired": "the certificate has expired",
    "not-yet-valid": "the certificate is not valid yet (check the clocks)",
    "hostname": "the certificate does not name the host that was dialled",
    "no-client-cert": "no client certificate was presented, and the CSMS requires one",
    "bad-client-cert": "the client certificate was not accepted",
    "protocol": "the two sides share no TLS version",
    "cipher": "the two sides share no cipher suite",
    "other": "the TLS handshake failed",
}

CLOSE_MEANINGS = {
    1000: "normal closure", 1001: "going away", 1002: "protocol error",
    1003: "unsupported data", 1005: "no status code", 1006: "connection lost",
    1007: "invalid data", 1008: "policy violation", 1009: "message too big",
    1010: "extension missing", 1011: "internal error", 1012: "service restart",
    1013: "try again later", 1015: "TLS failure",
}


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """What an attempt came to: `facts` worth showing beside the record, and `sentence`."""

    sentence: str
    facts: Mapping[str, Any] = field(default_factory=dict)


# -- facts, read by the endpoints ------------------------------------------------------

def handshake_facts(headers: Headers, station: str, transport: Any = None) -> dict[str, Any]:
    """What an upgrade request's headers say beyond the path and the offer: a missing or
    wrong `Upgrade`/`Connection` header, and whether Basic auth names the station (the
    password's length only, never the password); with the connection's `transport`, which
    names its client certificate carries (`client_certificate_facts`). Empty when there is
    nothing to say."""
    from app.net.links import basic_auth

    facts: dict[str, Any] = {}
    certificate = client_certificate_facts(
        transport.get_extra_info("peercert") if transport is not None else None, station)
    if certificate is not None:
        facts["client_cert"] = certificate
    upgrade = headers.get("Upgrade")
    if upgrade is None or upgrade.strip().lower() != "websocket":
        facts["upgrade_header"] = upgrade if upgrade is not None else None
    connection = ",".join(headers.get_all("Connection"))
    if "upgrade" not in [token.strip().lower() for token in connection.split(",")]:
        facts["connection_header"] = connection or None
    credentials = basic_auth(headers)
    if credentials is not None:
        user, password = credentials
        facts["auth_check"] = {"user_matches": user == station,
                               "password_length": len(password)}
    return facts


def client_certificate_facts(peercert: Any, station: str) -> dict[str, Any] | None:
    """The names a verified client certificate carries (`SSLSocket.getpeercert()`'s shape)
    and which of them is the station id: OCPP 2.0.1 security profile 3 wants the subject CN
    to be the station's identity. None when no certificate was asked for or shown."""
    if not isinstance(peercert, Mapping) or not peercert:
        return None
    common = [value for rdn in peercert.get("subject") or () for key, value in rdn
              if key == "commonName"]
    alt = [value for _kind, value in peercert.get("subjectAltName") or ()]
    # host names are case-insensitive (and often stored lower-case): so is their comparison
    matched = "subject CN" if station in common else "subjectAltName" \
        if station.lower() in (str(name).lower() for name in alt) else None
    return {"station": station, "subject_cn": common[0] if common else None,
            "alt_names": alt, "matched": matched}


def client_certificate_words(certificate: Any) -> str | None:
    """What a client certificate says about the station, None when there was none."""
    if not isinstance(certificate, Mapping):
        return None
    station, matched = certificate.get("station"), certificate.get("matched")
    if matched:
        return f"the client certificate's {matched} is the station id '{station}'"
    alt = certificate.get("alt_names")
    names = [certificate.get("subject_cn"), *(alt if isinstance(alt, list) else [])]
    unique = {name.lower(): name for name in reversed(names) if isinstance(name, str) and name}
    shown = ", ".join(f"'{name}'" for name in reversed(unique.values())) or "no name"
    return f"the client certificate names {shown}, not the station id '{station}'"


def opening_findings(meta: Mapping[str, Any]) -> list[Finding]:
    """Findings about a connection as it opened: a client certificate that does not name
    the station (security profile 3 expects its identity in the subject CN)."""
    certificate = meta.get("client_cert")
    if not isinstance(certificate, Mapping) or certificate.get("matched"):
        return []
    return [warning("tls.client-cert-station", str(client_certificate_words(certificate)))]


def upgrade_problem(facts: Mapping[str, Any]) -> str | None:
    """The sentence part for a request that is not a WebSocket upgrade, None if it is."""
    parts = []
    if "upgrade_header" in facts:
        value = facts["upgrade_header"]
        parts.append("no Upgrade header" if value is None else f"Upgrade: {value}")
    if "connection_header" in facts:
        value = facts["connection_header"]
        parts.append("no Connection: Upgrade" if value is None else f"Connection: {value}")
    return ", ".join(parts) if parts else None


def tls_facts(exc: BaseException, side: str = "client") -> dict[str, Any] | None:
    """The class of a TLS failure (see `TLS_WORDS`), from an ssl exception; None when `exc`
    is no TLS failure. `side` is ours: an alert about a certificate means the other side
    refused *our* certificate, so the same alert names a different fault on a server."""
    if not isinstance(exc, ssl.SSLError):
        return None
    reason = (exc.reason or "").upper()
    refused_ours = "UNKNOWN_CA" in reason or "CERTIFICATE_UNKNOWN" in reason or \
        "BAD_CERTIFICATE" in reason
    code = getattr(exc, "verify_code", None)
    detail = getattr(exc, "verify_message", None) or exc.reason or str(exc)
    if isinstance(exc, ssl.SSLCertVerificationError) and isinstance(code, int):
        if code == _EXPIRED:
            kind = "expired"
        elif code == _NOT_YET_VALID:
            kind = "not-yet-valid"
        elif code in _HOSTNAME:
            kind = "hostname"
        elif code in _INCOMPLETE and code != 20:
            kind = "incomplete-chain"
        elif code in _UNKNOWN_CA:
            kind = "unknown-ca"
        else:
            kind = "other"
    elif reason == "HTTP_REQUEST":
        kind = "plain-to-tls"
    elif reason in ("WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE"):
        kind = "tls-to-plain"
    elif "PEER_DID_NOT_RETURN_A_CERTIFICATE" in reason or "CERTIFICATE_REQUIRED" in reason:
        kind = "no-client-cert"
    elif "ALERT_CERTIFICATE_EXPIRED" in reason:
        kind = "expired"
    elif refused_ours and side == "server":  # the charger does not trust our certificate
        kind = "unknown-ca"
    elif refused_ours:
        kind = "bad-client-cert" if "CERTIFICATE_VERIFY_FAILED" not in reason else "unknown-ca"
    elif "VERSION" in reason or "UNSUPPORTED_PROTOCOL" in reason:
        kind = "protocol"
    elif "CIPHER" in reason or "HANDSHAKE_FAILURE" in reason:
        kind = "cipher"
    else:
        kind = "other"
    facts: dict[str, Any] = {"class": kind, "detail": str(detail)}
    if isinstance(code, int):
        facts["verify_code"] = code
    return facts


def tls_words(tls: Any) -> str | None:
    """A TLS failure class, from a record's meta, in words."""
    if not isinstance(tls, Mapping):
        return None
    kind = tls.get("class")
    return TLS_WORDS.get(kind if isinstance(kind, str) else "", TLS_WORDS["other"])


# -- the sentence ----------------------------------------------------------------------

def role_of(meta: Mapping[str, Any]) -> str:
    """Which of our modes wrote a record: "proxy", "station" (we dialled) or "csms"."""
    if "upstream" in meta or "auth_sent" in meta or meta.get("mode") == "transparent":
        return "proxy"
    if "url" in meta:
        return "station"
    return str(meta.get("role") or "csms")


def diagnose(kind: str, meta: Mapping[str, Any] | None,
             opened: Mapping[str, Any] | None = None) -> Diagnosis:
    """The diagnosis of an attempt from its last record: `kind` "rejected" or "closed", its
    `meta`, and for a closed one the `opened` meta of the same connection. Never raises."""
    meta = meta if isinstance(meta, Mapping) else {}
    opened = opened if isinstance(opened, Mapping) else {}
    try:
        if kind == "rejected":
            return _refused(meta)
        return _ended(meta, opened)
    except Exception:  # a record of any shape gets a sentence, never an exception
        reason = meta.get("reason")
        return Diagnosis(str(reason) if reason else "the connection attempt ended")


def _who(role: str) -> tuple[str, str]:
    """(the side that connects, the side that accepts) as the sentence names them."""
    return ("the charger", "the CSMS") if role != "station" else ("we", "the CSMS")


def _offer_words(meta: Mapping[str, Any]) -> str | None:
    """What was odd in the subprotocols offered, None when nothing was."""
    offered = meta.get("offered")
    raw = meta.get("offered_raw")
    if offered is None and raw is None:  # not known (an older file): nothing to say
        return None
    protocols = [p for p in offered if isinstance(p, str)] if isinstance(offered, list) else []
    if isinstance(raw, str) and "empty entries" in raw:
        return f"offered an odd subprotocol list ({raw.removeprefix('Sec-WebSocket-Protocol ')})"
    if not protocols:
        if isinstance(raw, str) and raw.startswith("Sec-WebSocket-Protocol"):
            return "offered an empty subprotocol list"
        return "offered no subprotocol"
    if OCPP201 not in protocols:
        return f"offered only {', '.join(protocols)}"
    return None


def _auth_words(meta: Mapping[str, Any], station: str) -> str:
    check = meta.get("auth_check")
    auth = meta.get("auth")
    if not isinstance(auth, Mapping):
        return "no Basic auth was sent"
    if isinstance(check, Mapping):
        user = auth.get("user")
        length = check.get("password_length")
        match = ("the Basic auth user is the station id" if check.get("user_matches")
                 else f"the Basic auth user '{user}' is not the station id '{station}'")
        return f"{match} (password of {length} characters)"
    if auth.get("readable") is False:
        return f"an unreadable {auth.get('scheme')} Authorization header was sent"
    return f"Basic auth as '{auth.get('user')}'"


def _status_words(status: Any) -> str:
    if not isinstance(status, int) or isinstance(status, bool):
        return "no HTTP answer"
    try:
        return f"HTTP {status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP {status}"


def _refused(meta: Mapping[str, Any]) -> Diagnosis:
    role = role_of(meta)
    client, server = _who(role)
    facts: dict[str, Any] = {"role": role, "status": _status_words(meta.get("status"))}
    path = str(meta.get("path") or meta.get("url") or "")
    station = _station_of(path)
    tls = tls_words(meta.get("tls"))
    if tls is not None:
        facts["tls"] = tls
        return Diagnosis(_tls_sentence(meta, role, tls), facts)
    upgrade = upgrade_problem(meta)
    if upgrade is not None:
        return Diagnosis(f"{client} sent a plain HTTP request to '{path}', not a WebSocket "
                         f"upgrade ({upgrade})", facts)
    status = meta.get("status")
    if not station and status == 404:
        return Diagnosis(f"{client} asked for '{path}', which carries no station id; "
                         "expected /<prefix>/<stationId>", facts)
    offer = _offer_words(meta)
    if status == 400 and offer is not None:
        return Diagnosis(f"{client} {offer}; {server} requires {OCPP201}", facts)
    reason = str(meta.get("reason") or "")
    if isinstance(status, int) and status in (401, 403, 404) and (
            role == "proxy" or role == "station"):
        upstream = meta.get("upstream") or meta.get("url") or ""
        said = f"the CSMS answered {_status_words(status)} for '{upstream}'"
        if status == 404:
            said += " (it does not know this path or station id)"
        elif status in (401, 403):
            said += f"; {_auth_words(meta, station)}"
        return Diagnosis(said, facts)
    if role == "proxy" and status in (502, 504):
        return Diagnosis(f"the proxy could not reach the CSMS: {reason}", facts)
    return Diagnosis(reason or f"refused with {_status_words(status)}", facts)


def _tls_sentence(meta: Mapping[str, Any], role: str, words: str) -> str:
    """A failed TLS handshake: towards the CSMS (we dialled) or from a charger, which is
    then named by its address: its station id is inside the TLS it could not open."""
    detail = meta["tls"].get("detail")
    detail = f" ({detail})" if detail else ""
    if meta.get("hop") == "csms" or role == "station":
        return f"TLS failed towards the CSMS: {words}{detail}"
    remote = meta.get("remote")
    charger = f"the charger at {remote}" if isinstance(remote, str) and remote else \
        "the charger"
    if meta["tls"].get("class") == "tls-to-plain":
        ours = "proxy" if role == "proxy" else "CSMS"
        return (f"{charger} started TLS (wss) but this port speaks plain ws: use ws:// or "
                f"give the {ours} a certificate")
    return f"TLS failed from {charger}: {words}{detail}"


def _ended(meta: Mapping[str, Any], opened: Mapping[str, Any]) -> Diagnosis:
    code, reason, by = meta.get("code"), str(meta.get("reason") or ""), meta.get("by")
    facts: dict[str, Any] = {"role": role_of(opened or meta)}
    meaning = CLOSE_MEANINGS.get(code, "application code" if isinstance(code, int)
                                 and 4000 <= code < 5000 else "") if isinstance(code, int) \
        else ""
    who = {"station": "the charger", "csms": "the CSMS", "proxy": "the proxy",
           "us": "we"}.get(by if isinstance(by, str) else "", "a side")
    closed = f"{who} closed with {code}" + (f" ({meaning})" if meaning else "")
    if reason:
        closed += f" “{reason}”"
    parts = [closed]
    duration, idle = meta.get("duration"), meta.get("idle")
    if _number(duration):
        parts.append(f"after {_seconds(duration)}")
    if _number(idle) and idle >= 1:
        if _number(duration):  # "after 4.6 s, idle for 4.6 s": two figures, not one
            parts[-1] += ","
        parts.append(f"idle for {_seconds(idle)}")
    sentence = " ".join(parts)
    sentence += _ping_words(meta, reason)
    certificate = client_certificate_words(opened.get("client_cert"))
    if certificate is not None:
        sentence += f"; {certificate}"
    chosen = opened.get("subprotocol")
    offer = _offer_words(opened) if opened else None
    if opened and chosen != OCPP201:
        sentence += (f"; the session spoke {chosen}, not {OCPP201} (a probe before the real "
                     "session?)" if chosen else "; no subprotocol was agreed")
    elif offer is not None:
        sentence += f"; the charger {offer}"
    facts["close"] = f"{code} {meaning}".strip()
    return Diagnosis(sentence, facts)


def _ping_words(meta: Mapping[str, Any], reason: str) -> str:
    """What the pings said: who left them unanswered, or that they were answered, with the
    last round trips."""
    pings, missed = meta.get("pings"), meta.get("missed_pongs")
    last = meta.get("last_rtts")
    trips = [_milliseconds(rtt) for rtt in last if _number(rtt)] \
        if isinstance(last, list) else []
    trips_said = f"last round trip{'s' if len(trips) > 1 else ''} {', '.join(trips)} ms" \
        if trips else ""
    if "keepalive ping timeout" in reason or (isinstance(missed, int) and missed > 0):
        by = meta.get("unanswered_by")
        sides = [side for side in by if isinstance(side, str)] if isinstance(by, list) else []
        said = "; pings went unanswered" + (f" by the {' and the '.join(sides)}"
                                            if sides else "")
        counted = f"{missed} of {pings}" if isinstance(missed, int) and missed \
            and isinstance(pings, int) else ""
        details = "; ".join(part for part in (counted, trips_said) if part)
        return said + (f" ({details})" if details else "")
    if isinstance(pings, int) and pings:
        rtt = meta.get("rtt")
        if trips_said:
            return f"; {pings} pings answered ({trips_said})"
        return f"; {pings} pings answered" + (
            f" (round trip {rtt * 1000:.0f} ms)" if _number(rtt) else "")
    return ""


def _station_of(path: str) -> str:
    from app.net.links import station_id_from_path

    return station_id_from_path(path)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _milliseconds(seconds: float) -> str:
    """A round trip in ms: a decimal below 10 ms (loopback and LANs), whole ms above."""
    value = seconds * 1000
    return f"{value:.1f}" if value < 10 else f"{value:.0f}"


def _seconds(value: float) -> str:
    if value < 1:
        return f"{value * 1000:.0f} ms"
    if value < 120:
        return f"{value:.1f} s"
    minutes, seconds = divmod(int(value), 60)
    if minutes < 120:
        return f"{minutes} min {seconds} s"
    return f"{minutes // 60} h {minutes % 60} min"
