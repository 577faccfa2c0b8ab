"""Shared test set-up: Qt runs offscreen so GUI tests need no display; the usual umask for
tests of the modes files are created with."""

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture
def usual_umask():
    """The umask most systems give users (022: others may read what is not made private),
    so a test proves that a file is private by its own doing, not by the runner's umask."""
    if os.name != "posix":
        pytest.skip("POSIX permissions")
    previous = os.umask(0o022)
    yield
    os.umask(previous)
