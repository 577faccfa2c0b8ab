"""The HTML report of a session (`ocppscope convert IN report.html`): counts per station,
per action and per finding, then each invalid frame with its findings. One file with its
style inline and no scripts or links, so it opens offline and can be mailed as it is."""

from __future__ import annotations

from collections import Counter
from html import escape

from app.session.capture import Capture
from app.session.importing import ImportNote
from app.session.message import RecordKind, iso_time

_STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}
th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top}
th{background:#f0f0f0}td.n{text-align:right}
pre{white-space:pre-wrap;word-break:break-all;margin:0;font-size:12px}
.error{color:#b00020}.warning{color:#8a5a00}.note{color:#555}
"""


def html_report(capture: Capture, *, title: str, notes: list[ImportNote]) -> str:
    frames = [m for m in capture.messages if m.kind is RecordKind.FRAME]
    stations: Counter[str] = Counter()
    invalid_by_station: Counter[str] = Counter()
    actions: Counter[str] = Counter()
    invalid_by_action: Counter[str] = Counter()
    codes: Counter[tuple[str, str]] = Counter()
    bad = []
    for message in frames:
        annotation = capture.annotation(message.seq)
        station = message.station or "(not named)"
        action = message.action or "(no action)"
        stations[station] += 1
        actions[action] += 1
        for finding in annotation.findings:
            codes[(finding.severity.value, finding.code)] += 1
        if not annotation.valid:
            invalid_by_station[station] += 1
            invalid_by_action[action] += 1
            bad.append((message, annotation))
    parts = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{escape(title)}"
             f"</title><style>{_STYLE}</style></head><body><h1>{escape(title)}</h1>",
             f"<p>{len(frames):,} frames, {len(bad):,} invalid.</p>"]
    if not capture.times_known:
        parts.append("<p class='note'>The input has no times: heartbeat timing and answer "
                     "timeouts were not checked.</p>")
    if notes:
        parts.append("<h2>Import notes</h2><ul>" + "".join(
            f"<li>{escape(n.where + ': ' if n.where else '')}{escape(n.text)}</li>"
            for n in notes) + "</ul>")
    parts.append(_table("Per station", ("Station", "Frames", "Invalid"),
                        [(s, stations[s], invalid_by_station[s]) for s in sorted(stations)]))
    parts.append(_table("Per action", ("Action", "Frames", "Invalid"),
                        [(a, actions[a], invalid_by_action[a]) for a in sorted(actions)]))
    parts.append(_table("Per finding", ("Severity", "Code", "Count"),
                        [(s, c, n) for (s, c), n in sorted(codes.items())]))
    parts.append("<h2>Invalid frames</h2>")
    if not bad:
        parts.append("<p>None.</p>")
    for message, annotation in bad:
        when = iso_time(message.time) if capture.times_known else "time unknown"
        arrow = message.direction.arrow if message.direction else "?"
        parts.append(
            f"<h3>#{message.seq} · {escape(when)} · {escape(message.station)} {arrow} "
            f"{escape(message.action or 'malformed')}</h3><ul>" + "".join(
                f"<li class='{f.severity.value}'>{escape(f.code)}"
                f"{escape(' at ' + f.path if f.path else '')}: {escape(f.message)}</li>"
                for f in annotation.findings) + f"</ul><pre>{escape(message.text)}</pre>")
    parts.append("</body></html>\n")
    return "".join(parts)


def _table(heading: str, columns: tuple[str, ...], rows: list[tuple[object, ...]]) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(
        f"<td class='n'>{v:,}</td>" if isinstance(v, int) else f"<td>{escape(str(v))}</td>"
        for v in row) + "</tr>" for row in rows)
    return f"<h2>{escape(heading)}</h2><table><tr>{head}</tr>{body}</table>"
