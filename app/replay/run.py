"""One replay from its settings to its report: the single path the command line and the
window both take, so that they read the same settings and run the same code.

`plan_replay` turns a file and a set of values (the settings table's `replay` mode, plus
the repeatable `rewrite` and `ignore`) into a `ReplayPlan`, or raises one `OcppScopeError`
sentence: no such file, no such station, a rule that is not PATH=VALUE. A `ReplayRun`
then starts it on a capture (listening first, as the CSMS), plays it, stops it and words
its report; `run_replay` does all of that in one await, for a caller without Ctrl-C.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app import settings
from app.net import links, secrets
from app.net.csms import CsmsConfig
from app.query import RecordContext
from app.query.selection import filter_option
from app.replay.compare import DEFAULT_IGNORE
from app.replay.report import ReplayReport
from app.replay.rewrite import rewriter_from
from app.replay.runner import Progress, ReplayControl, ReplayOptions, ReplayRunner
from app.replay.script import Recording, Script, load_recording
from app.session.capture import Capture
from app.session.importing import import_path
from app.session.message import RecordKind

Notice = Callable[[str], None]


@dataclass
class ReplayPlan:
    """A replay ready to run: the recording, the script of one station, and how to play it."""

    file: str
    recording: Recording
    script: Script
    role: str                     # the side we play: "station" or "csms"
    options: ReplayOptions
    values: dict[str, Any]        # the checked settings (csms, listen, wait, max_size...)

    @property
    def peer(self) -> str:
        """Whom we play against, as the report and the status line name it (no secrets)."""
        return (secrets.mask_url(self.values["csms"]) if self.role == "station"
                else self.values["listen"])

    def header(self) -> dict[str, Any]:
        """What a recording of the live run says of it in its header."""
        return {"replay": {"file": self.file, "station": self.script.station,
                           "as": self.role, "peer": self.peer}}


def plan_replay(file: str | Path, values: Mapping[str, Any],
                recording: Recording | None = None) -> ReplayPlan:
    """Check `values`, read and judge `file` (or take `recording`, already read) and pick
    the station's script from `start_from` on. Raises UsageError for values the settings
    table refuses or a rule that is not PATH=VALUE, InputError for a file, a rules file or
    a station that is not there: one sentence each, the same on the command line and in
    the window."""
    v = settings.checked(settings.REPLAY, values)
    rewriter = rewriter_from(settings.repeated(values.get("rewrite")),
                             v["rewrite_file"] or None)
    recording = recording or load_recording(file)
    whole = recording.script(v["station"] or None)
    script = whole.starting_at(v["start_from"] or None)
    if whole.exchanges and not script.exchanges:   # a replay of nothing "matches": refused
        raise settings.UsageError(
            f"{_title('start_from')}: {whole.station} has no exchange from seq "
            f"{v['start_from']} on (its last is seq {whole.exchanges[-1].seq})")
    query = filter_option(v["filter"] or None)
    if query is not None:   # the CALLs it selects (an answer's action is its CALL's)
        keep = query.predicate(RecordContext(recording.capture))
        capture = recording.capture
        script = script.keeping(lambda exchange: keep(
            capture.messages[capture.index_of(exchange.seq) or 0]))
        if not script.exchanges:
            raise settings.UsageError(f"{_title('filter')}: the expression selects no "
                                      f"exchange of {whole.station} to replay")
    options = ReplayOptions(speed=v["speed"], rewriter=rewriter, settle=v["settle"],
                            ignore=DEFAULT_IGNORE.plus(settings.repeated(values.get("ignore"))),
                            max_size=v["max_size"])
    return ReplayPlan(str(file), recording, script, v["role"], options, v)


def _title(name: str) -> str:
    """How a problem names a replay setting (its label, as the other problems do)."""
    return next(s.title for s in settings.mode_settings(settings.REPLAY) if s.name == name)


def recorded_stations(path: str | Path) -> list[str]:
    """The stations whose frames a session file holds, in order of first appearance, read
    without judging anything (quick, for a dialog's list); InputError if it is no session."""
    seen: dict[str, None] = {}
    for message in import_path(path).messages:
        if message.kind is RecordKind.FRAME and message.station:
            seen.setdefault(message.station)
    return list(seen)


class ReplayRun:
    """One run of a plan on a capture: `start`, then `play` (until the script ends, the
    peer closes, or `stop`), then `report`. `control` and `progress` are the window's."""

    def __init__(self, plan: ReplayPlan, control: ReplayControl | None = None,
                 progress: Progress | None = None) -> None:
        self.plan = plan
        self.control = control or ReplayControl()
        self.progress = progress
        self.runner: ReplayRunner | None = None
        self.address = plan.peer        # where it plays: the CSMS URL, or where it listens

    async def start(self, capture: Capture, notice: Notice) -> Callable[[], Awaitable[None]]:
        """Build the runner on `capture`; as the CSMS, also start listening (ListenError if
        it cannot). Returns the stop function."""
        plan = self.plan
        runner = ReplayRunner(plan.script, plan.role, capture, plan.options, self.control,
                              self.progress, notice)
        self.runner = runner
        if plan.role == "csms":
            host, port = settings.parse_address(plan.values["listen"])
            endpoint = await runner.listen(CsmsConfig(host=host, port=port,
                                                      max_size=plan.values["max_size"]))
            self.address = f"{endpoint.url}/<stationId>"
            notice(f"replaying the CSMS side of {plan.script.station}: listening on "
                   f"{self.address}")
            caution = links.listening_caution(host, endpoint.port)
            if caution:
                notice(caution)
        else:
            notice(f"replaying {plan.script.station} to {plan.peer}")
        return self.stop

    async def play(self) -> None:
        """Play the script; NotConnected (one sentence) if the CSMS cannot be reached."""
        runner = self.runner
        assert runner is not None, "start() first"
        if self.plan.role == "csms":
            await runner.play_as_csms(self.plan.values["station"] or None,
                                      self.plan.values["wait"] or None)
        else:
            await runner.play_as_station(self.plan.values["csms"])

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.stop()

    def report(self) -> ReplayReport:
        """The comparison of what ran with the recording (empty before `start`)."""
        plan, runner = self.plan, self.runner
        if runner is None:
            return ReplayReport(plan.file, plan.script.station, None, plan.role, plan.peer, [])
        runner.close()
        return ReplayReport(plan.file, plan.script.station, runner.live_station, plan.role,
                            plan.peer, runner.outcomes(), runner.ignored, runner.unexpected)


async def run_replay(plan: ReplayPlan, capture: Capture, control: ReplayControl | None = None,
                     progress: Progress | None = None,
                     notice: Notice = lambda text: None) -> ReplayReport:
    """Start, play, stop and report in one await; errors of starting and connecting
    (OcppScopeError) go to the caller, after the run was stopped."""
    run = ReplayRun(plan, control, progress)
    await run.start(capture, notice)
    try:
        await run.play()
    finally:
        await run.stop()
    return run.report()
