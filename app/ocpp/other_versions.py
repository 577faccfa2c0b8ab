"""Connections that agreed another OCPP version than 2.0.1, whose frames are not judged.

A capture often holds a 1.6 charger beside 2.0.1 ones. Judging its frames by 2.0.1's schemas
would bury the real findings under hundreds of false ones, so a frame of a connection whose
handshake chose another `ocpp…` subprotocol gets its envelope read and one note saying why
it was not judged. Live runs, loaded sessions and `ocppscope validate` all ask this one
table, so a frame gets the same verdict in each.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.ocpp.checker import Verdict
from app.ocpp.conversation import ANSWER_TIMEOUT, Conversation, Direction
from app.ocpp.findings import Finding, info
from app.ocpp.frames import Call, parse_frame

JUDGED_VERSION = "ocpp2.0.1"
NOT_JUDGED = "frame.other-version"   # the note such a frame gets, and its only finding


def chosen_subprotocol(meta: Any) -> str | None:
    """The subprotocol a connection's opening record says its handshake chose; None when
    its meta (read from a file: anything) holds no string there."""
    chosen = meta.get("subprotocol") if isinstance(meta, Mapping) else None
    return chosen if isinstance(chosen, str) else None


def other_version(subprotocol: Any) -> str | None:
    """The OCPP version a handshake's chosen subprotocol names when it is not 2.0.1
    ("ocpp1.6"); None for 2.0.1, none chosen, or a subprotocol that names no OCPP version
    (then the frames are judged as 2.0.1, the only thing they can be checked against). Read
    without regard to case, as a person reads "OCPP2.0.1"."""
    if isinstance(subprotocol, str) and subprotocol.lower().startswith("ocpp") \
            and subprotocol.lower() != JUDGED_VERSION:
        return subprotocol
    return None


class OtherVersions:
    """The open connections in another OCPP version, by connection id: told of each opening
    (with the subprotocol its handshake chose) and closing, asked of every frame.

    Their frames are not judged, but they are paired: every OCPP-J version frames its
    CALLs, answers and errors alike, and an engineer chasing a slow 1.6 charger wants its
    round trips as much as a 2.0.1 one's. Each such connection's pairing is kept here,
    apart from the judged ones', so that nothing about it (a CALL left waiting, a timeout)
    ever becomes a 2.0.1 finding."""

    __slots__ = ("_pairing", "_versions")

    def __init__(self) -> None:
        self._versions: dict[str, str] = {}
        self._pairing: dict[str, Conversation] = {}

    def __bool__(self) -> bool:
        return bool(self._versions)

    def opened(self, connection: str, subprotocol: Any) -> None:
        version = other_version(subprotocol)
        self._pairing.pop(connection, None)
        if version is not None:
            self._versions[connection] = version
        else:  # the same id opened again in 2.0.1: judged again
            self._versions.pop(connection, None)

    def closed(self, connection: str) -> None:
        self._versions.pop(connection, None)
        self._pairing.pop(connection, None)

    def verdict(self, connection: str, data: str | bytes, binary: bool,
                direction: Direction | None = None, seq: int = 0,
                time: float | None = None) -> Verdict | None:
        """The verdict for a frame of `connection` if it agreed another version: its
        envelope, the CALL it answers (and how fast) and one note saying why it was not
        judged; None for a 2.0.1 connection. `direction`, `seq` and `time` (monotonic,
        None when not known) as the checker takes them."""
        version = self._versions.get(connection)
        if version is None:
            return None
        frame = parse_frame(data, binary=binary).frame
        action = frame.action if isinstance(frame, Call) else None
        call, latency = None, None
        if frame is not None:
            pairing = self._pairing.get(connection)
            if pairing is None:
                # the usual timeout only frees CALLs never answered (a late answer still
                # pairs): so every mode, whatever timeout it judges by, pairs alike
                pairing = self._pairing[connection] = Conversation(
                    answer_timeout=ANSWER_TIMEOUT)
            action, call, latency, _ = pairing.observe_parts(frame, direction, seq, time)
        return Verdict(frame, action, (info(
            NOT_JUDGED,
            f"not judged: this connection agreed {version}, and only OCPP 2.0.1 is "
            "judged here"),), call, latency)


def not_judged(findings: tuple[Finding, ...]) -> bool:
    """Whether a verdict's findings say its frame was not judged (another OCPP version):
    such a frame counts as unchecked, never as valid."""
    return len(findings) == 1 and findings[0].code == NOT_JUDGED
