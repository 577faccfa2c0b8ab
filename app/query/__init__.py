"""The filter language: one expression filters the timeline, selects records on the command
line, colours rows and chooses which frames an intercept rule acts on.

    from app.query import compile_query
    query = compile_query('action == "TransactionEvent" && payload.eventType == "Ended"')
    keep = query.predicate(CaptureContext(capture))   # Message -> bool
"""

from app.query.compiler import FIELD_HELP, Query, check_query, compile_query
from app.query.record_view import FrameContext, RecordContext
from app.query.syntax import QueryError

__all__ = ["FIELD_HELP", "FrameContext", "Query", "QueryError", "RecordContext",
           "check_query", "compile_query"]
