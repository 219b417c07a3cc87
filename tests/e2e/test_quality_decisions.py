"""Gold and qualification as decisions: a failed test is recorded, gold accuracy below the
project's threshold is evidence for withholding and makes a rule propose a block."""

from __future__ import annotations

from fastapi.testclient import TestClient

from fairlabel.adapters.container import Container
from fairlabel.domain.accounts import Role
from tests.conftest import Accounts
from tests.e2e.test_quality_api import answer, setup, take, workers
from tests.support.clock import FakeClock
from tests.support.work import bearer, sweep


def test_a_failed_qualification_test_is_a_decision(
        client: TestClient, container: Container, people: Accounts) -> None:
    requester = people.make(Role.REQUESTER)[1]
    pid = setup(client, container, requester, work=3, gold=4, quality={
        "qualification": {"size": 2, "pass_mark": 1.0, "retry_after_hours": 24}})
    [worker] = workers(people, 1)
    for value in ("b", "a"):
        answer(client, take(client, pid, worker), worker, value)
    [decision] = client.get("/api/v1/me/decisions", headers=bearer(worker)).json()
    assert decision["kind"] == "qualification_failed" and decision["rule"] == "qualification@1"
    assert decision["inputs"]["correct"] == 1 and decision["inputs"]["answered"] == 2
    assert "24 hours" in decision["explanation"]


def test_gold_below_the_threshold_is_evidence_and_only_a_proposal(
        client: TestClient, container: Container, people: Accounts, clock: FakeClock) -> None:
    requester = people.make(Role.REQUESTER)[1]
    moderator = people.make(Role.MODERATOR)[1]
    pid = setup(client, container, requester, work=3, gold=4, quality={
        "gold_min_accuracy": 0.8, "gold_min_items": 2,
        "qualification": {"size": 2, "pass_mark": 0.5, "retry_after_hours": 24}})
    [worker] = workers(people, 1)
    for value in ("b", "a"):  # 1 of 2 gold answers right: passes the test, below 0.8
        answer(client, take(client, pid, worker), worker, value)
    work = take(client, pid, worker)
    assert "qualification" not in work
    clock.advance(seconds=20)
    answer(client, work, worker, "a")
    withheld = client.post(f"/api/v1/assignments/{work['assignment_id']}/review",
                           headers=bearer(requester),
                           json={"decision": "reject", "reason": "careless",
                                 "withhold_pay": True})
    assert withheld.status_code == 200, withheld.text
    assert withheld.json()["inputs"]["evidence"] == ["gold_accuracy"]
    assert withheld.json()["inputs"]["gold"] == {"gold_correct": 1, "gold_total": 2,
                                                 "gold_min_accuracy": "0.8",
                                                 "gold_min_items": 2}
    assert sweep(container, clock).proposals == 1
    [proposal] = client.get("/api/v1/moderation/proposals", headers=bearer(moderator)).json()
    assert proposal["rule"] == "gold_accuracy@1" and proposal["status"] == "proposed"
    assert client.get(f"/api/v1/projects/{pid}/next", headers=bearer(worker)).status_code == 200
