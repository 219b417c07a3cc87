"""A funded, launched project and workers answering it, through the API or the use cases."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from fairlabel.adapters.container import Container
from fairlabel.domain.accounts import User
from fairlabel.domain.label_schema import parse_schema
from fairlabel.domain.money import Money
from fairlabel.domain.projects import ProjectTerms
from fairlabel.services import assignment, jobs, projects
from tests.support.clock import FakeClock
from tests.support.funding import fund


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def usd(minor: Any) -> dict[str, Any]:
    return {"amount_minor": minor, "currency": "USD"}


def launched_project(container: Container, requester: User, *, tasks: int = 40,
                     redundancy: int = 3, price: int = 20, funding: int = 100_000,
                     name: str = "Sentiment") -> int:
    now = container.clock()
    project = projects.create_project(container.db, requester, ProjectTerms(
        name, "Choose the feeling.", parse_schema({"type": "single_choice",
                                                   "choices": ["a", "b"]}),
        redundancy, Money(price, "USD"), 600), policy=container.charter, now=now)
    projects.import_tasks(container.db, requester, project.id,
                          [{"data": {"text": f"{name} {i}"}} for i in range(tasks)],
                          max_rows=10_000, now=now)
    fund(container, requester, project.id, funding)
    projects.launch_project(container.db, requester, project.id, now=now, policy=container.charter)
    return project.id


def answer(client: TestClient, clock: FakeClock, token: str, project_id: int, *,
           seconds: float, count: int = 1) -> list[int]:
    """The worker answers ``count`` tasks, each taking ``seconds``; returns assignment ids."""
    done = []
    for _ in range(count):
        lease = client.get(f"/api/v1/projects/{project_id}/next", headers=bearer(token))
        assert lease.status_code == 200, lease.text
        assignment_id = lease.json()["assignment_id"]
        clock.advance(seconds=seconds)
        submitted = client.post(f"/api/v1/assignments/{assignment_id}/submit",
                                json={"answer": "a"}, headers=bearer(token))
        assert submitted.status_code == 201, submitted.text
        done.append(assignment_id)
    return done


def submit_next(container: Container, worker: User, project_id: int,
                label: str = "a") -> int | None:
    """The worker takes the project's next task and answers it at once, through the use
    cases; returns the assignment's id (None when no task is left for them)."""
    lease = assignment.request_next(container.db, worker, project_id, now=container.clock(),
                                    policy=container.charter)
    if lease is None:
        return None
    assignment.submit_answer(container.db, worker, lease.assignment_id, label,
                             idempotency_key=None, now=container.clock(),
                             policy=container.charter)
    return lease.assignment_id


def sweep(container: Container, clock: FakeClock) -> jobs.SweepReport:
    return jobs.run_due_work(container.db, container.charter, now=clock())


def balance(client: TestClient, token: str, bucket: str) -> int:
    found = client.get("/api/v1/me/earnings", headers=bearer(token)).json()["balances"][bucket]
    return sum(m["amount_minor"] for m in found)
