"""Running Python source that OCPP Scope writes itself: the fast constructors of record
classes (`app.ocpp.slots`) and the compiled schema validators (`app.ocpp.schema_compiler`).

`compile()` is taken one thread at a time. CPython 3.11 can fail a compile with
"SystemError: AST constructor recursion depth mismatch" while another thread compiles too
(the window builds validators on a worker while its own thread builds classes), and a
validator that failed to build would leave a frame unjudged. The source is ours and small;
waiting for another compile costs nothing worth measuring.
"""

from __future__ import annotations

import threading
from typing import Any

_COMPILING = threading.Lock()


def run_generated(source: str, name: str, namespace: dict[str, Any]) -> None:
    """Compile `source` (shown in tracebacks as `name`) and run it in `namespace`."""
    with _COMPILING:
        code = compile(source, name, "exec")
    exec(code, namespace)
