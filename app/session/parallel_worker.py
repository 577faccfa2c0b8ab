"""The worker's side of judging a loaded session in processes (`app.session.parallel`).

This code runs in a process of its own, started by "spawn": the new interpreter imports
this module by name to find `judge_share`, and nothing else of the window's side. Kept apart,
what a worker imports is only what judging needs (no threads, queues or merging), and both
ends of what crosses between the processes sit in one place: the store's columns handed over
as files in a folder (`hand_over_columns`, read back by the worker), and the messages a worker
sends, whose order and shape `ParallelJudge._take` relies on.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import logging
import os
import time
from dataclasses import replace
from multiprocessing.connection import Connection
from pathlib import Path

from app.ocpp.findings import Finding
from app.session.annotations import AnnotationTable
from app.session.capture import Capture
from app.session.message import RecordKind
from app.session.quick_records import frame_for_judging
from app.session.store import RecordStore
from app.state.model import StationState

log = logging.getLogger(__name__)

CHUNK = 1_000               # annotations with findings per message: ~5 ms to take in
PLAIN_CHUNK = 50_000        # annotations without findings per message (as three arrays)
TRANSACTIONS_CHUNK = 50     # transactions (with their meter series) per message: ~5 ms
PROGRESS_EVERY = 5_000      # records between two progress messages of a worker
FREEZE_EVERY = 20_000       # records a worker judges between two `gc.freeze()`
COLUMNS = ("offsets", "seqs", "stations", "connections")   # the store's columns handed over
_JUDGED = frozenset((RecordKind.OPENED, RecordKind.CLOSED, RecordKind.FRAME,
                     RecordKind.BINARY))

Pair = tuple[int, int]      # (station id, connection id) in the store's names
Times = tuple[bool, float | None, float | None]  # times known, answer timeout, last time


def hand_over_columns(store: RecordStore, folder: Path) -> dict[str, str]:
    """Write the store's index columns into `folder`, one file each, for every worker to
    read; return their type codes, which a worker needs to read them (they may have
    widened past their first item size)."""
    for name in COLUMNS:
        with open(folder / name, "wb") as stream:
            getattr(store, name).tofile(stream)
    return {name: code for name, code in store.column_types().items() if name in COLUMNS}


def _take_columns(store: RecordStore, folder: Path, count: int,
                  types: dict[str, str]) -> None:
    """Fill the fresh `store`'s index columns from the files `hand_over_columns` wrote."""
    store.use_column_types(types)
    for name in COLUMNS:
        column = getattr(store, name)
        with open(folder / name, "rb") as stream:
            column.fromfile(stream, count)


def judge_share(path: str, folder: str, count: int, types: dict[str, str],
                pairs: list[Pair], times: Times, pipe: Connection) -> None:
    """Judge the records of these (station, connection) pairs, in file order, and send the
    results back: progress now and then, then annotations in chunks, notes, each station's
    state with the position of its first record, the pending facts, and "done". `times`:
    whether the file has times, the answer timeout it is judged by, and when its last
    judged record came (to give up on the CALLs overdue by the end, as a serial pass
    does)."""
    with contextlib.suppress(AttributeError, OSError):
        os.nice(10)  # the window's thread comes first: it must never wait for a core
    try:
        _judge_share(path, Path(folder), count, types, set(pairs), times, pipe)
    except Exception as exc:  # said to the window, which then judges serially
        log.exception("judging in a worker process failed")
        with contextlib.suppress(OSError):
            pipe.send(("failed", f"{type(exc).__name__}: {exc}"))
    finally:
        pipe.close()


def _judge_share(path: str, folder: Path, count: int, types: dict[str, str],
                 pairs: set[Pair], times: Times, pipe: Connection) -> None:
    times_known, timeout, last = times
    store = RecordStore(path)
    _take_columns(store, folder, count, types)
    capture = Capture()
    capture.adopt([], times_known=times_known, answer_timeout=timeout)
    first: dict[str, int] = {}
    notes: list[tuple[int, int, int, Finding]] = []
    judged = 0
    seqs = store.seqs
    # this worker's positions, in file order, picked without a Python step per record
    mine = list(itertools.compress(range(count), map(
        pairs.__contains__, zip(store.stations, store.connections, strict=True))))
    for position, line in zip(mine, store.raw_lines(mine), strict=True):
        message = (line is not None and frame_for_judging(line, seqs[position])) or \
            store._read(position)
        if message.kind not in _JUDGED:
            continue
        noted = len(capture.notes)
        capture.judge_adopted(message)
        first.setdefault(message.station or message.connection, position)
        if len(capture.notes) > noted:
            notes.extend((position, order, seq, finding) for order, (seq, finding)
                         in enumerate(capture.notes[noted:], start=noted))
        judged += 1
        if judged % PROGRESS_EVERY == 0:
            pipe.send(("progress", judged))
        if judged % FREEZE_EVERY == 0:
            # what judging keeps (state, verdicts) lives to the end and holds no cycles: out
            # of the collector's reach, or each full collection walks all of it again
            gc.freeze()
    store.close()
    if last is not None:  # after every record: ordered by the CALL's seq, as serially
        noted = len(capture.notes)
        capture.give_up_overdue(last)
        notes.extend((count, seq, seq, finding) for seq, finding in capture.notes[noted:])
    pipe.send(("progress", judged))
    table = capture.annotations
    assert isinstance(table, AnnotationTable)
    plain, calls, latencies = table.plain_columns()
    for start in range(0, len(plain), PLAIN_CHUNK):
        end = start + PLAIN_CHUNK
        pipe.send(("plain", plain[start:end], calls[start:end], latencies[start:end]))
    items = table.others()
    for start in range(0, len(items), CHUNK):
        pipe.send(("annotations", items[start:start + CHUNK]))
    pipe.send(("notes", notes))
    for key, station in capture.state.stations.items():
        _send_station(pipe, first.get(key, count), key, station)
    pipe.send(("pending", capture.state.pending, capture.state.upto_seq))
    pipe.send(("done", time.process_time()))


def _send_station(pipe: Connection, first: int, key: str, station: StationState) -> None:
    """A station's state, its transactions apart in slices: a day of charging is hundreds of
    transactions with thousands of sampled values, more than the window's thread may take
    in one step. The slices follow the station in order, so they land in it, in order."""
    transactions = list(station.transactions.items())
    pipe.send(("station", first, key, replace(station, transactions={})))
    for start in range(0, len(transactions), TRANSACTIONS_CHUNK):
        pipe.send(("transactions", transactions[start:start + TRANSACTIONS_CHUNK]))
