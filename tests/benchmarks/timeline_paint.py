"""Painting the timeline over a million records: what the Info column costs a repaint.

Run: python -m tests.benchmarks.timeline_paint [--messages 1000000] [--pages 300] [--judge]

A realistic session (`make_session`) is loaded into a `Capture` and shown in the window's
table (a `TimelineModel`, `ColumnFitter`, the window's row height) at the size the table
gets on a 1366x768 screen, offscreen. Each figure is the time of a synchronous
`viewport().repaint()`, the work Qt does for every frame of a scroll:

- jump: a page at a random place (every row new to the info cache: all lines derived);
- wheel: three rows further each time, as a mouse wheel scrolls (three lines derived);
- again: the same page once more (every line from the cache);
- without Info: a jump with the Info column hidden, the cost of the other columns.

Without `--judge` the records have no verdicts yet, the worst case for the Info column: a
frame with a verdict shows its reason without parsing; one without is parsed for its facts.
A frame lasts 16.7 ms at 60 Hz: a repaint well inside that scrolls smoothly.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from tests.benchmarks.make_session import write_session

TABLE_SIZE = (1060, 420)   # the timeline's share of a 1366x768 window


def _timed(action: Callable[[], None], repaint: Callable[[], None], times: int) -> list[float]:
    spent = []
    for _ in range(times):
        action()
        start = time.perf_counter()
        repaint()
        spent.append((time.perf_counter() - start) * 1000)
    return spent


def _summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {"median_ms": statistics.median(ordered),
            "p99_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))],
            "max_ms": ordered[-1]}


def measure(path: Path, pages: int, judge: bool) -> dict[str, dict[str, float]]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QAbstractItemView, QApplication, QTableView

    from app.session.capture import Capture
    from app.session.loader import SessionLoader
    from widgets.timeline import INFO, TimelineModel
    from widgets.timeline_columns import ColumnFitter

    app = QApplication.instance() or QApplication([])
    capture = Capture()
    capture.adopt(SessionLoader.open(path).load_all())
    while judge and capture.annotate(1.0):
        pass
    model = TimelineModel()
    model.set_capture(capture, live=False)
    view = QTableView()
    view.setModel(model)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 6)
    view.horizontalHeader().setStretchLastSection(True)
    view.setWordWrap(False)
    ColumnFitter(view)
    view.resize(*TABLE_SIZE)
    view.show()
    app.processEvents()
    rows = model.rowCount()
    rng = random.Random(7)
    repaint = view.viewport().repaint

    def jump() -> None:
        view.scrollTo(model.index(rng.randrange(rows), 0),
                      QAbstractItemView.ScrollHint.PositionAtTop)

    bar = view.verticalScrollBar()
    bar.setValue(rows // 3)

    def wheel() -> None:
        bar.setValue(bar.value() + 3)

    figures = {"jump": _summary(_timed(jump, repaint, pages)),
               "wheel": _summary(_timed(wheel, repaint, pages)),
               "again": _summary(_timed(lambda: None, repaint, pages))}
    figures["rows"] = {"records": float(rows),
                       "per_page": float(view.rowAt(view.viewport().height() - 1)
                                         - view.rowAt(0) + 1),
                       "lines_derived": float(model.info.derived)}
    view.setColumnHidden(INFO, True)
    figures["without Info"] = _summary(_timed(jump, repaint, pages))
    view.close()
    return figures


def main(argv: list[str] | None = None) -> dict[str, dict[str, float]]:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--pages", type=int, default=300, help="repaints timed per figure")
    parser.add_argument("--judge", action="store_true",
                        help="judge every record first (slow for a million)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ocppscope-paint-") as folder:
        path = Path(folder) / "session.jsonl"
        write_session(path, args.messages)
        figures = measure(path, args.pages, args.judge)
    rows = figures["rows"]
    print(f"timeline repaint over {rows['records']:,.0f} records, {rows['per_page']:.0f} rows "
          f"a page, {'judged' if args.judge else 'not judged (Info parses every frame)'}")
    for name in ("jump", "wheel", "again", "without Info"):
        f = figures[name]
        print(f"  {name:<13} median {f['median_ms']:6.2f} ms   p99 {f['p99_ms']:6.2f} ms   "
              f"max {f['max_ms']:6.2f} ms")
    print(f"  info lines derived: {rows['lines_derived']:,.0f} (each once while cached)")
    return figures


if __name__ == "__main__":
    main()
