"""The network engine's own thread: an asyncio loop that the window never blocks.

Measured (tests/benchmarks/gui_forwarding.py): with the proxy on the Qt thread, filtering
and rendering in the window held frames up by tens of milliseconds at p99. Here the engine
runs on its own loop in its own thread; records reach the window through the bridge's
batches, results through Qt signals (queued to the GUI thread), and the window hands the
engine work through `submit`.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Coroutine
from functools import cache
from typing import Any


class Engine:
    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, name="ocppscope-engine", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def submit(self, coroutine: Coroutine[Any, Any, Any]) -> concurrent.futures.Future[Any]:
        """Run a coroutine on the engine loop; the future resolves in this thread's terms."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop)

    def call(self, callback: Any, *args: Any) -> None:
        """Run a plain function on the engine thread, soon."""
        self.loop.call_soon_threadsafe(callback, *args)


@cache
def shared_engine() -> Engine:
    """One engine thread per process, started on first use."""
    return Engine()


def awaitable(future: concurrent.futures.Future[Any]) -> Any:
    """An engine future as something the caller's own asyncio loop can await (the window
    runs one through qasync); the plain future where no loop is set."""
    try:
        return asyncio.wrap_future(future, loop=asyncio.get_event_loop())
    except RuntimeError:
        return future
