"""The fast constructor: the very object the dataclass's own `__init__` makes."""

import dataclasses
from dataclasses import dataclass, field

import pytest

from app.ocpp.checker import Verdict
from app.ocpp.conversation import Direction, PendingCall
from app.ocpp.findings import warning
from app.ocpp.frames import Call, CallError, CallResult, MessageType, Parsed
from app.ocpp.slots import fast_constructor
from app.session.annotations import Annotation


@pytest.mark.parametrize(("cls", "arguments"), [
    (Verdict, (None, "Heartbeat", (warning("x", "y"),))),
    (Verdict, (None, None, (), None, 0.25)),
    (PendingCall, ("id-1", "Heartbeat", 7, None, Direction.STATION_TO_CSMS)),
    (PendingCall, ("id-1", "Heartbeat", 7, 1.5, None, False)),
    (Annotation, ()),
    (Annotation, ((warning("x", "y"),), 0.5, 3)),
    # payloads that can be hashed, as the test hashes the objects
    (Call, ("id-1", "Heartbeat", None)),
    (CallResult, ("id-1", "2024-01-01T00:00:00Z")),
    (CallError, ("id-1", "GenericError", "", ())),
    (Parsed, (None,)),
    (Parsed, (Call("1", "Heartbeat", 7), (warning("x", "y"),))),
])
def test_it_makes_an_equal_frozen_object_with_the_same_defaults(cls, arguments):
    made = fast_constructor(cls)(*arguments)
    assert type(made) is cls
    assert made == cls(*arguments)
    assert hash(made) == hash(cls(*arguments))
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.__setattr__(dataclasses.fields(cls)[0].name, None)


@pytest.mark.parametrize(("cls", "kind"), [
    (Call, MessageType.CALL), (CallResult, MessageType.CALLRESULT),
    (CallError, MessageType.CALLERROR)])
def test_a_field_outside_init_gets_its_default_and_is_no_argument(cls, kind):
    build = fast_constructor(cls)
    assert build is not cls
    arguments = ("id-1",) + (None,) * (len(dataclasses.fields(cls)) - 2)
    assert build(*arguments).message_type is kind
    with pytest.raises(TypeError):
        build(*arguments, kind)


@dataclass(frozen=True, slots=True)
class _OnlyDefaults:
    a: int = field(default=3, init=False)


def test_a_class_without_arguments_gets_one_without_arguments():
    made = fast_constructor(_OnlyDefaults)()
    assert made == _OnlyDefaults() and made.a == 3


def test_a_missing_argument_is_refused_as_by_the_class():
    with pytest.raises(TypeError):
        fast_constructor(PendingCall)("id-1", "Heartbeat")


@dataclass(frozen=True)
class _NoSlots:
    a: int


@dataclass(frozen=True, slots=True)
class _Factory:
    a: list[int] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _PostInit:
    a: int

    def __post_init__(self) -> None:
        pass


@dataclass(frozen=True, slots=True)
class _UnsetOutsideInit:
    a: int
    b: int = field(init=False)


@pytest.mark.parametrize("cls", [_NoSlots, _Factory, _PostInit, _UnsetOutsideInit, int])
def test_a_class_it_does_not_fit_keeps_its_own_constructor(cls):
    assert fast_constructor(cls) is cls
