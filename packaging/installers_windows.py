"""The Windows downloads: the PyInstaller folder zipped, and the Inno Setup installer.

Inno Setup's compiler (`iscc`, installed on the release runner by Chocolatey) builds
`ocppscope-<version>-windows-x64-setup.exe` from the script that `rendering.inno_script`
writes; without it only the zip is made, and the build says so.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from buildinfo import Product
from rendering import inno_script, windows_version_info


def version_resource(product: Product, target: Path) -> Path:
    """The version resource both .exe files carry (read by the spec)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(windows_version_info(product), encoding="utf-8")
    return target


def zip_folder(folder: Path, product: Product, dist: Path) -> Path:
    return Path(shutil.make_archive(str(dist / f"{product.command}-{product.version}-windows-x64"),
                                    "zip", folder.parent, folder.name))


def installer(folder: Path, product: Product, dist: Path, icon: Path,
              script: Path) -> Path | None:
    """The setup program, or None when `iscc` is not on the PATH."""
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(inno_script(product, source_dir=str(folder.resolve()),
                                  output_dir=str(dist.resolve()), icon=str(icon.resolve())),
                      encoding="utf-8")
    compiler = shutil.which("iscc") or shutil.which("ISCC")
    if compiler is None:
        print("Inno Setup's iscc is not on the PATH: no setup.exe (the zip is made)")
        return None
    subprocess.run([compiler, "/Q", str(script)], check=True)
    return dist / f"{product.command}-{product.version}-windows-x64-setup.exe"
