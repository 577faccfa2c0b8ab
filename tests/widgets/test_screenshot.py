"""`--screenshot`: the window rendered offscreen to a PNG, as a user would look at it, and
a run that always ends, whatever file it is given: nothing there waits for a click."""

import os
import subprocess
import sys

import pytest
from PySide6.QtGui import QImage

from tests.widgets.bad_files import BAD_FILES
from tests.widgets.test_main_window import write_session

BAD_FILE_SECONDS = 60  # a run that waits on an invisible dialog ends here, failing


def _run(*args, out, tmp_path, timeout=120):
    return subprocess.run([sys.executable, "-m", "app", "gui", *args, "--screenshot",
                           str(out)], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen",
                               "XDG_CONFIG_HOME": str(tmp_path)})


def _our_lines(stderr):
    """What we said; Qt may add warnings of its own on some machines."""
    return [line for line in stderr.splitlines() if line.startswith("ocppscope")]


def _shoot(*args, tmp_path):
    out = tmp_path / "shot.png"
    result = _run(*args, out=out, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    image = QImage(str(out))
    assert not image.isNull() and image.width() > 800 and image.height() > 500
    return result


def test_screenshot_of_the_demo(tmp_path, qapp):
    result = _shoot("--demo", tmp_path=tmp_path)
    assert "screenshot written" in result.stdout


def test_screenshot_of_a_session_file(tmp_path, qapp):
    path = tmp_path / "s.jsonl"
    write_session(path, count=50)
    _shoot(str(path), tmp_path=tmp_path)


def test_gui_with_a_missing_file_is_one_line(tmp_path):
    result = subprocess.run([sys.executable, "-m", "app", str(tmp_path / "none.jsonl")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "no such file" in result.stderr


@pytest.mark.parametrize("bad", BAD_FILES, ids=lambda bad: bad.name)
def test_screenshot_of_a_bad_file_ends_with_one_line_and_the_picture(tmp_path, qapp, bad):
    path = tmp_path / f"{bad.name}.jsonl"
    bad.make(path)
    out = tmp_path / "shot.png"
    result = _run(str(path), out=out, tmp_path=tmp_path, timeout=BAD_FILE_SECONDS)
    # 2 when the file could not be opened at all; what opened, even in part, is a success
    assert result.returncode == (0 if bad.opens else 2), result.stderr
    assert "Traceback" not in result.stderr
    ours = _our_lines(result.stderr)
    assert len(ours) == 1 and ours[0].startswith(f"ocppscope: {path}: "), result.stderr
    assert bad.words in ours[0]
    assert not QImage(str(out)).isNull()  # of the welcome page, or of what loaded


def test_a_screenshot_that_cannot_be_written_is_one_line_and_status_2(tmp_path):
    out = tmp_path / "no such folder" / "shot.png"
    result = _run(out=out, tmp_path=tmp_path, timeout=BAD_FILE_SECONDS)
    assert result.returncode == 2
    assert _our_lines(result.stderr) == [f"ocppscope: {out}: cannot write the screenshot"]


def test_a_later_screenshot_has_the_same_size_as_the_first(tmp_path, qapp):
    # the first run remembers its window's geometry in the settings the second one reads
    path = tmp_path / "s.jsonl"
    write_session(path, count=5)
    sizes = []
    for _ in range(2):
        _shoot(str(path), tmp_path=tmp_path)
        sizes.append(QImage(str(tmp_path / "shot.png")).size().toTuple())
    assert sizes[0] == sizes[1] == (1400, 860)
