"""Writing the lines of a command's output: plain text and JSON, never raising for a string
a peer sent.

A peer may send any string, and a JSON escape like `\\ud800` decodes to a lone surrogate
that no encoding can write: such a line is written escaped (text) or ASCII-escaped (JSON)
instead, that line only. `JsonLines` gathers JSON lines and writes them a batch at a time:
one write per line was a tenth of what `validate --json` cost.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

# one encoder for every line: `json.dumps` with any option builds a new one per call
_READABLE_JSON = json.JSONEncoder(ensure_ascii=False)
json_string = json.encoder.c_encode_basestring or json.encoder.py_encode_basestring
BATCH_LINES = 512


def write_line(stream: TextIO, text: str) -> None:
    """Write one line of text; characters the stream cannot encode (a lone surrogate from a
    peer's `\\ud800`, or anything beyond ASCII on an ASCII terminal) become escapes."""
    try:
        stream.write(text + "\n")
    except UnicodeEncodeError:
        encoding = getattr(stream, "encoding", None) or "utf-8"
        stream.write(text.encode(encoding, "backslashreplace").decode(encoding) + "\n")


def json_text(value: Any) -> str:
    """`value` as `write_json` writes it, without the newline: readable (not ASCII-escaped)."""
    return _READABLE_JSON.encode(value)


def json_value(value: Any) -> str:
    """`json_text` for one value, quicker for the strings, None and booleans most fields
    hold; the same text the encoder writes for it inside an object."""
    if value.__class__ is str:
        return json_string(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    return _READABLE_JSON.encode(value)


def write_json(stream: TextIO, value: Any) -> None:
    """Write one JSON line, readable where it can be; escaped (ASCII) where it must be."""
    try:
        stream.write(_READABLE_JSON.encode(value) + "\n")
    except UnicodeEncodeError:
        stream.write(json.dumps(value) + "\n")


def write_json_text(stream: TextIO, text: str) -> None:
    """Write JSON lines already encoded by `json_text` (each ending in a newline) as one
    write; if the stream cannot encode them, line by line, any line it cannot encode
    ASCII-escaped as `write_json` would have written it. A text stream encodes all it is
    given before writing any of it, so a refused batch wrote nothing."""
    if not text:
        return
    try:
        stream.write(text)
    except UnicodeEncodeError:
        for line in text.split("\n")[:-1]:
            try:
                stream.write(line + "\n")
            except UnicodeEncodeError:
                stream.write(json.dumps(json.loads(line)) + "\n")


class JsonLines:
    """JSON lines for `stream`, written a batch at a time (`flush` writes the rest).
    `skip` drops the first lines added: what an earlier attempt already wrote."""

    def __init__(self, stream: TextIO, *, skip: int = 0, batch: int = BATCH_LINES) -> None:
        self.stream = stream
        self.pending: list[str] = []
        self.written = 0          # lines handed to the stream so far
        self._skip = skip
        self._batch = batch

    def add(self, line: str) -> None:
        """One line (ending in a newline), or several a piece of output holds."""
        if self._skip > 0:
            count = line.count("\n")
            if count <= self._skip:
                self._skip -= count
                return
            line = line.split("\n", self._skip)[-1]  # a piece the earlier attempt began
            self._skip = 0
        self.pending.append(line)
        if len(self.pending) >= self._batch:
            self.flush()

    def value(self, value: Any) -> None:
        self.add(_READABLE_JSON.encode(value) + "\n")

    def take(self) -> str:
        """What was added since the last `take` or `flush`, kept from the stream."""
        text = "".join(self.pending)
        self.pending.clear()
        return text

    def flush(self) -> None:
        text = self.take()
        write_json_text(self.stream, text)
        self.written += text.count("\n")
