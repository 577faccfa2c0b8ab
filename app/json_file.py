"""Reading a JSON file the user names (answer rules, rewrite rules): every way it can fail
becomes the same one-sentence error, so each kind of file reports a missing, unreadable or
broken file alike and the caller only checks the shape of what it read."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from app.errors import InputError


def read_json_file(path: str | Path, error: type[InputError] = InputError) -> Any:
    """The JSON value in the file at `path`; raises `error` (an InputError) naming the file
    and saying why when it is missing, cannot be read as UTF-8 text, or is not JSON."""
    path = Path(path)
    text = read_text_file(path, error)
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise error(f"{path}: not JSON ({exc})") from None


def read_text_file(path: str | Path, error: type[InputError] = InputError) -> str:
    """The UTF-8 text of a file the user names, a byte order mark passed over (Windows
    editors write one and call it UTF-8); raises `error` naming the file and saying why
    when it is missing, cannot be read, or is not UTF-8."""
    path = Path(path)
    try:
        return path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise error(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise error(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise error(f"{path}: cannot read ({exc.strerror or exc})") from None
