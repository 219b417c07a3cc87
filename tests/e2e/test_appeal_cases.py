"""Appeals that see, in process: the worker's decisions page and the moderator's queue show
the task as the worker saw it and the answer a decision is about (a choice task and a box
task), and the image only to those who may see it; a rating needs a value on every scale."""

from __future__ import annotations

from typing import Any

import pytest
from bs4 import BeautifulSoup, Tag
from fastapi.testclient import TestClient

from fairlabel.adapters.container import Container
from fairlabel.domain.accounts import Role
from tests.conftest import Accounts
from tests.e2e.test_pages import csrf, sign_in
from tests.support.clock import FakeClock
from tests.support.funding import fund
from tests.support.images import png
from tests.support.work import answer, bearer, launched_project, usd

BOXES = [{"label": "car", "x": 0.1, "y": 0.25, "width": 0.3, "height": 0.2},
         {"label": "person", "x": 0.62, "y": 0.1, "width": 0.08, "height": 0.5}]


def _card(page: str, decision_id: int) -> Tag:
    card = BeautifulSoup(page, "html.parser").find(id=f"decision-{decision_id}")
    assert isinstance(card, Tag), f"no card for decision {decision_id}"
    return card


def _reject(client: TestClient, token: str, assignment_id: int, reason: str) -> int:
    made = client.post(f"/api/v1/assignments/{assignment_id}/review",
                       json={"decision": "reject", "reason": reason}, headers=bearer(token))
    assert made.status_code == 200, made.text
    decision_id: int = made.json()["id"]
    return decision_id


@pytest.fixture
def choice(client: TestClient, container: Container, people: Accounts,
           clock: FakeClock) -> dict[str, Any]:
    requester, rtoken = people.make(Role.REQUESTER)
    pid = launched_project(container, requester, name="Birds")
    worker, wtoken = people.make(Role.WORKER)
    ids = answer(client, clock, wtoken, pid, seconds=12, count=3)
    return {"rtoken": rtoken, "pid": pid, "worker": worker, "wtoken": wtoken, "ids": ids,
            "moderator": people.make(Role.MODERATOR)[0]}


@pytest.fixture
def boxes(client: TestClient, container: Container, people: Accounts,
          clock: FakeClock) -> dict[str, Any]:
    requester, rtoken = people.make(Role.REQUESTER)
    made = client.post("/api/v1/projects", headers=bearer(rtoken), json={
        "name": "Streets", "schema": {"type": "bounding_boxes", "labels": ["car", "person"]},
        "redundancy": 1, "pay_per_task": usd(5), "lease_seconds": 600})
    assert made.status_code == 201, made.text
    pid = made.json()["id"]
    added = client.post(f"/api/v1/projects/{pid}/media", headers=bearer(rtoken),
                        files=[("file", ("street.png", png(color=(9, 9, 9)),
                                         "application/octet-stream"))])
    assert added.status_code == 201, added.text
    media = added.json()["media"][0]
    imported = client.post(f"/api/v1/projects/{pid}/tasks", headers=bearer(rtoken),
                           json=[{"data": {"image": media["ref"], "place": "Main street"}}])
    assert imported.status_code == 201, imported.text
    fund(container, requester, pid, 10_000)
    assert client.post(f"/api/v1/projects/{pid}/launch",
                       headers=bearer(rtoken)).status_code == 200
    worker, wtoken = people.make(Role.WORKER)
    lease = client.get(f"/api/v1/projects/{pid}/next", headers=bearer(wtoken)).json()
    clock.advance(seconds=20)
    sent = client.post(f"/api/v1/assignments/{lease['assignment_id']}/submit",
                       json={"answer": BOXES}, headers=bearer(wtoken))
    assert sent.status_code == 201, sent.text
    return {"rtoken": rtoken, "pid": pid, "worker": worker, "wtoken": wtoken,
            "assignment": lease["assignment_id"], "media": media,
            "moderator": people.make(Role.MODERATOR)[0]}


def test_the_worker_sees_the_choice_task_and_their_answer_beside_the_rejection(
        client: TestClient, choice: dict[str, Any]) -> None:
    first, second = choice["ids"][0], choice["ids"][1]
    rejected = _reject(client, choice["rtoken"], first, "the bird is a plane")
    approved = client.post(f"/api/v1/assignments/{second}/review",
                           json={"decision": "approve"}, headers=bearer(choice["rtoken"]))
    assert approved.status_code == 200, approved.text
    sign_in(client, choice["worker"].email)
    page = client.get("/worker/decisions").text
    card = _card(page, rejected)
    task = card.select_one(".case .case-task")
    assert task is not None, "the task is shown beside the decision"
    assert "The task as you saw it" in task.text
    task_id = card.select_one(".about")
    assert task_id is not None and "About your answer to task" in task_id.text
    chosen = task.select("li.chosen")
    assert [li.select_one(".option-value").text for li in chosen] == ["a"]  # type: ignore[union-attr]
    assert "your answer" in chosen[0].text  # said in words, not by colour alone
    assert len(task.select(".task-options li")) == 2  # every choice, as the worker saw them
    assert "Birds" in task.text  # the task's text
    decision = card.select_one(".case-decision")
    assert decision is not None and "the bird is a plane" in decision.text
    assert "Decided by" in decision.text and "the requester" in decision.text
    form = card.find("form", action=f"/worker/decisions/{rejected}/appeal")
    assert isinstance(form, Tag)
    label = form.find("label")
    assert label is not None and "your answer to task" in label.text
    # The approval shows its answer too, and offers no appeal.
    other = _card(page, approved.json()["id"])
    assert other.select_one(".case-task") is not None and other.find("form") is None


def test_the_moderator_decides_seeing_the_task_and_the_answer(
        client: TestClient, choice: dict[str, Any]) -> None:
    rejected = _reject(client, choice["rtoken"], choice["ids"][0], "blurry")
    appealed = client.post(f"/api/v1/decisions/{rejected}/appeal",
                           json={"message": "it was sharp"}, headers=bearer(choice["wtoken"]))
    assert appealed.status_code == 201, appealed.text
    sign_in(client, choice["moderator"].email)
    page = client.get("/moderation").text
    card = _card(page, rejected)
    assert "The task as the worker saw it" in card.text
    chosen = card.select("li.chosen")
    assert len(chosen) == 1 and "the worker's answer" in chosen[0].text
    assert "it was sharp" in card.text and "blurry" in card.text
    form = card.find("form", action=f"/moderation/appeals/{appealed.json()['id']}")
    assert isinstance(form, Tag)


def test_cases_are_read_only_by_the_worker_and_moderators_of_an_open_appeal(
        client: TestClient, container: Container, people: Accounts,
        choice: dict[str, Any]) -> None:
    from fairlabel.domain.errors import NotFound
    from fairlabel.services import cases

    rejected = _reject(client, choice["rtoken"], choice["ids"][0], "wrong")
    worker, moderator = choice["worker"], choice["moderator"]
    assert cases.case(container.db, worker, rejected).answer == "a"
    stranger = people.make(Role.WORKER)[0]
    with pytest.raises(NotFound):
        cases.case(container.db, stranger, rejected)
    with pytest.raises(NotFound):  # no appeal yet: nothing for a moderator to read
        cases.case(container.db, moderator, rejected)
    client.post(f"/api/v1/decisions/{rejected}/appeal", json={"message": "it is right"},
                headers=bearer(choice["wtoken"]))
    seen = cases.case(container.db, moderator, rejected)
    assert seen.answer == "a" and seen.shows_media
    assert cases.case(container.db, worker, rejected).expected is None  # never the gold


def test_a_box_task_is_shown_with_its_image_and_the_boxes_drawn(
        client: TestClient, boxes: dict[str, Any]) -> None:
    rejected = _reject(client, boxes["rtoken"], boxes["assignment"], "the car is a van")
    media_url = f"/api/v1/media/{boxes['media']['id']}"
    sign_in(client, boxes["worker"].email)
    card = _card(client.get("/worker/decisions").text, rejected)
    image = card.select_one(".task-figure img")
    assert image is not None and image["src"] == media_url
    drawn = card.select(".task-stage .drawn-box")
    assert [d.text.strip() for d in drawn] == ["1 car", "2 person"]
    assert "left: 10.0%" in str(drawn[0]["style"]) and "width: 30.0%" in str(drawn[0]["style"])
    listed = card.select(".box-list li")
    assert "car" in listed[0].text and "left 10%, top 25%, 30% wide, 20% high" in listed[0].text
    assert "Main street" in card.text  # the task's other data
    assert client.get(media_url).status_code == 200  # the worker may load what they appeal

    appealed = client.post(f"/worker/decisions/{rejected}/appeal", follow_redirects=True,
                           data={"csrf_token": csrf(client, "/worker/decisions"),
                                 "message": "it is a car"})
    assert "Appeal sent" in appealed.text
    moderator = TestClient(client.app)
    sign_in(moderator, boxes["moderator"].email)
    queued = _card(moderator.get("/moderation").text, rejected)
    assert len(queued.select(".drawn-box")) == 2
    assert moderator.get(media_url).status_code == 200
    resolved = moderator.post(
        f"/moderation/appeals/{moderator_appeal_id(moderator)}", follow_redirects=True,
        data={"csrf_token": csrf(moderator, "/moderation"), "outcome": "upheld",
              "reason": "it is a van"})
    assert "upheld" in resolved.text
    # Resolved: neither may load the image any more; the page says why it is not shown.
    assert moderator.get(media_url).status_code == 404
    assert client.get(media_url).status_code == 404
    after = _card(client.get("/worker/decisions").text, rejected)
    assert after.select_one(".task-figure") is None
    assert "image is shown while the decision can be appealed" in after.text


def moderator_appeal_id(moderator: TestClient) -> int:
    page = BeautifulSoup(moderator.get("/moderation").text, "html.parser")
    form = page.find("form", action=lambda a: bool(a and a.startswith("/moderation/appeals/")))
    assert isinstance(form, Tag)
    return int(str(form["action"]).rsplit("/", 1)[1])


def test_a_rating_has_no_default_and_says_what_its_ends_mean(
        client: TestClient, choice: dict[str, Any]) -> None:
    sign_in(client, choice["worker"].email)
    page = BeautifulSoup(client.get("/worker/decisions").text, "html.parser")
    form = page.find("form", action=f"/worker/projects/{choice['pid']}/rate")
    assert isinstance(form, Tag)
    radios = form.select("input[type=radio]")
    assert len(radios) == 20 and not any(r.has_attr("checked") for r in radios)
    assert all(r.has_attr("required") for r in radios)
    ends = [p.text for p in form.select(".scale-ends")]
    assert len(ends) == 4 and all(e.startswith("1 = ") and "5 = " in e for e in ends)
    refused = client.post(f"/worker/projects/{choice['pid']}/rate", follow_redirects=True,
                          data={"csrf_token": csrf(client, "/worker/decisions"),
                                "communication": "4", "fairness": "", "promptness": "5"})
    assert "Not rated: choose a score from 1 to 5 for: Pay, Fairness" in refused.text
    rated = client.post(f"/worker/projects/{choice['pid']}/rate", follow_redirects=True,
                        data={"csrf_token": csrf(client, "/worker/decisions"), "pay": "2",
                              "communication": "4", "fairness": "3", "promptness": "5"})
    assert "Thank you" in rated.text
