"""Pages of decisions, appeals, moderation and the public record, in process."""

from __future__ import annotations

from typing import Any

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from fairlabel.adapters.container import Container
from fairlabel.domain.accounts import Role
from tests.conftest import Accounts
from tests.e2e.test_pages import csrf, sign_in
from tests.support.clock import FakeClock
from tests.support.work import answer, bearer, launched_project


@pytest.fixture
def world(client: TestClient, container: Container, people: Accounts,
          clock: FakeClock) -> dict[str, Any]:
    requester, rtoken = people.make(Role.REQUESTER)
    pid = launched_project(container, requester, name="Birds")
    worker, wtoken = people.make(Role.WORKER)
    ids = answer(client, clock, wtoken, pid, seconds=12, count=3)
    return {"requester": requester, "rtoken": rtoken, "pid": pid, "worker": worker,
            "wtoken": wtoken, "ids": ids, "moderator": people.make(Role.MODERATOR)[0]}


def test_the_public_pages_need_no_login(client: TestClient, world: dict[str, Any]) -> None:
    rid = world["requester"].id
    listing = client.get("/public/requesters")
    assert listing.status_code == 200
    link = BeautifulSoup(listing.text, "html.parser").find("a", href=f"/public/requesters/{rid}")
    assert link is not None
    record = client.get(f"/public/requesters/{rid}")
    assert record.status_code == 200 and "Birds" in record.text
    assert "Shown once at least 3 workers" in record.text
    algorithms = client.get("/public/algorithms")
    assert algorithms.status_code == 200
    assert "withhold_evidence@2" in algorithms.text and "proposes only" in algorithms.text
    assert client.get("/public/requesters/999999").status_code == 404
    login = client.get("/login").text
    assert 'href="/public/requesters"' in login  # linked from the site


def test_a_worker_reads_a_rejection_and_appeals_it_on_the_page(
        client: TestClient, world: dict[str, Any]) -> None:
    client.post(f"/api/v1/assignments/{world['ids'][0]}/review",
                json={"decision": "reject", "reason": "the bird is a plane"},
                headers=bearer(world["rtoken"]))
    sign_in(client, world["worker"].email)
    page = client.get("/worker/decisions")
    assert page.status_code == 200 and "the bird is a plane" in page.text
    form = BeautifulSoup(page.text, "html.parser").find("form", action=lambda a: bool(
        a and a.endswith("/appeal")))
    assert form is not None
    sent = client.post(str(form["action"]), data={"csrf_token": csrf(client, "/worker/decisions"),
                                                  "message": "it is a bird"},
                       follow_redirects=True)
    assert "Appeal sent" in sent.text and "it is a bird" in sent.text
    rated = client.post(f"/worker/projects/{world['pid']}/rate", follow_redirects=True, data={
        "csrf_token": csrf(client, "/worker/decisions"), "pay": "4", "communication": "3",
        "fairness": "2", "promptness": "5", "comment": ""})
    assert "Thank you" in rated.text


def test_a_moderator_resolves_an_appeal_on_the_page(
        client: TestClient, world: dict[str, Any]) -> None:
    decision = client.post(f"/api/v1/assignments/{world['ids'][0]}/review",
                           json={"decision": "reject", "reason": "blurry"},
                           headers=bearer(world["rtoken"])).json()
    appeal = client.post(f"/api/v1/decisions/{decision['id']}/appeal",
                         json={"message": "it was sharp"}, headers=bearer(world["wtoken"])).json()
    sign_in(client, world["moderator"].email)
    assert client.get("/", follow_redirects=False).headers["location"] == "/moderation"
    page = client.get("/moderation")
    assert "it was sharp" in page.text and "blurry" in page.text
    done = client.post(f"/moderation/appeals/{appeal['id']}", follow_redirects=True, data={
        "csrf_token": csrf(client, "/moderation"), "outcome": "overturned",
        "reason": "sharp enough"})
    assert f"Appeal {appeal['id']} overturned" in done.text
    assert "No open appeal." in done.text


def test_a_requester_reviews_from_the_project_page(
        client: TestClient, world: dict[str, Any]) -> None:
    sign_in(client, world["requester"].email)
    path = f"/requester/projects/{world['pid']}"
    token = csrf(client, path)
    refused = client.post(f"/requester/answers/{world['ids'][0]}/review", follow_redirects=True,
                          data={"csrf_token": token, "project_id": str(world["pid"]),
                                "decision": "reject", "reason": "wrong",
                                "withhold_pay": "1"})
    assert "Not reviewed" in refused.text and "withhold_evidence@2" in refused.text
    done = client.post(f"/requester/answers/{world['ids'][0]}/review", follow_redirects=True,
                       data={"csrf_token": token, "project_id": str(world["pid"]),
                             "decision": "reject", "reason": "wrong"})
    assert "rejected: paid" in done.text


def test_a_moderator_removes_a_worker_from_the_page(
        client: TestClient, world: dict[str, Any]) -> None:
    sign_in(client, world["moderator"].email)
    done = client.post("/moderation/restrict", follow_redirects=True, data={
        "csrf_token": csrf(client, "/moderation"), "action_kind": "remove",
        "worker": world["worker"].pseudonym, "project_id": str(world["pid"]),
        "reason": "answers copied from another worker"})
    assert f"{world['worker'].pseudonym}: removed from the project" in done.text
    blocked = client.get(f"/api/v1/projects/{world['pid']}/next",
                         headers=bearer(world["wtoken"]))
    assert blocked.status_code == 409 and blocked.json()["error"] == "access_blocked"
    refused = client.post("/moderation/restrict", follow_redirects=True, data={
        "csrf_token": csrf(client, "/moderation"), "action_kind": "revoke",
        "worker": world["worker"].pseudonym, "project_id": str(world["pid"]),
        "reason": "no test here"})
    assert "Not done: this project has no qualification test" in refused.text
