"""Build the installable package of OCPP Scope for the system this runs on.

    python packaging/build.py            # PyInstaller folder in dist/ocppscope, then:
      Linux:   dist/ocppscope-<version>-linux-<arch>.tar.gz (with a .desktop entry)
      macOS:   dist/OCPP Scope.app zipped, and a .dmg when hdiutil is there
      Windows: dist/ocppscope-<version>-windows.zip, and an installer .exe when Inno Setup's
               iscc is on the PATH (recipe: packaging/windows/ocppscope.iss)

Needs `pip install -e '.[package]'` first. The finished folder is smoke-tested: it must
validate the example capture and render the window offscreen.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "dist"


def version() -> str:
    sys.path.insert(0, str(ROOT))
    from app import __version__

    return __version__


def pyinstaller() -> Path:
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean",
                    "--distpath", str(DIST), "--workpath", str(ROOT / "build" / "pyinstaller"),
                    str(ROOT / "packaging" / "ocppscope.spec")], check=True)
    return DIST / "ocppscope"


def smoke_test(folder: Path) -> None:
    program = folder / ("ocppscope.exe" if os.name == "nt" else "ocppscope")
    example = ROOT / "resources" / "examples" / "mixed-frames.txt"
    result = subprocess.run([str(program), "validate", str(example)], capture_output=True,
                            text=True, timeout=120)
    if result.returncode != 1 or "11 messages" not in result.stdout:
        raise SystemExit(f"the packaged program failed to validate:\n{result.stdout}"
                         f"{result.stderr}")
    shot = DIST / "smoke-test.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([str(program), str(example), "--screenshot", str(shot)], env=env,
                            capture_output=True, text=True, timeout=180)
    if result.returncode != 0 or not shot.exists():
        raise SystemExit(f"the packaged window did not render:\n{result.stderr}")
    shot.unlink()


def linux(folder: Path) -> Path:
    shutil.copy(ROOT / "packaging" / "linux" / "ocppscope.desktop", folder)
    name = f"ocppscope-{version()}-linux-{platform.machine()}"
    archive = DIST / f"{name}.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(folder, arcname=name)
    return archive


def windows(folder: Path) -> Path:
    archive = Path(shutil.make_archive(str(DIST / f"ocppscope-{version()}-windows"), "zip",
                                       folder.parent, folder.name))
    iscc = shutil.which("iscc")
    if iscc:
        subprocess.run([iscc, f"/DAppVersion={version()}", f"/DSourceDir={folder}",
                        f"/O{DIST}", str(ROOT / "packaging" / "windows" / "ocppscope.iss")],
                       check=True)
    return archive


def macos(folder: Path) -> Path:
    app = DIST / "OCPP Scope.app"
    contents = app / "Contents"
    if app.exists():
        shutil.rmtree(app)
    (contents / "MacOS").mkdir(parents=True)
    shutil.copytree(folder, contents / "MacOS", dirs_exist_ok=True)
    (contents / "Info.plist").write_text(f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0"><dict>
<key>CFBundleName</key><string>OCPP Scope</string>
<key>CFBundleIdentifier</key><string>org.ocppscope.app</string>
<key>CFBundleVersion</key><string>{version()}</string>
<key>CFBundleShortVersionString</key><string>{version()}</string>
<key>CFBundleExecutable</key><string>ocppscope</string>
<key>NSHighResolutionCapable</key><true/>
</dict></plist>
""")
    archive = Path(shutil.make_archive(str(DIST / f"ocppscope-{version()}-macos"), "zip",
                                       DIST, app.name))
    if shutil.which("hdiutil"):
        subprocess.run(["hdiutil", "create", "-volname", "OCPP Scope", "-srcfolder", str(app),
                        "-ov", "-format", "UDZO",
                        str(DIST / f"ocppscope-{version()}-macos.dmg")], check=True)
    return archive


def main() -> int:
    folder = pyinstaller()
    smoke_test(folder)
    system = platform.system()
    if system == "Linux":
        artefact = linux(folder)
    elif system == "Windows":
        artefact = windows(folder)
    elif system == "Darwin":
        artefact = macos(folder)
    else:
        raise SystemExit(f"no installer recipe for {system}")
    print(f"built {artefact}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
