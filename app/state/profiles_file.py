"""Charging profiles read from a file the user gives, for `ocppscope schedule`.

Two inputs, told apart by their content: a JSON list of SetChargingProfile request payloads
(`{"evseId": N, "chargingProfile": {...}}`), installed in the order listed
(`profiles_from_file`); or anything the import layer reads (a session recorded by OCPP Scope,
a log of another implementation, a capture), whose profiles and running transactions at a
moment the state tracker knows: only profiles the station accepted count, as it held them
(`schedule_input` reads either).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.errors import InputError, ProfilesFileError, UsageError
from app.moments import Moment
from app.ocpp.findings import Finding, Severity
from app.ocpp.schemas import PayloadKind
from app.session.importing import import_bytes, read_standard_input
from app.session.judging import judged_import, judged_session
from app.state.model import InstalledProfile, StationState
from app.state.summary import named_stations
from app.state.timeline import StateTimeline


def profiles_from_file(path: str | Path, warn: Callable[[str], None] | None = None
                       ) -> list[InstalledProfile]:
    """The profiles in `path`, the first listed installed first. Raises ProfilesFileError
    for a file that is missing, not JSON, or not a list of SetChargingProfile requests.
    `warn` hears each schema error of a request, naming its entry: what of such a profile
    cannot be read is left out of the schedule, which must not go unsaid."""
    path = Path(path)
    if not path.exists():
        raise ProfilesFileError(f"{path}: no such file")
    if path.is_dir():
        raise ProfilesFileError(f"{path}: is a directory; give a JSON file")
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise ProfilesFileError(f"{path}: cannot read ({exc.strerror})") from None
    return profiles_from_bytes(content, str(path), warn)


def profiles_from_bytes(content: bytes, origin: str,
                        warn: Callable[[str], None] | None = None) -> list[InstalledProfile]:
    """As `profiles_from_file`, for content already read (standard input), named `origin`."""
    try:
        data = json.loads(content.decode("utf-8-sig"), parse_constant=_no_constant)
    except UnicodeDecodeError:
        raise ProfilesFileError(f"{origin}: not UTF-8 text") from None
    except (ValueError, RecursionError) as exc:
        raise ProfilesFileError(f"{origin}: not JSON ({exc})") from None
    profiles = profiles_from_requests(data, origin)
    if warn is not None:
        for index, entry in enumerate([data] if isinstance(data, dict) else data):
            for finding in _schema_errors(entry):
                warn(f"{origin}: entry {index + 1}: {finding.path or 'payload'}: "
                     f"{finding.message} (a station refuses such a profile; what cannot be "
                     "read of it is left out)")
    return profiles


def _no_constant(name: str) -> Any:
    """NaN and Infinity, which Python's JSON reads and JSON has not: a limit of NaN would
    leave its period out unseen."""
    raise ValueError(f"{name} is no JSON number")


def _schema_errors(entry: Any) -> list[Finding]:
    from app.ocpp.checker import shared_validator  # compiled once, only when asked

    return [finding for finding in shared_validator().validate(
        "SetChargingProfile", PayloadKind.REQUEST, entry)
        if finding.severity is Severity.ERROR]


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


@dataclass(frozen=True, slots=True)
class ScheduleInput:
    """What `composite_schedule` needs from an input file. `transactions` (EVSE -> start,
    None when unknown) and `transaction_ids` are the transactions the session shows
    running at the moment asked; a profiles file knows none. `evses` are the EVSEs a
    session's station reported (empty for a profiles file). `start` is that moment as epoch
    seconds, and `first_record` the time of the session's first record (None for a profiles
    file), from which other moments given as seconds count."""

    profiles: list[InstalledProfile]
    transactions: dict[int, float | None] = field(default_factory=dict)
    transaction_ids: dict[int, str] = field(default_factory=dict)
    evses: list[int] = field(default_factory=list)
    station: str | None = None
    start: float = 0.0
    first_record: float | None = None


def schedule_input(path: str | Path, *, at: Moment, station: str | None = None,
                   warn: Callable[[str], None] | None = None) -> ScheduleInput:
    """The profiles in `path`: a profiles file as listed, or, for a recorded session or log,
    those its `station` (needed only when it holds several) had installed at `at` with the
    transactions running then. Raises an InputError or UsageError with one sentence for a
    file or station that cannot be used, or for seconds after a first record a profiles
    file does not have. `warn` hears each line of a session that could not be read.
    `-` is standard input, read once, whole, and then taken as either."""
    piped = read_standard_input() if str(path) == "-" else None
    try:
        profiles = (profiles_from_file(path, warn) if piped is None
                    else profiles_from_bytes(piped, "-", warn))
        return ScheduleInput(profiles, start=at.epoch(None))
    except ProfilesFileError as error:
        if piped is None and not Path(path).is_file():
            raise
        not_profiles = error
    try:
        capture = (judged_session(str(path), warn=warn) if piped is None
                   else judged_import("-", import_bytes(piped, "-"), warn))
    except InputError:
        raise not_profiles from None
    stations = named_stations(capture.state)
    if not stations:   # nothing there says whose profiles: the plain form is what was meant
        raise ProfilesFileError(f"{not_profiles}; read as a log it names no station")
    name = _chosen_station(stations, station, str(path))
    first_record = capture.messages[0].time if capture.messages else None
    start = at.epoch(first_record)
    then = StateTimeline(capture).at_time(start).stations.get(name) or StationState(name)
    running = [tx for tx in then.transactions.values()
               if tx.running and isinstance(tx.evse_id, int) and tx.evse_id > 0]
    return ScheduleInput(
        list(then.profiles),
        {tx.evse_id: tx.started for tx in running if tx.evse_id is not None},
        {tx.evse_id: tx.transaction_id for tx in running if tx.evse_id is not None},
        sorted(e for e in then.evses if isinstance(e, int) and e > 0), name, start,
        first_record)


def _chosen_station(stations: list[StationState], wanted: str | None, origin: str) -> str:
    names = [s.station for s in stations]
    if wanted is not None:
        if wanted not in names:
            raise UsageError(f"--station: no station '{wanted}' in {origin}; stations "
                             f"present: {', '.join(names) or 'none'}")
        return wanted
    if len(names) > 1:
        raise UsageError(f"{origin} holds several stations ({', '.join(names)}); "
                         "choose one with --station")
    return names[0]
