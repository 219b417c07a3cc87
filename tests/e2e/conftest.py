from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from fairlabel.adapters.container import Container
from fairlabel.adapters.web.app import create_app
from fairlabel.domain.accounts import Role
from fairlabel.services import accounts
from tests.conftest import Accounts
from tests.support.databases import (
    fresh_postgres_database,
    migrated_sqlite_template,
    postgres_admin_url,
    sqlite_copy,
)
from tests.support.funding import OPERATOR, operator


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def usd(minor: Any) -> dict[str, Any]:
    return {"amount_minor": minor, "currency": "USD"}


@pytest.fixture(params=["sqlite", "postgres"])
def server_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty migrated database for a real server process, on each backend."""
    if request.param == "sqlite":
        yield sqlite_copy(migrated_sqlite_template(tmp_path), tmp_path)
        return
    if not postgres_admin_url():
        pytest.skip("PostgreSQL tests need FAIRLABEL_TEST_POSTGRES_URL")
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(container)) as test_client:
        yield test_client


@pytest.fixture
def admin(container: Container) -> str:
    operator(container)
    return accounts.create_token(container.db, email=OPERATOR, name="t", now=container.clock())


@pytest.fixture
def world(client: TestClient, people: Accounts, admin: str) -> dict[str, Any]:
    requester, rtoken = people.make(Role.REQUESTER)
    worker = people.make(Role.WORKER)[1]
    project = client.post("/api/v1/projects", headers=bearer(rtoken), json={
        "name": "p", "schema": {"type": "single_choice", "choices": ["a", "b"]},
        "redundancy": 1, "pay_per_task": usd(5), "lease_seconds": 60}).json()
    client.post(f"/api/v1/projects/{project['id']}/tasks", headers=bearer(rtoken),
                json=[{"data": {"t": i}} for i in range(3)])
    return {"requester": requester, "rtoken": rtoken, "worker": worker,
            "pid": project["id"], "admin": admin}
