"""Can the window open here? Found out before Qt tries, because Qt cannot say so itself.

Qt's X11 platform plugin (xcb) links a dozen small X libraries. When one is missing, which is
the case on a fresh minimal Debian or Ubuntu, Qt prints a plugin error and the process dies
with SIGABRT: no exception to catch. So before anything imports Qt, each library is loaded
by its soname (cheap, and exactly what the dynamic loader will do a moment later), and the
missing ones are named with the package that brings each and the command that installs them.
No Qt here: the engine must not import it.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable, Mapping

# soname -> the Debian/Ubuntu package that ships it (other systems name theirs alike)
XCB_LIBRARIES: dict[str, str] = {
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
}


def _loads(soname: str) -> bool:
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def missing_packages(loads: Callable[[str], bool] = _loads) -> list[str]:
    """The packages whose library the X11 plugin needs and the system cannot load."""
    return [package for soname, package in XCB_LIBRARIES.items() if not loads(soname)]


def uses_x11(env: Mapping[str, str] | None = None, platform: str | None = None) -> bool:
    """Whether Qt will open its window through X11 (xcb): on Linux and the BSDs, with an X
    display, unless another platform was chosen or a Wayland session will be used."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    if not platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return False
    chosen = env.get("QT_QPA_PLATFORM", "")
    if chosen:
        return chosen.split(":", 1)[0] == "xcb"
    return bool(env.get("DISPLAY")) and not env.get("WAYLAND_DISPLAY")


def window_problem(env: Mapping[str, str] | None = None, platform: str | None = None,
                   loads: Callable[[str], bool] = _loads) -> str | None:
    """One sentence when the window cannot open for want of X libraries, else None."""
    if not uses_x11(env, platform):
        return None
    missing = missing_packages(loads)
    if not missing:
        return None
    return (f"the window needs X libraries this system lacks ({', '.join(missing)}); "
            f"install them with: sudo apt-get install {' '.join(missing)} "
            "(Debian/Ubuntu; other systems ship them under similar names). The commands "
            "(ocppscope proxy, csms, station, validate…) work without them.")
