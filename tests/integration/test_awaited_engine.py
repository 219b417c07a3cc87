"""``adapters/db/awaited.py``: what the pool of the engine whose statements are awaited does
with a connection given back. psycopg's rollback of a connection that committed sends
nothing, yet SQLAlchemy's rollback on return still costs an await (two greenlet switches)
per transaction there; the engine rolls back only a connection given back inside a
transaction, which must never reach the next use case."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

from fairlabel.adapters.container import Container
from fairlabel.adapters.db.unit_of_work import SqlDatabase


def _on_awaited(container: Container, body: Any) -> None:
    if container.engine.dialect.name != "postgresql":
        pytest.skip("statements are awaited on PostgreSQL only")
    from fairlabel.adapters.db.awaited import awaited_database

    database = awaited_database(container.settings.database_url, concurrency=1,
                                lease_slots=8)

    async def main() -> None:
        try:
            await database.run(body)
        finally:
            await database.aclose()

    anyio.run(main)


def test_a_committed_connection_goes_back_without_a_rollback(container: Container) -> None:
    rollbacks: list[object] = []

    def body(db: SqlDatabase) -> None:
        with db.write() as tx:  # the first connection: the dialect sets itself up on it
            tx.commit()
        dialect = db.engine.dialect
        rollback = dialect.do_rollback

        def counted(dbapi_connection: Any) -> None:
            rollbacks.append(dbapi_connection)
            rollback(dbapi_connection)

        dialect.do_rollback = counted  # type: ignore[method-assign]
        for _ in range(3):
            with db.write() as tx:
                tx.settings.get("nothing-here")
                tx.commit()
        with db.read() as tx:  # not committed: the unit of work rolls it back itself
            tx.settings.get("nothing-here")

    _on_awaited(container, body)
    assert len(rollbacks) == 1


def test_a_connection_given_back_inside_a_transaction_is_rolled_back(
        container: Container) -> None:
    seen: list[tuple[int, str]] = []

    def body(db: SqlDatabase) -> None:
        raw = db.engine.raw_connection()
        driver: Any = raw.driver_connection
        cursor = raw.cursor()
        cursor.execute("SELECT 1")
        cursor.close()
        seen.append((driver.info.backend_pid, driver.info.transaction_status.name))
        raw.close()  # back to the pool, its transaction open
        again = db.engine.raw_connection()
        driver = again.driver_connection
        seen.append((driver.info.backend_pid, driver.info.transaction_status.name))
        again.close()

    _on_awaited(container, body)
    (pid, before), (same_pid, after) = seen
    assert (before, after) == ("INTRANS", "IDLE")
    assert same_pid == pid  # the pool's one connection, handed out again
