"""The installers' description files, written from one `Product`.

Templates (`*.in` beside each system's recipe) hold `${name}` placeholders filled from the
product, so the version in the .deb control file, the Inno Setup script and the Info.plist is
always the one in pyproject.toml. A placeholder left unfilled is an error at build time, not a
literal `${...}` shipped to users.
"""

from __future__ import annotations

import dataclasses
import platform
import plistlib
from pathlib import Path
from string import Template
from typing import Any

from buildinfo import PACKAGING, Product


def fields(product: Product, **extra: object) -> dict[str, str]:
    """Every placeholder a template may use: the product's fields and properties, and extras."""
    values: dict[str, object] = dataclasses.asdict(product)
    values.update(debian_version=product.debian_version,
                  numeric_version=product.numeric_version)
    values.update(extra)
    return {key: str(value) for key, value in values.items()}


def render(template: Path, product: Product, **extra: object) -> str:
    """`template` with its placeholders filled (KeyError names one that has no value)."""
    return Template(template.read_text(encoding="utf-8")).substitute(fields(product, **extra))


def desktop_entry(product: Product) -> str:
    return render(PACKAGING / "linux" / "ocppscope.desktop.in", product)


def mime_info(product: Product) -> str:
    return render(PACKAGING / "linux" / "ocppscope-mime.xml.in", product)


def debian_control(product: Product, architecture: str, installed_kib: int,
                   glibc: str | None = None) -> str:
    """The DEBIAN/control file; `glibc` defaults to the build machine's, the oldest the
    frozen program can run on."""
    return render(PACKAGING / "linux" / "control.in", product, architecture=architecture,
                  installed_size=installed_kib, glibc=glibc or build_glibc())


def self_extractor_stub(product: Product, architecture: str, digest: str) -> str:
    """The shell lines before the packed program in the one-file Linux build; they unpack
    from the line after their own last one."""
    template = PACKAGING / "linux" / "selfextract.sh.in"
    lines = template.read_text(encoding="utf-8").count("\n")
    return render(template, product, architecture=architecture, digest=digest,
                  payload_line=lines + 1)


def inno_script(product: Product, source_dir: str, output_dir: str, icon: str,
                architecture: str = "x64") -> str:
    """The Inno Setup script; the paths are Windows paths of the build machine."""
    return render(PACKAGING / "windows" / "ocppscope.iss.in", product, source_dir=source_dir,
                  output_dir=output_dir, icon=icon, architecture=architecture)


def info_plist(product: Product) -> dict[str, Any]:
    """The macOS bundle's Info.plist: the session document type (so Finder opens session
    files with the app) and the type declaration that names it."""
    return {
        "CFBundleName": product.name,
        "CFBundleDisplayName": product.name,
        "CFBundleIdentifier": product.app_id,
        "CFBundleExecutable": product.command,
        "CFBundleIconFile": f"{product.command}.icns",
        "CFBundlePackageType": "APPL",
        "CFBundleShortVersionString": product.version,
        "CFBundleVersion": product.version,
        "NSHumanReadableCopyright": f"{product.publisher}, {product.license}",
        "LSMinimumSystemVersion": product.minimum_macos,
        "LSApplicationCategoryType": "public.app-category.developer-tools",
        "NSHighResolutionCapable": True,
        "NSRequiresAquaSystemAppearance": False,
        "CFBundleDocumentTypes": [{
            "CFBundleTypeName": f"{product.name} session",
            "CFBundleTypeRole": "Editor",
            "LSHandlerRank": "Owner",
            "LSItemContentTypes": [session_uti(product)],
            "CFBundleTypeIconFile": f"{product.command}.icns",
        }],
        "UTExportedTypeDeclarations": [{
            "UTTypeIdentifier": session_uti(product),
            "UTTypeDescription": f"{product.name} session",
            "UTTypeConformsTo": ["public.json", "public.text", "public.data"],
            "UTTypeIconFile": f"{product.command}.icns",
            "UTTypeTagSpecification": {
                "public.filename-extension": [product.session_suffix.lstrip(".")],
                "public.mime-type": [product.mime_type],
            },
        }],
    }


def session_uti(product: Product) -> str:
    return f"{product.app_id.lower()}.session"


def info_plist_bytes(product: Product) -> bytes:
    return plistlib.dumps(info_plist(product))


def build_glibc() -> str:
    """The C library version of this machine (what the frozen program was linked against)."""
    name, version = platform.libc_ver()
    return version if name == "glibc" and version else "2.31"


def windows_version_info(product: Product) -> str:
    """The version resource of the .exe files, in the form PyInstaller's `version=` reads."""
    numbers = tuple(int(n) for n in product.numeric_version.split("."))
    strings = {
        "CompanyName": product.publisher, "FileDescription": product.name,
        "FileVersion": product.version, "InternalName": product.command,
        "LegalCopyright": f"{product.publisher}, {product.license}",
        "OriginalFilename": f"{product.command}.exe", "ProductName": product.name,
        "ProductVersion": product.version,
    }
    table = ",\n          ".join(f"StringStruct({key!r}, {value!r})"
                                for key, value in strings.items())
    return (f"VSVersionInfo(\n"
            f"  ffi=FixedFileInfo(filevers={numbers}, prodvers={numbers}, mask=0x3f, "
            f"flags=0x0, OS=0x40004, fileType=0x1, subtype=0x0, date=(0, 0)),\n"
            f"  kids=[\n"
            f"    StringFileInfo([StringTable('040904B0', [\n          {table}])]),\n"
            f"    VarFileInfo([VarStruct('Translation', [1033, 1200])]),\n"
            f"  ]\n)\n")
