"""Start-up times, each against a baseline measured in the same run.

Run: python -m tests.benchmarks.startup [--rounds 7]

Every figure is a fresh Python process, from launch to exit, so it counts the imports a user
waits for. The cases run in alternation, round after round, and the medians are compared, so
that a busy machine slows baseline and program alike:

- `ocppscope --help` and `ocppscope validate` on a one-line file, against
  `python -c "import jsonschema"`;
- the window built and shown offscreen (with the application, theme and event loop that
  `ocppscope` sets up), against an empty PySide6 QMainWindow shown offscreen.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EMPTY_WINDOW = """
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
window = QMainWindow()
window.resize(1400, 860)
window.show()
app.processEvents()
"""

OUR_WINDOW = """
import asyncio
import qasync
from PySide6.QtWidgets import QApplication
from widgets.app import apply_theme
from widgets.main_window import MainWindow
app = QApplication([])
apply_theme(app)
asyncio.set_event_loop(qasync.QEventLoop(app))
window = MainWindow()
window.resize(1400, 860)
window.show()
app.processEvents()
"""


def _seconds(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> dict[str, dict[str, float]]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=7, help="runs of each case")
    parser.add_argument("--no-window", action="store_true", help="skip the window cases")
    args = parser.parse_args(argv)

    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(root),
                                                       os.environ.get("PYTHONPATH")]))}
    with tempfile.TemporaryDirectory() as folder:
        env["XDG_CONFIG_HOME"] = folder  # no remembered layout or recent files of a user
        one_line = Path(folder) / "one.txt"
        one_line.write_text('[2,"1","Heartbeat",{}]\n', encoding="utf-8")
        python = sys.executable
        cases: dict[str, list[str]] = {
            "import jsonschema": [python, "-c", "import jsonschema"],
            "ocppscope --help": [python, "-m", "app", "--help"],
            "ocppscope validate (one line)": [python, "-m", "app", "validate", str(one_line)],
        }
        if not args.no_window:
            cases["empty QMainWindow shown"] = [python, "-c", EMPTY_WINDOW]
            cases["OCPP Scope window shown"] = [python, "-c", OUR_WINDOW]
        times: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(args.rounds):
            for name, command in cases.items():
                times[name].append(_seconds(command, env))

    medians = {name: statistics.median(values) for name, values in times.items()}
    pairs = {"ocppscope --help": "import jsonschema",
             "ocppscope validate (one line)": "import jsonschema",
             "OCPP Scope window shown": "empty QMainWindow shown"}
    results: dict[str, dict[str, float]] = {}
    print(f"start-up, median of {args.rounds} alternating runs (seconds, whole process)")
    for name, median in medians.items():
        baseline = pairs.get(name)
        ratio = median / medians[baseline] if baseline in medians else 1.0
        results[name] = {"median_s": median, "ratio": ratio}
        against = f"   {ratio:4.1f}x {baseline}" if baseline in medians else ""
        print(f"  {name:<32} {median:7.3f}{against}")
    return results


if __name__ == "__main__":
    main()
