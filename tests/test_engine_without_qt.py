"""The engine (`app/`) must run headless: importing all of it must not import Qt."""

import pkgutil
import subprocess
import sys

import app


def test_engine_modules_do_not_import_qt():
    names = [m.name for m in pkgutil.walk_packages(app.__path__, "app.")
             if m.name != "app.__main__"]
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('PySide6', 'shiboken6', 'qasync'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
    assert len(names) > 10
