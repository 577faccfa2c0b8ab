"""The smoke test's proxy check, run against this checkout: real processes, stopped as a user
stops them."""

import sys
from pathlib import Path

import smoke

SOURCE = [sys.executable, "-m", "app"]


def test_the_proxy_check_passes_on_a_working_program_and_keeps_its_recording(tmp_path: Path):
    check = smoke._proxy_check(SOURCE, tmp_path)
    assert check.failure is None
    recorded = (tmp_path / "proxy-session.jsonl").read_bytes()
    assert b'"BootNotification"' in recorded and b'"kind":"closed"' in recorded
    assert "recorded" in (tmp_path / "proxy-check-proxy.log").read_text()


def test_the_proxy_check_names_a_program_that_cannot_serve(tmp_path: Path):
    ends_at_once = [sys.executable, "-c", "raise SystemExit(3)"]
    check = smoke._proxy_check(ends_at_once, tmp_path)
    assert check.failure == "the CSMS ended at once (exit 3)"
