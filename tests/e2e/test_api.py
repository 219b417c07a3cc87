"""The /api/v1 contract, in process, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from fairlabel.adapters.container import Container
from fairlabel.adapters.db.tables import assignments, projects, tasks
from fairlabel.domain.accounts import Role
from fairlabel.services import accounts
from tests.conftest import Accounts
from tests.support.clock import FakeClock
from tests.support.funding import fund

SINGLE = {"type": "single_choice", "choices": ["a", "b"]}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def new_project(client: TestClient, token: str, schema: dict[str, Any] | None = None,
                **extra: Any) -> dict[str, Any]:
    body = {"name": "Sentiment", "instructions": "Pick **one**.", "schema": schema or SINGLE,
            "redundancy": 3, "pay_per_task": {"amount_minor": 5, "currency": "USD"}, **extra}
    response = client.post("/api/v1/projects", json=body, headers=bearer(token))
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def counts(container: Container) -> tuple[int, int, int]:
    with container.engine.connect() as conn:
        return tuple(conn.execute(select(func.count()).select_from(t)).scalar_one()  # type: ignore[return-value]
                     for t in (projects, tasks, assignments))


@pytest.fixture
def requester(people: Accounts) -> str:
    return people.make(Role.REQUESTER)[1]


@pytest.fixture
def worker(people: Accounts) -> str:
    return people.make(Role.WORKER)[1]


def fund_by_token(container: Container, token: str, project_id: int,
                  amount_minor: int = 100_000) -> None:
    owner = accounts.user_for_token(container.db, token)
    assert owner is not None
    fund(container, owner, project_id, amount_minor)


@pytest.fixture
def open_project(client: TestClient, requester: str, container: Container) -> dict[str, Any]:
    project = new_project(client, requester)
    fund_by_token(container, requester, project["id"])
    client.post(f"/api/v1/projects/{project['id']}/tasks",
                json=[{"data": {"text": f"t{i}"}} for i in range(3)], headers=bearer(requester))
    assert client.post(f"/api/v1/projects/{project['id']}/launch",
                       headers=bearer(requester)).status_code == 200
    return project


def test_create_returns_the_project_as_a_draft_with_money_as_integers(
        client: TestClient, requester: str, worker: str) -> None:
    project = new_project(client, requester)
    assert project["status"] == "draft"
    assert project["pay_per_task"] == {"amount_minor": 5, "currency": "USD"}
    assert project["schema"] == SINGLE and project["redundancy"] == 3
    assert client.get("/api/v1/projects", headers=bearer(worker)).json() == []


@pytest.mark.parametrize("schema", [
    {"type": "multi_choice", "choices": ["x", "y"]}, {"type": "rating", "min": 1, "max": 5},
    {"type": "free_text", "max_length": 2000}, {"type": "pairwise"}])
def test_every_task_type_can_be_created(client: TestClient, requester: str,
                                        schema: dict[str, Any]) -> None:
    assert new_project(client, requester, schema)["schema"] == schema


def test_import_accepts_json_ndjson_and_csv(client: TestClient, requester: str) -> None:
    pid = new_project(client, requester)["id"]
    url, auth = f"/api/v1/projects/{pid}/tasks", bearer(requester)
    assert client.post(url, json=[{"data": {"text": "x"}}], headers=auth).json()[
        "imported"] == 1
    ndjson = '{"data": {"text": "y"}}\n{"text": "z"}\n'
    assert client.post(url, content=ndjson, headers={
        **auth, "Content-Type": "application/x-ndjson"}).json()["imported"] == 2
    assert client.post(url, content="text,source\nhi,web\n", headers={
        **auth, "Content-Type": "text/csv"}).status_code == 201
    assert client.get(f"/api/v1/projects/{pid}", headers=auth).json()["progress"]["tasks"] == 4


def test_a_bad_row_rejects_the_whole_import_with_its_number(
        client: TestClient, requester: str, container: Container) -> None:
    pid = new_project(client, requester, {"type": "pairwise"})["id"]
    rows = [{"data": {"prompt": "p", "response_a": "a", "response_b": "b"}},
            {"data": {"prompt": "p", "response_a": "a"}}]
    response = client.post(f"/api/v1/projects/{pid}/tasks", json=rows,
                           headers=bearer(requester))
    assert response.status_code == 422
    assert response.json()["error"] == "import_rejected"
    assert "row 2" in response.json()["message"] and "response_b" in response.json()["message"]
    assert counts(container)[1] == 0


def test_an_import_over_the_size_limit_is_refused(client: TestClient, requester: str,
                                                  container: Container) -> None:
    container.settings.import_max_bytes = 100
    pid = new_project(client, requester)["id"]
    response = client.post(f"/api/v1/projects/{pid}/tasks",
                           json=[{"data": {"text": "x" * 200}}], headers=bearer(requester))
    assert response.status_code == 413
    assert "limit of 100 bytes" in response.json()["message"] or "limit is 100" in \
        response.json()["message"]
    assert counts(container)[1] == 0


def test_the_worker_loop_next_submit_retry_release(client: TestClient, worker: str,
                                                   open_project: dict[str, Any]) -> None:
    pid, auth = open_project["id"], bearer(worker)
    lease = client.get(f"/api/v1/projects/{pid}/next", headers=auth)
    assert lease.status_code == 200
    body = lease.json()
    assert set(body) == {"assignment_id", "task", "lease_expires_at"}
    assert body["task"]["data"]["text"].startswith("t")
    submit = f"/api/v1/assignments/{body['assignment_id']}/submit"
    first = client.post(submit, json={"answer": "a"}, headers={**auth, "Idempotency-Key": "1"})
    retry = client.post(submit, json={"answer": "a"}, headers={**auth, "Idempotency-Key": "1"})
    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json()["replayed"] is True
    second = client.get(f"/api/v1/projects/{pid}/next", headers=auth).json()
    assert second["task"]["id"] != body["task"]["id"]
    released = client.post(f"/api/v1/assignments/{second['assignment_id']}/release",
                           headers=auth)
    assert released.status_code == 200
    third = client.get(f"/api/v1/projects/{pid}/next", headers=auth).json()
    assert third["task"]["id"] not in (body["task"]["id"], second["task"]["id"])
    client.post(f"/api/v1/assignments/{third['assignment_id']}/submit", json={"answer": "b"},
                headers=auth)
    assert client.get(f"/api/v1/projects/{pid}/next", headers=auth).status_code == 204


def test_a_late_submission_is_refused_and_the_task_goes_back(
        client: TestClient, worker: str, people: Accounts, open_project: dict[str, Any],
        clock: FakeClock) -> None:
    pid = open_project["id"]
    lease = client.get(f"/api/v1/projects/{pid}/next", headers=bearer(worker)).json()
    clock.advance(seconds=open_project["lease_seconds"] + 1)
    late = client.post(f"/api/v1/assignments/{lease['assignment_id']}/submit",
                       json={"answer": "a"}, headers=bearer(worker))
    assert late.status_code == 409 and late.json()["error"] == "lease_expired"


@pytest.mark.parametrize("status_path", ["draft", "ended"])
def test_next_on_a_project_that_is_not_open_is_409_with_the_reason(
        client: TestClient, requester: str, worker: str, status_path: str,
        container: Container) -> None:
    pid = new_project(client, requester)["id"]
    if status_path == "ended":
        with container.engine.begin() as conn:
            conn.execute(projects.update().values(status="ended"))
    response = client.get(f"/api/v1/projects/{pid}/next", headers=bearer(worker))
    assert response.status_code == 409
    assert status_path in response.json()["message"]


def test_export_jsonl_and_csv(client: TestClient, requester: str, people: Accounts,
                              open_project: dict[str, Any]) -> None:
    pid = open_project["id"]
    for answer in ("a", "a", "b"):
        token = people.make(Role.WORKER)[1]
        lease = client.get(f"/api/v1/projects/{pid}/next", headers=bearer(token)).json()
        client.post(f"/api/v1/assignments/{lease['assignment_id']}/submit",
                    json={"answer": answer}, headers=bearer(token))
    jsonl = client.get(f"/api/v1/projects/{pid}/export?format=jsonl",
                       headers=bearer(requester))
    assert jsonl.status_code == 200
    import json
    records = [json.loads(line) for line in jsonl.text.splitlines()]
    assert len(records) == 3 and set(records[0]) == {"task_id", "data", "answers", "majority",
                                                     "consensus", "confidence", "settled",
                                                     "gold"}
    assert records[0]["majority"] == "a" and len(records[0]["answers"]) == 3
    assert all("@" not in a["worker"] for a in records[0]["answers"])
    csv_text = client.get(f"/api/v1/projects/{pid}/export?format=csv",
                          headers=bearer(requester)).text
    assert csv_text.splitlines()[0] == ("task_id,data,answers,majority,answer_count,consensus,"
                                        "confidence,settled,gold")


def test_errors_change_nothing(client: TestClient, requester: str, worker: str,
                               people: Accounts, container: Container,
                               open_project: dict[str, Any]) -> None:
    pid = open_project["id"]
    before = counts(container)
    other = people.make(Role.REQUESTER)[1]
    cases = [
        (client.post("/api/v1/projects", json={"name": "x"}), 401),
        (client.post("/api/v1/projects", json={"name": "x"},
                     headers=bearer("wrong-token")), 401),
        (client.post("/api/v1/projects", headers=bearer(worker), json={
            "name": "x", "schema": SINGLE,
            "pay_per_task": {"amount_minor": 5, "currency": "USD"}}), 403),
        (client.post(f"/api/v1/projects/{pid}/tasks", json=[{"data": {"t": 1}}],
                     headers=bearer(other)), 404),
        (client.get(f"/api/v1/projects/{pid}/export", headers=bearer(other)), 404),
        (client.post("/api/v1/projects", headers=bearer(requester), json={
            "name": "x", "schema": {"type": "single_choice", "choices": ["a"]},
            "pay_per_task": {"amount_minor": 5, "currency": "USD"}}), 422),
        (client.post("/api/v1/projects", headers=bearer(requester), json={
            "name": "x", "schema": SINGLE,
            "pay_per_task": {"amount_minor": 0.5, "currency": "USD"}}), 422),
        (client.get(f"/api/v1/projects/{pid}/next", headers=bearer(requester)), 403),
    ]
    lease = client.get(f"/api/v1/projects/{pid}/next", headers=bearer(worker)).json()
    before = counts(container)
    cases.append((client.post(f"/api/v1/assignments/{lease['assignment_id']}/submit",
                              json={"answer": "c"}, headers=bearer(worker)), 422))
    cases.append((client.post(f"/api/v1/assignments/{lease['assignment_id']}/submit",
                              json={"answer": "a"}, headers=bearer(people.make(
                                  Role.WORKER)[1])), 404))
    for response, expected in cases:
        assert response.status_code == expected, response.text
        assert response.json()["message"]
    assert counts(container) == before
    with container.engine.connect() as conn:
        assert conn.execute(select(assignments.c.status)).scalars().all() == ["leased"]


def test_the_openapi_document_describes_the_contract(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path in ("/api/v1/projects", "/api/v1/projects/{project_id}/next",
                 "/api/v1/assignments/{assignment_id}/submit",
                 "/api/v1/projects/{project_id}/export"):
        assert path in spec["paths"]
    assert spec["paths"]["/api/v1/projects"]["post"]["description"]


def test_csv_export_neutralises_formulas_written_by_workers(
        client: TestClient, requester: str, worker: str, container: Container) -> None:
    pid = new_project(client, requester, {"type": "free_text", "max_length": 100},
                      redundancy=1)["id"]
    client.post(f"/api/v1/projects/{pid}/tasks", json=[{"data": {"text": "say hi"}}],
                headers=bearer(requester))
    fund_by_token(container, requester, pid)
    client.post(f"/api/v1/projects/{pid}/launch", headers=bearer(requester))
    lease = client.get(f"/api/v1/projects/{pid}/next", headers=bearer(worker)).json()
    client.post(f"/api/v1/assignments/{lease['assignment_id']}/submit",
                json={"answer": "=HYPERLINK(\"http://evil\")"}, headers=bearer(worker))
    import csv
    import io
    text = client.get(f"/api/v1/projects/{pid}/export?format=csv",
                      headers=bearer(requester)).text
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert row["majority"] == "\'=HYPERLINK(\"http://evil\")"
