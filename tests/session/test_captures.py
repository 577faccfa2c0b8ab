"""The captures folder: names that say when and what, a listing newest first, and cleanup
of old files only."""

import os
import time
from datetime import datetime

from app.session import captures
from app.session.captures import CaptureFile


def touch(path, content=b"", age_days=0.0):
    path.write_bytes(content)
    when = time.time() - age_days * 86400
    os.utime(path, (when, when))
    return path


def test_a_capture_is_named_after_its_start_and_mode():
    name = captures.capture_name("proxy", datetime(2026, 11, 30, 10, 0, 5))
    assert name == "2026-11-30T10-00-05-proxy.jsonl"
    assert captures.parse_name(name) == (datetime(2026, 11, 30, 10, 0, 5), "proxy")
    assert captures.parse_name("2026-11-30T10-00-05-csms-2.jsonl")[1] == "csms"
    assert captures.parse_name("site visit.jsonl") == (None, "")


def test_runs_started_in_the_same_second_get_files_of_their_own(tmp_path):
    when = datetime(2026, 11, 30, 10, 0, 0)
    folder = tmp_path / "captures"
    first = captures.new_capture_path(folder, "demo", when)
    first.write_text("x")
    second = captures.new_capture_path(folder, "demo", when)
    assert first.name == "2026-11-30T10-00-00-demo.jsonl"
    assert second.name == "2026-11-30T10-00-00-demo-2.jsonl"
    if os.name == "posix":
        assert folder.stat().st_mode & 0o777 == 0o700


def test_the_listing_is_newest_first_and_counts_records(tmp_path):
    touch(tmp_path / "2026-11-29T08-00-00-csms.jsonl", b"{}\n{}\n{}\n")
    touch(tmp_path / "2026-11-30T10-00-00-proxy.jsonl", b"{}\n{}\n{\"torn")
    touch(tmp_path / "notes.txt", b"not a capture")
    (tmp_path / "folder.jsonl").mkdir()
    listed = captures.list_captures(tmp_path)
    assert [item.mode for item in listed] == ["proxy", "csms"]
    assert [item.records() for item in listed] == [1, 2]  # the torn line is no record
    assert listed[0].size == 12
    assert listed[0].records(limit=4) is None  # too big to count cheaply
    assert captures.list_captures(tmp_path / "absent") == []


def test_only_files_older_than_the_limit_are_cleaned_up(tmp_path):
    old = touch(tmp_path / "2026-01-01T00-00-00-proxy.jsonl", b"x" * 1500, age_days=40)
    # started long ago, but written until yesterday: not old
    recent = touch(tmp_path / "2025-01-01T00-00-00-proxy.jsonl", b"y", age_days=1)
    found = captures.older_than(captures.list_captures(tmp_path), days=30)
    assert [item.path for item in found] == [old]
    removal = captures.remove(found)
    assert (removal.deleted, removal.freed, removal.problems) == (1, 1500, [])
    assert not old.exists() and recent.exists()


def test_a_file_already_gone_is_not_a_problem(tmp_path):
    gone = CaptureFile(tmp_path / "gone.jsonl", 10, 0.0, None, "")
    assert captures.remove([gone]).deleted == 0
    assert captures.remove([gone]).problems == []


def test_sizes_read_as_people_write_them():
    assert [captures.describe_size(n) for n in (1, 999, 1500, 12_345_678, 3 * 10**12)] == [
        "1 byte", "999 bytes", "1.5 kB", "12 MB", "3.0 TB"]
