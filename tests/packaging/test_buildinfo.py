"""The product facts come from pyproject.toml."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from pathlib import Path

from buildinfo import ROOT, debian_architecture, product


def test_product_carries_the_pyproject_version_and_publisher() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    current = product()
    assert current.version == project["version"]
    assert current.publisher == project["authors"][0]["name"]
    assert current.summary == project["description"]


def test_product_follows_another_pyproject(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "ocppscope"\nversion = "3.4.5"\n'
                         'description = "d"\nauthors = [{ name = "Someone" }]\n')
    assert (product(pyproject).version, product(pyproject).publisher) == ("3.4.5", "Someone")


def test_pre_release_sorts_before_its_release_in_debian() -> None:
    assert replace(product(), version="0.2.0rc1").debian_version == "0.2.0~rc1"
    assert replace(product(), version="1.0.0").debian_version == "1.0.0"


def test_windows_gets_four_numbers() -> None:
    assert replace(product(), version="1.2.3").numeric_version == "1.2.3.0"
    assert replace(product(), version="0.2.0rc1").numeric_version == "0.2.0.1"


def test_debian_names_the_architectures_its_own_way() -> None:
    assert debian_architecture("x86_64") == "amd64"
    assert debian_architecture("arm64") == "arm64"
