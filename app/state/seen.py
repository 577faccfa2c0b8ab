"""`Seen`: one frame as the tracker's handlers are given it.

Handlers are plain functions of a `Seen`; each module of `app.state` declares which actions
it handles, on the CALL (`CALLS`) and on its answer (`ANSWERS`), and `app.state.tracker`
routes every frame to them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.ocpp.findings import Finding
from app.state.model import SessionState, StationState


@dataclass(slots=True)
class Seen:
    state: SessionState
    station: StationState
    seq: int
    time: float                        # wall clock of the record
    payload: dict[str, Any]            # the CALL's, or the answer's ({} for a CALLERROR)
    request: dict[str, Any]            # answers: the payload of the CALL answered
    call_seq: int | None = None        # answers: the seq of that CALL
    error_code: str | None = None      # a CALLERROR's code

    @property
    def accepted(self) -> bool:
        """An answer saying status Accepted (the usual way a station agrees)."""
        return self.error_code is None and self.payload.get("status") == "Accepted"


# A handler may return findings about the frame (a missing report part...), or None.
Handler = Callable[[Seen], list[Finding] | None]
