"""The unit of work: one database transaction, its repositories, commit or roll back."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from fairlabel.adapters.db.account_repositories import SettingsRepository, UserRepository
from fairlabel.adapters.db.assignment_repository import AssignmentRepository
from fairlabel.adapters.db.continuation_repository import ContinuationCaseRepository
from fairlabel.adapters.db.decision_repositories import (
    AppealRepository,
    BlockRepository,
    DecisionRepository,
)
from fairlabel.adapters.db.earnings import EarningsByHour
from fairlabel.adapters.db.holds_repository import HoldsRepository
from fairlabel.adapters.db.ledger_repository import EscrowRepository, LedgerRepository
from fairlabel.adapters.db.media_repository import MediaRepository
from fairlabel.adapters.db.pay_repositories import (
    InboxRepository,
    PayoutRepository,
    PriceChangeRepository,
)
from fairlabel.adapters.db.project_cache import ProjectCache
from fairlabel.adapters.db.project_repository import ProjectRepository
from fairlabel.adapters.db.quality_repositories import ConsensusRepository, GoldRepository
from fairlabel.adapters.db.quality_totals import QualityTotals
from fairlabel.adapters.db.schedule_repository import JobRunRepository
from fairlabel.adapters.db.task_repository import TaskRepository
from fairlabel.adapters.db.upkeep_repository import ConsensusUpkeepRepository
from fairlabel.adapters.db.voice_repositories import RecordQueries, VoiceRepository

R = TypeVar("R")
log = logging.getLogger("fairlabel.db")

# SQLSTATE classes of a connection that is gone: 08 connection exception, 57P operator
# intervention (pg_terminate_backend, shutdown, crash recovery).
_DEAD_SQLSTATES = ("08", "57P")


def is_dead_connection(error: BaseException) -> bool:
    """Whether the error says the database connection died (the pool can replace it)."""
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    sqlstate = getattr(error.orig, "sqlstate", None)
    return isinstance(sqlstate, str) and sqlstate.startswith(_DEAD_SQLSTATES)


@dataclass(slots=True)
class Attempt:
    """One try at a unit of work that may be retried (a request, a use case): whether any
    transaction of it began committing. A retry is safe only when none did."""

    committing: bool = False


_attempt: ContextVar[Attempt | None] = ContextVar("fairlabel_db_attempt", default=None)


@contextmanager
def attempt() -> Iterator[Attempt]:
    """Record, for the code run inside (threads it hands work to included: they run in a
    copy of this context), whether a transaction began to commit."""
    current = Attempt()
    reset = _attempt.set(current)
    try:
        yield current
    finally:
        _attempt.reset(reset)


def retry_once(work: Callable[[], R]) -> R:
    """Run ``work``; when a database connection died under it before any of its transactions
    began to commit, run it once more (the pool then hands out fresh connections). Nothing
    was written, so the retry is idempotent by construction."""
    with attempt() as first:
        try:
            return work()
        except DBAPIError as error:
            if first.committing or not is_dead_connection(error):
                raise
            log.warning("database connection lost before commit; retrying once: %s",
                        error.orig)
    with attempt():
        return work()


class SqlTransaction:
    """Repositories bound to one open transaction. Leaving without ``commit()`` rolls back."""

    def __init__(self, conn: Connection, project_cache: ProjectCache, *,
                 lease_slots: int = 8) -> None:
        self._conn = conn
        self.users = UserRepository(conn)
        self.settings = SettingsRepository(conn)
        self.projects = ProjectRepository(conn, project_cache)
        # What the transaction's answers, reviews and consensus change, written as it commits
        # (a submission's, by the holds, in the round trip that locks its posting).
        earnings = EarningsByHour(conn)
        self._quality = QualityTotals(conn)
        self.tasks = TaskRepository(conn, self._quality)
        self.assignments = AssignmentRepository(conn, earnings, self._quality)
        self.ledger = LedgerRepository(conn)
        self.escrow = EscrowRepository(conn, self.projects, lease_slots=lease_slots)
        self.holds = HoldsRepository(conn, self.ledger, earnings, self._quality)
        self.prices = PriceChangeRepository(conn)
        self.inbox = InboxRepository(conn)
        self.payouts = PayoutRepository(conn)
        self.gold = GoldRepository(conn)
        self.consensus = ConsensusRepository(conn, self._quality)
        self.upkeep = ConsensusUpkeepRepository(conn)
        self.decisions = DecisionRepository(conn)
        self.appeals = AppealRepository(conn)
        self.blocks = BlockRepository(conn)
        self.voice = VoiceRepository(conn)
        self.record = RecordQueries(conn)
        self.media = MediaRepository(conn)
        self.job_runs = JobRunRepository(conn)
        self.continuation_cases = ContinuationCaseRepository(conn)

    def commit(self) -> None:
        self.tasks.write_totals()
        self.assignments.write_earnings()
        self.assignments.write_review_counts()
        self._quality.write()  # the last lock a transaction takes
        current = _attempt.get()
        if current is not None:  # from here on, a lost connection may have committed
            current.committing = True
        self._conn.commit()


class SqlDatabase:
    """Opens transactions on an engine: ``write()`` for use cases that change state.

    SQLite admits one writer at a time for the whole file. Within a process, writers queue
    on a lock and are woken the moment the previous one commits, instead of sleep-polling in
    SQLite's busy handler (which wakes in steps of up to 100 ms and ruins tail latency); as
    they go one at a time, they share one connection, kept open, rather than each taking one
    from the pool and handing it back. Writers in other processes still meet SQLite's own lock
    and busy timeout. PostgreSQL needs no such queue: it locks rows.
    """

    def __init__(self, engine: Engine, *, lease_slots: int = 8) -> None:
        self.engine = engine
        self._lease_slots = lease_slots
        self._write_queue = threading.Lock() if engine.dialect.name == "sqlite" else None
        self._writer: Connection | None = None  # SQLite: the connection writers share
        self._projects = ProjectCache()  # what never changes, so safe to share

    @contextmanager
    def _transaction(self, write: bool) -> Iterator[SqlTransaction]:
        if write and self._write_queue is not None:
            with self._write_queue:
                yield from self._in_transaction(self._shared_writer())
        else:
            with self.engine.connect() as conn:
                if write:
                    conn.execution_options(fairlabel_write=True)
                yield from self._in_transaction(conn)

    def _shared_writer(self) -> Connection:
        """The writers' connection (called with the write queue held); a new one after a
        failure that invalidated it."""
        conn = self._writer
        if conn is None or conn.closed or conn.invalidated:
            if conn is not None:
                conn.close()
            conn = self._writer = self.engine.connect()
            conn.execution_options(fairlabel_write=True)
        return conn

    def _in_transaction(self, conn: Connection) -> Iterator[SqlTransaction]:
        conn.begin()
        try:
            yield SqlTransaction(conn, self._projects, lease_slots=self._lease_slots)
        finally:
            if conn.in_transaction():
                conn.rollback()

    def attempt(self) -> AbstractContextManager[Attempt]:
        """A scope that records whether a transaction began to commit (see ``attempt``)."""
        return attempt()

    def is_dead_connection(self, error: BaseException) -> bool:
        return is_dead_connection(error)

    def close(self) -> None:
        """Give back the writers' connection (before the engine is disposed)."""
        if self._write_queue is None:
            return
        with self._write_queue:
            if self._writer is not None:
                self._writer.close()
                self._writer = None

    def retrying(self, work: Callable[[], R]) -> R:
        """``work`` (a use case on this database), retried once if a connection died before
        it committed anything: see ``retry_once``."""
        return retry_once(work)

    def write(self) -> AbstractContextManager[SqlTransaction]:
        return self._transaction(True)

    def read(self) -> AbstractContextManager[SqlTransaction]:
        return self._transaction(False)
