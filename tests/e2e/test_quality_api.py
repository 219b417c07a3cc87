"""Quality control through the API: gold tasks, qualification, consensus, adaptive redundancy
— in process, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from fastapi.testclient import TestClient

from fairlabel.adapters.container import Container
from fairlabel.domain.accounts import Role
from tests.conftest import Accounts
from tests.e2e.test_api import bearer, fund_by_token, new_project
from tests.support.clock import FakeClock

SINGLE = {"type": "single_choice", "choices": ["a", "b"]}


@pytest.fixture
def requester(people: Accounts) -> str:
    return people.make(Role.REQUESTER)[1]


def workers(people: Accounts, n: int) -> list[str]:
    return [people.make(Role.WORKER)[1] for _ in range(n)]


def setup(client: TestClient, container: Container, token: str, *, work: int, gold: int,
          quality: dict[str, Any], redundancy: int = 3) -> int:
    project = new_project(client, token, redundancy=redundancy, quality=quality)
    pid: int = project["id"]
    fund_by_token(container, token, pid)
    rows = ([{"data": {"text": f"w{i}"}} for i in range(work)]
            + [{"data": {"text": f"g{i}"}, "gold": "a"} for i in range(gold)])
    imported = client.post(f"/api/v1/projects/{pid}/tasks", json=rows, headers=bearer(token))
    assert imported.status_code == 201, imported.text
    launched = client.post(f"/api/v1/projects/{pid}/launch", headers=bearer(token))
    assert launched.status_code == 200, launched.text
    return pid


def take(client: TestClient, pid: int, token: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/projects/{pid}/next", headers=bearer(token))
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def answer(client: TestClient, lease: dict[str, Any], token: str, value: Any) -> None:
    response = client.post(f"/api/v1/assignments/{lease['assignment_id']}/submit",
                           json={"answer": value}, headers=bearer(token))
    assert response.status_code in (200, 201), response.text


def test_gold_is_imported_validated_and_kept_out_of_progress(
        client: TestClient, container: Container, requester: str) -> None:
    pid = new_project(client, requester)["id"]
    bad = client.post(f"/api/v1/projects/{pid}/tasks", headers=bearer(requester),
                      json=[{"data": {"text": "x"}, "gold": "a"},
                            {"data": {"text": "y"}, "gold": "maybe"}])
    assert bad.status_code == 422 and "row 2" in bad.json()["message"]
    assert "gold answer" in bad.json()["message"]
    csv_body = "text,_gold\nfirst,\nsecond,b\n"
    ok = client.post(f"/api/v1/projects/{pid}/tasks", content=csv_body,
                     headers={**bearer(requester), "Content-Type": "text/csv"})
    assert ok.status_code == 201 and ok.json()["imported"] == 2
    project = client.get(f"/api/v1/projects/{pid}", headers=bearer(requester)).json()
    assert project["progress"] == {"tasks": 1, "answers": 0, "answers_wanted": 3}
    quality = client.get(f"/api/v1/projects/{pid}/quality", headers=bearer(requester)).json()
    assert quality["gold_tasks"] == 1


def test_a_project_needing_gold_cannot_launch_without_it(
        client: TestClient, container: Container, requester: str) -> None:
    project = new_project(client, requester, quality={"gold_rate": 0.2})
    client.post(f"/api/v1/projects/{project['id']}/tasks", json=[{"data": {"text": "x"}}],
                headers=bearer(requester))
    refused = client.post(f"/api/v1/projects/{project['id']}/launch",
                          headers=bearer(requester))
    assert refused.status_code == 409 and refused.json()["error"] == "not_enough_gold"


def test_gold_is_mixed_in_looks_like_work_and_is_explained_after_the_fact(
        client: TestClient, container: Container, requester: str, people: Accounts) -> None:
    container.rng = random.Random(7)
    pid = setup(client, container, requester, work=20, gold=10, quality={"gold_rate": 0.5})
    [worker] = workers(people, 1)
    seen_gold, seen_work = [], []
    for _ in range(16):
        lease = take(client, pid, worker)
        assert set(lease) == {"assignment_id", "task", "lease_expires_at"}
        text = lease["task"]["data"]["text"]
        (seen_gold if text.startswith("g") else seen_work).append(text)
        answer(client, lease, worker, "b" if text == "g0" or text == "g1" else "a")
    assert 3 <= len(seen_gold) <= 13 and seen_work  # about half, drawn at random
    earnings = client.get("/api/v1/me/earnings", headers=bearer(worker)).json()
    assert sum(m["amount_minor"] for m in earnings["balances"]["pending"]) == 16 * 5  # all paid
    mine = client.get(f"/api/v1/projects/{pid}/my-quality", headers=bearer(worker)).json()
    missed = [m["data"]["text"] for m in mine["missed_gold"]]
    wrong = {"g0", "g1"} & set(seen_gold)
    assert set(missed) == wrong
    assert all(m["expected"] == "a" and m["your_answer"] == "b" for m in mine["missed_gold"])
    total, correct = len(seen_gold), len(seen_gold) - len(wrong)
    assert mine["gold"]["total"] == total and mine["gold"]["correct"] == correct
    assert mine["gold"]["accuracy"] == pytest.approx((correct + 3) / (total + 4))
    # The export marks gold tasks with their expected answer; progress counts work only.
    export = client.get(f"/api/v1/projects/{pid}/export", headers=bearer(requester))
    records = [json.loads(line) for line in export.text.splitlines()]
    assert sum(r["gold"] is not None for r in records) == 10
    project = client.get(f"/api/v1/projects/{pid}", headers=bearer(requester)).json()
    assert project["progress"]["answers"] == len(seen_work)


def test_qualification_fails_waits_then_passes_and_opens_the_work(
        client: TestClient, container: Container, clock: FakeClock, requester: str,
        people: Accounts) -> None:
    pid = setup(client, container, requester, work=3, gold=4, quality={
        "qualification": {"size": 2, "pass_mark": 1.0, "retry_after_hours": 24}})
    [worker] = workers(people, 1)
    first = take(client, pid, worker)
    assert first["qualification"] is True and first["task"]["data"]["text"].startswith("g")
    answer(client, first, worker, "b")  # wrong
    second = take(client, pid, worker)
    assert second["qualification"] is True
    answer(client, second, worker, "a")
    # The test is paid like any task, right or wrong (5 cents per item here).
    earnings = client.get("/api/v1/me/earnings", headers=bearer(worker)).json()
    assert sum(m["amount_minor"] for m in earnings["balances"]["pending"]) == 10
    refused = client.get(f"/api/v1/projects/{pid}/next", headers=bearer(worker))
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"] == "qualification_failed"
    assert "1 of 2" in refused.json()["message"]
    mine = client.get(f"/api/v1/projects/{pid}/my-quality", headers=bearer(worker)).json()
    assert mine["qualification"]["state"] == "failed" and mine["qualification"]["retry_at"]
    clock.advance(hours=24, seconds=1)
    for _ in range(2):
        item = take(client, pid, worker)
        assert item["qualification"] is True
        answer(client, item, worker, "a")
    work = take(client, pid, worker)
    assert "qualification" not in work and work["task"]["data"]["text"].startswith("w")
    mine = client.get(f"/api/v1/projects/{pid}/my-quality", headers=bearer(worker)).json()
    assert mine["qualification"]["state"] == "passed"
    assert mine["gold"] == {"correct": 3, "total": 4, "accuracy": pytest.approx(6 / 8)}


def test_a_retry_needs_unseen_gold(client: TestClient, container: Container, clock: FakeClock,
                                   requester: str, people: Accounts) -> None:
    pid = setup(client, container, requester, work=2, gold=3, quality={
        "qualification": {"size": 2, "pass_mark": 1.0, "retry_after_hours": 0}})
    [worker] = workers(people, 1)
    for _ in range(2):
        answer(client, take(client, pid, worker), worker, "b")
    clock.advance(seconds=1)
    refused = client.get(f"/api/v1/projects/{pid}/next", headers=bearer(worker))
    assert refused.status_code == 409 and refused.json()["error"] == "not_enough_gold"


def test_consensus_and_confidence_reach_the_export_and_the_quality_view(
        client: TestClient, container: Container, requester: str, people: Accounts) -> None:
    pid = setup(client, container, requester, work=2, gold=0, quality={"consensus_method": "mv"})
    team = workers(people, 3)
    for token, value in zip(team, ["a", "a", "b"], strict=True):
        for _ in range(2):
            answer(client, take(client, pid, token), token, value)
    export = client.get(f"/api/v1/projects/{pid}/export", headers=bearer(requester))
    records = [json.loads(line) for line in export.text.splitlines()]
    assert [r["consensus"] for r in records] == ["a", "a"]
    assert all(r["confidence"] == pytest.approx(2 / 3) for r in records)
    csv_export = client.get(f"/api/v1/projects/{pid}/export?format=csv",
                            headers=bearer(requester))
    assert csv_export.text.splitlines()[1].endswith(",a,0.6667,false,")
    view = client.get(f"/api/v1/projects/{pid}/quality", headers=bearer(requester)).json()
    assert view["consensus"]["with_consensus"] == 2
    assert view["consensus"]["mean_confidence"] == pytest.approx(2 / 3)
    by_worker = {row["answers"]: row["accuracy"] for row in view["workers"]}
    assert len(view["workers"]) == 3 and set(by_worker) == {2}
    assert all("@" not in row["worker"] for row in view["workers"])


def test_adaptive_redundancy_stops_a_task_once_confident(
        client: TestClient, container: Container, requester: str, people: Accounts) -> None:
    pid = setup(client, container, requester, work=2, gold=0, redundancy=5, quality={
        "consensus_method": "ods", "confidence_target": 0.75, "min_answers": 2})
    team = workers(people, 4)
    # Two workers agree on task 1 and disagree on task 2.
    for token, values in zip(team[:2], [("a", "a"), ("a", "b")], strict=True):
        for value in values:
            answer(client, take(client, pid, token), token, value)
    third = take(client, pid, team[2])
    assert third["task"]["data"]["text"] == "w1"  # w0 is settled: not served again
    answer(client, third, team[2], "a")
    view = client.get(f"/api/v1/projects/{pid}/quality", headers=bearer(requester)).json()
    assert view["consensus"]["settled_early"] >= 1
    assert view["consensus"]["answers_saved"] >= 3
    records = [json.loads(line) for line in client.get(
        f"/api/v1/projects/{pid}/export", headers=bearer(requester)).text.splitlines()]
    assert records[0]["settled"] is True and records[0]["consensus"] == "a"
    assert records[0]["confidence"] >= 0.75


def test_quality_views_are_private(client: TestClient, container: Container, requester: str,
                                   people: Accounts) -> None:
    pid = setup(client, container, requester, work=2, gold=2, quality={"gold_rate": 0.5})
    other_requester = people.make(Role.REQUESTER)[1]
    [worker] = workers(people, 1)
    assert client.get(f"/api/v1/projects/{pid}/quality",
                      headers=bearer(other_requester)).status_code == 404
    assert client.get(f"/api/v1/projects/{pid}/quality",
                      headers=bearer(worker)).status_code == 403
    assert client.get(f"/api/v1/projects/{pid}/my-quality",
                      headers=bearer(requester)).status_code == 403
