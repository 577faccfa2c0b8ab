"""The release and test workflows: valid, wired in the right order, and running the same
build and smoke test as a local build."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest

yaml = pytest.importorskip("yaml")

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"


def load(name: str) -> dict[str, Any]:
    workflow = yaml.safe_load((WORKFLOWS / name).read_text())
    workflow["on"] = workflow.pop(True, workflow.get("on"))  # YAML 1.1 reads `on` as true
    return workflow


def commands(job: dict[str, Any]) -> str:
    return "\n".join(step.get("run", "") for step in job["steps"])


def oldest_python() -> str:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return re.fullmatch(r">=\s*(\d+\.\d+)", project["requires-python"]).group(1)


@pytest.mark.parametrize("name", ["release.yml", "tests.yml"])
def test_every_job_needs_only_jobs_that_exist_and_the_graph_has_no_cycle(name: str) -> None:
    jobs = load(name)["jobs"]
    needs = {job: set([spec["needs"]] if isinstance(spec.get("needs"), str)
                      else spec.get("needs", [])) for job, spec in jobs.items()}
    assert all(needed <= set(jobs) for needed in needs.values())
    done: set[str] = set()
    while len(done) < len(jobs):
        ready = {job for job, needed in needs.items() if job not in done and needed <= done}
        assert ready, f"cycle among {set(jobs) - done}"
        done |= ready
    for job in jobs.values():
        assert job.get("runs-on") and job.get("steps")


def test_release_runs_on_version_tags() -> None:
    assert load("release.yml")["on"]["push"]["tags"] == ["v*"]


def test_release_builds_on_each_system_with_the_local_build_and_smoke_test() -> None:
    build = load("release.yml")["jobs"]["build"]
    runners = [entry["os"] for entry in build["strategy"]["matrix"]["include"]]
    assert any(r.startswith("ubuntu") for r in runners)
    assert any(r.startswith("windows") for r in runners)
    assert sum(r.startswith("macos") for r in runners) == 2  # one per architecture
    run = commands(build)
    assert 'pip install -e ".[package]"' in run
    assert "python packaging/build.py" in run
    installed = [step for step in build["steps"] if "packaging/smoke.py" in step.get("run", "")]
    assert {step["if"] for step in installed} == {"runner.os == 'Linux'",
                                                  "runner.os == 'Windows'",
                                                  "runner.os == 'macOS'"}


def test_release_keeps_screenshots_and_publishes_installers_with_checksums() -> None:
    jobs = load("release.yml")["jobs"]
    uploads = [step for step in jobs["build"]["steps"]
               if step.get("uses", "").startswith("actions/upload-artifact")]
    paths = "\n".join(step["with"]["path"] for step in uploads)
    for pattern in ("*.deb", "*.tar.gz", "*.run", "*.exe", "*.dmg", "smoke*/*.png"):
        assert pattern in paths
    publish = jobs["publish"]
    assert set(publish["needs"]) == {"version", "build"}
    assert publish["permissions"]["contents"] == "write"
    assert "SHA256SUMS" in commands(publish) and "gh release create" in commands(publish)


def test_release_builds_with_the_oldest_supported_python() -> None:
    assert load("release.yml")["env"]["PYTHON_VERSION"] == oldest_python()


def test_tests_run_on_three_systems_from_the_oldest_python() -> None:
    matrix = load("tests.yml")["jobs"]["test"]["strategy"]["matrix"]
    assert {os_.split("-")[0] for os_ in matrix["os"]} == {"ubuntu", "windows", "macos"}
    assert oldest_python() in matrix["python"] and len(matrix["python"]) >= 2
    assert "pytest" in commands(load("tests.yml")["jobs"]["test"])


def test_the_smoke_test_from_source_is_checked_on_every_push() -> None:
    assert "packaging/smoke.py --source" in commands(load("tests.yml")["jobs"]["packaging"])


def test_actionlint_finds_nothing() -> None:
    actionlint = os.environ.get("ACTIONLINT") or shutil.which("actionlint")
    if actionlint is None:
        pytest.skip("actionlint is not installed (the tests workflow runs it on every push)")
    result = subprocess.run([actionlint, *sorted(map(str, WORKFLOWS.glob("*.yml")))],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
