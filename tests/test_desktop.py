"""Finding out before Qt whether the window can open: missing X libraries are named."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from app import desktop

X11 = {"DISPLAY": ":0"}


def test_every_library_present_is_no_problem():
    assert desktop.window_problem(X11, "linux", loads=lambda soname: True) is None


def test_missing_libraries_are_named_with_the_command_that_installs_them():
    absent = {"libxcb-icccm.so.4", "libxcb-keysyms.so.1"}
    problem = desktop.window_problem(X11, "linux", loads=lambda soname: soname not in absent)
    assert problem is not None
    assert "libxcb-icccm4, libxcb-keysyms1" in problem
    assert "sudo apt-get install libxcb-icccm4 libxcb-keysyms1" in problem


@pytest.mark.parametrize(("env", "platform"), [
    ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"}, "linux"),
    ({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"}, "linux"),
    ({}, "linux"),
    ({"DISPLAY": ":0"}, "darwin"),
    ({"DISPLAY": ":0"}, "win32"),
])
def test_no_x11_means_nothing_to_check(env, platform):
    assert desktop.window_problem(env, platform, loads=lambda soname: False) is None


def test_xcb_chosen_explicitly_is_checked():
    assert desktop.uses_x11({"QT_QPA_PLATFORM": "xcb"}, "linux")


@pytest.mark.skipif(not sys.platform.startswith("linux") or not desktop.missing_packages(),
                    reason="needs a Linux system lacking some X library (as a fresh one does)")
def test_the_window_command_says_what_to_install_instead_of_aborting():
    env = {**os.environ, "DISPLAY": ":77"}
    env.pop("QT_QPA_PLATFORM", None)
    env.pop("WAYLAND_DISPLAY", None)
    done = subprocess.run([sys.executable, "-m", "app"], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2
    assert "sudo apt-get install" in done.stderr and "Traceback" not in done.stderr
