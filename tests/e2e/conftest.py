from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from fairlabel.adapters.web.app import create_app
from fairlabel.bootstrap import Container
from fairlabel.domain.accounts import Role
from fairlabel.services import accounts
from tests.conftest import Accounts
from tests.support.funding import OPERATOR, operator


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def usd(minor: Any) -> dict[str, Any]:
    return {"amount_minor": minor, "currency": "USD"}


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
