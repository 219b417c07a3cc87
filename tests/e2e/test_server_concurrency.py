"""32 simulated workers over HTTP against a real server process, on SQLite and PostgreSQL.

500 tasks with redundancy 3 must end with exactly 1,500 answers: no task over its
redundancy, no worker twice on a task, no answer lost, and every abandoned lease expired and
returned to the pool for someone else.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from fairlabel.adapters.db.tables import assignments, tasks
from fairlabel.bootstrap import bootstrap
from fairlabel.config import Settings
from fairlabel.domain.accounts import Role
from fairlabel.services import accounts
from tests.support.databases import (
    fresh_postgres_database,
    migrated_sqlite_template,
    postgres_admin_url,
    sqlite_copy,
)
from tests.support.server import running_server

WORKERS, TASKS, K, LEASE_SECONDS, ABANDONERS = 32, 500, 3, 10, 6
pytestmark = pytest.mark.slow


@pytest.fixture(params=["sqlite", "postgres"])
def server_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield sqlite_copy(migrated_sqlite_template(tmp_path), tmp_path)
        return
    if not postgres_admin_url():
        pytest.skip("PostgreSQL tests need FAIRLABEL_TEST_POSTGRES_URL")
    with fresh_postgres_database() as url:
        yield url


def _tokens(database_url: str) -> tuple[str, list[str]]:
    container = bootstrap(Settings(database_url=database_url))
    try:
        now = container.clock()
        made = []
        for i in range(WORKERS + 1):
            role = Role.REQUESTER if i == 0 else Role.WORKER
            email = f"{role.value}{i}@example.org"
            accounts.add_user(container.db, email=email, password="password-1", role=role,
                              now=now)
            made.append(accounts.create_token(container.db, email=email, name="t", now=now))
        return made[0], made[1:]
    finally:
        container.close()


def test_32_workers_fill_500_tasks_exactly(server_db: str, tmp_path: Path) -> None:
    requester, workers = _tokens(server_db)
    with running_server(server_db, tmp_path) as server:
        api = httpx.Client(base_url=f"{server.url}/api/v1", timeout=30,
                           headers={"Authorization": f"Bearer {requester}"})
        project = api.post("/projects", json={
            "name": "race", "instructions": "", "redundancy": K,
            "schema": {"type": "single_choice", "choices": ["a", "b"]},
            "pay_per_task": {"amount_minor": 5, "currency": "USD"},
            "lease_seconds": LEASE_SECONDS}).json()
        pid = project["id"]
        imported = api.post(f"/projects/{pid}/tasks",
                            json=[{"data": {"n": i}} for i in range(TASKS)])
        assert imported.json() == {"imported": TASKS}
        assert api.post(f"/projects/{pid}/launch").status_code == 200

        submitted: list[tuple[int, int]] = []  # (worker index, task id)
        abandoned: list[int] = []
        errors: list[str] = []
        lock = threading.Lock()
        deadline = time.monotonic() + 240

        def work(index: int) -> None:
            rng = random.Random(index)
            with httpx.Client(base_url=f"{server.url}/api/v1", timeout=30,
                              headers={"Authorization": f"Bearer {workers[index]}"}) as c:
                gave_up_once = index >= WORKERS - ABANDONERS
                while time.monotonic() < deadline:
                    got = c.get(f"/projects/{pid}/next")
                    if got.status_code == 204:
                        progress = c.get(f"/projects/{pid}").json()["progress"]
                        if progress["answers"] >= TASKS * K:
                            return
                        time.sleep(0.5)  # leases held by others may still expire
                        continue
                    if got.status_code != 200:
                        errors.append(f"next {got.status_code} {got.text}")
                        return
                    lease = got.json()
                    if gave_up_once:  # walk away from this lease and never come back to it
                        gave_up_once = False
                        with lock:
                            abandoned.append(lease["task"]["id"])
                        # Ask again later: the held lease is returned until it expires.
                        time.sleep(LEASE_SECONDS + 1)
                        continue
                    key = f"{index}-{lease['assignment_id']}"
                    answer = {"answer": rng.choice(["a", "b"])}
                    for _attempt in range(2):  # a retry must not create a second answer
                        sent = c.post(f"/assignments/{lease['assignment_id']}/submit",
                                      json=answer, headers={"Idempotency-Key": key})
                    if sent.status_code not in (200, 201):
                        errors.append(f"submit {sent.status_code} {sent.text}")
                        return
                    with lock:
                        submitted.append((index, lease["task"]["id"]))

        threads = [threading.Thread(target=work, args=(i,)) for i in range(WORKERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        api.close()

    assert errors == []
    assert len(submitted) == TASKS * K
    per_task = Counter(task for _, task in submitted)
    assert len(per_task) == TASKS and set(per_task.values()) == {K}
    assert len(set(submitted)) == len(submitted)  # no worker twice on a task
    assert len(abandoned) == ABANDONERS
    container = bootstrap(Settings(database_url=server_db))
    try:
        with container.engine.connect() as conn:
            statuses = dict(conn.execute(select(assignments.c.status, func.count())
                                         .group_by(assignments.c.status)).all())
            over = conn.execute(select(func.count()).select_from(tasks)
                                .where(tasks.c.answered != K)).scalar_one()
    finally:
        container.close()
    assert statuses == {"submitted": TASKS * K, "expired": ABANDONERS}
    assert over == 0
