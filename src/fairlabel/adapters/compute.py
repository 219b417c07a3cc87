"""Numeric work in a separate process: the large consensus refits of the app server.

A large refit reads every answer of a project as arrays (tens of MiB per million answers),
loads scipy (about 40 MiB) and can take seconds. Run in the app server's own process it would
grow the server and hold the interpreter while requests wait; here the whole refit runs in one
worker process, started on first use (``spawn``: the child imports only what the refit needs,
never the server's threads) and reused after. The child opens its own database connection
(an engine on the server's URL, made the way the server makes its own), reads, fits, compares
with the stored consensus and writes what changed in the same short transactions as a refit
in process; the server receives only the summary (``Refit``). Small refits stay in the server.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import datetime

from fairlabel.adapters.db.engine import is_sqlite, make_engine
from fairlabel.adapters.db.unit_of_work import SqlDatabase, SqlTransaction
from fairlabel.aggregation.scale import SPARSE_FROM_ANSWERS
from fairlabel.domain.consensus_upkeep import UpkeepPolicy
from fairlabel.services.ports.transaction import Database
from fairlabel.services.quality import (
    UPKEEP,
    Refit,
    RefreshConsensusTx,
    refit_consensus,
    refit_size,
    update_consensus,
)

PAUSE_SHARE = 1.0
"""SQLite: a worker's refit pauses after each write transaction this share of the time it
took (1: as long as it held the write lock)."""
PAUSE_MAX_SECONDS = 0.25
"""SQLite: the longest pause of a worker's refit between two of its write transactions."""


@dataclass(frozen=True, slots=True)
class DatabaseAddress:
    """What a worker process needs to open the server's database as the server does."""

    url: str
    sqlite_autocheckpoint: bool = True
    writers: int = 1  # PostgreSQL: a refit's write transactions at once (FAIRLABEL_REFIT_WRITERS)


class ProcessRefit:
    """A ``RefitConsensus`` that runs large refits whole in a worker process, small ones here.

    A categorical project of fewer than ``from_answers`` answers (by default
    ``SPARSE_FROM_ANSWERS``: its fit needs numpy alone and takes milliseconds) is refit in the
    calling process. A larger one — whose fit loads scipy and can take seconds — goes to the
    worker process, as does every project of boxes, spans or rankings (matching boxes loads
    scipy; each task is fitted by Python code of its own). A large categorical project with
    fewer than ``from_answers`` answers since its last refit or update is updated here when
    the upkeep allows an update (``update_consensus``: a few tasks, no numpy), so an export
    or a sweep does not wait on the worker for it. ``work`` is what the worker runs
    (``refit_in_worker``; tests replace it).

    An error in the worker is raised here as it was raised there; a worker that died (killed,
    out of memory) raises ``BrokenProcessPool``, and the next refit starts a new one.
    """

    def __init__(self, database: DatabaseAddress, *, from_answers: int = SPARSE_FROM_ANSWERS,
                 work: Callable[[DatabaseAddress, int, datetime, int], Refit] | None = None,
                 policy: UpkeepPolicy = UPKEEP) -> None:
        self.database = database
        self.from_answers = from_answers
        self.policy = policy
        self._work = work or refit_in_worker
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def __call__(self, db: Database[RefreshConsensusTx], project_id: int, *, now: datetime,
                 seed: int) -> Refit:
        size = refit_size(db, project_id)
        if size.answers < self.from_answers and not size.structured:
            return refit_consensus(db, project_id, now=now, seed=seed)
        if not size.structured and size.answers - size.covered < self.from_answers:
            # A few tasks to update: here, without numpy; a refit of the whole goes on below.
            updated = update_consensus(db, project_id, now=now, policy=self.policy)
            if updated is not None:
                return updated
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                    initializer=_end_with_parent)
            pool = self._pool
        try:
            return pool.submit(self._work, self.database, project_id, now, seed).result()
        except BrokenProcessPool:
            with self._lock:  # a pool whose worker died takes no more work: the next starts anew
                if self._pool is pool:
                    self._pool = None
            pool.shutdown(wait=False, cancel_futures=True)
            raise

    def close(self, *, wait: bool = True) -> None:
        """Shut the worker down (``wait``: after the refit it is running, if any; else a
        refit cut short leaves what it committed, short transactions that a refit redoes)."""
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=wait, cancel_futures=True)
                self._pool = None


def _end_with_parent() -> None:
    """In the worker: exit when the server process ends, however it ends (a server stopped
    by a signal closes no pool, and its worker would otherwise live on, orphaned)."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(0)

    threading.Thread(target=watch, name="end-with-parent", daemon=True).start()


def refit_in_worker(database: DatabaseAddress, project_id: int, now: datetime,
                    seed: int) -> Refit:
    """One project's refit in the worker process, on an engine made here for it (none is
    made at import; it is let go after the refit, which runs at most once a minute or so).
    On PostgreSQL it writes on ``database.writers`` connections at once; on SQLite, which
    has one writer at a time, on one, pausing between its transactions (``PoliteWrites``)."""
    writers = max(1, database.writers)
    engine = make_engine(database.url, pool_size=writers,
                         sqlite_autocheckpoint=database.sqlite_autocheckpoint)
    sqlite = is_sqlite(engine)
    db = SqlDatabase(engine)
    try:
        return refit_consensus(PoliteWrites(db) if sqlite else db, project_id,
                               now=now, seed=seed, writers=1 if sqlite else writers)
    finally:
        db.close()
        engine.dispose()


class PoliteWrites:
    """A SQLite database written by a second process beside the app server: after each write
    transaction, the refit waits as long as it took (at most ``PAUSE_MAX_SECONDS``) before
    the next one.

    SQLite has one write lock for the whole file. The server's writers queue for it within
    the server, but a writer of another process is only retried by SQLite's busy handler,
    which sleeps between tries (up to 100 ms each); a refit writing chunk after chunk without
    a pause could take the lock back each time before it looks again. Pausing as long as the
    lock was held leaves it free half the time, so that a waiting labeling request gets it
    within a few tries; the refit's own writes wait for the server's by the busy timeout the
    engine sets (``adapters/db/engine.py``)."""

    def __init__(self, db: SqlDatabase) -> None:
        self._db = db

    def read(self) -> AbstractContextManager[SqlTransaction]:
        return self._db.read()

    @contextmanager
    def write(self) -> Iterator[SqlTransaction]:
        began = time.monotonic()
        with self._db.write() as tx:
            yield tx
        time.sleep(min((time.monotonic() - began) * PAUSE_SHARE, PAUSE_MAX_SECONDS))

