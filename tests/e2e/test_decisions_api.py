"""Charter rule 6 through the API, on SQLite and PostgreSQL: reviews, withholding on evidence
only, appeals and their deadline, proposals that only a moderator turns into a block."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from fairlabel.adapters.container import Container
from fairlabel.domain.accounts import Role
from fairlabel.domain.decisions import DecisionKind
from fairlabel.domain.errors import InvalidInput
from fairlabel.domain.messages import Msg
from fairlabel.domain.review import Proposal
from fairlabel.services import decisions
from tests.conftest import Accounts
from tests.support.clock import FakeClock
from tests.support.work import answer, balance, bearer, launched_project, sweep


@pytest.fixture
def world(client: TestClient, container: Container, people: Accounts,
          clock: FakeClock) -> dict[str, Any]:
    """A project measured at a 30 s median (20 answers of a steady worker); a second worker
    who is about to answer impossibly fast; a moderator."""
    requester, rtoken = people.make(Role.REQUESTER)
    pid = launched_project(container, requester, price=20)
    steady = people.make(Role.WORKER)[1]
    steady_ids = answer(client, clock, steady, pid, seconds=30, count=20)
    sweep(container, clock)
    fast_user, fast = people.make(Role.WORKER)
    moderator = people.make(Role.MODERATOR)[1]
    return {"requester": requester, "rtoken": rtoken, "pid": pid, "steady": steady,
            "steady_ids": steady_ids, "fast": fast, "fast_user": fast_user,
            "moderator": moderator}


def review(client: TestClient, token: str, assignment_id: int, **body: Any) -> Any:
    return client.post(f"/api/v1/assignments/{assignment_id}/review", json=body,
                       headers=bearer(token))


def test_a_rejection_needs_a_reason(client: TestClient, world: dict[str, Any]) -> None:
    target = world["steady_ids"][0]
    for body in ({"decision": "reject"}, {"decision": "reject", "reason": "   "}):
        refused = review(client, world["rtoken"], target, **body)
        assert refused.status_code == 422, refused.text
    assert client.get("/api/v1/me/decisions",
                      headers=bearer(world["steady"])).json() == []


def test_a_rejection_without_evidence_still_pays(client: TestClient,
                                                 world: dict[str, Any]) -> None:
    target, worker = world["steady_ids"][0], world["steady"]
    pending = balance(client, worker, "pending")
    refused = review(client, world["rtoken"], target, decision="reject",
                     reason="wrong label", withhold_pay=True)
    assert refused.status_code == 409
    assert refused.json()["error"] == "withhold_not_evidenced"
    assert "withhold_evidence@2" in refused.json()["message"]
    assert refused.json()["rule"] == "withhold_evidence@2"
    assert balance(client, worker, "pending") == pending  # a refusal changes nothing

    rejected = review(client, world["rtoken"], target, decision="reject", reason="wrong label")
    assert rejected.status_code == 200, rejected.text
    body = rejected.json()
    assert body["kind"] == "answer_rejected" and body["outcome"] == "rejected: paid"
    assert body["inputs"]["reason"] == "wrong label" and body["decided_by"] == "requester"
    assert balance(client, worker, "available") == 20
    assert balance(client, worker, "pending") == pending - 20
    mine = client.get("/api/v1/me/decisions", headers=bearer(worker)).json()
    assert [d["id"] for d in mine] == [body["id"]]
    assert set(mine[0]) >= {"id", "kind", "rule", "inputs", "outcome", "explanation",
                            "created_at", "appeal"}
    again = review(client, world["rtoken"], target, decision="approve")
    assert again.status_code == 409 and again.json()["error"] == "already_reviewed"


def test_approval_is_a_recorded_decision(client: TestClient, world: dict[str, Any]) -> None:
    first, second = world["steady_ids"][:2]
    approved = review(client, world["rtoken"], first, decision="approve")
    assert approved.status_code == 200 and approved.json()["kind"] == "answer_approved"
    legacy = client.post(f"/api/v1/assignments/{second}/approve", headers=bearer(world["rtoken"]))
    assert legacy.status_code == 200
    assert client.post(f"/api/v1/assignments/{second}/approve",
                       headers=bearer(world["rtoken"])).status_code == 200  # idempotent
    assert balance(client, world["steady"], "available") == 40
    kinds = [d["kind"] for d in client.get("/api/v1/me/decisions",
                                           headers=bearer(world["steady"])).json()]
    assert kinds == ["answer_approved", "answer_approved"]


def withhold_fast_answer(client: TestClient, world: dict[str, Any], clock: FakeClock) -> int:
    [target] = answer(client, clock, world["fast"], world["pid"], seconds=1)
    withheld = review(client, world["rtoken"], target, decision="reject",
                      reason="answered without reading", withhold_pay=True)
    assert withheld.status_code == 200, withheld.text
    decision = withheld.json()
    assert decision["rule"] == "withhold_evidence@2"
    assert decision["inputs"]["evidence"] == ["working_time"]
    assert decision["inputs"]["time"] == {
        "worked_ms": 1000, "median_ms": 30000, "answers_measured": 20,
        "min_answers_for_median": 20, "fast_share": "1/10"}
    assert decision["outcome"] == "rejected: pay withheld"
    assert balance(client, world["fast"], "pending") == 0
    assert balance(client, world["fast"], "available") == 0
    return int(decision["id"])


def test_withheld_pay_is_paid_when_the_appeal_is_overturned(
        client: TestClient, world: dict[str, Any], clock: FakeClock) -> None:
    decision_id = withhold_fast_answer(client, world, clock)
    fast, moderator = world["fast"], world["moderator"]
    filed = client.post(f"/api/v1/decisions/{decision_id}/appeal",
                        json={"message": "I knew this one at a glance"}, headers=bearer(fast))
    assert filed.status_code == 201, filed.text
    second = client.post(f"/api/v1/decisions/{decision_id}/appeal",
                         json={"message": "again"}, headers=bearer(fast))
    assert second.status_code == 409 and second.json()["error"] == "already_appealed"

    queue = client.get("/api/v1/moderation/appeals", headers=bearer(moderator)).json()
    assert [q["appeal"]["id"] for q in queue] == [filed.json()["id"]]
    assert queue[0]["decision"]["inputs"]["evidence"] == ["working_time"]
    assert queue[0]["appeal"]["message"] == "I knew this one at a glance"
    resolved = client.post(f"/api/v1/appeals/{filed.json()['id']}/resolve",
                           json={"outcome": "overturned", "reason": "a one-word text"},
                           headers=bearer(moderator))
    assert resolved.status_code == 200 and resolved.json()["status"] == "overturned"
    assert balance(client, fast, "available") == 20
    entries = client.get("/api/v1/me/earnings", headers=bearer(fast)).json()["entries"]
    assert [e["kind"] for e in entries if e["kind"] == "appeal_pay"] == ["appeal_pay"]
    mine = client.get("/api/v1/me/decisions", headers=bearer(fast)).json()[0]
    assert mine["appeal"]["status"] == "overturned" and mine["appeal"]["resolved_by"] == "moderator"
    again = client.post(f"/api/v1/appeals/{filed.json()['id']}/resolve",
                        json={"outcome": "upheld", "reason": "changed my mind"},
                        headers=bearer(moderator))
    assert again.status_code == 409
    assert client.get("/api/v1/moderation/appeals", headers=bearer(moderator)).json() == []


def test_an_upheld_appeal_keeps_the_pay_withheld(
        client: TestClient, world: dict[str, Any], clock: FakeClock,
        container: Container) -> None:
    decision_id = withhold_fast_answer(client, world, clock)
    filed = client.post(f"/api/v1/decisions/{decision_id}/appeal", json={"message": "no"},
                        headers=bearer(world["fast"])).json()
    upheld = client.post(f"/api/v1/appeals/{filed['id']}/resolve",
                         json={"outcome": "upheld", "reason": "one second is not reading"},
                         headers=bearer(world["moderator"]))
    assert upheld.status_code == 200
    clock.advance(days=30)
    sweep(container, clock)
    assert balance(client, world["fast"], "available") == 0


def test_an_appeal_past_its_deadline_is_overturned_for_the_worker(
        client: TestClient, world: dict[str, Any], clock: FakeClock,
        container: Container) -> None:
    decision_id = withhold_fast_answer(client, world, clock)
    filed = client.post(f"/api/v1/decisions/{decision_id}/appeal", json={"message": "unfair"},
                        headers=bearer(world["fast"])).json()
    clock.advance(days=7, seconds=-1)
    assert sweep(container, clock).appeals_overturned == 0
    clock.advance(seconds=1)
    assert sweep(container, clock).appeals_overturned == 1
    assert sweep(container, clock).appeals_overturned == 0  # once
    mine = client.get("/api/v1/me/decisions", headers=bearer(world["fast"])).json()[0]
    assert mine["appeal"]["id"] == filed["id"]
    assert mine["appeal"]["status"] == "overturned" and mine["appeal"]["resolved_by"] == "deadline"
    assert balance(client, world["fast"], "available") == 20


def test_only_the_concerned_and_the_right_roles_act(
        client: TestClient, world: dict[str, Any], clock: FakeClock, people: Accounts) -> None:
    decision_id = withhold_fast_answer(client, world, clock)
    other_requester = people.make(Role.REQUESTER)[1]
    steady, fast = world["steady"], world["fast"]
    target = world["steady_ids"][0]
    assert review(client, other_requester, target, decision="approve").status_code == 404
    assert review(client, steady, target, decision="approve").status_code == 403
    assert client.post(f"/api/v1/decisions/{decision_id}/appeal", json={"message": "mine?"},
                       headers=bearer(steady)).status_code == 404
    filed = client.post(f"/api/v1/decisions/{decision_id}/appeal", json={"message": "x"},
                        headers=bearer(fast)).json()
    for token in (fast, world["rtoken"]):
        assert client.get("/api/v1/moderation/appeals", headers=bearer(token)).status_code == 403
        assert client.post(f"/api/v1/appeals/{filed['id']}/resolve",
                           json={"outcome": "overturned", "reason": "me"},
                           headers=bearer(token)).status_code == 403
    assert client.get("/api/v1/me/decisions", headers=bearer(steady)).json() == []


def test_an_automated_rule_cannot_block_a_worker_without_a_moderator(
        client: TestClient, world: dict[str, Any], clock: FakeClock,
        container: Container) -> None:
    fast, moderator, pid = world["fast"], world["moderator"], world["pid"]
    answer(client, clock, fast, pid, seconds=1, count=10)
    report = sweep(container, clock)
    assert report.proposals == 1
    assert sweep(container, clock).proposals == 0  # proposed once, not every sweep
    [proposal] = client.get("/api/v1/moderation/proposals", headers=bearer(moderator)).json()
    assert proposal["rule"] == "fast_answers@1" and proposal["status"] == "proposed"
    assert proposal["kind"] == "quality_block" and proposal["inputs"]["fast_answers"] == 10
    # The rule alone changes nothing: the worker still gets work, and sees the proposal.
    assert client.get(f"/api/v1/projects/{pid}/next", headers=bearer(fast)).status_code == 200
    mine = client.get("/api/v1/me/decisions", headers=bearer(fast)).json()
    assert [d["status"] for d in mine] == ["proposed"]
    assert client.post(f"/api/v1/decisions/{proposal['id']}/appeal", json={"message": "x"},
                       headers=bearer(fast)).json()["error"] == "not_appealable"
    # Nor can any use case record a rule's block as final.
    with pytest.raises(InvalidInput, match="only propose"), container.db.write() as tx:
        decisions.record_decision(tx, worker_id=world["fast_user"].id,
                                  kind=DecisionKind.QUALITY_BLOCK, rule="fast_answers@1",
                                  outcome="blocked", explanation=Msg.text("x"), now=clock())
    declined = client.post(f"/api/v1/proposals/{proposal['id']}/resolve",
                           json={"outcome": "declined", "reason": "short texts"},
                           headers=bearer(moderator))
    assert declined.status_code == 200 and declined.json()["status"] == "declined"
    assert declined.json()["follows_id"] == proposal["id"]
    assert client.get("/api/v1/moderation/proposals", headers=bearer(moderator)).json() == []
    assert client.get(f"/api/v1/projects/{pid}/next", headers=bearer(fast)).status_code == 200


def test_a_confirmed_block_stops_work_until_an_appeal_overturns_it(
        client: TestClient, world: dict[str, Any], clock: FakeClock,
        container: Container) -> None:
    fast, moderator, pid = world["fast"], world["moderator"], world["pid"]
    with container.db.write() as tx:
        proposed = decisions.propose(tx, worker_id=world["fast_user"].id, project_id=pid,
                                     kind=DecisionKind.QUALITY_BLOCK, now=clock(),
                                     proposal=Proposal("fast_answers@1", {"fast_answers": 10},
                                                       Msg.text("too fast")))
        tx.commit()
    confirmed = client.post(f"/api/v1/proposals/{proposed.id}/resolve",
                            json={"outcome": "confirmed", "reason": "checked the answers"},
                            headers=bearer(moderator))
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["decided_by"] == "moderator"
    assert confirmed.json()["rule"] == "fast_answers@1"
    twice = client.post(f"/api/v1/proposals/{proposed.id}/resolve",
                        json={"outcome": "declined", "reason": "no"}, headers=bearer(moderator))
    assert twice.status_code == 409
    blocked = client.get(f"/api/v1/projects/{pid}/next", headers=bearer(fast))
    assert blocked.status_code == 409 and blocked.json()["error"] == "access_blocked"
    filed = client.post(f"/api/v1/decisions/{confirmed.json()['id']}/appeal",
                        json={"message": "I read fast"}, headers=bearer(fast)).json()
    client.post(f"/api/v1/appeals/{filed['id']}/resolve",
                json={"outcome": "overturned", "reason": "answers were right"},
                headers=bearer(moderator))
    assert client.get(f"/api/v1/projects/{pid}/next", headers=bearer(fast)).status_code == 200


def test_top_ups_and_pauses_are_decisions(client: TestClient, container: Container,
                                          people: Accounts, clock: FakeClock) -> None:
    requester, rtoken = people.make(Role.REQUESTER)
    pid = launched_project(container, requester, price=5)
    worker = people.make(Role.WORKER)[1]
    answer(client, clock, worker, pid, seconds=30, count=20)
    sweep(container, clock)
    [topup] = client.get("/api/v1/me/decisions", headers=bearer(worker)).json()
    assert topup["kind"] == "topup" and topup["rule"] == "pay_floor@1"
    assert topup["decided_by"] == "rule"
    assert topup["inputs"]["answers_topped_up"] == 20 and topup["inputs"]["median_ms"] == 30000
    assert topup["inputs"]["amount_minor"] == 20 * 8  # 5 → 13 cents at 15.00 USD/h
    assert client.post(f"/api/v1/projects/{pid}/pause", headers=bearer(rtoken)).status_code == 200
    pause = client.get("/api/v1/me/decisions", headers=bearer(worker)).json()[0]
    assert pause["kind"] == "pause" and pause["decided_by"] == "requester"
    assert pause["project_id"] == pid and "notice pay" in pause["explanation"]


def test_decisions_are_append_only_on_postgresql(
        client: TestClient, world: dict[str, Any], clock: FakeClock,
        container: Container) -> None:
    if container.engine.dialect.name != "postgresql":
        pytest.skip("the trigger is PostgreSQL's; SQLite relies on the application")
    withhold_fast_answer(client, world, clock)
    from sqlalchemy.exc import DBAPIError

    for statement in ("UPDATE decisions SET outcome = 'x'", "DELETE FROM decisions"):
        with pytest.raises(DBAPIError, match="append-only"), container.engine.begin() as conn:
            conn.execute(text(statement))


def test_an_overturned_withholding_is_topped_up_at_the_next_sweep_without_new_answers(
        client: TestClient, world: dict[str, Any], clock: FakeClock, people: Accounts,
        container: Container) -> None:
    """While withheld, an answer gets no top-up; once its pay stands again (overturned), it is
    owed the floor like the others, and the next sweep pays it though no answer came."""
    decision_id = withhold_fast_answer(client, world, clock)
    slow = people.make(Role.WORKER)[1]
    answer(client, clock, slow, world["pid"], seconds=120, count=35)  # the median rises
    sweep(container, clock)
    with container.engine.connect() as conn:
        fair = conn.execute(text(
            "SELECT MIN(price_minor + topped_up_minor) FROM assignments "
            "WHERE status = 'submitted' AND (review IS NULL OR review != 'withheld')")
        ).scalar_one()
    assert fair > 20  # everyone but the withheld answer was topped up
    filed = client.post(f"/api/v1/decisions/{decision_id}/appeal", json={"message": "no"},
                        headers=bearer(world["fast"])).json()
    client.post(f"/api/v1/appeals/{filed['id']}/resolve",
                json={"outcome": "overturned", "reason": "read it"},
                headers=bearer(world["moderator"]))
    assert balance(client, world["fast"], "available") == 20
    clock.advance(minutes=1)
    sweep(container, clock)
    assert balance(client, world["fast"], "available") == fair
