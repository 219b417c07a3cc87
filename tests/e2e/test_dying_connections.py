"""PostgreSQL drops connections (a restart, a failover, `pg_terminate_backend`): the next
requests must not see a 500 for a connection the pool could replace (docs/security.md)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, event, text

from fairlabel.adapters.container import Container
from fairlabel.adapters.db.engine import normalize_url
from fairlabel.domain.accounts import Role
from tests.conftest import Accounts
from tests.e2e.conftest import bearer, usd

KILL = ("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()")


def _kill_connections(container: Container) -> int:
    admin = create_engine(normalize_url(container.settings.database_url),
                          isolation_level="AUTOCOMMIT", poolclass=None)
    try:
        with admin.connect() as conn:
            return len(conn.execute(text(KILL)).fetchall())
    finally:
        admin.dispose()


@pytest.fixture
def pg_container(container: Container) -> Container:
    if container.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL drops connections; SQLite has none to drop")
    return container


def _hold_many(container: Container, count: int) -> None:
    """Fill the pool with `count` open (checked-in) connections."""
    held = [container.engine.connect() for _ in range(count)]
    for conn in held:
        conn.exec_driver_sql("SELECT 1")
    for conn in held:
        conn.close()


def test_requests_after_connections_are_killed_succeed(
        pg_container: Container, client: TestClient, world: dict[str, Any],
        people: Accounts) -> None:
    pid, worker = world["pid"], world["worker"]
    rtoken = world["rtoken"]
    assert client.post(f"/api/v1/projects/{pid}/launch", headers=bearer(rtoken)).status_code == 200
    _hold_many(pg_container, 8)
    for _round in range(3):
        assert _kill_connections(pg_container) >= 1
        answers = [
            client.get("/api/v1/projects", headers=bearer(rtoken)).status_code,
            client.get(f"/api/v1/projects/{pid}", headers=bearer(rtoken)).status_code,
            client.get(f"/api/v1/projects/{pid}/next", headers=bearer(worker)).status_code,
            client.get("/api/v1/me", headers=bearer(worker)).status_code,
        ]
        assert 500 not in answers, answers


def test_a_connection_killed_inside_a_transaction_is_retried(pg_container: Container) -> None:
    """A connection that dies after it was checked out (between the pool's ping and the
    transaction's first statement) is replaced, once, for a transaction not yet committed."""
    db = pg_container.db
    calls = 0

    def work() -> int:
        nonlocal calls
        calls += 1
        with db.write() as tx:
            if calls == 1:
                _kill_connections(pg_container)
            value = tx._conn.exec_driver_sql("SELECT 41 + 1").scalar_one()
            tx.commit()
            return int(value)

    assert db.retrying(work) == 42
    assert calls == 2


def test_a_kill_between_ping_and_first_statement_is_retried(
        pg_container: Container, client: TestClient, people: Accounts) -> None:
    token = people.make(Role.WORKER)[1]
    engine = pg_container.engine
    fired = {"n": 0}

    def kill_once(conn: Any) -> None:
        if fired["n"] == 0:
            fired["n"] += 1
            _kill_connections(pg_container)

    event.listen(engine, "begin", kill_once)
    try:
        answer = client.get("/api/v1/projects", headers=bearer(token))
    finally:
        event.remove(engine, "begin", kill_once)
    assert fired["n"] == 1
    assert answer.status_code == 200, answer.text


def test_a_write_whose_connection_died_before_commit_runs_once(
        pg_container: Container, client: TestClient, people: Accounts) -> None:
    """The body is read again on the retry, and the project is created once."""
    token = people.make(Role.REQUESTER)[1]
    engine = pg_container.engine
    fired = {"n": 0}

    def kill_on_first_write(conn: Any) -> None:
        if conn.get_execution_options().get("fairlabel_write") and fired["n"] == 0:
            fired["n"] += 1
            _kill_connections(pg_container)

    event.listen(engine, "begin", kill_on_first_write)
    try:
        answer = client.post("/api/v1/projects", headers=bearer(token), json={
            "name": "once", "schema": {"type": "single_choice", "choices": ["a", "b"]},
            "redundancy": 1, "pay_per_task": usd(5)})
    finally:
        event.remove(engine, "begin", kill_on_first_write)
    assert fired["n"] == 1
    assert answer.status_code == 201, answer.text
    names = [p["name"] for p in client.get("/api/v1/projects", headers=bearer(token)).json()]
    assert names == ["once"]


def test_a_connection_lost_while_committing_is_not_retried(pg_container: Container) -> None:
    """The commit may have happened: running the work again could do it twice."""
    db = pg_container.db
    calls = 0

    def work() -> None:
        nonlocal calls
        calls += 1
        with db.write() as tx:
            tx._conn.exec_driver_sql("SELECT 1")
            _kill_connections(pg_container)
            tx.commit()

    with pytest.raises(Exception) as raised:
        db.retrying(work)
    assert calls == 1
    from fairlabel.adapters.db.unit_of_work import is_dead_connection
    assert is_dead_connection(raised.value)


def test_a_database_that_stays_down_is_503_not_500(
        pg_container: Container, client: TestClient, people: Accounts) -> None:
    token = people.make(Role.WORKER)[1]
    engine = pg_container.engine

    def kill_always(conn: Any) -> None:
        _kill_connections(pg_container)

    client.get("/api/v1/projects", headers=bearer(token))  # the token is cached
    event.listen(engine, "begin", kill_always)
    try:
        answer = client.get("/api/v1/projects", headers=bearer(token))
    finally:
        event.remove(engine, "begin", kill_always)
    assert answer.status_code == 503, answer.text
    assert answer.json()["error"] == "unavailable"
    assert answer.headers["Retry-After"]
