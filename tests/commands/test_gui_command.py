"""`ocppscope` (the window) where it cannot open one."""

import os
import subprocess
import sys


def test_the_window_without_a_display_is_one_clear_line():
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    result = subprocess.run([sys.executable, "-m", "app"], capture_output=True, text=True,
                            timeout=60, env=env)
    assert result.returncode == 2 and "no display" in result.stderr
    assert "Traceback" not in result.stderr
