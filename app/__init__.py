"""OCPP Scope: a debugger for OCPP 2.0.1 traffic.

The engine lives in this package and never imports Qt, so everything that needs no
window (validation, proxying, recording, replay) runs headless and is tested without a display.
"""

from app.version import read_version

__version__ = read_version()
