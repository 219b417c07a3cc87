"""What a project holds and needs, withdrawals, and an ended project's money, through the
API, in process, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from fairlabel.adapters.container import Container
from tests.e2e.conftest import bearer, usd
from tests.support.clock import FakeClock


def fund(client: TestClient, world: dict[str, Any], amount: int) -> None:
    deposit = client.post("/api/v1/admin/deposits", headers=bearer(world["admin"]),
                          json={"requester": world["requester"].email, "amount": usd(amount)})
    assert deposit.status_code == 201, deposit.text
    funded = client.post(f"/api/v1/projects/{world['pid']}/fund",
                         headers=bearer(world["rtoken"]), json={"amount": usd(amount)})
    assert funded.status_code == 200, funded.text


def test_funding_says_what_is_held_and_what_finishing_needs(
        client: TestClient, world: dict[str, Any]) -> None:
    pid, rtoken = world["pid"], world["rtoken"]
    fund(client, world, 100)
    shown = client.get(f"/api/v1/projects/{pid}/funding", headers=bearer(rtoken))
    assert shown.status_code == 200
    body = shown.json()
    assert body["free_escrow"] == usd(100) and body["held"] == usd(0)
    assert body["notice_liability"] == usd(0) and body["remaining_answers"] == 3
    # 3 answers of 5 cents; 60 s leases at 15.00/h: up to 25 cents each before measured.
    assert body["needed_to_finish"]["amount_minor"] > 0
    assert "before the project is measured" in body["explanation"]
    assert client.get(f"/api/v1/projects/{pid}/funding",
                      headers=bearer(world["worker"])).status_code == 403


def test_a_requester_withdraws_free_escrow_and_no_more(
        client: TestClient, world: dict[str, Any], clock: FakeClock) -> None:
    pid, rtoken, worker = world["pid"], world["rtoken"], world["worker"]
    fund(client, world, 300)
    taken = client.post(f"/api/v1/projects/{pid}/withdraw", headers=bearer(rtoken),
                        json={"amount": usd(100)})
    assert taken.status_code == 200, taken.text
    assert taken.json() == {"withdrawn": usd(100), "free_escrow": usd(200), "funds": usd(100)}
    client.post(f"/api/v1/projects/{pid}/launch", headers=bearer(rtoken))
    lease = client.get(f"/api/v1/projects/{pid}/next", headers=bearer(worker))
    assert lease.status_code == 200
    # The live lease holds 5 + (2 × 25 + 1 − 5) = 51.
    refused = client.post(f"/api/v1/projects/{pid}/withdraw", headers=bearer(rtoken),
                          json={"amount": usd(150)})
    assert refused.status_code == 409
    assert refused.json()["error"] == "not_withdrawable"
    assert "1.49 USD of this project's escrow can be withdrawn now" in refused.json()["message"]
    for bad in ({"amount": usd(0)}, {"amount": {"amount_minor": 5, "currency": "EUR"}},
                {"amount": usd(2**63)}, {"amount": usd(1.5)}):
        assert client.post(f"/api/v1/projects/{pid}/withdraw", headers=bearer(rtoken),
                           json=bad).status_code == 422, bad
    assert client.post(f"/api/v1/projects/{pid}/withdraw", headers=bearer(worker),
                       json={"amount": usd(1)}).status_code == 403


def test_an_ended_project_takes_no_money_price_or_tasks_and_gives_back_the_rest(
        client: TestClient, world: dict[str, Any], container: Container,
        clock: FakeClock) -> None:
    pid, rtoken, worker = world["pid"], world["rtoken"], world["worker"]
    fund(client, world, 500)
    client.post(f"/api/v1/projects/{pid}/launch", headers=bearer(rtoken))
    lease = client.get(f"/api/v1/projects/{pid}/next", headers=bearer(worker)).json()
    clock.advance(seconds=20)
    client.post(f"/api/v1/assignments/{lease['assignment_id']}/submit", json={"answer": "a"},
                headers=bearer(worker))
    ended = client.post(f"/api/v1/projects/{pid}/end", headers=bearer(rtoken),
                        json={"reason": "We have enough answers.", "mode": "immediate"})
    assert ended.status_code == 200, ended.text
    for path, body in ((f"/api/v1/projects/{pid}/fund", {"amount": usd(10)}),
                       (f"/api/v1/projects/{pid}/price",
                        {"pay_per_task": usd(9), "reason": "more"}),
                       (f"/api/v1/projects/{pid}/tasks", [{"data": {"t": 9}}])):
        refused = client.post(path, headers=bearer(rtoken), json=body)
        assert refused.status_code == 409, (path, refused.text)
        assert refused.json()["error"] == "project_ended"
    shown = client.get(f"/api/v1/projects/{pid}/funding", headers=bearer(rtoken)).json()
    assert shown["settled"] is True and shown["held"] == usd(0)
    # 20 s at 15.00/h is 8.33 → 9 cents: topped up at the final median, notice pay of
    # ceil(9 × 7 / 14) = 5, and the rest can be withdrawn.
    assert shown["withdrawable"] == usd(500 - 9 - 5)
    taken = client.post(f"/api/v1/projects/{pid}/withdraw", headers=bearer(rtoken),
                        json={"amount": usd(500 - 9 - 5)})
    assert taken.status_code == 200 and taken.json()["free_escrow"] == usd(0)
