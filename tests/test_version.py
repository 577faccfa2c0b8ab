"""The version comes from pyproject.toml, the one place it is written."""

from __future__ import annotations

import tomllib
from pathlib import Path

import app
from app.session.sessionfile import make_header
from app.version import UNKNOWN, read_version

ROOT = Path(__file__).resolve().parents[1]


def pyproject_version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def test_program_version_is_the_pyproject_version() -> None:
    assert app.__version__ == pyproject_version()


def test_session_header_names_the_program_version() -> None:
    assert make_header("demo")["program"] == f"ocppscope {pyproject_version()}"


def test_version_follows_an_edited_pyproject(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "ocppscope"\nversion = "9.8.7"\n')
    assert read_version(pyproject) == "9.8.7"


def test_someone_elses_pyproject_is_not_taken_for_ours(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "other"\nversion = "5.0"\n')
    assert read_version(pyproject) != "5.0"


def test_broken_or_missing_pyproject_still_gives_a_version(tmp_path: Path) -> None:
    broken = tmp_path / "pyproject.toml"
    broken.write_text("[project\nversion = ")
    for path in (broken, tmp_path / "missing.toml"):
        version = read_version(path)
        assert version == UNKNOWN or version[0].isdigit()
