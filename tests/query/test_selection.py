"""`--filter` on the command line: compiled when given, with a message pointing at the
column when it is wrong; the language itself is loaded only then."""

import json
import subprocess
import sys

import pytest

from app.errors import UsageError
from app.query.selection import filter_option


def test_no_filter_is_none_and_a_filter_is_compiled():
    assert filter_option(None) is None and filter_option("   ") is None
    query = filter_option('action == "Heartbeat"')
    assert query is not None and query.text == 'action == "Heartbeat"'


def test_a_wrong_filter_says_where():
    with pytest.raises(UsageError) as raised:
        filter_option('action == ', "--where")
    assert str(raised.value).startswith("--where: ")
    assert str(raised.value).splitlines()[-1].endswith("^")


def test_the_language_is_loaded_only_for_a_filter():
    probe = ("import json, sys\n"
             "from app.query.selection import filter_option\n"
             "loaded = lambda: sorted(m for m in sys.modules if m.startswith('app.query.'))\n"
             "before = loaded()\n"
             "filter_option('action == \"Heartbeat\"')\n"
             "print(json.dumps([before, loaded()]))\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True)
    before, after = json.loads(done.stdout.strip().splitlines()[-1])
    assert "app.query.compiler" not in before and "app.query.syntax" not in before
    assert {"app.query.compiler", "app.query.syntax"} <= set(after)
