"""Which side sent a frame, for files that do not say (logs pasted into bug reports, lists of
frames): a CALL comes from the side that sends its action, an answer from the other side
than its CALL.

Without this, every CALL of such a file lands in one queue, so a station's Heartbeat and the
CSMS's GetVariables look like "a second CALL while one is outstanding". A guess is made only
where the protocol leaves no choice: an action both sides send (DataTransfer), an unknown
action, or an answer whose CALL was not seen stays unknown (`None`), and the checks that need
a direction then do not run for it.
"""

from __future__ import annotations

from collections import OrderedDict

from app.ocpp import catalog
from app.ocpp.conversation import Direction
from app.ocpp.frames import Call, Frame

_BY_SENDER = {catalog.Sender.STATION: Direction.STATION_TO_CSMS,
              catalog.Sender.CSMS: Direction.CSMS_TO_STATION}
# How many CALLs awaiting an answer are remembered; a file of CALLs never answered must not
# grow memory without end.
_REMEMBERED_CALLS = 10_000
_BOTH_SIDES = "both"  # an id in use by a CALL of each side: its answer cannot be placed


def sender_of(action: str) -> Direction | None:
    """The direction a CALL of `action` travels, when only one side sends it; OCPP 1.6
    actions are placed by their 2.0.1 successor (StartTransaction like TransactionEvent)."""
    entry = catalog.ACTIONS.get(action)
    if entry is None:
        successor = catalog.OCPP16_SUCCESSORS.get(action, "").split(" ", 1)[0]
        entry = catalog.ACTIONS.get(successor)
    return _BY_SENDER.get(entry.sender) if entry is not None else None


class SideGuesser:
    """Fed the frames of one file in order; says for each which way it went, if it can."""

    def __init__(self) -> None:
        self._open: OrderedDict[str, Direction | str | None] = OrderedDict()

    def guess(self, frame: Frame | None) -> Direction | None:
        if frame is None:
            return None
        if isinstance(frame, Call):
            direction = sender_of(frame.action)
            previous = self._open.pop(frame.message_id, direction)
            self._open[frame.message_id] = direction if previous == direction else _BOTH_SIDES
            if len(self._open) > _REMEMBERED_CALLS:
                self._open.popitem(last=False)
            return direction
        call = self._open.pop(frame.message_id, None)
        return call.opposite if isinstance(call, Direction) else None
