"""Regenerates `resources/examples/smart-charging.jsonl`, the example session of a
transaction charged under a charging profile.

It runs the demo (station -> proxy -> CSMS on loopback) and records what the proxy sees
with the real recorder, exactly as `ocppscope demo --record FILE` does. Run it from the
project's root with the project's Python after changing the demo:

    python tests/state/make_example_session.py

The session holds a BootNotification, connector statuses Available -> Occupied ->
Available, a transaction with meter values, a station maximum the station rejects (with a
reasonCode), a TxProfile of 16 A then 10 A that the measured power overshoots for two
samples, and the station's answer to GetCompositeSchedule.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TARGET = ROOT / "resources" / "examples" / "smart-charging.jsonl"


def main() -> int:
    TARGET.unlink(missing_ok=True)
    done = subprocess.run([sys.executable, "-m", "app", "demo", "--pace", "0.2", "--quiet",
                           "--record", str(TARGET)], cwd=ROOT, check=False)
    if done.returncode != 0:
        print(f"the demo failed (exit status {done.returncode})", file=sys.stderr)
        return 1
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
