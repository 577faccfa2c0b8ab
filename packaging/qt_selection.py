"""Which parts of Qt the frozen program carries.

PyInstaller's PySide6 hooks collect every plugin of the Qt modules in use, and each plugin's
libraries: a virtual keyboard pulls in QtQuick and QML, the PDF image plugin QtPdf, the GTK
theme half of GTK's libraries. The window needs none of them. The spec removes here what the
program never loads, then the system libraries that only the removed parts needed.

Kept: the platforms a desktop runs on (xcb and Wayland on Linux, Windows, Cocoa; offscreen and
minimal for screenshots and tests), styles, image formats, the SVG icon engine, input methods
(compose, ibus), the desktop-portal theme, TLS, and the Qt modules the code imports (Core, Gui,
Widgets, Svg, Charts when a view uses it, DBus and OpenGL that the platform plugins link).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import PurePosixPath

# Qt modules the program never imports: their Python bindings and their libraries go
UNNEEDED_MODULES = (
    "Qt3D", "QtBluetooth", "QtDataVisualization", "QtDesigner", "QtGraphs", "QtHelp",
    "QtHttpServer", "QtLocation", "QtMultimedia", "QtNfc", "QtPdf", "QtPositioning", "QtQml",
    "QtQuick", "QtRemoteObjects", "QtScxml", "QtSensors", "QtSerialBus", "QtSerialPort",
    "QtShaderTools", "QtSpatialAudio", "QtSql", "QtStateMachine", "QtTest", "QtTextToSpeech",
    "QtUiTools", "QtVirtualKeyboard", "QtWebChannel", "QtWebEngine", "QtWebSockets",
    "QtWebView",
)
# plugin folders of Qt whose plugins the program never loads
UNNEEDED_PLUGIN_FOLDERS = frozenset({
    "egldeviceintegrations", "generic", "geometryloaders", "multimedia", "networkinformation",
    "position", "qmltooling", "renderers", "sceneparsers", "sensors", "sqldrivers",
    "texttospeech", "webview", "designer", "assetimporters", "renderplugins", "canbus",
})
# single plugins: (folder, name without `lib` and extension)
UNNEEDED_PLUGINS = frozenset({
    ("platforms", "qeglfs"), ("platforms", "qlinuxfb"), ("platforms", "qvnc"),
    ("platforms", "qvkkhrdisplay"), ("platforms", "qminimalegl"), ("platforms", "qdirect2d"),
    ("platforminputcontexts", "qtvirtualkeyboardplugin"), ("imageformats", "qpdf"),
    # drags in GTK's libraries but not GTK itself, which it then loads from the system:
    # two versions of cairo and pango in one process
    ("platformthemes", "qgtk3"),
})
# Qt libraries of no module of their own that only dropped plugins load: the eglfs platform's
# (PyInstaller copies every library in Qt's lib folder, linked or not)
UNNEEDED_LIBRARIES = ("QtEglFSDeviceIntegration", "QtEglFsKms")
_LIBRARY = re.compile(r"^(?:lib)?(Qt6?[A-Za-z0-9]+?)(?:\.abi3)?(?:\.so.*|\.dll|\.dylib|\.pyd)?$")
# folders of Qt data files the program never reads (English only; no QML)
UNNEEDED_DATA_FOLDERS = frozenset({"translations", "qml", "resources"})

TocEntry = tuple[str, str, str]  # (name in the bundle, source path, PyInstaller type code)


def python_excludes() -> list[str]:
    """Module names for the spec's `excludes`."""
    return [f"PySide6.{module}" for module in UNNEEDED_MODULES]


def unneeded_reason(bundle_name: str) -> str | None:
    """Why the file at `bundle_name` (a path inside the bundle) is left out, or None."""
    parts = PurePosixPath(bundle_name.replace("\\", "/")).parts
    for part in parts:  # also the links to Qt's libraries at the top of the bundle
        module = _module_of(part)
        if module is not None and module.startswith(UNNEEDED_MODULES):
            return f"Qt module {module}"
        if module is not None and module.startswith(UNNEEDED_LIBRARIES):
            return f"Qt library {module} (of the eglfs platform)"
    if "PySide6" not in parts:
        return None
    inner = parts[parts.index("PySide6") + 1:]
    if "plugins" in inner:
        rest = inner[inner.index("plugins") + 1:]
        if rest and rest[0] in UNNEEDED_PLUGIN_FOLDERS:
            return f"Qt plugins '{rest[0]}'"
        if len(rest) >= 2 and (rest[0], _plugin_name(rest[-1])) in UNNEEDED_PLUGINS:
            return f"Qt plugin {rest[0]}/{_plugin_name(rest[-1])}"
    else:
        folder = inner[1] if inner[:1] == ("Qt",) and len(inner) > 2 else inner[0]
        if len(inner) > 1 and folder in UNNEEDED_DATA_FOLDERS:
            return f"Qt data '{folder}'"
    return None


def select(entries: Iterable[TocEntry],
           imports_of: Callable[[str], set[str]]) -> tuple[list[TocEntry], list[TocEntry]]:
    """(kept, dropped) of a PyInstaller TOC: the unneeded Qt parts are dropped, and so are
    the bundled system libraries that only dropped parts import. `imports_of(source path)`
    gives the file names of the libraries a binary links to. A library nothing kept links
    to but nothing dropped needs either (loaded at run time by name) stays."""
    entries = list(entries)
    dropped = [entry for entry in entries if unneeded_reason(entry[0])]
    kept = [entry for entry in entries if not unneeded_reason(entry[0])]
    loose = {_file_name(entry[0]): entry for entry in kept if _is_loose_library(entry)}
    reached = _reach([entry for entry in kept if _file_name(entry[0]) not in loose],
                     loose, imports_of)
    for_dropped = _reach(dropped, loose, imports_of)
    orphans = {name for name in for_dropped if name not in reached}
    return ([entry for entry in kept if _file_name(entry[0]) not in orphans],
            dropped + [loose[name] for name in sorted(orphans)])


def _reach(roots: list[TocEntry], loose: dict[str, TocEntry],
           imports_of: Callable[[str], set[str]]) -> set[str]:
    """Names of the loose libraries that `roots` link to, directly or through each other."""
    found: set[str] = set()
    pending = [entry[1] for entry in roots]
    while pending:
        for name in imports_of(pending.pop()):
            if name in loose and name not in found:
                found.add(name)
                pending.append(loose[name][1])
    return found


def _is_loose_library(entry: TocEntry) -> bool:
    """A system library PyInstaller copied to the top of the bundle as someone's dependency."""
    name, _source, kind = entry
    return kind == "BINARY" and len(PurePosixPath(name.replace("\\", "/")).parts) == 1 \
        and not name.startswith(("libpython", "python"))


def _plugin_name(file_name: str) -> str:
    stem = file_name.split(".")[0]
    return stem[3:] if stem.startswith("lib") else stem


def _module_of(part: str) -> str | None:
    if part.endswith(".framework"):
        return part.removesuffix(".framework")
    match = _LIBRARY.match(part)
    if match is None:
        return None
    return match.group(1).replace("Qt6", "Qt", 1)


def _file_name(bundle_name: str) -> str:
    return PurePosixPath(bundle_name.replace("\\", "/")).name
