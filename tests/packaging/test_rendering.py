"""Every installer's description carries the pyproject version and nothing left unfilled."""

from __future__ import annotations

import plistlib
import shutil
import subprocess
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
from buildinfo import product
from rendering import (
    debian_control,
    desktop_entry,
    info_plist_bytes,
    inno_script,
    mime_info,
    self_extractor_stub,
    session_uti,
    windows_version_info,
)

from app.session.sessionfile import SessionWriter, make_header

CURRENT = product()


def test_debian_control_carries_version_architecture_and_size() -> None:
    control = debian_control(CURRENT, "amd64", 4321, glibc="2.35")
    fields = dict(line.split(": ", 1) for line in control.splitlines()
                  if line and not line.startswith(" "))
    assert fields["Package"] == "ocppscope"
    assert fields["Version"] == CURRENT.debian_version
    assert fields["Architecture"] == "amd64"
    assert fields["Installed-Size"] == "4321"
    assert "libc6 (>= 2.35)" in fields["Depends"]
    assert "$" not in control


def test_inno_script_is_a_per_user_install_with_version_and_association() -> None:
    script = inno_script(CURRENT, source_dir=r"C:\b\dist\ocppscope", output_dir=r"C:\b\dist",
                         icon=r"C:\b\build\icons\ocppscope.ico")
    assert f"AppVersion={CURRENT.version}" in script
    assert f"VersionInfoVersion={CURRENT.numeric_version}" in script
    assert f"AppPublisher={CURRENT.publisher}" in script
    assert "PrivilegesRequired=lowest" in script
    assert f"OutputBaseFilename=ocppscope-{CURRENT.version}-windows-x64-setup" in script
    assert "Name: desktopicon" in script and "Tasks: desktopicon" in script
    assert r'Subkey: "Software\Classes\.jsonl\OpenWithProgids"' in script
    assert r"Software\Classes\OCPPScope.Session\shell\open\command" in script
    assert "{autoprograms}" in script  # the Start menu entry
    assert "$" not in script


def test_windows_version_resource_names_the_version() -> None:
    resource = windows_version_info(CURRENT)
    assert f"StringStruct('ProductVersion', '{CURRENT.version}')" in resource
    numbers = tuple(int(n) for n in CURRENT.numeric_version.split("."))
    assert f"filevers={numbers}" in resource


def test_info_plist_declares_the_session_type_it_opens() -> None:
    plist = plistlib.loads(info_plist_bytes(CURRENT))
    assert plist["CFBundleShortVersionString"] == CURRENT.version
    assert plist["CFBundleIdentifier"] == CURRENT.app_id
    assert plist["LSMinimumSystemVersion"] == CURRENT.minimum_macos
    document = plist["CFBundleDocumentTypes"][0]
    exported = plist["UTExportedTypeDeclarations"][0]
    assert document["LSItemContentTypes"] == [exported["UTTypeIdentifier"]]
    assert exported["UTTypeIdentifier"] == session_uti(CURRENT)
    assert exported["UTTypeTagSpecification"]["public.filename-extension"] == ["jsonl"]


def test_desktop_entry_opens_files_of_the_session_type() -> None:
    entry = desktop_entry(CURRENT)
    assert "Exec=ocppscope %f" in entry
    assert f"MimeType={CURRENT.mime_type};" in entry
    assert "Icon=ocppscope" in entry


def test_desktop_entry_is_valid(tmp_path: Path) -> None:
    validator = shutil.which("desktop-file-validate")
    if validator is None:
        pytest.skip("desktop-file-validate is not installed (Debian: desktop-file-utils)")
    path = tmp_path / "ocppscope.desktop"
    path.write_text(desktop_entry(CURRENT))
    result = subprocess.run([validator, str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mime_magic_matches_the_header_the_recorder_writes(tmp_path: Path) -> None:
    namespace = {"m": "http://www.freedesktop.org/standards/shared-mime-info"}
    root = ElementTree.fromstring(mime_info(CURRENT))
    mime_type = root.find("m:mime-type", namespace)
    assert mime_type is not None and mime_type.get("type") == CURRENT.mime_type
    values = [match.get("value", "") for match in root.iterfind(".//m:match", namespace)]
    session = tmp_path / "capture.jsonl"
    SessionWriter(session, make_header("demo")).close()
    head = session.read_text()
    assert any(head.startswith(value) for value in values)


def test_self_extractor_stub_unpacks_from_the_line_after_its_last() -> None:
    stub = self_extractor_stub(CURRENT, "x86_64", "0123456789ab")
    lines = stub.count("\n")
    assert f"tail -n +{lines + 1} " in stub
    assert "${" not in stub.replace("${XDG_CACHE_HOME", "").replace("${HOME}", "")
