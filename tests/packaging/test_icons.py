"""Icons for each system drawn from the one SVG, in containers the systems read."""

from __future__ import annotations

import struct
from pathlib import Path

from icons import MACOS_TYPES, draw_png, icns, ico, write_icons

PNG = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    return struct.unpack(">II", data[16:24])


def test_svg_is_drawn_at_the_asked_size() -> None:
    data = draw_png(64)
    assert data.startswith(PNG)
    assert png_size(data) == (64, 64)


def test_ico_directory_points_at_each_png() -> None:
    images = {16: draw_png(16), 256: draw_png(256)}
    data = ico(images)
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind, count) == (0, 1, 2)
    for index, size in enumerate(sorted(images)):
        width, _h, _c, _r, _p, _bpp, length, offset = struct.unpack(
            "<BBBBHHII", data[6 + 16 * index:22 + 16 * index])
        assert width == (0 if size == 256 else size)
        assert data[offset:offset + length] == images[size]


def test_icns_lists_typed_pngs_and_its_own_length() -> None:
    images = {128: draw_png(128), 1024: draw_png(1024), 20: b"not a size icns knows"}
    data = icns(images)
    assert data[:4] == b"icns"
    assert struct.unpack(">I", data[4:8])[0] == len(data)
    found, at = [], 8
    while at < len(data):
        kind, length = data[at:at + 4], struct.unpack(">I", data[at + 4:at + 8])[0]
        assert data[at + 8:at + 16] == PNG
        found.append(kind)
        at += length
    assert found == [MACOS_TYPES[128], MACOS_TYPES[1024]]


def test_every_installer_icon_is_written(tmp_path: Path) -> None:
    written = write_icons(tmp_path)
    assert {"ico", "icns", "svg", "png-256"} <= set(written)
    assert all(path.stat().st_size > 0 for path in written.values())
