"""The replay's outcome in words: console lines, a JSON document, a self-contained HTML page.

Payloads and values in a report come from a peer and are shown, never trusted: the HTML page
escapes every one of them and loads nothing from elsewhere, so it can be mailed and opened.
The JSON form is documented in the README ("Replay report").
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app import __version__
from app.errors import UsageError
from app.replay.compare import Counts, Exchange, Outcome, Verdict

FORMAT = "ocppscope-replay-report"
VERSION = 1


@dataclass
class ReplayReport:
    file: str
    station: str                 # as recorded
    live_station: str | None     # as it connected
    role: str                    # the side we played: "station" or "csms"
    peer: str                    # the CSMS URL, or where we listened
    outcomes: list[Outcome]
    ignored: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)

    @property
    def counts(self) -> Counts:
        return Counts.of(self.outcomes)

    @property
    def problems(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.matched]


def _label(outcome: Outcome) -> str:
    return f"{outcome.direction.arrow} {outcome.action} #{outcome.ordinal}"


def console_lines(report: ReplayReport) -> list[str]:
    """One line per difference (a line per differing field), then the counts."""
    lines: list[str] = []
    for outcome in report.problems:
        head = f"{outcome.verdict.value:<9} {_label(outcome)}"
        details = [str(d) for d in outcome.differences] + [
            f"{f.path or '(payload)'}: {f.code} {f.message}" for f in outcome.findings]
        if outcome.note:
            details.insert(0, outcome.note)
        lines.extend(f"{head}: {detail}" for detail in details or [""])
    c = report.counts
    lines.append(f"replay of {report.station}: {c.same} same, {c.different} different, "
                 f"{c.missing} missing, {c.extra} extra ({len(report.outcomes)} exchanges)")
    return lines


def _exchange_json(exchange: Exchange | None) -> dict[str, Any] | None:
    if exchange is None:
        return None
    reply = exchange.reply
    return {"seq": exchange.seq, "request": exchange.request,
            "answer": {"kind": reply.kind, "seq": reply.seq, "payload": reply.payload,
                       "errorCode": reply.error_code or None,
                       "errorDescription": reply.error_description or None,
                       "findings": [f.to_json() for f in reply.findings]},
            "findings": [f.to_json() for f in exchange.findings]}


def _plain(value: Any) -> Any:
    """`ABSENT` and other non-JSON leaves as JSON can carry them."""
    return value if isinstance(value, str | int | float | bool | dict | list) or value is None \
        else str(value)


def to_json(report: ReplayReport) -> dict[str, Any]:
    c = report.counts
    return {
        "format": FORMAT, "version": VERSION, "program": f"ocppscope {__version__}",
        "file": report.file, "station": report.station, "liveStation": report.live_station,
        "role": report.role, "peer": report.peer,
        "counts": {"same": c.same, "different": c.different, "missing": c.missing,
                   "extra": c.extra, "total": len(report.outcomes)},
        "matched": c.all_matched,
        "ignored": report.ignored,
        "unexpected": report.unexpected,
        "exchanges": [{
            "verdict": o.verdict.value, "direction": o.direction.value, "action": o.action,
            "ordinal": o.ordinal, "note": o.note or None,
            "differences": [{"path": d.path, "recorded": _plain(d.recorded),
                             "live": _plain(d.live), "text": str(d)} for d in o.differences],
            "findings": [f.to_json() for f in o.findings],
            "recorded": _exchange_json(o.recorded), "live": _exchange_json(o.live),
        } for o in report.outcomes],
    }


_STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;
vertical-align:top;text-align:left}th{background:#f3f3f3}
.same{color:#176f2c}.different{color:#b35900}.missing,.extra{color:#b00020}
pre{margin:0;white-space:pre-wrap;word-break:break-all;font:12px/1.3 monospace}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:1em}.pair>div{background:#f8f8f8;
padding:.5em;border:1px solid #ddd}h3{margin-top:2em}
"""


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _payload(exchange: Exchange | None, side_is_request: bool) -> str:
    if exchange is None:
        return "(none)"
    if side_is_request:
        return json.dumps(exchange.request, indent=2, ensure_ascii=False)
    reply = exchange.reply
    if reply.kind == "result":
        return json.dumps(reply.payload, indent=2, ensure_ascii=False)
    return reply.describe()


def to_html(report: ReplayReport) -> str:
    c = report.counts
    ours = "station" if report.role == "station" else "csms"
    rows = "".join(
        f"<tr class='{o.verdict.value}'><td>{i}</td><td>{_e(o.verdict.value)}</td>"
        f"<td>{_e(o.direction.arrow)}</td><td>{_e(o.action)}</td><td>{o.ordinal}</td>"
        f"<td>{_e('; '.join([*(str(d) for d in o.differences), o.note]).strip('; '))}</td></tr>"
        for i, o in enumerate(report.outcomes, start=1))
    sections = []
    for i, o in enumerate(report.outcomes, start=1):
        if o.matched:
            continue
        # for CALLs we sent, the answers differ; for the peer's own CALLs, the requests
        request_side = not o.direction.value.startswith(ours)
        what = "request" if request_side else "answer"
        items = "".join(f"<li><code>{_e(d)}</code></li>" for d in o.differences)
        items += "".join(f"<li>{_e(f.path or '(payload)')}: {_e(f.code)} {_e(f.message)}</li>"
                         for f in o.findings)
        sections.append(
            f"<h3 id='x{i}' class='{o.verdict.value}'>{i}. {_e(o.verdict.value)}: "
            f"{_e(_label(o))}</h3>"
            + (f"<p>{_e(o.note)}</p>" if o.note else "")
            + (f"<ul>{items}</ul>" if items else "")
            + f"<div class='pair'><div><b>recorded {what}</b><pre>"
            f"{_e(_payload(o.recorded, request_side))}</pre></div><div><b>live {what}</b>"
            f"<pre>{_e(_payload(o.live, request_side))}</pre></div></div>")
    ignored = ", ".join(f"<code>{_e(p)}</code>" for p in report.ignored)
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>Replay of {_e(report.station)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>Replay of {_e(report.station)}</h1>"
        f"<p>File <code>{_e(report.file)}</code>, played as the {_e(report.role)} against "
        f"<code>{_e(report.peer)}</code> (live station <code>{_e(report.live_station)}"
        f"</code>).</p>"
        f"<p><b>{c.same}</b> same, <b>{c.different}</b> different, <b>{c.missing}</b> "
        f"missing, <b>{c.extra}</b> extra.</p><p>Not compared: {ignored}.</p>"
        "<table><tr><th>#</th><th>verdict</th><th>dir</th><th>action</th><th>n</th>"
        f"<th>differences</th></tr>{rows}</table>{''.join(sections)}"
        f"<p><small>ocppscope {_e(__version__)}</small></p></body></html>\n")


def write_report(report: ReplayReport, path: str | Path) -> None:
    """JSON or HTML by the file's suffix; UsageError for another suffix or an unwritable
    place (one sentence)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".json":
        text = json.dumps(to_json(report), indent=2, ensure_ascii=False) + "\n"
    elif suffix in (".html", ".htm"):
        text = to_html(report)
    else:
        raise UsageError(f"--report '{path}': name a .json or .html file")
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write the report '{path}': {exc.strerror}") from None


__all__ = ["ReplayReport", "Verdict", "console_lines", "to_html", "to_json", "write_report"]
