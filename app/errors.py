"""Every exception the engine raises on purpose, in one tree, so that callers catch the right
thing.

What a *peer* does wrong is never an exception here: a malformed frame, a payload that breaks
its schema, an answer that never came are `Finding`s (`app.ocpp.findings`) attached to the
record, because a bad charger is what this program exists to show, not a reason to stop.

The exceptions below are for the *user's* side: a command-line value or dialog setting that
cannot work, a file that cannot be read, a port that cannot be listened on. Each carries one
sentence meant for the user, which the command line prints after the command name (exit
status 2) and the window shows in an error dialog. Anything else that escapes is our bug.

    OcppScopeError            the base: catch this to report any of them in one line
    ├── UsageError            a command-line option or dialog setting that cannot work
    │   └── QueryError        a filter expression that cannot be understood (with its column)
    ├── InputError            a file (or standard input) that cannot be used as input
    │   ├── NotTcp            a captured packet without a TCP segment (an import note, never
    │   │                     shown as an error: the capture's other packets are read on)
    │   ├── SessionFileError  not a session file at all (missing, a directory, too new...)
    │   ├── PolicyError       an answer-rules file (`--responses`) that cannot be used
    │   ├── ProfilesFileError a file that cannot be read as charging profiles (`schedule`)
    │   └── LibraryError      a saved-message library that cannot be read or written
    ├── NetworkError          the network refuses what we were asked to do
    │   ├── ListenError       cannot listen on the address given (also a UsageError:
    │   │                     the user chose the address, so the command exits with 2)
    │   └── NotConnected      nothing to send on: the station or CSMS is not connected
    ├── TlsSetupError         a certificate, key or CA file cannot be used
    └── UnknownKeyword        a schema file uses a keyword our validator does not implement
                              (our limit, found by the tests before any peer's frame)

The classes are defined here and re-exported where they were first raised
(`app.net.tls.TlsSetupError`, `app.inputs.InputError`, ...), so either import works.
"""

from __future__ import annotations


class OcppScopeError(Exception):
    """Base of every deliberate engine error; `str(exc)` is one sentence for the user."""


class UsageError(OcppScopeError):
    """A command-line option or dialog setting that cannot work (a URL that is not ws://, a
    port out of range, an empty station id)."""


class QueryError(UsageError, ValueError):
    """A filter expression that cannot be understood; `column` counts from 1."""

    def __init__(self, message: str, column: int, text: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.column = column
        self.text = text

    def __str__(self) -> str:
        return f"column {self.column}: {self.message}"

    def pointer(self) -> str:
        """The expression with a caret under the column, for a console or a tooltip."""
        return f"{self.text}\n{' ' * (self.column - 1)}^"


class InputError(OcppScopeError):
    """A file (or standard input) is unusable as input; the message names it and says why."""


class ProfilesFileError(InputError):
    """A file that cannot be read as charging profiles; the message names it and says why."""


class SessionFileError(InputError):
    """The file cannot be read as a session at all (missing, a directory, not a session, a
    newer format version). Damaged lines inside a session are warnings, not this."""


class PolicyError(InputError):
    """An answer-rules file cannot be used; the message says where in it and why."""


class LibraryError(InputError):
    """A saved-message library cannot be read or written; one sentence for the user."""


class NetworkError(OcppScopeError):
    """The network refuses what we were asked to do. Failures to *reach* a peer are not
    raised but described (`app.net.errors.describe_connect_error`) and retried or answered
    with an HTTP status, because a proxy must keep serving the other stations."""


class ListenError(NetworkError, UsageError):
    """A server cannot listen on the address the user gave (port in use, no permission, not
    an address of this machine). Also a `UsageError`: the remedy is another address."""


class NotConnected(NetworkError):
    """There is no connection to send on (station not connected, CSMS not reached)."""


class TlsSetupError(OcppScopeError):
    """A certificate, key or CA file cannot be used; raised before anything listens."""


class NotTcp(InputError):
    """A packet of a capture that carries no TCP segment; the message says what it is
    instead. The importer turns it into a note and reads on."""


class UnknownKeyword(OcppScopeError, ValueError):
    """A schema uses a keyword the schema walk or compiler does not implement: our limit,
    not the peer's, so a new schema file is refused rather than judged wrongly."""
