"""The frozen program carries no test tools, even those the packages it uses import in
their own tests."""

from __future__ import annotations

from python_selection import python_excludes, shipped_test_tools


def test_pytest_which_dpkt_imports_in_its_own_tests_is_excluded() -> None:
    assert {"pytest", "_pytest"} <= set(python_excludes())


def test_test_tools_about_to_be_packed_are_named_once_each() -> None:
    modules = ["app.cli", "pytest", "_pytest.config", "_pytest.python", "pluggy._hooks",
               "dpkt.pcap", "hypothesis.strategies", "app.ocpp.fast_json", "orjson"]
    assert shipped_test_tools(modules) == ["_pytest", "hypothesis", "pluggy", "pytest"]


def test_the_programs_own_modules_are_not_taken_for_test_tools() -> None:
    modules = ["app.ocpp.frames", "app.session.importers.ocpp_python", "widgets.app",
               "dpkt", "websockets.asyncio.client", "pygments.lexers.data", "qasync"]
    assert shipped_test_tools(modules) == []
