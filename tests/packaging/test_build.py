"""The whole Linux build, installed on this machine as a user would (slow: a PyInstaller
build; opt in with OCPPSCOPE_TEST_INSTALLERS=1, as root, on a Debian-like system;
OCPPSCOPE_REUSE_FROZEN=1 packs the folder an earlier build froze)."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from buildinfo import ROOT, product

pytestmark = [
    pytest.mark.installers,
    pytest.mark.skipif(os.environ.get("OCPPSCOPE_TEST_INSTALLERS") != "1",
                       reason="builds and installs the .deb: OCPPSCOPE_TEST_INSTALLERS=1"),
]
CURRENT = product()
PACKAGE = ROOT / "dist" / f"ocppscope_{CURRENT.debian_version}_amd64.deb"


def mime_type_of(path: Path) -> str:
    """What the desktop's MIME database says `path` is (read afresh, as a file manager does)."""
    probe = ("import sys; from PySide6.QtCore import QMimeDatabase; "
             "print(QMimeDatabase().mimeTypeForFile(sys.argv[1]).name())")
    return subprocess.run([sys.executable, "-c", probe, str(path)], capture_output=True,
                          text=True, check=True).stdout.strip()


def opener_command(mime_type: str, path: Path) -> list[str]:
    """The command line of the installed desktop entry that opens `mime_type`."""
    for entry in sorted(Path("/usr/share/applications").glob("*.desktop")):
        lines = entry.read_text(encoding="utf-8", errors="replace").splitlines()
        fields = dict(line.split("=", 1) for line in lines if "=" in line)
        if mime_type in fields.get("MimeType", "").split(";"):
            return [str(path) if word in ("%f", "%F", "%u", "%U") else word
                    for word in shlex.split(fields["Exec"])]
    raise AssertionError(f"no desktop entry opens {mime_type}")


@pytest.fixture(scope="module")
def installed() -> Iterator[Path]:
    if os.geteuid() != 0 or shutil.which("dpkg") is None:
        pytest.skip("installing a .deb needs root and dpkg")
    build = [sys.executable, str(ROOT / "packaging" / "build.py")]
    if os.environ.get("OCPPSCOPE_REUSE_FROZEN") == "1":
        build.append("--reuse")
    subprocess.run(build, check=True, cwd=ROOT)
    subprocess.run(["dpkg", "-i", str(PACKAGE)], check=True)
    yield Path("/usr/bin/ocppscope")
    subprocess.run(["dpkg", "-r", "ocppscope"], check=True)


def test_installed_program_passes_the_smoke_test(installed: Path, tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "packaging"))
    import smoke

    assert smoke.main([str(installed), "--artifacts", str(tmp_path)]) == 0


def test_session_file_opens_by_its_mime_type(installed: Path, tmp_path: Path) -> None:
    session = tmp_path / "recorded.jsonl"
    subprocess.run([str(installed), "demo", "--pace", "0", "--quiet", "--record", str(session)],
                   check=True, timeout=120)
    assert mime_type_of(session) == CURRENT.mime_type
    shot = tmp_path / "opened.png"
    command = [*opener_command(CURRENT.mime_type, session), "--screenshot", str(shot)]
    assert command[0] == "ocppscope"
    result = subprocess.run(command, capture_output=True, text=True, timeout=300,
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == 0, result.stderr
    assert shot.read_bytes().startswith(b"\x89PNG")


def test_removal_leaves_nothing_behind(installed: Path, tmp_path: Path) -> None:
    session = tmp_path / "kept.jsonl"
    subprocess.run([str(installed), "demo", "--pace", "0", "--quiet", "--record", str(session)],
                   check=True, timeout=120)
    subprocess.run(["dpkg", "-r", "ocppscope"], check=True)
    try:
        assert not Path("/opt/ocppscope").exists()
        assert not installed.exists() and not installed.is_symlink()
        assert not Path("/usr/share/applications/ocppscope.desktop").exists()
        assert not Path("/usr/share/mime/packages/ocppscope.xml").exists()
        assert mime_type_of(session) != CURRENT.mime_type
    finally:
        subprocess.run(["dpkg", "-i", str(PACKAGE)], check=True)  # the fixture removes it
