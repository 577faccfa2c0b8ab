"""What every installer says about the program: its name, version, publisher and file type.

Everything comes from `pyproject.toml` (version, description, publisher) or is fixed here
once, so the .deb control file, the desktop entry, the MIME type, the Inno Setup script and
the macOS Info.plist cannot disagree. `rendering.py` writes them from a `Product`.
"""

from __future__ import annotations

import platform
import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGING = ROOT / "packaging"
PYPROJECT = ROOT / "pyproject.toml"

if str(ROOT) not in sys.path:  # build.py and the spec run this from a plain checkout
    sys.path.insert(0, str(ROOT))

from app.version import read_version  # noqa: E402 - needs ROOT on sys.path first


@dataclass(frozen=True)
class Product:
    """The facts an installer states about OCPP Scope."""

    version: str
    summary: str
    publisher: str
    license: str
    name: str = "OCPP Scope"
    command: str = "ocppscope"
    # reverse-DNS id: macOS bundle id, desktop-entry name stem, AppStream id
    app_id: str = "org.ocppscope.OCPPScope"
    mime_type: str = "application/x-ocppscope-session"
    session_suffix: str = ".jsonl"
    windows_progid: str = "OCPPScope.Session"
    # Inno Setup's AppId: fixed forever, so a new version upgrades the old one in place
    windows_app_guid: str = "6C1F3E52-8E0B-4C44-9A57-0C5B1C7A2F31"
    # Qt 6.8 to 6.11, which the program is built with, run on macOS 12 and newer
    minimum_macos: str = "12.0"

    @property
    def debian_version(self) -> str:
        """`0.2.0rc1` as Debian orders it, `0.2.0~rc1` (a pre-release sorts before 0.2.0)."""
        return re.sub(r"(\d)(a|b|rc|dev)", r"\1~\2", self.version.replace("+", "~"))

    @property
    def numeric_version(self) -> str:
        """Four numbers, as Windows' file version resource and Inno Setup need them."""
        numbers = [int(part) for part in re.findall(r"\d+", self.version.split("+")[0])[:4]]
        return ".".join(str(n) for n in [*numbers, 0, 0, 0, 0][:4])


def product(pyproject: Path = PYPROJECT) -> Product:
    """The product as `pyproject` describes it."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    authors = project.get("authors") or [{"name": "OCPP Scope contributors"}]
    license_ = project.get("license", {})
    return Product(
        version=read_version(pyproject),
        summary=project["description"],
        publisher=authors[0]["name"],
        license=license_.get("text", "") if isinstance(license_, dict) else str(license_),
    )


def machine() -> str:
    """This machine's architecture as release file names spell it (x86_64, arm64)."""
    name = platform.machine().lower()
    return {"amd64": "x86_64", "aarch64": "arm64"}.get(name, name)


def debian_architecture(arch: str) -> str:
    return {"x86_64": "amd64", "arm64": "arm64"}.get(arch, arch)
