"""The public record's JSON (charter rule 9): no login, computed from the platform's own data,
and every response valid against the OpenAPI document the app serves."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator

from fairlabel.adapters.container import Container
from fairlabel.domain.accounts import Role
from tests.conftest import Accounts
from tests.support.clock import FakeClock
from tests.support.work import answer, bearer, launched_project, sweep, usd


def openapi_validator(client: TestClient, template: str) -> Draft202012Validator:
    spec = client.get("/openapi.json").json()
    schema = spec["paths"][template]["get"]["responses"]["200"]["content"]["application/json"][
        "schema"]
    return Draft202012Validator({**schema, "components": spec["components"]})


def check_against_openapi(client: TestClient, template: str, body: Any) -> None:
    errors = sorted(openapi_validator(client, template).iter_errors(body), key=str)
    assert not errors, errors[0]
    # The check has teeth: a body of the wrong shape is caught.
    broken = [{"rule": 1}] if isinstance(body, list) else {**body, "id": "one"}
    assert list(openapi_validator(client, template).iter_errors(broken))


@pytest.fixture
def record(client: TestClient, container: Container, people: Accounts,
           clock: FakeClock) -> dict[str, Any]:
    """A requester with a measured project (a price cut, reviews, an appeal, ratings) that
    ended at once with notice pay, and a continuation of it."""
    requester, rtoken = people.make(Role.REQUESTER)
    old = launched_project(container, requester, price=20, redundancy=3, name="Musen")
    workers = [people.make(Role.WORKER)[1] for _ in range(3)]
    done = {token: answer(client, clock, token, old, seconds=30, count=7) for token in workers}
    sweep(container, clock)
    cut = client.post(f"/api/v1/projects/{old}/price", headers=bearer(rtoken),
                      json={"pay_per_task": usd(18), "reason": "budget"})
    assert cut.status_code == 200
    first = workers[0]
    client.post(f"/api/v1/assignments/{done[first][0]}/review", headers=bearer(rtoken),
                json={"decision": "approve"})
    rejected = client.post(f"/api/v1/assignments/{done[first][1]}/review",
                           headers=bearer(rtoken),
                           json={"decision": "reject", "reason": "off"}).json()
    appeal = client.post(f"/api/v1/decisions/{rejected['id']}/appeal", headers=bearer(first),
                         json={"message": "it was on"}).json()
    moderator = people.make(Role.MODERATOR)[1]
    client.post(f"/api/v1/appeals/{appeal['id']}/resolve", headers=bearer(moderator),
                json={"outcome": "overturned", "reason": "it was on topic"})
    for token in workers:
        client.post(f"/api/v1/projects/{old}/ratings", headers=bearer(token),
                    json={"pay": 2, "communication": 4, "fairness": 3, "promptness": 5})
    clock.advance(hours=73)
    sweep(container, clock)  # the rest is approved when the review window ends
    ended = client.post(f"/api/v1/projects/{old}/end", headers=bearer(rtoken),
                        json={"reason": "the client left", "mode": "immediate"})
    assert ended.status_code == 200, ended.text
    new = launched_project(container, requester, name="Nova")
    with container.db.write() as tx:
        tx.projects.set_continuation(new, continuation_of=old,
                                     first_access_until=clock() + timedelta(days=7))
        tx.commit()
    return {"requester": requester, "old": old, "new": new,
            "notice_pay": sum(m["amount"]["amount_minor"]
                              for m in ended.json()["notice_pay"])}


def test_the_record_is_public_and_computed_from_the_platforms_data(
        client: TestClient, record: dict[str, Any]) -> None:
    rid = record["requester"].id
    listed = client.get("/api/v1/public/requesters")
    assert listed.status_code == 200
    assert {"id": rid, "name": record["requester"].pseudonym, "projects": 2} in listed.json()
    check_against_openapi(client, "/api/v1/public/requesters", listed.json())
    found = client.get(f"/api/v1/public/requesters/{rid}")
    assert found.status_code == 200
    body = found.json()
    check_against_openapi(client, "/api/v1/public/requesters/{requester_id}", body)
    musen = next(p for p in body["projects"] if p["name"] == "Musen")
    assert musen["median_seconds"] == 30.0 and musen["measured_answers"] == 21
    assert musen["effective_hourly"] == usd(2400) and musen["meets_floor"] is True
    assert musen["status"] == "ended"
    [cut] = body["price_changes"]
    assert cut["kind"] == "cut" and cut["notice_days"] == 14 and cut["notice_kept"]
    [ending] = body["endings"]
    assert ending["mode"] == "immediate" and ending["reason"] == "the client left"
    assert ending["notice_pay"] == usd(record["notice_pay"]) and record["notice_pay"] > 0
    assert body["continuations"] == [{"project_id": record["new"], "name": "Nova",
                                      "continues_project_id": record["old"],
                                      "continues_name": "Musen"}]
    reviews = body["reviews"]
    assert reviews["answers"] == 21 and reviews["approved"] == 1
    assert reviews["rejected"] == 1 and reviews["overturned"] == 1
    assert reviews["auto_approved"] == 19
    assert reviews["rejection_rate"] == round(1 / 21, 4)
    assert reviews["auto_approval_share"] == 0.95
    assert reviews["appeals"] == {"open": 0, "upheld": 0, "overturned": 1,
                                  "overturned_by_deadline": 0}
    assert body["ratings"] == {"raters": 3, "pay": 2.0, "communication": 4.0,
                               "fairness": 3.0, "promptness": 5.0, "comments": []}
    assert body["testimonies"] == []


def test_the_registry_is_public_and_valid(client: TestClient) -> None:
    found = client.get("/api/v1/public/algorithms")
    assert found.status_code == 200
    check_against_openapi(client, "/api/v1/public/algorithms", found.json())
    rules = {s["rule"]: s for s in found.json()}
    assert rules["fast_answers@1"]["proposes_only"] is True
    assert rules["withhold_evidence@2"]["parameters"][1]["value"].startswith("under 1/10")


def test_projects_name_their_requester_and_unknown_records_are_404(
        client: TestClient, container: Container, people: Accounts) -> None:
    requester, rtoken = people.make(Role.REQUESTER)
    pid = launched_project(container, requester)
    project = client.get(f"/api/v1/projects/{pid}", headers=bearer(rtoken)).json()
    assert project["requester_id"] == requester.id
    draft_only, _ = people.make(Role.REQUESTER)
    assert client.get(f"/api/v1/public/requesters/{draft_only.id}").status_code == 404
    worker, _ = people.make(Role.WORKER)
    assert client.get(f"/api/v1/public/requesters/{worker.id}").status_code == 404


def test_the_requesters_come_in_pages_that_reach_every_one_once(
        client: TestClient, container: Container, people: Accounts) -> None:
    launched = []
    for _ in range(5):
        requester, _ = people.make(Role.REQUESTER)
        launched_project(container, requester, tasks=1)
        launched.append(requester.id)
        people.make(Role.REQUESTER)  # no launched project: never listed
    seen: list[int] = []
    after = 0
    while True:
        page = client.get("/api/v1/public/requesters", params={"after": after, "limit": 2})
        assert page.status_code == 200
        ids = [r["id"] for r in page.json()]
        assert len(ids) <= 2 and ids == sorted(ids)
        seen += ids
        if len(ids) < 2:
            break
        after = ids[-1]
    assert seen == launched
    assert [r["id"] for r in client.get("/api/v1/public/requesters").json()] == launched
    assert client.get("/api/v1/public/requesters", params={"limit": 0}).status_code == 422
    html = client.get("/public/requesters", params={"after": launched[2]}).text
    assert f"/public/requesters/{launched[3]}" in html
    assert f"/public/requesters/{launched[2]}\"" not in html
