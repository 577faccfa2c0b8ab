"""The Linux packs hold the program and the desktop files where each expects them."""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest
from buildinfo import product
from installers_linux import deb, self_extracting, tarball

CURRENT = product()


@pytest.fixture
def frozen(tmp_path: Path) -> Path:
    """A stand-in for the PyInstaller folder: a program that prints its arguments."""
    folder = tmp_path / "frozen" / "ocppscope"
    folder.mkdir(parents=True)
    program = folder / "ocppscope"
    program.write_text('#!/bin/sh\necho "stand-in $*"\n')
    program.chmod(0o755)
    (folder / "_internal").mkdir()
    (folder / "_internal" / "data.txt").write_text("data")
    return folder


@pytest.fixture
def drawn(tmp_path: Path) -> dict[str, Path]:
    icons = tmp_path / "icons"
    icons.mkdir()
    (icons / "a.svg").write_text("<svg/>")
    (icons / "a.png").write_bytes(b"png")
    return {"svg": icons / "a.svg", "png-256": icons / "a.png"}


def test_tarball_holds_program_and_desktop_files(frozen: Path, drawn: dict[str, Path],
                                                 tmp_path: Path) -> None:
    archive = tarball(frozen, CURRENT, "x86_64", tmp_path, drawn)
    assert archive.name == f"ocppscope-{CURRENT.version}-linux-x86_64.tar.gz"
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
    top = f"ocppscope-{CURRENT.version}-linux-x86_64"
    assert {f"{top}/ocppscope", f"{top}/share/applications/ocppscope.desktop",
            f"{top}/share/mime/packages/ocppscope.xml",
            f"{top}/share/icons/hicolor/256x256/apps/ocppscope.png"} <= names


def test_one_file_build_unpacks_once_and_runs_the_program(frozen: Path,
                                                          tmp_path: Path) -> None:
    runner = self_extracting(frozen, CURRENT, "x86_64", tmp_path)
    environment = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    first = subprocess.run([str(runner), "--version"], capture_output=True, text=True,
                           env=environment, timeout=60)
    assert (first.returncode, first.stdout) == (0, "stand-in --version\n"), first.stderr
    unpacked = list((tmp_path / "cache" / "ocppscope").iterdir())
    assert [path.name.split("-")[0] for path in unpacked] == [CURRENT.version]
    again = subprocess.run([str(runner), "a b"], capture_output=True, text=True,
                           env=environment, timeout=60)
    assert again.stdout == "stand-in a b\n"


def test_damaged_one_file_build_says_so(frozen: Path, tmp_path: Path) -> None:
    runner = self_extracting(frozen, CURRENT, "x86_64", tmp_path)
    runner.write_bytes(runner.read_bytes()[:-200])
    result = subprocess.run([str(runner)], capture_output=True, text=True, timeout=60,
                            env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")})
    assert result.returncode != 0
    assert "damaged" in result.stderr


@pytest.mark.skipif(shutil.which("dpkg-deb") is None, reason="needs dpkg-deb")
def test_deb_puts_program_in_opt_and_command_on_path(frozen: Path, drawn: dict[str, Path],
                                                     tmp_path: Path) -> None:
    (tmp_path / "dist").mkdir()
    package = deb(frozen, CURRENT, "x86_64", tmp_path / "dist", drawn, tmp_path / "staging")
    assert package.name == f"ocppscope_{CURRENT.debian_version}_amd64.deb"
    info = subprocess.run(["dpkg-deb", "--field", str(package), "Version", "Architecture"],
                          capture_output=True, text=True, check=True).stdout
    assert f"Version: {CURRENT.debian_version}" in info and "Architecture: amd64" in info
    contents = subprocess.run(["dpkg-deb", "--contents", str(package)], capture_output=True,
                              text=True, check=True).stdout
    assert "./usr/bin/ocppscope -> /opt/ocppscope/ocppscope" in contents
    for path in ("./opt/ocppscope/ocppscope", "./usr/share/applications/ocppscope.desktop",
                 "./usr/share/mime/packages/ocppscope.xml",
                 "./usr/share/icons/hicolor/scalable/apps/ocppscope.svg",
                 "./usr/share/doc/ocppscope/copyright"):
        assert path in contents
    assert "root/root" in contents.splitlines()[0]
