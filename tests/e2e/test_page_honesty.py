"""What the pages show a worker must be true: a rate only once it is measured, an appeal box
only where an appeal is possible, a rejection form that keeps what the requester typed."""

from __future__ import annotations

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from fairlabel.adapters.container import Container
from fairlabel.domain.accounts import Role
from tests.conftest import Accounts
from tests.e2e.test_pages import csrf, sign_in
from tests.support.clock import FakeClock
from tests.support.work import answer, bearer, launched_project, sweep


def test_the_hourly_rate_is_not_shown_before_enough_answers_are_measured(
        client: TestClient, container: Container, people: Accounts, clock: FakeClock) -> None:
    requester, rtoken = people.make(Role.REQUESTER)
    pid = launched_project(container, requester, name="Birds")
    worker, wtoken = people.make(Role.WORKER)
    answer(client, clock, wtoken, pid, seconds=4, count=5)
    sweep(container, clock)
    needed = container.charter.min_answers_for_rate
    pay = client.get(f"/api/v1/projects/{pid}", headers=bearer(rtoken)).json()["pay"]
    assert pay["effective_hourly"] is None and pay["measured_answers"] == 5
    assert pay["answers_for_rate"] == needed
    [mine] = client.get("/api/v1/me/earnings", headers=bearer(wtoken)).json()["projects"]
    assert mine["project_hourly"] is None
    words = f"not measured yet (5 of {needed} answers)"
    sign_in(client, worker.email)
    for path in ("/worker", f"/worker/projects/{pid}"):
        text = BeautifulSoup(client.get(path).text, "html.parser").get_text(" ", strip=True)
        # 0.20 USD per 4 s would be 180.00 USD / h, were five answers counted
        assert words in text and "180.00 USD / h" not in text, (path, text)
    sign_in(client, requester.email)
    text = BeautifulSoup(client.get(f"/requester/projects/{pid}").text,
                         "html.parser").get_text(" ", strip=True)
    assert words in text and "180.00 USD / h" not in text


def test_only_decisions_against_the_worker_offer_an_appeal(
        client: TestClient, container: Container, people: Accounts, clock: FakeClock) -> None:
    requester, rtoken = people.make(Role.REQUESTER)
    pid = launched_project(container, requester, name="Birds")
    worker, wtoken = people.make(Role.WORKER)
    approved_id, rejected_id = answer(client, clock, wtoken, pid, seconds=12, count=2)
    for assignment_id, body in [(approved_id, {"decision": "approve"}), (rejected_id, {
            "decision": "reject", "reason": "the bird is a plane"})]:
        reviewed = client.post(f"/api/v1/assignments/{assignment_id}/review",
                               headers=bearer(rtoken), json=body)
        assert reviewed.status_code < 300, reviewed.text
    mine = client.get("/api/v1/me/decisions", headers=bearer(wtoken)).json()
    approved, rejected = (next(d for d in mine if d["kind"] == kind)
                          for kind in ("answer_approved", "answer_rejected"))
    sign_in(client, worker.email)
    page = BeautifulSoup(client.get("/worker/decisions").text, "html.parser")
    forms = {str(f["action"]) for f in page.find_all("form", action=lambda a: bool(
        a and a.endswith("/appeal")))}
    assert forms == {f"/worker/decisions/{rejected['id']}/appeal"}
    assert {d["id"]: d["appealable"] for d in mine} == {approved["id"]: False,
                                                        rejected["id"]: True}
    refused = client.post(f"/api/v1/decisions/{approved['id']}/appeal", headers=bearer(wtoken),
                          json={"message": "I like it"})
    assert refused.status_code == 409 and refused.json()["error"] == "not_appealable"
    assert "in your favour" in refused.json()["message"]


def test_a_refused_withholding_keeps_the_reason_typed_and_says_why(
        client: TestClient, container: Container, people: Accounts, clock: FakeClock) -> None:
    requester, _ = people.make(Role.REQUESTER)
    pid = launched_project(container, requester, name="Birds")
    _, wtoken = people.make(Role.WORKER)
    [assignment_id] = answer(client, clock, wtoken, pid, seconds=12)
    sign_in(client, requester.email)
    token = csrf(client, f"/requester/projects/{pid}")
    reason = "the bird is a plane & <b>not</b> a bird"
    refused = client.post(f"/requester/answers/{assignment_id}/review", data={
        "csrf_token": token, "project_id": str(pid), "decision": "reject", "reason": reason,
        "withhold_pay": "1"}, follow_redirects=True)
    assert refused.status_code == 409
    page = BeautifulSoup(refused.text, "html.parser")
    form = page.find("form", action=f"/requester/answers/{assignment_id}/review")
    assert form is not None
    assert form.find("input", attrs={"name": "reason"})["value"] == reason
    assert form.find("input", attrs={"name": "withhold_pay"}).has_attr("checked")
    said = form.find(attrs={"role": "alert"})
    assert said is not None and "withhold_evidence@2" in said.get_text()
    assert "Not reviewed" in said.get_text()
