"""The money routes of /api/v1, in process, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from fairlabel.adapters.cli.ledger import ledger as ledger_cli
from fairlabel.adapters.container import Container
from fairlabel.adapters.db.tables import ledger_entries
from fairlabel.domain.accounts import Role
from fairlabel.services import jobs
from tests.conftest import Accounts
from tests.support.clock import FakeClock


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def usd(minor: Any) -> dict[str, Any]:
    return {"amount_minor": minor, "currency": "USD"}


def entries(container: Container) -> int:
    with container.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(ledger_entries)).scalar_one())


def test_deposit_fund_work_and_verify_the_statement(
        client: TestClient, world: dict[str, Any], container: Container, clock: FakeClock,
        tmp_path: Path) -> None:
    pid, rtoken, worker = world["pid"], world["rtoken"], world["worker"]
    deposit = client.post("/api/v1/admin/deposits", headers=bearer(world["admin"]),
                          json={"requester": world["requester"].email, "amount": usd(10_000)})
    assert deposit.status_code == 201 and deposit.json()["funds"] == usd(10_000)
    funded = client.post(f"/api/v1/projects/{pid}/fund", headers=bearer(rtoken),
                         json={"amount": usd(2_000)})
    assert funded.json() == {"escrow": usd(2_000)}
    client.post(f"/api/v1/projects/{pid}/launch", headers=bearer(rtoken))
    for _ in range(3):
        lease = client.get(f"/api/v1/projects/{pid}/next", headers=bearer(worker)).json()
        clock.advance(seconds=20)
        client.post(f"/api/v1/assignments/{lease['assignment_id']}/submit",
                    json={"answer": "a"}, headers=bearer(worker))
    project = client.get(f"/api/v1/projects/{pid}", headers=bearer(rtoken)).json()
    assert project["pay"]["per_task"] == usd(5)
    assert project["pay"]["floor_hourly"] == usd(1500)
    earnings = client.get("/api/v1/me/earnings", headers=bearer(worker)).json()
    assert earnings["balances"]["pending"] == [usd(15)]
    assert [e["kind"] for e in earnings["entries"]] == ["earn"] * 3
    clock.advance(hours=73)
    jobs.run_due_work(container.db, container.charter, now=clock())
    earnings = client.get("/api/v1/me/earnings", headers=bearer(worker)).json()
    assert earnings["balances"]["available"] == [usd(15)]
    statement = client.get("/api/v1/me/statement", headers=bearer(worker))
    path = tmp_path / "statement.jsonl"
    path.write_text(statement.text)
    good = CliRunner().invoke(ledger_cli, ["verify", str(path)])
    assert good.exit_code == 0, good.output
    lines = statement.text.splitlines()
    lines[1] = lines[1].replace('"amount_minor":5', '"amount_minor":500')
    path.write_text("\n".join(lines) + "\n")
    bad = CliRunner().invoke(ledger_cli, ["verify", str(path)])
    assert bad.exit_code == 1 and "line 2" in bad.output


@pytest.mark.parametrize(("path", "body", "status"), [
    ("/api/v1/projects/{pid}/fund", {"amount": usd(-5)}, 422),
    ("/api/v1/projects/{pid}/fund", {"amount": usd(1.5)}, 422),
    ("/api/v1/projects/{pid}/fund", {"amount": {"amount_minor": 5, "currency": "usd"}}, 422),
    ("/api/v1/projects/{pid}/fund", {"amount": {"amount_minor": 5, "currency": "EUR"}}, 422),
    ("/api/v1/projects/{pid}/fund", {"amount": usd(10**12)}, 409),
    ("/api/v1/projects/{pid}/price", {"pay_per_task": usd(0)}, 422),
    ("/api/v1/projects/{pid}/price", {"pay_per_task": {"amount_minor": 9, "currency": "EUR"}},
     422),
])
def test_bad_money_gets_a_clear_4xx_and_changes_nothing(
        client: TestClient, world: dict[str, Any], container: Container, path: str,
        body: dict[str, Any], status: int) -> None:
    client.post("/api/v1/admin/deposits", headers=bearer(world["admin"]),
                json={"requester": world["requester"].email, "amount": usd(100)})
    before = entries(container)
    response = client.post(path.format(pid=world["pid"]), json=body,
                           headers=bearer(world["rtoken"]))
    assert response.status_code == status, response.text
    assert response.json()["message"]
    assert entries(container) == before


def test_only_admins_deposit_and_only_owners_fund(
        client: TestClient, world: dict[str, Any], people: Accounts) -> None:
    other = people.make(Role.REQUESTER)[1]
    refused = client.post("/api/v1/admin/deposits", headers=bearer(world["rtoken"]),
                          json={"requester": world["requester"].email, "amount": usd(100)})
    assert refused.status_code == 403
    not_yours = client.post(f"/api/v1/projects/{world['pid']}/fund", headers=bearer(other),
                            json={"amount": usd(1)})
    assert not_yours.status_code == 404


def test_unfunded_projects_serve_no_work_and_say_why(
        client: TestClient, world: dict[str, Any]) -> None:
    client.post(f"/api/v1/projects/{world['pid']}/launch", headers=bearer(world["rtoken"]))
    response = client.get(f"/api/v1/projects/{world['pid']}/next",
                          headers=bearer(world["worker"]))
    assert response.status_code == 409
    assert response.json()["error"] == "escrow_exhausted"
    assert "waiting for its requester to add funds" in response.json()["message"]


def test_price_changes_through_the_api(client: TestClient, world: dict[str, Any],
                                       clock: FakeClock) -> None:
    pid, rtoken = world["pid"], world["rtoken"]
    cut = client.post(f"/api/v1/projects/{pid}/price", headers=bearer(rtoken),
                      json={"pay_per_task": usd(4), "reason": "smaller budget"}).json()
    assert cut["kind"] == "cut" and not cut["applied"]
    assert cut["effective_at"].startswith("2026-11-16")
    project = client.get(f"/api/v1/projects/{pid}", headers=bearer(rtoken)).json()
    assert project["pay_per_task"] == usd(5)
    assert project["pay"]["pending_changes"][0]["new"] == usd(4)
    raise_ = client.post(f"/api/v1/projects/{pid}/price", headers=bearer(rtoken),
                         json={"pay_per_task": usd(9)}).json()
    assert raise_["kind"] == "raise" and raise_["applied"]
    assert client.get(f"/api/v1/projects/{pid}", headers=bearer(rtoken)).json()[
        "pay_per_task"] == usd(9)


def test_commitments_and_ending_through_the_api(
        client: TestClient, world: dict[str, Any], people: Accounts) -> None:
    rtoken = world["rtoken"]
    short = client.post("/api/v1/projects", headers=bearer(rtoken), json={
        "name": "q", "schema": {"type": "pairwise"}, "pay_per_task": usd(5),
        "commitment": {"ends_on": "2026-12-31", "notice_days": 2}})
    assert short.status_code == 422 and "at least 7 days" in short.json()["message"]
    made = client.post("/api/v1/projects", headers=bearer(rtoken), json={
        "name": "q", "schema": {"type": "pairwise"}, "pay_per_task": usd(5),
        "commitment": {"ends_on": "2026-12-31", "notice_days": 10}}).json()
    assert made["commitment"] == {"ends_on": "2026-12-31", "notice_days": 10}
    assert made["continuation_of"] is None
    pid = world["pid"]
    empty = client.post(f"/api/v1/projects/{pid}/end", headers=bearer(rtoken),
                        json={"reason": "", "mode": "notice"})
    assert empty.status_code == 422
    client.post("/api/v1/admin/deposits", headers=bearer(world["admin"]),
                json={"requester": world["requester"].email, "amount": usd(10_000)})
    client.post(f"/api/v1/projects/{pid}/fund", headers=bearer(rtoken),
                json={"amount": usd(10_000)})
    client.post(f"/api/v1/projects/{pid}/launch", headers=bearer(rtoken))
    ended = client.post(f"/api/v1/projects/{pid}/end", headers=bearer(rtoken),
                        json={"reason": "The study has all the data it needs.",
                              "mode": "notice"})
    assert ended.status_code == 200 and ended.json()["mode"] == "notice"
    project = client.get(f"/api/v1/projects/{pid}", headers=bearer(rtoken)).json()
    assert project["ending_at"] == ended.json()["ends_at"]
    assert project["end_reason"] == "The study has all the data it needs."
    # Work stays available on the same terms during the notice.
    assert client.get(f"/api/v1/projects/{pid}/next",
                      headers=bearer(world["worker"])).status_code == 200
    again = client.post(f"/api/v1/projects/{pid}/end", headers=bearer(rtoken),
                        json={"reason": "Trying to end it twice.", "mode": "immediate"})
    assert again.status_code == 409


# --- money stays exact at its edges: too large is 422, never a 500 ---------------------------

TOO_LARGE = [2**63, 10**12 + 1, 2**64 + 1, -(2**63) - 1, 10**40]


@pytest.mark.parametrize("minor", TOO_LARGE)
def test_an_overlarge_deposit_is_422_and_writes_nothing(
        client: TestClient, world: dict[str, Any], container: Container, minor: int) -> None:
    before = entries(container)
    response = client.post("/api/v1/admin/deposits", headers=bearer(world["admin"]),
                           json={"requester": world["requester"].email, "amount": usd(minor)})
    assert response.status_code == 422, response.text
    assert response.json()["error"] and "1000000000000" in response.json()["message"]
    assert entries(container) == before


def test_a_json_number_of_thousands_of_digits_is_422(
        client: TestClient, world: dict[str, Any], container: Container) -> None:
    body = json.dumps({"requester": world["requester"].email,
                       "amount": {"amount_minor": 0, "currency": "USD"}})
    body = body.replace('"amount_minor": 0', '"amount_minor": ' + "9" * 5000)
    response = client.post("/api/v1/admin/deposits", content=body,
                           headers={**bearer(world["admin"]),
                                    "Content-Type": "application/json"})
    assert response.status_code == 422, response.text
    assert response.json()["message"]
    assert entries(container) == 0


def test_two_deposits_that_together_pass_the_maximum_are_422(
        client: TestClient, world: dict[str, Any], container: Container) -> None:
    email, admin = world["requester"].email, world["admin"]
    first = client.post("/api/v1/admin/deposits", headers=bearer(admin),
                        json={"requester": email, "amount": usd(9 * 10**11)})
    assert first.status_code == 201, first.text
    before = entries(container)
    second = client.post("/api/v1/admin/deposits", headers=bearer(admin),
                         json={"requester": email, "amount": usd(9 * 10**11)})
    assert second.status_code == 422, second.text
    assert second.json()["error"] == "amount_too_large"
    assert "1000000000000" in second.json()["message"]
    assert entries(container) == before
    funds = client.post("/api/v1/admin/deposits", headers=bearer(admin),
                        json={"requester": email, "amount": usd(10**11)})
    assert funds.status_code == 201 and funds.json()["funds"] == usd(10**12)


@pytest.mark.parametrize("minor", [2**63, 10**12 + 1])
def test_overlarge_prices_and_funding_are_422(
        client: TestClient, world: dict[str, Any], container: Container, minor: int) -> None:
    rtoken, pid = world["rtoken"], world["pid"]
    made = client.post("/api/v1/projects", headers=bearer(rtoken), json={
        "name": "big", "schema": {"type": "pairwise"}, "pay_per_task": usd(minor)})
    assert made.status_code == 422, made.text
    floor = client.post("/api/v1/projects", headers=bearer(rtoken), json={
        "name": "big", "schema": {"type": "pairwise"}, "pay_per_task": usd(5),
        "floor_hourly": usd(minor)})
    assert floor.status_code == 422, floor.text
    funded = client.post(f"/api/v1/projects/{pid}/fund", headers=bearer(rtoken),
                         json={"amount": usd(minor)})
    assert funded.status_code == 422, funded.text
    price = client.post(f"/api/v1/projects/{pid}/price", headers=bearer(rtoken),
                        json={"pay_per_task": usd(minor)})
    assert price.status_code == 422, price.text
    for response in (made, floor, funded, price):
        assert "1000000000000" in response.json()["message"]
    assert entries(container) == 0


@pytest.mark.parametrize(("currency", "message"), [
    ("JPY", "no floor is set for JPY"),
    ("XYZ", "not an ISO 4217 currency"),
])
def test_a_currency_without_a_floor_is_refused_at_creation(
        client: TestClient, world: dict[str, Any], container: Container, currency: str,
        message: str) -> None:
    amount = {"amount_minor": 500, "currency": currency}
    made = client.post("/api/v1/projects", headers=bearer(world["rtoken"]), json={
        "name": "yen", "schema": {"type": "pairwise"}, "pay_per_task": amount})
    assert made.status_code == 422 and message in made.json()["message"], made.text
    deposit = client.post("/api/v1/admin/deposits", headers=bearer(world["admin"]),
                          json={"requester": world["requester"].email, "amount": amount})
    assert deposit.status_code == 422 and message in deposit.json()["message"], deposit.text
    assert entries(container) == 0
    if currency == "JPY":
        assert "FAIRLABEL_FLOORS" in made.json()["message"]
