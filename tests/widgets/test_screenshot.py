"""`--screenshot`: the window rendered offscreen to a PNG, as a user would look at it."""

import os
import subprocess
import sys

from PySide6.QtGui import QImage

from tests.widgets.test_main_window import write_session


def _shoot(*args, tmp_path):
    out = tmp_path / "shot.png"
    result = subprocess.run([sys.executable, "-m", "app", "gui", *args, "--screenshot",
                             str(out)], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen",
                                 "XDG_CONFIG_HOME": str(tmp_path)})
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
