"""PostgreSQL through psycopg's async connection, for use cases run on a server's event loop.

On PostgreSQL, a use case of the labeling loop (``next``, ``submit``) spends most of its time
waiting for the database. Handed to a thread, it then fights the event loop's thread for
Python's interpreter lock after each of its round trips; run on the event loop in a greenlet
(SQLAlchemy's ``greenlet_spawn``), each wait is awaited instead, and the loop serves other
requests meanwhile. The use cases stay synchronous code on a ``SqlDatabase``: its engine is
made on psycopg's async driver (``postgresql+psycopg_async``), whose connections await each
statement from the greenlet (``pipeline.py`` awaits its own); outside one, a statement
raises ``MissingGreenlet``. It is the engine an ``AsyncEngine`` wraps, made without that
wrapper: ``sqlalchemy.ext.asyncio`` imports SQLAlchemy's ORM, which the app does not use
(about 7 MiB in every server process). Nothing here runs outside the event loop the database
was made on: ``web/calls.py`` makes one per loop and closes it with the loop.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, Concatenate, ParamSpec, TypeVar

from anyio import CancelScope, CapacityLimiter
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.util import greenlet_spawn

from fairlabel.adapters.db.engine import normalize_url
from fairlabel.adapters.db.unit_of_work import SqlDatabase

P = ParamSpec("P")
R = TypeVar("R")


class AwaitedDatabase:
    """A ``SqlDatabase`` whose statements are awaited, and the use cases it runs: at most
    ``concurrency`` at once, each to its end even if the request that started it is
    cancelled (a transaction is never cut off half-way)."""

    def __init__(self, engine: Engine, *, concurrency: int, lease_slots: int) -> None:
        self._engine = engine
        self._db = SqlDatabase(engine, lease_slots=lease_slots)
        self._turns = CapacityLimiter(concurrency)

    async def run(self, use_case: Callable[Concatenate[SqlDatabase, P], R], *args: P.args,
                  **kwargs: P.kwargs) -> R:
        """``use_case(db, *args, **kwargs)`` in a greenlet of the running event loop."""
        call = partial(use_case, self._db, *args, **kwargs)
        async with self._turns:
            with CancelScope(shield=True):
                result: R = await greenlet_spawn(call)
        return result

    async def aclose(self) -> None:
        """Close its connections (on the event loop it was used on)."""
        await greenlet_spawn(self._engine.dispose)


def awaited_database(url: str, *, concurrency: int, lease_slots: int) -> AwaitedDatabase:
    """A database at the PostgreSQL ``url`` whose statements are awaited, running up to
    ``concurrency`` use cases at once on as many connections (and as many more in overflow,
    should a use case open a second one)."""
    from psycopg.pq import TransactionStatus

    engine = create_engine(
        make_url(normalize_url(url)).set(drivername="postgresql+psycopg_async"),
        pool_size=concurrency, max_overflow=concurrency, pool_reset_on_return=None)
    assert engine.dialect.is_async  # its pool hands out connections that are awaited

    @event.listens_for(engine, "reset")
    def _reset(dbapi_connection: Any, record: Any, state: Any) -> None:
        # The pool's own reset rolls back every connection given back, committed or not: on
        # this engine an await (two greenlet switches) per transaction for psycopg's no-op.
        # The unit of work ends every transaction it opens; a connection still inside one
        # (its rollback failed, or code that took it from the pool directly) is rolled back.
        if (state.asyncio_safe and not state.terminate_only
                and record.driver_connection.info.transaction_status
                != TransactionStatus.IDLE):
            dbapi_connection.rollback()

    return AwaitedDatabase(engine, concurrency=concurrency, lease_slots=lease_slots)
