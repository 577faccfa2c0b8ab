"""Charging profiles read from a file the user gives, for `ocppscope schedule`.

The file is a JSON list of SetChargingProfile request payloads
(`{"evseId": N, "chargingProfile": {...}}`), installed in the order listed, or any input the
import layer reads (a session, a log of another implementation): then its SetChargingProfile
CALLs are the requests, in the order sent.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from app.errors import InputError
from app.ocpp.frames import Call
from app.session.importing import import_path
from app.state.model import InstalledProfile


class ProfilesFileError(InputError):
    """A file that cannot be read as charging profiles; the message names it and says why."""


def profiles_from_file(path: str | Path) -> list[InstalledProfile]:
    """The profiles in `path`, the first listed installed first. Raises ProfilesFileError
    for a file that is missing, not JSON, or not a list of SetChargingProfile requests."""
    path = Path(path)
    if not path.exists():
        raise ProfilesFileError(f"{path}: no such file")
    if path.is_dir():
        raise ProfilesFileError(f"{path}: is a directory; give a JSON file")
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise ProfilesFileError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise ProfilesFileError(f"{path}: cannot read ({exc.strerror})") from None
    except (ValueError, RecursionError) as exc:
        return _profiles_from_records(path, ProfilesFileError(f"{path}: not JSON ({exc})"))
    try:
        return profiles_from_requests(data, str(path))
    except ProfilesFileError as exc:
        return _profiles_from_records(path, exc)


def _profiles_from_records(path: Path, otherwise: ProfilesFileError) -> list[InstalledProfile]:
    """The SetChargingProfile requests sent in a session or log; `otherwise` is raised for
    a file that holds none (it says what the plain form would have needed)."""
    try:
        imported = import_path(path)
    except InputError:
        raise otherwise from None
    requests = []
    for message in imported.messages:
        if message.action != "SetChargingProfile" or message.message_type != 2:
            continue
        frame = message.parse().frame
        if isinstance(frame, Call) and isinstance(frame.payload, dict):
            requests.append(frame.payload)
    if not requests:
        raise otherwise
    return profiles_from_requests(requests, f"{path} ({imported.format})")


def profiles_from_requests(data: Any, origin: str = "profiles") -> list[InstalledProfile]:
    """Profiles from SetChargingProfile request payloads (a list of them, or one alone)."""
    entries = [data] if isinstance(data, dict) else data
    if not isinstance(entries, list) or not entries:
        raise ProfilesFileError(
            f"{origin}: expected a list of SetChargingProfile requests like "
            '[{"evseId": 1, "chargingProfile": {...}}]')
    profiles = []
    for index, entry in enumerate(entries):
        where = f"{origin}: entry {index + 1}"
        if not isinstance(entry, dict):
            raise ProfilesFileError(f"{where} is not an object with evseId and chargingProfile")
        evse = entry.get("evseId")
        if not isinstance(evse, int) or isinstance(evse, bool) or evse < 0:
            raise ProfilesFileError(f"{where} needs an evseId, a whole number 0 or more")
        profile = entry.get("chargingProfile")
        if not isinstance(profile, dict):
            raise ProfilesFileError(f"{where} needs a chargingProfile object")
        profiles.append(InstalledProfile(evse, profile, float(index), index + 1,
                                         "SetChargingProfile"))
    return profiles
