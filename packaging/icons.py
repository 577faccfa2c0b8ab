"""The program's icon for each system, drawn from the one SVG in resources/icons.

Linux takes PNGs (and the SVG itself), Windows an .ico, macOS an .icns. Both containers are
written here from PNG images (Windows Vista and macOS 10.7 on read PNG entries), so the build
needs no icon tool; only the drawing of the SVG needs Qt, which the build has anyway.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

from buildinfo import ROOT

SVG = ROOT / "resources" / "icons" / "ocppscope.svg"
LINUX_SIZES = (48, 64, 128, 256, 512)
WINDOWS_SIZES = (16, 24, 32, 48, 64, 128, 256)
# the .icns entry type of each PNG size (ic10 is the 512-point icon at twice the density)
MACOS_TYPES = {32: b"icp5", 64: b"icp6", 128: b"ic07", 256: b"ic08", 512: b"ic09",
               1024: b"ic10"}


def draw_png(size: int, svg: Path = SVG) -> bytes:
    """The SVG drawn on a transparent square of `size` pixels, as PNG bytes."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _application = QGuiApplication.instance() or QGuiApplication([])  # kept alive while drawing
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"{svg}: not an SVG image Qt can draw")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


def ico(pngs: dict[int, bytes]) -> bytes:
    """A Windows .ico holding one PNG per size (256 is written as 0, as the format wants)."""
    sizes = sorted(pngs)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    entries, images = b"", b""
    for size in sizes:
        image = pngs[size]
        side = 0 if size >= 256 else size
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(image), offset)
        images += image
        offset += len(image)
    return header + entries + images


def icns(pngs: dict[int, bytes]) -> bytes:
    """A macOS .icns holding the PNGs whose size has an entry type."""
    body = b"".join(MACOS_TYPES[size] + struct.pack(">I", 8 + len(pngs[size])) + pngs[size]
                    for size in sorted(pngs) if size in MACOS_TYPES)
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def write_icons(folder: Path) -> dict[str, Path]:
    """Every icon file the installers use, in `folder`: `png-<size>`, `ico`, `icns`, `svg`."""
    folder.mkdir(parents=True, exist_ok=True)
    sizes = sorted(set(LINUX_SIZES) | set(WINDOWS_SIZES) | set(MACOS_TYPES))
    pngs = {size: draw_png(size) for size in sizes}
    written: dict[str, Path] = {}
    for size in LINUX_SIZES:
        path = folder / f"ocppscope-{size}.png"
        path.write_bytes(pngs[size])
        written[f"png-{size}"] = path
    written["ico"] = folder / "ocppscope.ico"
    written["ico"].write_bytes(ico({size: pngs[size] for size in WINDOWS_SIZES}))
    written["icns"] = folder / "ocppscope.icns"
    written["icns"].write_bytes(icns({size: pngs[size] for size in MACOS_TYPES}))
    written["svg"] = folder / "ocppscope.svg"
    written["svg"].write_bytes(SVG.read_bytes())
    return written
