"""Moderators' own restricting decisions through the API, on SQLite and PostgreSQL: removal
from a project and revoking a qualification — explained, appealable, undone on overturn."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from fairlabel.adapters.container import Container
from fairlabel.domain.accounts import Role
from fairlabel.domain.label_schema import parse_schema
from fairlabel.domain.money import Money
from fairlabel.domain.projects import ProjectTerms
from fairlabel.domain.quality import Qualification, QualityTerms
from fairlabel.services import projects
from tests.conftest import Accounts
from tests.support.clock import FakeClock
from tests.support.funding import fund
from tests.support.work import bearer, launched_project


def appeal_and_overturn(client: TestClient, decision_id: int, worker: str,
                        moderator: str) -> None:
    filed = client.post(f"/api/v1/decisions/{decision_id}/appeal",
                        json={"message": "please look again"}, headers=bearer(worker))
    assert filed.status_code == 201, filed.text
    resolved = client.post(f"/api/v1/appeals/{filed.json()['id']}/resolve",
                           json={"outcome": "overturned", "reason": "a mistake"},
                           headers=bearer(moderator))
    assert resolved.status_code == 200, resolved.text


def test_a_moderator_removes_a_worker_who_reads_why_and_wins_the_appeal(
        client: TestClient, container: Container, people: Accounts) -> None:
    requester = people.make(Role.REQUESTER)[0]
    pid = launched_project(container, requester)
    worker_user, worker = people.make(Role.WORKER)
    moderator = people.make(Role.MODERATOR)[1]
    body = {"worker": worker_user.pseudonym, "project_id": pid, "reason": "shared answers"}
    refused = client.post("/api/v1/moderation/removals", json=body,
                          headers=bearer(people.make(Role.REQUESTER)[1]))
    assert refused.status_code == 403
    removed = client.post("/api/v1/moderation/removals", json=body, headers=bearer(moderator))
    assert removed.status_code == 201, removed.text
    decision = removed.json()
    assert decision["kind"] == "removal" and decision["decided_by"] == "moderator"
    assert client.post("/api/v1/moderation/removals", json=body,
                       headers=bearer(moderator)).status_code == 409
    blocked = client.get(f"/api/v1/projects/{pid}/next", headers=bearer(worker))
    assert blocked.status_code == 409 and blocked.json()["error"] == "access_blocked"
    mine = client.get("/api/v1/me/decisions", headers=bearer(worker)).json()
    assert any(d["id"] == decision["id"] and "shared answers" in d["explanation"]
               for d in mine)
    appeal_and_overturn(client, decision["id"], worker, moderator)
    assert client.get(f"/api/v1/projects/{pid}/next", headers=bearer(worker)).status_code == 200
    unknown = client.post("/api/v1/moderation/removals", headers=bearer(moderator),
                          json={**body, "worker": "w_nobody"})
    assert unknown.status_code == 404


def qualified_project(container: Container, people: Accounts) -> int:
    requester = people.make(Role.REQUESTER)[0]
    now = container.clock()
    project = projects.create_project(container.db, requester, ProjectTerms(
        "Checked", "Choose.", parse_schema({"type": "single_choice", "choices": ["a", "b"]}),
        3, Money(5, "USD"), 600,
        quality=QualityTerms(qualification=Qualification(1, 1.0, retry_after_hours=2))),
        policy=container.charter, now=now)
    projects.import_tasks(container.db, requester, project.id,
                          [{"data": {"i": i}} for i in range(3)]
                          + [{"data": {"g": i}, "gold": "a"} for i in range(3)],
                          max_rows=100, now=now)
    fund(container, requester, project.id, 100_000)
    projects.launch_project(container.db, requester, project.id, now=now, policy=container.charter)
    return project.id


def take_and_answer(client: TestClient, pid: int, token: str, value: str) -> dict[str, Any]:
    lease = client.get(f"/api/v1/projects/{pid}/next", headers=bearer(token))
    assert lease.status_code == 200, lease.text
    client.post(f"/api/v1/assignments/{lease.json()['assignment_id']}/submit",
                json={"answer": value}, headers=bearer(token))
    return lease.json()  # type: ignore[no-any-return]


def test_a_revoked_qualification_is_retaken_after_the_delay_or_restored_on_appeal(
        client: TestClient, container: Container, people: Accounts, clock: FakeClock) -> None:
    pid = qualified_project(container, people)
    worker_user, worker = people.make(Role.WORKER)
    moderator = people.make(Role.MODERATOR)[1]
    assert take_and_answer(client, pid, worker, "a")["qualification"] is True  # passed
    assert "qualification" not in take_and_answer(client, pid, worker, "a")
    body = {"worker": worker_user.pseudonym, "project_id": pid, "reason": "copied answers"}
    revoked = client.post("/api/v1/moderation/revocations", json=body,
                          headers=bearer(moderator))
    assert revoked.status_code == 201, revoked.text
    assert revoked.json()["kind"] == "qualification_revoked"
    again = client.post("/api/v1/moderation/revocations", json=body, headers=bearer(moderator))
    assert again.status_code == 409 and again.json()["error"] == "not_qualified"
    waiting = client.get(f"/api/v1/projects/{pid}/next", headers=bearer(worker))
    assert waiting.status_code == 409 and waiting.json()["error"] == "qualification_failed"
    assert "revoked" in waiting.json()["message"]
    state = client.get(f"/api/v1/projects/{pid}/my-quality", headers=bearer(worker)).json()
    assert state["qualification"]["state"] == "failed"
    appeal_and_overturn(client, revoked.json()["id"], worker, moderator)
    restored = client.get(f"/api/v1/projects/{pid}/my-quality", headers=bearer(worker)).json()
    assert restored["qualification"]["state"] == "passed"
    assert "qualification" not in take_and_answer(client, pid, worker, "a")

    # Revoked once more: after the project's two-hour delay, the test is served again.
    client.post("/api/v1/moderation/revocations", json={**body, "reason": "again"},
                headers=bearer(moderator))
    clock.advance(hours=2, seconds=1)
    assert take_and_answer(client, pid, worker, "a")["qualification"] is True


def test_revoking_needs_a_qualification_test(client: TestClient, container: Container,
                                             people: Accounts) -> None:
    pid = launched_project(container, people.make(Role.REQUESTER)[0])
    worker_user = people.make(Role.WORKER)[0]
    refused = client.post("/api/v1/moderation/revocations", headers=bearer(
        people.make(Role.MODERATOR)[1]), json={"worker": worker_user.pseudonym,
                                                "project_id": pid, "reason": "x"})
    assert refused.status_code == 409 and refused.json()["error"] == "no_qualification"
