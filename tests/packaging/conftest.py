"""The packaging scripts are plain modules in packaging/ (not a package: its name would hide
the `packaging` library that pip and PyInstaller import); tests import them by that folder."""

import sys
from pathlib import Path

PACKAGING = Path(__file__).resolve().parents[2] / "packaging"
if str(PACKAGING) not in sys.path:
    sys.path.append(str(PACKAGING))
