"""The program's version, read from the one place it is written: `pyproject.toml`.

A source checkout (editable install or not) and the frozen program both carry
`pyproject.toml` beside the `app` package, so the version shown by `--version`, the About box,
session headers and the installers is always the one the release was built from, even when
an editable install's metadata is stale. A wheel install has no `pyproject.toml`; there the
installed distribution's metadata (written from the same file) answers.
"""

from __future__ import annotations

import re
from pathlib import Path

DISTRIBUTION = "ocppscope"
UNKNOWN = "0+unknown"

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def read_version(pyproject: Path = PYPROJECT) -> str:
    """The version in `pyproject`'s [project] table when that file is ours, otherwise the
    installed distribution's, otherwise `0+unknown` (never an exception: a broken checkout
    still starts and says so in `--version`)."""
    from_file = _version_in_pyproject(pyproject)
    if from_file is not None:
        return from_file
    from importlib import metadata  # slow to import, and a checkout never needs it

    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return UNKNOWN


# `pyproject.toml` is read with these rather than a TOML parser: `tomllib`, with the typing
# and datetime modules it imports, took longer than everything else `ocppscope --help` does.
# Our file writes its table headers and the two keys read here as plain lines.
_TABLE = re.compile(r"\s*\[([^\[\]]+)\]\s*(?:#.*)?")
_KEY = re.compile(r"""\s*(name|version)\s*=\s*(?:"([^"\\]*)"|'([^']*)')\s*(?:#.*)?""")


def _version_in_pyproject(pyproject: Path) -> str | None:
    try:
        text = pyproject.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    project: dict[str, str] = {}
    table = None
    for line in text.splitlines():
        header = _TABLE.fullmatch(line)
        if header is not None:
            table = header.group(1).strip()
            continue
        key = _KEY.fullmatch(line) if table == "project" else None
        if key is not None:
            project.setdefault(key.group(1), key.group(2) or key.group(3) or "")
    if project.get("name") != DISTRIBUTION:
        return None
    return project.get("version") or None
