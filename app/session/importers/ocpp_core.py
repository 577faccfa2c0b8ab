"""OCPP.Core's message dump folder: with its dump directory set, the server writes each
frame to a file of its own, named by its local time (to a ten-thousandth of a second) and
the protocol and direction; the station is not in the name, so a folder reads as one
unnamed station (a folder renamed by a user to hold it, `..._CP001_ocpp201-in.txt`, is
read with it):

    2024-05-01_10-00-00-1234_ocpp201-in.txt     (received from the station)
    2024-05-01_10-00-00-5678_ocpp201-out.txt    (sent to the station)

A folder is given as a path (`import_path` hands a directory here); one such file alone is
simply a frame and reads as text. The file names carry local time without a zone.
"""

from __future__ import annotations

import re
from pathlib import Path

from app.errors import InputError
from app.session.importers.records import DOWN, UP, RecordMaker, Writer, decoded
from app.session.importing import HEAD_BYTES, Imported

NAME = "OCPP.Core message dump folders"

_DUMP = re.compile(
    r"^(?P<date>\d{4}-\d\d-\d\d)[_T ](?P<h>\d\d)[-:.](?P<m>\d\d)[-:.](?P<s>\d\d)"
    r"(?:[-.,](?P<frac>\d+))?_(?:(?P<station>.+)_)?ocpp[\d.]*-(?P<dir>in|out)\.txt$",
    re.IGNORECASE)
_MAX_FILE = 16 * 1024 * 1024


def sniff(head: bytes) -> bool:
    """Never from content alone: a dump file holds nothing but one frame."""
    return False


def read(data: bytes) -> Imported:
    """One dump file's content, without its name: a frame of unknown time and direction."""
    maker = RecordMaker(NAME, writer=Writer.CSMS)
    text = decoded(data[:_MAX_FILE], maker).strip()
    if text:
        maker.add("file", text)
    return maker.finish()


def read_folder(folder: Path) -> Imported:
    """The frames of every dump file in `folder`, in time order; InputError if it holds
    none (any folder but a dump folder)."""
    try:
        names = sorted(entry.name for entry in folder.iterdir() if entry.is_file())
    except OSError as exc:
        raise InputError(f"{folder}: cannot read the folder ({exc.strerror})") from None
    dumps = [(name, found) for name in names if (found := _DUMP.match(name))]
    if not dumps:
        raise InputError(f"{folder}: is a directory, and holds no OCPP.Core message dumps "
                         "(files named like 2024-05-01_10-00-00-1234_CP1_ocpp201-in.txt); "
                         "give a file or such a folder")
    maker = RecordMaker(NAME, writer=Writer.CSMS)
    for name, found in sorted(dumps, key=lambda item: _sort_key(item[1])):
        try:
            with (folder / name).open("rb") as stream:
                data = stream.read(_MAX_FILE + 1)
        except OSError as exc:
            maker.note(name, f"cannot be read ({exc.strerror}), skipped")
            continue
        if len(data) > _MAX_FILE or b"\x00" in data[:HEAD_BYTES]:
            maker.note(name, "not a frame (binary or too big), skipped")
            continue
        text = decoded(data, maker).strip()
        if not text:
            maker.note(name, "empty, skipped")
            continue
        frac = (found.group("frac") or "0")[:6]
        stamp = f"{found.group('date')}T{found.group('h')}:{found.group('m')}:" \
                f"{found.group('s')}.{frac.ljust(6, '0')}"
        maker.add(name, text, time=maker.time(stamp), station=found.group("station") or "",
                  heading=UP if found.group("dir").lower() == "in" else DOWN)
    others = len(names) - len(dumps)
    if others:
        maker.note("", f"{others:,} other file{'s' * (others != 1)} in the folder ignored")
    return maker.finish()


def _sort_key(found: re.Match[str]) -> tuple[str, str, str, str, int]:
    return (found.group("date"), found.group("h"), found.group("m"), found.group("s"),
            int((found.group("frac") or "0")[:9].ljust(9, "0")))
