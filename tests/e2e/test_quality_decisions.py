"""Gold and qualification as decisions: a failed test is recorded, gold accuracy below the
project's threshold makes a rule propose a block, and is evidence for withholding the pay of
an answer shown wrong (rule withhold_evidence@2) — never of a right one."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from fairlabel.adapters.container import Container
from fairlabel.domain.accounts import Role, User
from fairlabel.domain.review import WithholdNotEvidenced
from fairlabel.services import quality, review
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


LOW_GOLD = {"gold_min_accuracy": 0.8, "gold_min_items": 2,
            "qualification": {"size": 2, "pass_mark": 0.5, "retry_after_hours": 24}}


def _low_gold_worker(client: TestClient, people: Accounts, pid: int) -> tuple[User, str]:
    """A worker who answers 1 of 2 qualification (gold) items right: passes, below 0.8."""
    user, token = people.make(Role.WORKER)[:2]
    for value in ("b", "a"):
        answer(client, take(client, pid, token), token, value)
    return user, token


def _withhold(client: TestClient, requester: str, assignment_id: int) -> Any:
    return client.post(f"/api/v1/assignments/{assignment_id}/review", headers=bearer(requester),
                       json={"decision": "reject", "reason": "careless", "withhold_pay": True})


def test_gold_below_the_threshold_proposes_a_block_but_withholds_no_unchecked_answer(
        client: TestClient, container: Container, people: Accounts, clock: FakeClock) -> None:
    requester = people.make(Role.REQUESTER)[1]
    moderator = people.make(Role.MODERATOR)[1]
    pid = setup(client, container, requester, work=3, gold=4, quality=LOW_GOLD)
    _, worker = _low_gold_worker(client, people, pid)
    work = take(client, pid, worker)
    assert "qualification" not in work
    clock.advance(seconds=20)
    answer(client, work, worker, "a")
    refused = _withhold(client, requester, work["assignment_id"])
    assert refused.status_code == 409, refused.text
    assert refused.json()["rule"] == "withhold_evidence@2"
    assert "below the project's 0.8, but this answer is not shown wrong: the task has no " \
           "consensus yet" in refused.json()["message"]
    assert "wait until other workers have answered this task" in refused.json()["message"]
    assert refused.json()["checks"]["gold"] == {"gold_correct": 1, "gold_total": 2,
                                                "gold_min_accuracy": "0.8",
                                                "gold_min_items": 2}
    assert sweep(container, clock).proposals == 1
    [proposal] = client.get("/api/v1/moderation/proposals", headers=bearer(moderator)).json()
    assert proposal["rule"] == "gold_accuracy@1" and proposal["status"] == "proposed"
    assert client.get(f"/api/v1/projects/{pid}/next", headers=bearer(worker)).status_code == 200


def test_low_gold_withholds_an_answer_against_the_consensus_of_others_never_a_right_one(
        client: TestClient, container: Container, people: Accounts, clock: FakeClock) -> None:
    """Through the review service on the real database: a worker below the gold threshold
    answers two tasks; the requester asks to withhold both. Without a consensus both pay;
    once two other workers agreed on each task, the answer against them is withheld and the
    one that agrees with them still pays."""
    requester_user, requester = people.make(Role.REQUESTER)[:2]
    pid = setup(client, container, requester, work=2, gold=4, quality=LOW_GOLD)
    _, low = _low_gold_worker(client, people, pid)
    own: dict[str, int] = {}
    for value in ("a", "b"):
        lease = take(client, pid, low)
        clock.advance(seconds=20)
        answer(client, lease, low, value)
        own[value] = lease["assignment_id"]

    def withhold(assignment_id: int) -> Any:
        return review.review_answer(container.db, requester_user, assignment_id,
                                    approve=False, reason="careless", withhold_pay=True,
                                    policy=container.charter, now=clock())

    with pytest.raises(WithholdNotEvidenced, match="no consensus yet"):
        withhold(own["a"])  # no other worker answered yet
    for token in [people.make(Role.WORKER)[1] for _ in range(2)]:
        for value in ("a", "a"):  # both qualification items right
            answer(client, take(client, pid, token), token, value)
        for _ in range(2):
            lease = take(client, pid, token)
            clock.advance(seconds=20)
            answer(client, lease, token, "b")
    quality.refresh_consensus(container.db, now=clock(), refit=container.consensus_refit)

    with pytest.raises(WithholdNotEvidenced, match="agrees with the task's consensus") as right:
        withhold(own["b"])
    assert right.value.checks["answer"]["compared_with"] == "consensus"
    decision = withhold(own["a"])
    assert decision.outcome == "rejected: pay withheld"
    assert decision.rule == "withhold_evidence@2"
    assert decision.inputs["evidence"] == ["gold_accuracy"]
    checked = decision.inputs["answer"]
    assert checked["compared_with"] == "consensus" and checked["answer_shown_wrong"]
    assert checked["other_answers_agreeing"] == 2 and checked["consensus_confidence"] >= 0.8
    assert "differs from the task's consensus, which other workers reached" in str(
        decision.explanation)


