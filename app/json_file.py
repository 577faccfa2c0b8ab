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
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise error(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{path}: cannot read ({exc})") from None
    except ValueError as exc:
        raise error(f"{path}: not JSON ({exc})") from None
