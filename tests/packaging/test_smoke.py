"""The smoke test's checks, run against this checkout: real processes (the proxy check's
stopped as a user stops them)."""

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


def test_the_version_checks_pass_on_this_checkout_which_has_orjson():
    for name, judge in (("version", smoke._prints_version),
                        ("orjson", smoke._decodes_with_orjson)):
        assert smoke._check(name, SOURCE, ["--version"], judge).failure is None


def test_a_program_decoding_without_orjson_fails_the_orjson_check_and_says_why():
    without_orjson = [sys.executable, "-c", "import sys; sys.modules['orjson'] = None\n"
                      "from app import cli; sys.exit(cli.main())"]
    assert smoke._check("version", without_orjson, ["--version"],
                        smoke._prints_version).failure is None
    check = smoke._check("orjson", without_orjson, ["--version"], smoke._decodes_with_orjson)
    assert check.failure is not None
    assert check.failure.startswith("the program decodes JSON without orjson: ")
    assert "import of orjson halted" in check.failure


def test_a_program_that_prints_no_decoder_fails_the_orjson_check():
    version_alone = [sys.executable, "-c", "from app import __version__; "
                     "print(f'ocppscope {__version__}')"]
    check = smoke._check("orjson", version_alone, ["--version"], smoke._decodes_with_orjson)
    assert check.failure is not None and "without orjson" in check.failure
