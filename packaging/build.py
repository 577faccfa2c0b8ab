"""Build the installers of OCPP Scope for the system this runs on.

    python packaging/build.py             # freeze, smoke-test, pack; everything lands in dist/
    python packaging/build.py --reuse     # pack the folder frozen before (no PyInstaller run)

Needs `pip install -e '.[package]'` first (and `dpkg-deb` on Linux, Inno Setup's `iscc` on
Windows for the setup program, `hdiutil` on macOS). Each system builds its own: PyInstaller
does not cross-compile.

  Linux:   ocppscope-<v>-linux-<arch>.tar.gz, ocppscope_<v>_<debarch>.deb,
           ocppscope-<v>-linux-<arch>.run (one file that runs without installing)
  Windows: ocppscope-<v>-windows-x64.zip, ocppscope-<v>-windows-x64-setup.exe
  macOS:   ocppscope-<v>-macos-<arch>.dmg holding OCPP Scope.app

The frozen folder must pass `smoke.py` (the same test the release jobs run) before anything
is packed; SHA256SUMS lists what was built.
"""

from __future__ import annotations

import argparse
import hashlib
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import icons
import installers_linux
import installers_macos
import installers_windows
import smoke
from buildinfo import ROOT, Product, machine, product

DIST = ROOT / "dist"
BUILD = ROOT / "build"


def freeze(current: Product) -> Path:
    """Run PyInstaller; the folder (or the .app on macOS) it made."""
    if platform.system() == "Windows":
        installers_windows.version_resource(current, BUILD / "windows" / "version-info.txt")
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean",
                    "--distpath", str(DIST), "--workpath", str(BUILD / "pyinstaller"),
                    str(ROOT / "packaging" / "ocppscope.spec")], check=True)
    return frozen_folder(current)


def frozen_folder(current: Product) -> Path:
    return DIST / current.command


def frozen_program(current: Product) -> Path:
    """The program to smoke-test: inside the .app on macOS, so the bundle itself is tested."""
    if platform.system() == "Darwin":
        return DIST / f"{current.name}.app" / "Contents" / "MacOS" / current.command
    suffix = ".exe" if platform.system() == "Windows" else ""
    return frozen_folder(current) / f"{current.command}{suffix}"


def folder_size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*")
               if path.is_file() and not path.is_symlink())


def pack(current: Product, drawn: dict[str, Path]) -> list[Path]:
    folder, arch, system = frozen_folder(current), machine(), platform.system()
    if system == "Linux":
        built = [installers_linux.tarball(folder, current, arch, DIST, drawn),
                 installers_linux.self_extracting(folder, current, arch, DIST)]
        if shutil.which("dpkg-deb"):
            built.append(installers_linux.deb(folder, current, arch, DIST, drawn,
                                              BUILD / "deb"))
        else:
            print("dpkg-deb is not on the PATH: no .deb (apt-get install dpkg-dev)")
        return built
    if system == "Windows":
        setup = installers_windows.installer(folder, current, DIST, drawn["ico"],
                                             BUILD / "windows" / "ocppscope.iss")
        return [installers_windows.zip_folder(folder, current, DIST),
                *([setup] if setup else [])]
    if system == "Darwin":
        app = DIST / f"{current.name}.app"
        return [installers_macos.disk_image(app, current, arch, DIST)]
    raise SystemExit(f"build.py: no installer recipe for {system}")


def write_checksums(files: list[Path]) -> Path:
    sums = DIST / "SHA256SUMS"
    sums.write_text("".join(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {path.name}\n"
                            for path in sorted(files)))
    return sums


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the installers for this system.")
    parser.add_argument("--reuse", action="store_true",
                        help="pack the folder an earlier run froze instead of freezing again")
    parser.add_argument("--no-smoke", action="store_true",
                        help="skip the smoke test of the frozen program (not for releases)")
    args = parser.parse_args(argv)
    current = product()
    print(f"building {current.name} {current.version} for {platform.system()} {machine()}")
    drawn = icons.write_icons(BUILD / "icons")
    started = time.monotonic()
    if args.reuse and frozen_program(current).exists():
        print(f"reusing {frozen_folder(current)}")
    else:
        freeze(current)
        print(f"frozen in {time.monotonic() - started:.0f} s")
    print(f"frozen folder: {folder_size(frozen_folder(current)) / 2**20:.0f} MiB "
          f"(left out: {BUILD / 'pyinstaller' / 'left-out.txt'})")
    if not args.no_smoke and smoke.main([str(frozen_program(current)),
                                         "--artifacts", str(DIST / "smoke")]) != 0:
        return 1
    built = pack(current, drawn)
    sums = write_checksums(built)
    for path in [*built, sums]:
        print(f"built {path.relative_to(ROOT)} ({path.stat().st_size / 2**20:.1f} MiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
