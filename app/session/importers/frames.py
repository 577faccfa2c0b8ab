"""Frames as people paste and save them: a JSON list of frames, one frame (pretty-printed or
not), or text with one frame per line, each line perhaps behind a time and a direction word
(`2024-05-01 10:00:00 -> [2,...]`, `[INFO] recv: [3,...]`). The last resort of the registry:
anything holding an OCPP-J array is read here.
"""

from __future__ import annotations

import json
import re

from app.ocpp.logline import json_or_none
from app.session.importers.records import LEADING_TIME, RecordMaker, decoded, head_text
from app.session.importers.textlog import Header, read_log
from app.session.importing import Imported

NAME = "JSON lists of frames and text with one frame per line"
JSON_LIST = "JSON list of frames"
JSON_ONE = "JSON frame"
LINES = "text, one frame per line"

_FRAME_START = re.compile(r"\[\s*[234]\s*,")


def sniff(head: bytes) -> bool:
    text = head_text(head)
    if _FRAME_START.search(text):
        return True
    body = text.strip()
    if body[:1] not in ("[", "{"):
        return False
    # a bracketed first line, even one too long to judge here (a frame nested too deeply
    # is still a frame, judged malformed); not a run of opening brackets that never close
    first = body.split("\n", 1)[0].rstrip()
    return first[-1:] in ("]", "}") or json_or_none(body) is not None


def read(data: bytes) -> Imported:
    maker = RecordMaker(LINES)
    text = decoded(data, maker)
    value = json_or_none(text)
    if value is None:
        return read_log(data, maker, _header, plain=True)
    if is_frame_list(value):
        maker.format = JSON_LIST
        for index, entry in enumerate(value):
            maker.add(f"[{index}]", json.dumps(entry, ensure_ascii=False))
        return maker.finish()
    maker.format = JSON_ONE
    body = text.strip()
    maker.add("line 1" if "\n" not in body else "frame", body)
    return maker.finish()


def _header(line: str) -> Header:
    found = LEADING_TIME.match(line)
    return Header(0, found.group("time") if found else None, words_before=True)


def is_frame_list(value: object) -> bool:
    """A list of frames, rather than one frame: a frame starts with its message type (a
    number), a list of frames with a frame. A stray entry that is not a frame (an object,
    a number) is that entry's fault, shown at its position, not the whole file's."""
    if not isinstance(value, list) or not value or isinstance(value[0], int | float | str):
        return False
    return isinstance(value[0], list) or 2 * sum(isinstance(v, list) for v in value) >= len(value)
