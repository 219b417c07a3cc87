"""How many statements and round trips the labeling loop makes: each round trip to
PostgreSQL costs the driver's Python and a wait (and a lock held across it waits with it), so
the hot path keeps them few (benchmarks/cycle_cost.py measures what they cost). On PostgreSQL
a lease, in one round trip (a pipeline), waits for the worker's turn, takes a lease slot,
reads the project's state shared and then its gate, and claims the task and leases it in one
statement; a submission locks the assignment, records the answer with
its count on the task, counts it in the project's hold totals, locks the chain heads of its
posting and adds its pay to its worker's earnings by hour in one round trip, and posts its
pay. SQLite has no data-modifying WITH: the claim and
the lease, the answer and its count, stay two statements each there, and a lease takes no
lock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import anyio
import pytest
from sqlalchemy import Engine, bindparam, event, select, text, update
from sqlalchemy.exc import DBAPIError, StatementError

from fairlabel.adapters.container import Container
from fairlabel.adapters.db.pipeline import pipelined
from fairlabel.adapters.db.tables import assignments, tasks
from fairlabel.domain.accounts import Role
from fairlabel.services import assignment
from tests.conftest import Accounts
from tests.integration.test_fair_pay import make_project

# (statements, round trips) per use case on a project the process has read before, BEGIN
# and COMMIT aside (psycopg sends each as one more round trip; SQLite's BEGIN IMMEDIATE is a
# statement of its own, counted).
EXPECTED = {"postgresql": {"next": (5, 2), "submit": (6, 4)},
            "sqlite": {"next": (4, 4), "submit": (10, 10)}}


Body = Callable[[Engine], None]


@pytest.fixture(params=["blocking", "awaited"])
def run_on(request: pytest.FixtureRequest, container: Container) -> Callable[[Body], None]:
    """Runs a test's body on the container's engine, or on the engine whose statements the
    event loop awaits (``db/awaited.py``: the labeling loop's in a server on PostgreSQL)."""
    if container.engine.dialect.name != "postgresql":
        pytest.skip("the pipeline and the direct path are PostgreSQL's")
    if request.param == "blocking":
        return lambda body: body(container.engine)

    def awaited(body: Body) -> None:
        from fairlabel.adapters.db.awaited import awaited_database

        database = awaited_database(container.settings.database_url, concurrency=2,
                                    lease_slots=8)

        async def main() -> None:
            try:
                await database.run(lambda db: body(db.engine))
            finally:
                await database.aclose()

        anyio.run(main)
    return awaited


@contextmanager
def _counted(container: Container) -> Iterator[list[tuple[str, bool]]]:
    sent: list[tuple[str, bool]] = []

    def count(_conn: Any, cursor: Any, statement: str, *_args: Any) -> None:
        # A pipelined statement has no cursor of SQLAlchemy's (adapters/db/pipeline.py).
        sent.append((" ".join(statement.split())[:80], cursor is None))

    event.listen(container.engine, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        event.remove(container.engine, "before_cursor_execute", count)


def _statements(container: Container,
                call: Callable[[], Any]) -> tuple[Any, tuple[int, int], list[str]]:
    """The call's result, its (statements, round trips), and the statements shortened."""
    with _counted(container) as sent:
        result = call()
    trips = sum(1 for i, (_, piped) in enumerate(sent)
                if not piped or i == 0 or not sent[i - 1][1])
    return result, (len(sent), trips), [text for text, _ in sent]


def test_a_cycle_sends_few_statements_and_records_what_it_did(
        container: Container, people: Accounts) -> None:
    requester = people.make(Role.REQUESTER)[0]
    pid = make_project(container, requester, tasks=20, redundancy=2)
    worker = people.make(Role.WORKER)[0]
    # A first cycle reads what a process caches and opens the worker's ledger accounts.
    warm = assignment.request_next(container.db, worker, pid, now=container.clock(),
                                   policy=container.charter)
    assert warm is not None
    assignment.submit_answer(container.db, worker, warm.assignment_id, "b",
                             idempotency_key=None, now=container.clock(),
                             policy=container.charter)
    expected = EXPECTED[container.engine.dialect.name]

    lease, counts, sent = _statements(container, lambda: assignment.request_next(
        container.db, worker, pid, now=container.clock(), policy=container.charter))
    assert lease is not None and counts == expected["next"], sent
    _, counts, sent = _statements(container, lambda: assignment.submit_answer(
        container.db, worker, lease.assignment_id, "a", idempotency_key=None,
        now=container.clock(), policy=container.charter))
    assert counts == expected["submit"], sent

    # What the merged statements wrote: the lease of the claimed task at its price, and the
    # answer counted on its task once.
    with container.engine.connect() as conn:
        row = conn.execute(select(assignments).where(
            assignments.c.id == lease.assignment_id)).one()
        task = conn.execute(select(tasks).where(tasks.c.id == lease.task_id)).one()
    assert (row.task_id, row.worker_id, row.project_id) == (lease.task_id, worker.id, pid)
    assert (row.status, row.purpose, row.answer) == ("submitted", "work", "a")
    assert row.price_minor == 5 and row.lease_expires_at == lease.lease_expires_at
    assert (task.taken, task.answered) == (1, 1)


def test_pipelined_statements_run_in_order_with_the_types_conversions(
        container: Container, people: Accounts, run_on: Callable[[Body], None]) -> None:
    """``db/pipeline.py``: each statement sees what the one before did (its own snapshot,
    as if sent alone), parameters go through the column types (a naive datetime is refused
    as everywhere else), timestamps come back as UTC, and a database error is SQLAlchemy's."""
    requester = people.make(Role.REQUESTER)[0]
    pid = make_project(container, requester, tasks=3)
    bump = (update(tasks).where(tasks.c.project_id == bindparam("project_id"))
            .values(taken=tasks.c.taken + 1))
    read = (select(tasks.c.id, tasks.c.taken, tasks.c.created_at)
            .where(tasks.c.project_id == bindparam("project_id")).order_by(tasks.c.id))
    late = select(tasks.c.id).where(tasks.c.created_at < bindparam(
        "at", type_=tasks.c.created_at.type))

    def body(engine: Engine) -> None:
        with engine.connect() as conn, conn.begin():
            bumped, rows = pipelined(conn, [(bump, {"project_id": pid}),
                                            (read, {"project_id": pid})])
            assert bumped == [] and [r.taken for r in rows] == [1, 1, 1]
            assert all(r.created_at.tzinfo is UTC for r in rows)
            with pytest.raises(StatementError, match="naive"):
                pipelined(conn, [(late, {"at": datetime(2026, 1, 1)})])
        with engine.connect() as conn, conn.begin(), pytest.raises(DBAPIError):
            pipelined(conn, [(read, {"project_id": pid}), (text("SELECT 1 / 0"), {})])

    run_on(body)


def _scans_of(conn: Any, statement: Any, params: dict[str, Any], table: str) -> int:
    """How many times the database's plan for ``statement`` reads ``table``."""
    compiled = statement.compile(dialect=conn.dialect)
    values = compiled.construct_params(params)
    if conn.dialect.name == "postgresql":
        plan = conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + compiled.string,
                                    values).scalar_one()

        def scans(node: dict[str, Any]) -> int:
            own = int("Scan" in node["Node Type"] and node.get("Relation Name") == table)
            return own + sum(scans(child) for child in node.get("Plans", []))
        return scans(plan[0]["Plan"])
    rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + compiled.string,
                                tuple(values[name] for name in compiled.positiontup)).all()
    return sum(1 for row in rows if f" {table} " in f" {row[-1]} ")


def test_the_claim_past_the_cursor_reads_the_workers_answers_once(
        container: Container, people: Accounts) -> None:
    """The hot claim finds where the worker stands in one read of their answers and probes
    none per candidate: past that cursor they have no answer to find. (A probe per candidate
    meant, on a new PostgreSQL database, a scan of the project's answers per candidate.)"""
    from fairlabel.adapters.db import statements

    requester = people.make(Role.REQUESTER)[0]
    pid = make_project(container, requester, tasks=5)
    worker = people.make(Role.WORKER)[0]
    params = {"claim_project": pid, "claim_worker": worker.id}
    with container.engine.connect() as conn:
        assert _scans_of(conn, statements.claim_after_cursor, params, "assignments") == 1
        # The second pass, over slots left open anywhere, has no cursor and probes instead.
        assert _scans_of(conn, statements.claim_any, params, "assignments") == 1


def test_a_statement_sent_directly_converts_as_sqlalchemy_and_reports_a_dead_connection(
        container: Container, people: Accounts, run_on: Callable[[Body], None]) -> None:
    """``pipeline.direct``: the labeling loop's lone statements on PostgreSQL skip
    SQLAlchemy's execution but not its conversions (a JSON parameter goes through the
    column's type, JSON and timestamps come back as SQLAlchemy returns them), its errors
    (a constraint is an ``IntegrityError``), nor its care for a connection that died (it is
    invalidated, and the unit of work sees a dead connection it may retry on)."""
    from sqlalchemy.exc import IntegrityError

    from fairlabel.adapters.db.pipeline import direct
    from fairlabel.adapters.db.unit_of_work import is_dead_connection

    requester = people.make(Role.REQUESTER)[0]
    pid = make_project(container, requester, tasks=2)
    set_data = (update(tasks).where(tasks.c.project_id == bindparam("project_id"))
                .values(data=bindparam("data")))
    read = (select(tasks.c.id, tasks.c.data, tasks.c.created_at)
            .where(tasks.c.project_id == bindparam("project_id")).order_by(tasks.c.id))
    duplicate = (update(tasks).where(tasks.c.project_id == bindparam("project_id"))
                 .values(id=bindparam("id")))

    def body(engine: Engine) -> None:
        with engine.connect() as conn, conn.begin():
            data = {"text": "é", "n": [1]}
            assert direct(conn, set_data, {"project_id": pid, "data": data}) == []
            rows = direct(conn, read, {"project_id": pid})
            assert [r.data for r in rows] == [{"text": "é", "n": [1]}] * 2
            assert all(r.created_at.tzinfo is UTC for r in rows)
            assert rows == [tuple(r) for r in conn.execute(read, {"project_id": pid})]
        with engine.connect() as conn, conn.begin(), pytest.raises(IntegrityError):
            direct(conn, duplicate, {"project_id": pid, "id": rows[0].id})
        with engine.connect() as conn:
            pid_of_backend = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
            conn.rollback()
            with engine.connect() as other:
                other.exec_driver_sql("SELECT pg_terminate_backend(%(p)s)",
                                      {"p": pid_of_backend})
                other.commit()
            with pytest.raises(DBAPIError) as failed:
                direct(conn, read, {"project_id": pid})
            assert is_dead_connection(failed.value) and failed.value.connection_invalidated
            assert conn.invalidated

    run_on(body)
