"""Continuation cases through the API, on SQLite and PostgreSQL: a moderator lists the open
cases with their evidence, confirms one (raise and back pay) and dismisses another; nobody
else may; bad input is a plain 4xx."""

from __future__ import annotations

from fastapi.testclient import TestClient

from fairlabel.adapters.container import Container
from fairlabel.domain.accounts import Role
from fairlabel.domain.commitments import EndMode
from fairlabel.services import continuation, ending, projects
from tests.conftest import Accounts
from tests.e2e.test_pages import csrf, sign_in
from tests.integration.test_continuation_cases import NOVA, RENAMED, World, nova_rows, work
from tests.support.clock import FakeClock
from tests.support.work import bearer


def test_moderators_list_confirm_and_dismiss_continuation_cases(
        client: TestClient, container: Container, people: Accounts, clock: FakeClock) -> None:
    moderator, mod_token = people.make(Role.MODERATOR)
    world = World(container, clock, people, moderator)
    first = people.make(Role.REQUESTER)[0]
    second, second_token = people.make(Role.REQUESTER)
    musen = world.musen(first, [people.make(Role.WORKER)[0]])
    ending.end_project(container.db, first, musen, reason="Scope changed at the client.",
                       mode=EndMode.IMMEDIATE, policy=container.charter, now=clock())
    nova = world.project(second, "Nova", NOVA, RENAMED, 27, nova_rows())
    copy = world.project(people.make(Role.REQUESTER)[0], "Nova bis", NOVA, RENAMED, 30,
                         nova_rows())
    worker = people.make(Role.WORKER)[0]
    assert work(container, clock, worker, nova, seconds=60, answers=2) == 2

    for token in (second_token, people.make(Role.WORKER)[1]):
        assert client.get("/api/v1/moderation/continuations",
                          headers=bearer(token)).status_code == 403
        assert client.post("/api/v1/moderation/continuations/1/confirm",
                           headers=bearer(token)).status_code == 403
    listed = client.get("/api/v1/moderation/continuations", headers=bearer(mod_token))
    assert listed.status_code == 200, listed.text
    cases = listed.json()
    assert [c["project"]["id"] for c in cases] == [nova, copy]
    evidence = cases[0]
    assert evidence["earlier"]["id"] == musen and evidence["earlier"]["name"] == "Musen"
    assert evidence["earlier"]["requester"] == first.pseudonym
    assert evidence["project"]["requester"] == second.pseudonym
    assert evidence["case"]["earlier_median_ms"] == 60_000
    assert evidence["case"]["price"] == {"amount_minor": 27, "currency": "USD"}
    assert evidence["case"]["score"] >= 0.40

    confirmed = client.post(f"/api/v1/moderation/continuations/{evidence['case']['id']}/confirm",
                            headers=bearer(mod_token))
    assert confirmed.status_code == 200, confirmed.text
    done = confirmed.json()
    assert done["price"] == {"amount_minor": 35, "currency": "USD"}
    assert done["back_paid"] == {"amount_minor": 16, "currency": "USD"}
    assert done["case"]["status"] == "confirmed"
    again = client.post(f"/api/v1/moderation/continuations/{evidence['case']['id']}/confirm",
                        headers=bearer(mod_token))
    assert again.status_code == 409 and "already decided" in again.json()["message"]

    other = cases[1]["case"]["id"]
    url = f"/api/v1/moderation/continuations/{other}/dismiss"
    for body in ({}, {"reason": ""}, {"reason": "x" * 4001}, {"reason": "ok", "extra": 1}):
        assert client.post(url, json=body, headers=bearer(mod_token)).status_code == 422
    assert client.post("/api/v1/moderation/continuations/0/dismiss", json={"reason": "r"},
                       headers=bearer(mod_token)).status_code == 422
    missing = client.post("/api/v1/moderation/continuations/999/dismiss",
                          json={"reason": "r"}, headers=bearer(mod_token))
    assert missing.status_code == 404 and "no continuation case 999" in missing.json()["message"]
    dismissed = client.post(url, json={"reason": "Two clients share one corpus."},
                            headers=bearer(mod_token))
    assert dismissed.status_code == 200, dismissed.text
    assert dismissed.json()["status"] == "dismissed"
    assert client.get("/api/v1/moderation/continuations", headers=bearer(mod_token)).json() == []


def test_a_moderator_decides_continuation_cases_on_the_moderation_page(
        client: TestClient, container: Container, people: Accounts, clock: FakeClock) -> None:
    moderator = people.make(Role.MODERATOR)[0]
    world = World(container, clock, people, moderator)
    first = people.make(Role.REQUESTER)[0]
    musen = world.musen(first, [people.make(Role.WORKER)[0]])
    ending.end_project(container.db, first, musen, reason="Scope changed at the client.",
                       mode=EndMode.IMMEDIATE, policy=container.charter, now=clock())
    second, third = people.make(Role.REQUESTER)[0], people.make(Role.REQUESTER)[0]
    nova = world.project(second, "Nova", NOVA, RENAMED, 27, nova_rows())
    world.project(third, "Nova bis", NOVA, RENAMED, 30, nova_rows())
    sign_in(client, moderator.email)
    page = client.get("/moderation")
    assert "Relaunches under another account" in page.text
    assert "Musen" in page.text and "Nova bis" in page.text and second.pseudonym in page.text
    [first_case, second_case] = continuation.continuation_cases(container.db, moderator,
                                                                now=clock())
    assert f'action="/moderation/continuations/{first_case.case.id}"' in page.text
    done = client.post(f"/moderation/continuations/{first_case.case.id}", follow_redirects=True,
                       data={"csrf_token": csrf(client, "/moderation"), "outcome": "confirmed"})
    assert f"Case {first_case.case.id} confirmed" in done.text
    refused = client.post(f"/moderation/continuations/{second_case.case.id}",
                          follow_redirects=True, data={
                              "csrf_token": csrf(client, "/moderation"), "outcome": "dismissed"})
    assert "Not decided" in refused.text and "the reason is required" in refused.text
    dismissed = client.post(f"/moderation/continuations/{second_case.case.id}",
                            follow_redirects=True, data={
                                "csrf_token": csrf(client, "/moderation"),
                                "outcome": "dismissed", "reason": "One corpus, two clients."})
    assert f"Case {second_case.case.id} dismissed." in dismissed.text
    assert "No open case." in dismissed.text
    assert projects.get_project(container.db, second, nova).project.continuation_of == musen
