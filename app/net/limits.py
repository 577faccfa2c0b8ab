"""How many stations fit: open files are the limit a proxy meets first.

A relayed station costs the proxy two file descriptors (its socket and the CSMS's), a
station of our CSMS one. The common soft limit of 1,024 lets about 500 stations through a
proxy, and past it asyncio's accept loop fails with a traceback per attempt. So the soft
limit is raised to the hard one at start, the number of stations that fit is computed from
it, and a station beyond that is refused with a 503 and a reason instead.
"""

from __future__ import annotations

import sys

# Descriptors kept free for everything else: the recording, logs, a refused station's own
# socket while it is told why, certificates being read, the window's files.
RESERVED = 64


def raise_open_file_limit() -> int | None:
    """Raise this process's soft limit on open files to its hard limit; the limit now in
    force, or None where the system has no such limit (Windows)."""
    try:
        import resource
    except ImportError:  # Windows: no per-process descriptor limit to raise
        return None
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
    if sys.platform == "darwin":  # macOS refuses more than OPEN_MAX for the soft limit
        wanted = min(wanted, 10_240)
    if wanted > soft:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
            soft = wanted
        except (ValueError, OSError):
            pass  # the system said no: the old limit stays, and counts below
    return soft


def open_file_limit() -> int | None:
    """The soft limit on open files now in force; None where there is none."""
    try:
        import resource
    except ImportError:
        return None
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return None if soft == resource.RLIM_INFINITY else soft


def stations_that_fit(descriptors_per_station: int, limit: int | None = None) -> int | None:
    """How many stations can be connected at once; None for no limit of ours."""
    limit = open_file_limit() if limit is None else limit
    if limit is None:
        return None
    return max(1, (limit - RESERVED) // descriptors_per_station)


class Capacity:
    """The stations a server takes at once, and the words for one too many."""

    def __init__(self, descriptors_per_station: int, maximum: int | None = None) -> None:
        self.maximum = (stations_that_fit(descriptors_per_station) if maximum is None
                        else maximum)
        self.refused = 0

    def refusal(self, connected: int) -> str | None:
        """Why one more station cannot be taken, or None while there is room."""
        if self.maximum is None or connected < self.maximum:
            return None
        self.refused += 1
        limit = open_file_limit()
        cause = f" (open-file limit {limit:,})" if limit is not None else ""
        return (f"OCPP Scope is serving its limit of {self.maximum:,} stations{cause}; "
                "raise the limit (ulimit -n) to take more")

    @property
    def worth_telling(self) -> bool:
        """Whether the latest refusal gets a console line: the first, then each tenfold,
        so that a crowd of stations retrying makes a few lines, not thousands."""
        return self.refused in (1, 10, 100, 1_000) or self.refused % 10_000 == 0

    def describe(self) -> str:
        """For the start notice: how many stations fit."""
        if self.maximum is None:
            return ""
        return f"room for {self.maximum:,} stations"
