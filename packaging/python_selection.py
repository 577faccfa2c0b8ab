"""Which Python packages the frozen program must not carry although PyInstaller's import scan
reaches them.

dpkt, which reads pcap captures, keeps its unit tests inside its own modules, and they import
pytest. The scan cannot tell a test function from the code around it, so it packed pytest and
all it pulls in (pluggy, iniconfig, py, pkg_resources, packaging) and, for pkg_resources, a
runtime hook that ran at every start of the program. None of it ever runs in the program.
The spec excludes these modules, then checks that no test tool came in some other way: the
build stops naming it, rather than ship it unnoticed.
"""

from __future__ import annotations

from collections.abc import Iterable

# imported by nothing the program runs; only by tests kept inside the packages it uses
TEST_ONLY_MODULES = ("pytest", "_pytest")
# the test tools of this project (`.[test]`) and what they bring: never in a shipped program
TEST_TOOLS = ("pytest", "_pytest", "pluggy", "iniconfig", "hypothesis", "pytestqt",
              "jsonschema", "fastjsonschema", "trustme", "ocpp")


def python_excludes() -> list[str]:
    """Module names for the spec's `excludes`."""
    return list(TEST_ONLY_MODULES)


def shipped_test_tools(module_names: Iterable[str]) -> list[str]:
    """The top-level test tools among `module_names` (the modules PyInstaller is about to
    pack), each named once, sorted."""
    found = {name.partition(".")[0] for name in module_names}
    return sorted(found.intersection(TEST_TOOLS))
