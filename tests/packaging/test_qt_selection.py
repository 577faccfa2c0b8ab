"""The frozen program leaves out the Qt parts it never loads, and only those."""

from __future__ import annotations

import pytest
from qt_selection import python_excludes, select, unneeded_reason


@pytest.mark.parametrize("name", [
    "PySide6/Qt/plugins/platforms/libqxcb.so",
    "PySide6/Qt/plugins/platforms/libqwayland.so",
    "PySide6/Qt/plugins/platforms/libqoffscreen.so",
    "PySide6/plugins/platforms/qwindows.dll",
    "PySide6/Qt/plugins/platforms/libqcocoa.dylib",
    "PySide6/Qt/plugins/wayland-shell-integration/libxdg-shell.so",
    "PySide6/Qt/plugins/xcbglintegrations/libqxcb-glx-integration.so",
    "PySide6/Qt/plugins/imageformats/libqsvg.so",
    "PySide6/Qt/plugins/styles/qmodernwindowsstyle.dll",
    "PySide6/Qt/plugins/iconengines/libqsvgicon.so",
    "PySide6/Qt/lib/libQt6Core.so.6",
    "PySide6/Qt/lib/libQt6Charts.so.6",
    "PySide6/QtCharts.abi3.so",
    "PySide6/Qt/lib/libQt6Svg.so.6",
    "libQt6Widgets.so.6",
    "libcairo.so.2",
    "schemas/BootNotificationRequest.json",
])
def test_what_the_window_needs_stays(name: str) -> None:
    assert unneeded_reason(name) is None


@pytest.mark.parametrize("name", [
    "PySide6/Qt/lib/libQt6Quick.so.6",
    "libQt6Qml.so.6",
    "PySide6/QtWebEngineCore.abi3.so",
    "PySide6/Qt6Pdf.dll",
    "PySide6/Qt/lib/QtMultimedia.framework/Versions/A/QtMultimedia",
    "PySide6/Qt/lib/libQt63DCore.so.6",
    "PySide6/Qt/plugins/platforms/libqeglfs.so",
    "PySide6/Qt/lib/libQt6EglFSDeviceIntegration.so.6",
    "PySide6/Qt/lib/libQt6EglFsKmsSupport.so.6",
    "libQt6EglFSDeviceIntegration.so.6",
    "PySide6/Qt/plugins/platforminputcontexts/libqtvirtualkeyboardplugin.so",
    "PySide6/Qt/plugins/imageformats/libqpdf.so",
    "PySide6/Qt/plugins/platformthemes/libqgtk3.so",
    "PySide6/Qt/plugins/generic/libqevdevmouseplugin.so",
    "PySide6/Qt/translations/qtbase_de.qm",
    "PySide6/translations/qtbase_de.qm",
])
def test_what_it_never_loads_goes(name: str) -> None:
    assert unneeded_reason(name) is not None


def test_python_bindings_of_unneeded_modules_are_excluded() -> None:
    assert {"PySide6.QtQuick", "PySide6.QtWebEngine", "PySide6.QtMultimedia"} <= set(
        python_excludes())
    assert "PySide6.QtCharts" not in python_excludes()


def test_libraries_only_the_dropped_parts_needed_go_too() -> None:
    gtk = ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", "/qt/libqgtk3.so", "BINARY")
    xcb = ("PySide6/Qt/plugins/platforms/libqxcb.so", "/qt/libqxcb.so", "BINARY")
    cairo = ("libcairo.so.2", "/usr/lib/libcairo.so.2", "BINARY")
    pixman = ("libpixman-1.so.0", "/usr/lib/libpixman-1.so.0", "BINARY")
    x11 = ("libX11.so.6", "/usr/lib/libX11.so.6", "BINARY")
    loaded_by_name = ("libssl.so.3", "/usr/lib/libssl.so.3", "BINARY")
    links = {"/qt/libqgtk3.so": {"libcairo.so.2", "libX11.so.6"},
             "/usr/lib/libcairo.so.2": {"libpixman-1.so.0"},
             "/qt/libqxcb.so": {"libX11.so.6"}}
    kept, dropped = select([gtk, xcb, cairo, pixman, x11, loaded_by_name],
                           lambda path: links.get(path, set()))
    assert kept == [xcb, x11, loaded_by_name]
    assert set(dropped) == {gtk, cairo, pixman}
