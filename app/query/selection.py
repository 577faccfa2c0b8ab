"""`--filter EXPR` for the commands that read records: one way to check the option, and one
way to select records with it, so that `validate`, `replay` and `convert` agree on what an
expression keeps.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from app.errors import UsageError
from app.ocpp.frames import Call
from app.query.record_view import FrameContext, RecordContext
from app.session.annotations import Annotation
from app.session.message import Message, RecordKind

if TYPE_CHECKING:
    from app.inputs import InputFrame
    from app.ocpp.checker import Verdict
    from app.query.compiler import Query
    from app.query.syntax import QueryError
    from app.session.capture import Capture

FILTER_HELP = ('only records this expression selects, e.g. \'action == "TransactionEvent" && '
               'payload.eventType == "Ended"\' (the filter language is in the README)')


def describe_error(option: str, error: QueryError) -> str:
    """A command-line message: the option, the column, what is wrong, and a caret."""
    return f"{option}: {error}\n  {error.text}\n  {' ' * (error.column - 1)}^"


def filter_option(text: str | None, option: str = "--filter") -> Query | None:
    """The compiled `--filter`, None when not given; UsageError pointing at the column."""
    if text is None or not text.strip():
        return None
    # the language's parser and compiler, loaded only when a command is given a filter
    from app.query.compiler import compile_query
    from app.query.syntax import QueryError

    try:
        return compile_query(text)
    except QueryError as error:
        raise UsageError(describe_error(option, error)) from None


def select_messages(messages: Iterable[Message], query: Query | None,
                    capture: Capture | None = None) -> Iterator[Message]:
    """The records `query` keeps (all of them without one). With the `capture` that judged
    them, expressions can read verdicts (`valid`, `finding`, `rtt`) and answers' actions."""
    if query is None:
        yield from messages
        return
    keep = query.predicate(RecordContext(capture))
    for message in messages:
        if keep(message):
            yield message


def input_record(item: InputFrame, verdict: Verdict) -> tuple[Message, FrameContext]:
    """A frame read from a file and judged (`validate`), as the record and context an
    expression reads: its verdict's action and findings, its round trip."""
    frame = verdict.frame
    text = item.text if isinstance(item.text, str) else item.text.decode("utf-8", "replace")
    kind = RecordKind.BINARY if item.binary else RecordKind.FRAME
    message = Message(
        item.seq, item.time or 0.0, item.time or 0.0, item.connection, item.station,
        item.direction, kind, text=text,
        data=item.text if isinstance(item.text, bytes) else b"",
        message_type=int(frame.message_type) if frame is not None else None,
        message_id=frame.message_id if frame is not None else None,
        action=frame.action if isinstance(frame, Call) else verdict.action)
    annotation = Annotation(verdict.findings, verdict.latency,
                            verdict.call.seq if verdict.call else None)
    return message, FrameContext(annotation)
