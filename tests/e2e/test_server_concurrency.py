"""32 simulated workers over HTTP against a real server process, on SQLite and PostgreSQL,
while two sweepers run the periodic jobs (approvals, top-ups) beside them.

500 tasks with redundancy 3 must end with exactly 1,500 answers: no task over its
redundancy, no worker twice on a task, no answer lost, and every abandoned lease expired and
returned to the pool for someone else. The floor is set so high that every answer is topped
up, and the review window to zero so that approvals race with submissions: every answer must
be paid its price and its top-ups exactly once, and the ledger must balance and verify.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from fairlabel.adapters.container import Container
from fairlabel.adapters.db.tables import assignments, projects, tasks
from fairlabel.bootstrap import bootstrap
from fairlabel.config import Settings
from fairlabel.domain import ledger
from fairlabel.domain.pay import fair_price
from fairlabel.services import jobs
from tests.support.funding import tokens
from tests.support.server import running_server

WORKERS, TASKS, K, LEASE_SECONDS, ABANDONERS = 32, 500, 3, 10, 6
PAY = {"FAIRLABEL_FLOORS": '{"USD": 5000000}', "FAIRLABEL_REVIEW_WINDOW_HOURS": "0",
       "FAIRLABEL_SWEEP_SECONDS": "1"}
pytestmark = pytest.mark.slow


def _settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, floors={"USD": 5_000_000},
                    review_window_hours=0, sweep_seconds=0)


def _sweeper(database_url: str, stop: threading.Event, errors: list[str]) -> None:
    container = bootstrap(_settings(database_url))
    try:
        while not stop.wait(0.25):  # two sweepers at once, each running every quarter second
            jobs.run_due_work(container.db, container.charter, now=container.clock())
    except Exception as error:  # reported by the test
        errors.append(f"sweeper: {error!r}")
    finally:
        container.close()


def test_32_workers_fill_500_tasks_exactly(server_db: str, tmp_path: Path) -> None:
    requester, workers, admin = tokens(server_db, WORKERS)
    with running_server(server_db, tmp_path, env=PAY) as server:
        api = httpx.Client(base_url=f"{server.url}/api/v1", timeout=30,
                           headers={"Authorization": f"Bearer {requester}"})
        project = api.post("/projects", json={
            "name": "race", "instructions": "", "redundancy": K,
            "schema": {"type": "single_choice", "choices": ["a", "b"]},
            "pay_per_task": {"amount_minor": 5, "currency": "USD"},
            "lease_seconds": LEASE_SECONDS}).json()
        pid = project["id"]
        deposit = api.post("/admin/deposits", headers={"Authorization": f"Bearer {admin}"},
                           json={"requester": "requester0@example.org",
                                 "amount": {"amount_minor": 10**9, "currency": "USD"}})
        assert deposit.status_code == 201, deposit.text
        assert api.post(f"/projects/{pid}/fund", json={"amount": {
            "amount_minor": 10**9, "currency": "USD"}}).status_code == 200
        imported = api.post(f"/projects/{pid}/tasks",
                            json=[{"data": {"n": i}} for i in range(TASKS)])
        assert imported.json()["imported"] == TASKS
        assert api.post(f"/projects/{pid}/launch").status_code == 200

        submitted: list[tuple[int, int]] = []  # (worker index, task id)
        abandoned: list[int] = []
        expired: list[int] = []  # leases that ran out before their answer arrived
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
                    if sent.status_code == 409 and sent.json()["error"] == "lease_expired":
                        # On a loaded machine a cycle can outlast the 10-second lease: the
                        # task went back to the pool (the rule), so ask for work again.
                        with lock:
                            expired.append(lease["task"]["id"])
                        continue
                    if sent.status_code not in (200, 201):
                        errors.append(f"submit {sent.status_code} {sent.text}")
                        return
                    with lock:
                        submitted.append((index, lease["task"]["id"]))

        stop_sweeping = threading.Event()
        sweepers = [threading.Thread(target=_sweeper, args=(server_db, stop_sweeping, errors))
                    for _ in range(2)]
        threads = [threading.Thread(target=work, args=(i,)) for i in range(WORKERS)]
        for t in [*sweepers, *threads]:
            t.start()
        for t in threads:
            t.join()
        stop_sweeping.set()
        for t in sweepers:
            t.join()
        api.close()

    assert errors == []
    assert len(submitted) == TASKS * K
    per_task = Counter(task for _, task in submitted)
    assert len(per_task) == TASKS and set(per_task.values()) == {K}
    assert len(set(submitted)) == len(submitted)  # no worker twice on a task
    assert len(abandoned) == ABANDONERS
    container = bootstrap(_settings(server_db))
    try:
        jobs.run_due_work(container.db, container.charter, now=container.clock())
        _assert_paid_exactly_once(container)
        with container.engine.connect() as conn:
            statuses = dict(conn.execute(select(assignments.c.status, func.count())
                                         .group_by(assignments.c.status)).all())
            over = conn.execute(select(func.count()).select_from(tasks)
                                .where(tasks.c.answered != K)).scalar_one()
    finally:
        container.close()
    assert statuses == {"submitted": TASKS * K, "expired": ABANDONERS + len(expired)}
    assert over == 0


def _assert_paid_exactly_once(container: Container) -> None:
    with container.db.read() as tx:
        entries = tx.ledger.all_entries()
    ledger.check_invariants(entries)
    assert ledger.verify(entries).ok
    paid: Counter[int] = Counter()
    for entry in entries:
        if entry.kind in ("earn", "topup") and entry.account.startswith("worker:"):
            paid[int(entry.memo["assignment_id"])] += entry.amount_minor
    with container.engine.connect() as conn:
        answers = conn.execute(select(assignments).where(
            assignments.c.status == "submitted")).all()
        median = conn.execute(select(projects.c.measured_median_ms)).scalar_one()
    fair = fair_price(5_000_000, median)
    assert len(answers) == TASKS * K
    assert all(a.approved_at is not None for a in answers)
    assert all(a.price_minor + a.topped_up_minor >= fair for a in answers)
    assert sum(a.topped_up_minor > 0 for a in answers) > 0
    assert {a.id: a.price_minor + a.topped_up_minor for a in answers} == dict(paid)
