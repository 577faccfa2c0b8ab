"""JSON decoding by orjson, where it is certain to give what the standard library gives.

Decoding is a large share of the CPU every frame costs (a frame is decoded when it is
judged, and a recorded one also when its session line is read back), and orjson decodes
two to three times faster than `json`. The standard library stays the reference: every
caller keeps its own `json` decode and runs it whenever `loads` answers `UNSURE`, so that
values, findings and error messages are exactly what they were without orjson.

Where orjson *succeeds* with another value than `json` (measured on orjson 3.13, and held by
tests/ocpp/test_fast_json.py):
- an integer beyond 64 bits (below -2**63 or above 2**64 - 1) becomes a float in orjson,
  where `json` keeps it exact;
- nesting: orjson takes up to 1024 levels, `json` stops with RecursionError where the
  interpreter's recursion limit, less the depth of the caller's own stack, is reached.
Two ways to rule both out, each the cheaper for its kind of text (measured on frames and
session lines):
- `loads` looks at the text first: such an integer has at least 19 digits in a row, so a
  text holding 19 digits in a row anywhere (inside a string too: wary, never wrong) is
  left to `json`; a text too short to nest `SAFE_DEPTH` levels is safe, a longer one has
  its brackets counted. Best for a frame, whose payload holds many values;
- `loads_walked` looks at the value after: a float of 2**63 or more (which is what such an
  integer becomes) or nesting `SAFE_DEPTH` deep is left to `json`. Best for a session
  line: ten fields, most of its bytes in one string that needs no looking at.
Everything else agrees or fails in both: NaN and Infinity (orjson refuses them; `json`
takes them unless told not to), 1e400 (orjson refuses it; `json` makes it inf), lone
surrogates (orjson refuses them), duplicate keys (both keep the last value at the first
key's place), whitespace (both take exactly space, tab, CR and LF), a byte order mark and
control characters in strings (both refuse them), floats (both round correctly), -0.

Without orjson (not installed, or its import fails) `loads` always answers `UNSURE` and
every caller decodes with `json` alone, as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

_missing_because: str | None = None
try:
    from orjson import loads as _orjson_loads
except ImportError as missing:  # the standard library does all the decoding
    _orjson_loads = None
    _missing_because = str(missing)

AVAILABLE: Final = _orjson_loads is not None
ORJSON_LOADS: Final[Callable[[bytes], Any] | None] = _orjson_loads
"""orjson's own `loads`, unguarded (None without orjson): only for a reader that checks
each field it takes from the value (numbers too) and minds the nesting (`SAFE_DEPTH`), as
`app.session.quick_records` does."""


def decoder() -> str:
    """Which decoder runs, in words, for `ocppscope --version`: without orjson the program
    works the same, only slower, so nothing else tells a user (or the smoke test of a built
    program, where a compiled extension is the part most easily lost) which one it got."""
    if _orjson_loads is None:
        why = f" ({_missing_because})" if _missing_because else ""
        return f"without orjson{why}: JSON is decoded by the standard library alone"
    from orjson import __version__ as orjson_version

    return f"orjson {orjson_version}"


class _Unsure:
    """The type of `UNSURE`, for a readable repr."""

    def __repr__(self) -> str:
        return "UNSURE"


UNSURE: Final[Any] = _Unsure()
"""What `loads` answers where the standard library must decide (a value can be None)."""

# Nesting this deep is safe from `json`'s recursion limit (1000 by default) whatever the
# caller's own stack depth, short of a program that is itself about to hit the limit.
SAFE_DEPTH: Final = 200
# A JSON text nesting `SAFE_DEPTH` levels needs an opening and a closing bracket for each.
_SHORT_ENOUGH: Final = 2 * SAFE_DEPTH
# 2**63 has 19 digits: every integer orjson reads inexactly has at least as many in a row.
_LONG_NUMBER: Final = b"0" * 19


def _digits_as_zeros() -> bytes:
    """A `bytes.translate` table: each ASCII digit becomes "0", each opening bracket "[",
    every other byte a space (no UTF-8 byte of another character is an ASCII digit or a
    bracket). One translation then answers both of `loads`'s questions: a run of 19 digits
    is a run of 19 zeros, and the brackets are counted in one pass instead of two."""
    table = bytearray(b" " * 256)
    for digit in b"0123456789":
        table[digit] = ord("0")
    table[ord("[")] = table[ord("{")] = ord("[")
    return bytes(table)


_DIGITS = _digits_as_zeros()


def loads(data: bytes | str) -> Any:
    """The value of the JSON text `data` as `json.loads` gives it, or `UNSURE` where orjson
    fails, is missing, or might give another value: then the caller's own `json` decode
    decides (and words the error, if there is one)."""
    if _orjson_loads is None:
        return UNSURE
    if data.__class__ is not bytes:  # the text test below reads bytes, and bytes only
        try:
            data = data.encode() if isinstance(data, str) else bytes(data)
        except UnicodeEncodeError:  # a lone surrogate: orjson refuses it anyway
            return UNSURE
    shape = data.translate(_DIGITS)  # type: ignore[arg-type]
    if _LONG_NUMBER in shape or (len(shape) >= _SHORT_ENOUGH
                                 and shape.count(b"[") >= SAFE_DEPTH):
        return UNSURE
    try:
        return _orjson_loads(data)
    except ValueError:  # orjson.JSONDecodeError and anything else it refuses
        return UNSURE


def loads_walked(data: bytes | str) -> Any:
    """As `loads`, with the value checked after decoding instead of the text before."""
    if _orjson_loads is None:
        return UNSURE
    try:
        value = _orjson_loads(data)
    except ValueError:
        return UNSURE
    kind = value.__class__
    if kind is dict or kind is list:
        return value if _exact(value, 1) else UNSURE
    if kind is float and not -_FLOAT_LIMIT < value < _FLOAT_LIMIT:
        return UNSURE
    return value


_FLOAT_LIMIT: Final = 2.0**63  # orjson's float for an integer beyond 64 bits is this large


def _exact(container: dict[str, Any] | list[Any], depth: int) -> bool:
    """Whether `json` surely reads the text of `container`, found `depth` levels deep, as
    orjson did: no float that may have been an integer, no nesting `json` may refuse."""
    items = container.values() if container.__class__ is dict else container  # type: ignore[union-attr]
    for item in items:
        kind = item.__class__
        if kind is str or kind is int:  # most values of a session line: nothing to look at
            continue
        if kind is float:
            if not -_FLOAT_LIMIT < item < _FLOAT_LIMIT:
                return False
        elif (kind is dict or kind is list) and (depth + 1 >= SAFE_DEPTH
                                                  or not _exact(item, depth + 1)):
            return False
    return True

