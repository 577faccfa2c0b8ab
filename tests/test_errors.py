"""The engine's exceptions form one tree under `OcppScopeError` (see `app/errors.py`), so the
command line and the window can report any of them in one sentence."""

import inspect
import pkgutil
from importlib import import_module

import pytest

import app
from app import errors
from app.errors import (
    InputError,
    ListenError,
    NetworkError,
    NotConnected,
    OcppScopeError,
    SessionFileError,
    TlsSetupError,
    UsageError,
)


def _engine_exceptions() -> dict[str, type[BaseException]]:
    found = {}
    for info in pkgutil.walk_packages(app.__path__, "app."):
        if info.name == "app.__main__":
            continue
        module = import_module(info.name)
        for name, value in vars(module).items():
            if (inspect.isclass(value) and issubclass(value, BaseException)
                    and value.__module__.startswith("app.") and not name.startswith("_")):
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return found


def test_every_public_engine_exception_derives_from_the_one_base():
    found = _engine_exceptions()
    assert len(found) >= 8
    strays = sorted(name for name, cls in found.items() if not issubclass(cls, OcppScopeError))
    assert strays == []


def test_every_engine_exception_is_defined_in_the_errors_module():
    assert {cls.__module__ for cls in _engine_exceptions().values()} == {"app.errors"}


@pytest.mark.parametrize(("module", "name"), [
    ("app.commands.live", "UsageError"),
    ("app.inputs", "InputError"),
    ("app.session.sessionfile", "SessionFileError"),
    ("app.net.tls", "TlsSetupError"),
    ("app.net.policy", "PolicyError"),
    ("app.net.peer", "NotConnected"),
    ("app.session.saved_messages", "LibraryError"),
])
def test_errors_stay_importable_where_they_were_first_raised(module, name):
    assert getattr(import_module(module), name) is getattr(errors, name)


def test_the_tree_has_the_documented_branches():
    assert issubclass(SessionFileError, InputError)
    assert issubclass(NotConnected, NetworkError)
    assert issubclass(ListenError, NetworkError) and issubclass(ListenError, UsageError)
    assert not issubclass(TlsSetupError, InputError | NetworkError | UsageError)


def test_the_module_docstring_names_every_class_it_defines():
    defined = [name for name, value in vars(errors).items()
               if inspect.isclass(value) and issubclass(value, BaseException)]
    for name in defined:
        assert name in errors.__doc__, name
