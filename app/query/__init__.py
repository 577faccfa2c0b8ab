"""The filter language: one expression filters the timeline, selects records on the command
line, colours rows and chooses which frames an intercept rule acts on.

    from app.query import compile_query
    query = compile_query('action == "TransactionEvent" && payload.eventType == "Ended"')
    keep = query.predicate(CaptureContext(capture))   # Message -> bool

The names below are imported from their modules when first asked for, not with the package:
a command that merely may be given a filter (`validate --filter`) names `Query` without
loading the language's parser and compiler when it is not given one.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.query.compiler import FIELD_HELP, Query, check_query, compile_query
    from app.query.record_view import FrameContext, RecordContext
    from app.query.syntax import QueryError

__all__ = ["FIELD_HELP", "FrameContext", "Query", "QueryError", "RecordContext",
           "check_query", "compile_query"]

_MODULE_OF = {"FIELD_HELP": "compiler", "Query": "compiler", "check_query": "compiler",
              "compile_query": "compiler", "FrameContext": "record_view",
              "RecordContext": "record_view", "QueryError": "syntax"}


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # asked once
    return value
