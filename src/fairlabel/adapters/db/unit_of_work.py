"""The unit of work: one database transaction, its repositories, commit or roll back."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

from sqlalchemy import Connection, Engine

from fairlabel.adapters.db.decision_repositories import (
    AppealRepository,
    BlockRepository,
    DecisionRepository,
)
from fairlabel.adapters.db.holds_repository import HoldsRepository
from fairlabel.adapters.db.ledger_repository import EscrowRepository, LedgerRepository
from fairlabel.adapters.db.pay_repositories import (
    InboxRepository,
    PayoutRepository,
    PriceChangeRepository,
)
from fairlabel.adapters.db.quality_repositories import ConsensusRepository, GoldRepository
from fairlabel.adapters.db.repositories import (
    AssignmentRepository,
    ProjectCache,
    ProjectRepository,
    SettingsRepository,
    TaskRepository,
    UserRepository,
)
from fairlabel.adapters.db.voice_repositories import RecordQueries, VoiceRepository


class SqlTransaction:
    """Repositories bound to one open transaction. Leaving without ``commit()`` rolls back."""

    def __init__(self, conn: Connection, project_cache: ProjectCache) -> None:
        self._conn = conn
        self.users = UserRepository(conn)
        self.settings = SettingsRepository(conn)
        self.projects = ProjectRepository(conn, project_cache)
        self.tasks = TaskRepository(conn)
        self.assignments = AssignmentRepository(conn)
        self.ledger = LedgerRepository(conn)
        self.escrow = EscrowRepository(conn)
        self.holds = HoldsRepository(conn)
        self.prices = PriceChangeRepository(conn)
        self.inbox = InboxRepository(conn)
        self.payouts = PayoutRepository(conn)
        self.gold = GoldRepository(conn)
        self.consensus = ConsensusRepository(conn)
        self.decisions = DecisionRepository(conn)
        self.appeals = AppealRepository(conn)
        self.blocks = BlockRepository(conn)
        self.voice = VoiceRepository(conn)
        self.record = RecordQueries(conn)

    def commit(self) -> None:
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

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
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
            yield SqlTransaction(conn, self._projects)
        finally:
            if conn.in_transaction():
                conn.rollback()

    def close(self) -> None:
        """Give back the writers' connection (before the engine is disposed)."""
        if self._write_queue is None:
            return
        with self._write_queue:
            if self._writer is not None:
                self._writer.close()
                self._writer = None

    def write(self) -> AbstractContextManager[SqlTransaction]:
        return self._transaction(True)

    def read(self) -> AbstractContextManager[SqlTransaction]:
        return self._transaction(False)
