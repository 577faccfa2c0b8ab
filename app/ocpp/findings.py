"""What we tell the user about a frame: a `Finding` is data, never an exception.

A peer's mistake is the normal business of a debugger, so every check in `app.ocpp`
returns findings instead of raising. Codes are stable strings (`frame.not-json`,
`schema.enum`, `protocol.unmatched-result`...) that tests, filters and saved reports rely on;
the message is the plain-language text for a field engineer and may be improved freely.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    """How bad a finding is; ordered so that `max()` picks the worst."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing wrong (or worth knowing) about one frame.

    `path` is the dotted JSON path inside the payload (`meterValue[0].sampledValue[1].value`),
    empty for the payload itself or for findings about the frame envelope.
    """

    code: str
    severity: Severity
    message: str
    path: str = ""

    def to_json(self) -> dict[str, str]:
        return {
            "severity": self.severity.value,
            "code": self.code,
            "path": self.path,
            "message": self.message,
        }


def error(code: str, message: str, path: str = "") -> Finding:
    return Finding(code, Severity.ERROR, message, path)


def warning(code: str, message: str, path: str = "") -> Finding:
    return Finding(code, Severity.WARNING, message, path)


def info(code: str, message: str, path: str = "") -> Finding:
    return Finding(code, Severity.INFO, message, path)


def worst(findings: list[Finding]) -> Severity | None:
    """The most severe level among `findings`, or None when there are none."""
    if not findings:
        return None
    return max((f.severity for f in findings), key=lambda s: s.rank)


def format_path(parts: object) -> str:
    """Dotted path from a sequence of keys and indexes: ('a', 0, 'b') -> 'a[0].b'."""
    out = ""
    for part in parts:  # type: ignore[attr-defined]
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def shorten(text: str, limit: int = 60) -> str:
    """Text cut to `limit` characters with an ellipsis, for quoting values in messages."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def show_value(value: object, limit: int = 40) -> str:
    """A JSON value as it would be written, shortened for a message."""
    import json

    return shorten(json.dumps(value, ensure_ascii=False), limit)


def kind_of(value: object) -> str:
    """What a JSON value is, in words: 'a string', 'an integer', 'a fractional number'..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a fractional number" if not value.is_integer() else "a number"
    if isinstance(value, str):
        return "a string"
    return "an array" if isinstance(value, list) else "an object"


def internal_error(stage: str, exc: BaseException) -> Finding:
    """The finding for a failure of ours while judging a frame: the frame is kept and shown,
    and the user can report the exception type and text."""
    return error("internal.error",
                 f"OCPP Scope's {stage} failed on this frame ({type(exc).__name__}: "
                 f"{str(exc)[:200]}); the frame was forwarded and recorded as it is — "
                 "please report this")
