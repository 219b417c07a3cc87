"""Charter rule 8 through the API: ratings and testimonies, and privacy — a requester never
learns who rated or testified, a worker never reads another worker's data."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from fairlabel.adapters.container import Container
from fairlabel.domain.accounts import Role, User
from tests.conftest import Accounts
from tests.support.clock import FakeClock
from tests.support.work import answer, bearer, launched_project

SCORES = {"pay": 4, "communication": 3, "fairness": 5, "promptness": 2}


@pytest.fixture
def world(client: TestClient, container: Container, people: Accounts,
          clock: FakeClock) -> dict[str, Any]:
    requester, rtoken = people.make(Role.REQUESTER)
    pid = launched_project(container, requester, redundancy=5)
    workers: list[tuple[User, str]] = [people.make(Role.WORKER) for _ in range(4)]
    for _, token in workers:
        answer(client, clock, token, pid, seconds=12, count=3)
    return {"requester": requester, "rtoken": rtoken, "pid": pid, "workers": workers,
            "moderator": people.make(Role.MODERATOR)[1]}


def public_record(client: TestClient, requester_id: int) -> dict[str, Any]:
    response = client.get(f"/api/v1/public/requesters/{requester_id}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def identifiers(workers: list[tuple[User, str]]) -> list[str]:
    found = []
    for user, _ in workers:
        found += [user.email, user.pseudonym]
    return found


def test_a_worker_rates_once_after_a_few_answers(
        client: TestClient, world: dict[str, Any], people: Accounts, clock: FakeClock) -> None:
    pid = world["pid"]
    newcomer = people.make(Role.WORKER)[1]
    answer(client, clock, newcomer, pid, seconds=12, count=2)
    early = client.post(f"/api/v1/projects/{pid}/ratings", json=SCORES, headers=bearer(newcomer))
    assert early.status_code == 409 and early.json()["error"] == "not_enough_work"
    token = world["workers"][0][1]
    for bad in ({**SCORES, "pay": 6}, {**SCORES, "pay": 0}, {**SCORES, "pay": 2.5},
                {"pay": 3}):
        assert client.post(f"/api/v1/projects/{pid}/ratings", json=bad,
                           headers=bearer(token)).status_code == 422
    rated = client.post(f"/api/v1/projects/{pid}/ratings", json={**SCORES, "comment": "ok"},
                        headers=bearer(token))
    assert rated.status_code == 201, rated.text
    again = client.post(f"/api/v1/projects/{pid}/ratings", json=SCORES, headers=bearer(token))
    assert again.status_code == 409 and again.json()["error"] == "already_rated"
    assert client.post(f"/api/v1/projects/{pid}/ratings", json=SCORES,
                       headers=bearer(world["rtoken"])).status_code == 403


def test_ratings_show_as_aggregates_once_three_workers_rated(
        client: TestClient, world: dict[str, Any]) -> None:
    pid, rid = world["pid"], world["requester"].id
    for index, (_, token) in enumerate(world["workers"][:3]):
        assert public_record(client, rid)["ratings"] is None
        client.post(f"/api/v1/projects/{pid}/ratings",
                    json={**SCORES, "pay": index + 1, "comment": f"comment {index}"},
                    headers=bearer(token))
    ratings = public_record(client, rid)["ratings"]
    assert ratings["raters"] == 3 and ratings["pay"] == 2.0 and ratings["fairness"] == 5.0
    assert sorted(ratings["comments"]) == ["comment 0", "comment 1", "comment 2"]


def write_testimony(client: TestClient, world: dict[str, Any], index: int) -> int:
    made = client.post(f"/api/v1/projects/{world['pid']}/testimonies",
                       json={"text": f"Worker story number {index}: clear tasks, fair pay."},
                       headers=bearer(world["workers"][index][1]))
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


def approve(client: TestClient, world: dict[str, Any], testimony_id: int) -> None:
    done = client.post(f"/api/v1/testimonies/{testimony_id}/moderate",
                       json={"outcome": "approved"}, headers=bearer(world["moderator"]))
    assert done.status_code == 200, done.text


def test_testimonies_stay_hidden_until_three_workers_have_written(
        client: TestClient, world: dict[str, Any]) -> None:
    rid, rtoken = world["requester"].id, world["rtoken"]
    first = write_testimony(client, world, 0)
    approve(client, world, first)
    approve(client, world, write_testimony(client, world, 0))  # the same worker twice counts once
    second = write_testimony(client, world, 1)
    approve(client, world, second)
    assert public_record(client, rid)["testimonies"] == []
    assert client.post(f"/api/v1/testimonies/{first}/reply", json={"text": "thanks"},
                       headers=bearer(rtoken)).status_code == 404  # not published yet
    third = write_testimony(client, world, 2)
    assert public_record(client, rid)["testimonies"] == []  # waits for moderation
    pending = client.get("/api/v1/moderation/testimonies", headers=bearer(world["moderator"]))
    assert [t["id"] for t in pending.json()] == [third]
    approve(client, world, third)
    shown = public_record(client, rid)["testimonies"]
    assert len(shown) == 4 and {t["project_id"] for t in shown} == {world["pid"]}
    replied = client.post(f"/api/v1/testimonies/{first}/reply", json={"text": "Thank you."},
                          headers=bearer(rtoken))
    assert replied.status_code == 200
    assert "Thank you." in [t["reply"] for t in public_record(client, rid)["testimonies"]]
    assert client.post(f"/api/v1/testimonies/{first}/reply", json={"text": "again"},
                       headers=bearer(rtoken)).status_code == 409


def test_a_rejected_testimony_is_never_published(client: TestClient,
                                                 world: dict[str, Any]) -> None:
    ids = [write_testimony(client, world, i) for i in range(3)]
    refused = client.post(f"/api/v1/testimonies/{ids[2]}/moderate",
                          json={"outcome": "rejected"}, headers=bearer(world["moderator"]))
    assert refused.status_code == 422  # a rejection needs a reason
    client.post(f"/api/v1/testimonies/{ids[2]}/moderate",
                json={"outcome": "rejected", "reason": "names a person"},
                headers=bearer(world["moderator"]))
    approve(client, world, ids[0])
    approve(client, world, ids[1])
    assert public_record(client, world["requester"].id)["testimonies"] == []


def test_a_requester_cannot_learn_who_rated_or_testified(
        client: TestClient, world: dict[str, Any]) -> None:
    pid, rid, rtoken = world["pid"], world["requester"].id, world["rtoken"]
    for index, (_, token) in enumerate(world["workers"][:3]):
        client.post(f"/api/v1/projects/{pid}/ratings", json={**SCORES, "comment": "fine"},
                    headers=bearer(token))
        approve(client, world, write_testimony(client, world, index))
    page = client.get(f"/public/requesters/{rid}")
    assert page.status_code == 200 and "fine" in page.text
    seen = [json.dumps(public_record(client, rid)),
            client.get("/api/v1/public/requesters").text, page.text,
            client.get("/api/v1/me/export", headers=bearer(rtoken)).text,
            client.get("/api/v1/me/decisions", headers=bearer(rtoken)).text]
    for forbidden in [*identifiers(world["workers"]), '"worker_id"', '"worker"']:
        assert not any(forbidden in text for text in seen), forbidden
    export = client.get("/api/v1/me/export", headers=bearer(rtoken)).json()
    assert export["ratings"] == [] and export["testimonies"] == []
    for path in ("/api/v1/moderation/testimonies", "/api/v1/moderation/appeals",
                 "/api/v1/moderation/proposals"):
        assert client.get(path, headers=bearer(rtoken)).status_code == 403
    moderation = client.get("/api/v1/moderation/testimonies",
                            headers=bearer(world["moderator"])).text
    assert not any(forbidden in moderation for forbidden in identifiers(world["workers"]))


def test_a_worker_reads_only_their_own_data(
        client: TestClient, world: dict[str, Any], clock: FakeClock) -> None:
    (alice, alice_token), (bob, bob_token) = world["workers"][:2]
    target = client.get("/api/v1/me/export", headers=bearer(alice_token)).json()["answers"][0]
    rejected = client.post(f"/api/v1/assignments/{target['assignment_id']}/review",
                           json={"decision": "reject", "reason": "off topic"},
                           headers=bearer(world["rtoken"])).json()
    client.post(f"/api/v1/projects/{world['pid']}/ratings", json={**SCORES, "comment": "a"},
                headers=bearer(alice_token))
    write_testimony(client, world, 0)
    assert client.get("/api/v1/me/decisions", headers=bearer(bob_token)).json() == []
    assert client.post(f"/api/v1/decisions/{rejected['id']}/appeal", json={"message": "x"},
                       headers=bearer(bob_token)).status_code == 404
    bob_sees = [client.get(p, headers=bearer(bob_token)).text
                for p in ("/api/v1/me/export", "/api/v1/me/earnings", "/api/v1/me/statement",
                          "/api/v1/me/decisions")]
    for text in bob_sees:
        assert alice.email not in text and f"worker:{alice.id}:" not in text
        assert "off topic" not in text and "Worker story number 0" not in text
    bob_export = client.get("/api/v1/me/export", headers=bearer(bob_token)).json()
    assert {a["assignment_id"] for a in bob_export["answers"]}.isdisjoint(
        {a["assignment_id"] for a in client.get(
            "/api/v1/me/export", headers=bearer(alice_token)).json()["answers"]})
    assert bob_export["account"]["email"] == bob.email


def test_the_export_holds_everything_about_the_caller(
        client: TestClient, world: dict[str, Any]) -> None:
    user, token = world["workers"][0]
    target = client.get("/api/v1/me/export", headers=bearer(token)).json()["answers"][0]
    decision = client.post(f"/api/v1/assignments/{target['assignment_id']}/review",
                           json={"decision": "reject", "reason": "off topic"},
                           headers=bearer(world["rtoken"])).json()
    client.post(f"/api/v1/decisions/{decision['id']}/appeal", json={"message": "it was on"},
                headers=bearer(token))
    client.post(f"/api/v1/projects/{world['pid']}/ratings", json=SCORES, headers=bearer(token))
    write_testimony(client, world, 0)
    export = client.get("/api/v1/me/export", headers=bearer(token)).json()
    assert export["account"] == {"id": user.id, "email": user.email, "role": "worker",
                                 "pseudonym": user.pseudonym,
                                 "created_at": export["account"]["created_at"],
                                 "country": None}
    assert len(export["answers"]) == 3
    assert {a["worked_ms"] for a in export["answers"]} == {12_000}
    assert [a["review"] for a in export["answers"]].count("rejected") == 1
    assert [d["id"] for d in export["decisions"]] == [decision["id"]]
    assert export["decisions"][0]["appeal"]["message"] == "it was on"
    assert [a["message"] for a in export["appeals"]] == ["it was on"]
    assert {e["kind"] for e in export["ledger_entries"]} == {"earn", "approve"}
    assert export["ratings"][0]["pay"] == SCORES["pay"]
    assert export["testimonies"][0]["status"] == "pending"
