"""`ocppscope` (the window) where it cannot open one, or cannot do what it is asked."""

import os
import subprocess
import sys

from app.cli import main


def test_the_window_without_a_display_is_one_clear_line():
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    result = subprocess.run([sys.executable, "-m", "app"], capture_output=True, text=True,
                            timeout=60, env=env)
    assert result.returncode == 2 and "no display" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_screenshot_named_in_no_picture_format_is_refused_before_the_window_opens(
        tmp_path, capsys):
    shot = tmp_path / "shot.txt"
    assert main(["gui", "--screenshot", str(shot)]) == 2
    assert capsys.readouterr().err == (
        f"ocppscope gui: --screenshot '{shot}': name a .png file (or .jpg, .bmp)\n")
    assert not shot.exists()


def test_a_dash_is_refused_in_one_line_before_the_window_opens(capsys, monkeypatch):
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert main(["gui", "-"]) == 2
    assert capsys.readouterr().err == (
        "ocppscope: -: the window does not read standard input; save it to a file and open "
        "that (ocppscope convert - FILE.jsonl makes a session of it)\n")
