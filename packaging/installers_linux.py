"""The Linux downloads, packed from the PyInstaller folder.

- `ocppscope-<version>-linux-<arch>.tar.gz`: the folder, with the desktop entry, MIME type and
  icon beside the program for those who unpack it by hand;
- `ocppscope_<version>_<arch>.deb`: the folder in /opt/ocppscope, `ocppscope` on the PATH,
  the desktop entry, icons and MIME type where the desktop finds them. The system's triggers
  (shared-mime-info, desktop-file-utils, hicolor-icon-theme) refresh their caches on install
  and removal, so the package needs no scripts of its own and `dpkg -r` leaves nothing behind;
- `ocppscope-<version>-linux-<arch>.run`: one file that runs without installing, in place of
  an AppImage, whose tools (appimagetool and its runtime) no registry reachable from the build
  machines provides. It is a shell stub followed by the packed folder.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import shutil
import subprocess
import tarfile
from pathlib import Path

from buildinfo import ROOT, Product, debian_architecture
from rendering import debian_control, desktop_entry, mime_info, self_extractor_stub


def tarball(folder: Path, product: Product, arch: str, dist: Path,
            icons: dict[str, Path]) -> Path:
    """The folder packed as `<name>/`, with the desktop files beside the program."""
    extras = _desktop_files(product, icons)
    name = f"{product.command}-{product.version}-linux-{arch}"
    archive = dist / f"{name}.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(folder, arcname=name)
        for relative, data in extras.items():
            _add_bytes(tar, f"{name}/share/{relative}", data)
    return archive


def deb(folder: Path, product: Product, arch: str, dist: Path, icons: dict[str, Path],
        staging: Path) -> Path:
    """The Debian package, built with `dpkg-deb` from a tree laid out under `staging`."""
    if staging.exists():
        shutil.rmtree(staging)
    home = staging / "opt" / product.command
    shutil.copytree(folder, home, symlinks=True)
    (staging / "usr" / "bin").mkdir(parents=True)
    (staging / "usr" / "bin" / product.command).symlink_to(f"/opt/{product.command}/"
                                                          f"{product.command}")
    for relative, data in _desktop_files(product, icons).items():
        target = staging / "usr" / "share" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    docs = staging / "usr" / "share" / "doc" / product.command
    docs.mkdir(parents=True)
    (docs / "copyright").write_text(f"{product.name}\nCopyright: {product.publisher}\n"
                                    f"License: {product.license}\n")
    (docs / "changelog.gz").write_bytes(gzip.compress((ROOT / "CHANGELOG.md").read_bytes(),
                                                      mtime=0))
    control = staging / "DEBIAN"
    control.mkdir()
    (control / "control").write_text(debian_control(
        product, debian_architecture(arch), installed_kib=_size_kib(staging)))
    _normalise_modes(staging)
    package = dist / f"{product.command}_{product.debian_version}_{debian_architecture(arch)}.deb"
    subprocess.run(["dpkg-deb", "--root-owner-group", "-Zxz", "--build", str(staging),
                    str(package)], check=True, stdout=subprocess.DEVNULL)
    return package


def self_extracting(folder: Path, product: Product, arch: str, dist: Path) -> Path:
    """One executable file: the stub, then the folder as a gzip'd tar named `<command>/`."""
    payload = io.BytesIO()
    with tarfile.open(fileobj=payload, mode="w:gz") as tar:
        tar.add(folder, arcname=product.command)
    data = payload.getvalue()
    digest = hashlib.sha256(data).hexdigest()[:12]
    runner = dist / f"{product.command}-{product.version}-linux-{arch}.run"
    runner.write_bytes(self_extractor_stub(product, arch, digest).encode() + data)
    runner.chmod(0o755)
    return runner


def _desktop_files(product: Product, icons: dict[str, Path]) -> dict[str, bytes]:
    """The files the desktop reads, by their path under `share/`."""
    files = {
        f"applications/{product.command}.desktop": desktop_entry(product).encode(),
        f"mime/packages/{product.command}.xml": mime_info(product).encode(),
        f"icons/hicolor/scalable/apps/{product.command}.svg": icons["svg"].read_bytes(),
    }
    for key, path in icons.items():
        if key.startswith("png-"):
            size = key.removeprefix("png-")
            files[f"icons/hicolor/{size}x{size}/apps/{product.command}.png"] = path.read_bytes()
    return files


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o644
    tar.addfile(info, io.BytesIO(data))


def _size_kib(tree: Path) -> int:
    return sum(path.lstat().st_size for path in tree.rglob("*")) // 1024 + 1


def _normalise_modes(tree: Path) -> None:
    """Folders 755, files 644 or 755 when executable: whatever umask the build had."""
    for path in [tree, *tree.rglob("*")]:
        if path.is_symlink():
            continue
        if path.is_dir() or path.stat().st_mode & 0o111:
            path.chmod(0o755)
        else:
            path.chmod(0o644)
