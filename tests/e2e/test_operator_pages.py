"""The operator's pages, in process: funds, deposits, payouts and their files (both databases)."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from fairlabel.adapters.container import Container
from fairlabel.domain.accounts import Role
from fairlabel.domain.money import Money
from fairlabel.services import pay, payouts
from tests.conftest import Accounts
from tests.e2e.test_pages import csrf, sign_in
from tests.support.funding import operator
from tests.support.payouts import batched_payout
from tests.support.work import bearer, launched_project


def text_of(html: str, selector: str = "main") -> str:
    found = BeautifulSoup(html, "html.parser").select_one(selector)
    assert found is not None, f"no {selector}"
    return found.get_text(" ", strip=True)


def funds(container: Container, email: str) -> list[Money]:
    requester = next(r for r in _requesters(container) if r.email == email)
    return pay.requester_funds(container.db, requester)


def _requesters(container: Container) -> list[Any]:
    with container.db.read() as tx:
        return tx.users.with_role(Role.REQUESTER)


@pytest.fixture
def admin(people: Accounts) -> Any:
    return people.make(Role.ADMIN, email="ops@example.org")[0]


def test_an_operator_lands_on_the_funds_of_every_requester(
        client: TestClient, people: Accounts, container: Container, admin: Any) -> None:
    ann = people.make(Role.REQUESTER, email="ann@example.org")[0]
    people.make(Role.REQUESTER, email="bob@example.org")  # no money yet: listed too
    people.make(Role.WORKER)
    project_id = launched_project(container, ann, tasks=2, funding=30_00)  # USD
    pay.deposit(container.db, operator(container), requester_email=ann.email,
                amount=Money(5_00, "EUR"), policy=container.charter, now=container.clock())
    launched_project(container, ann, tasks=1, funding=1, name="Cent")  # counts too
    sign_in(client, admin.email)
    assert client.get("/", follow_redirects=False).headers["location"] == "/operator"
    page = client.get("/operator")
    assert page.status_code == 200
    soup = BeautifulSoup(page.text, "html.parser")
    rows = {row.select_one("th").get_text(" ", strip=True).split()[0]: row
            for row in soup.select("#requesters tbody tr")}
    assert sorted(rows) == ["ann@example.org", "bob@example.org"]  # requesters only
    ann_row = rows["ann@example.org"].get_text(" ", strip=True)
    assert "€5.00" in ann_row  # funds outside projects
    assert "$30.01" in ann_row  # 30.00 + 0.01 in the two projects' escrow
    assert "2" in rows["ann@example.org"].select("td")[0].get_text()
    assert rows["bob@example.org"].get_text(" ", strip=True).count("none") == 2
    assert project_id
    nav = {a["href"] for a in soup.select("header nav a")}
    assert {"/operator", "/operator/payouts", "/moderation", "/requester"} <= nav
    assert client.get("/moderation").status_code == 200  # admins moderate
    prefill = BeautifulSoup(client.get("/operator", params={"requester": "bob@example.org"}).text,
                            "html.parser").select_one("#deposit input[name=requester]")
    assert prefill is not None and prefill["value"] == "bob@example.org"


@pytest.mark.parametrize("role", [Role.REQUESTER, Role.WORKER, Role.MODERATOR])
def test_no_one_else_reaches_the_operator_pages(
        client: TestClient, people: Accounts, container: Container, role: Role) -> None:
    target = people.make(Role.REQUESTER, email="ann@example.org")[0]
    for path in ("/operator", "/operator/payouts", "/operator/payouts/batched.csv"):
        anonymous = client.get(path, follow_redirects=False)
        assert anonymous.status_code == 303 and anonymous.headers["location"].startswith(
            "/login")
    someone = people.make(role)[0]
    sign_in(client, someone.email)
    home = client.get("/", follow_redirects=False).headers["location"]
    for path in ("/operator", "/operator/payouts", "/operator/payouts/batched.csv",
                 "/operator/payouts/batched.xml"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == home
    token = csrf(client, home)
    posted = client.post("/operator/deposits", follow_redirects=False, data={
        "csrf_token": token, "requester": target.email, "amount": "10", "currency": "USD"})
    assert posted.status_code == 303 and posted.headers["location"] == home
    assert funds(container, target.email) == []
    nav = {a["href"] for a in BeautifulSoup(client.get(home).text, "html.parser")
           .select("header nav a")}
    assert "/operator" not in nav


def test_a_deposit_through_the_form_changes_the_requesters_funds(
        client: TestClient, people: Accounts, container: Container, admin: Any) -> None:
    ann = people.make(Role.REQUESTER, email="ann@example.org")[0]
    sign_in(client, admin.email)
    token = csrf(client, "/operator")
    done = client.post("/operator/deposits", follow_redirects=False, data={
        "csrf_token": token, "requester": " Ann@Example.org ", "amount": "12,50",
        "currency": "EUR"})
    assert done.status_code == 303 and done.headers["location"] == "/operator"
    assert funds(container, ann.email) == [Money(12_50, "EUR")]
    page = client.get("/operator")
    assert "Recorded a deposit of €12.50 for ann@example.org" in page.text
    assert "Their funds now hold €12.50" in page.text
    client.post("/operator/deposits", data={"csrf_token": token, "requester": ann.email,
                                            "amount": "7.5", "currency": "EUR"})
    client.post("/operator/deposits", data={"csrf_token": token, "requester": ann.email,
                                            "amount": "1 000", "currency": "USD"})
    assert funds(container, ann.email) == [Money(20_00, "EUR"), Money(1000_00, "USD")]
    row = BeautifulSoup(client.get("/operator").text, "html.parser").select_one(
        f"#requester-{ann.id}")
    assert row is not None
    text = row.get_text(" ", strip=True)
    assert "€20.00" in text and "$1,000.00" in text
    # The ledger says who recorded it.
    with container.db.read() as tx:
        [entry] = [e for e in tx.ledger.entries([f"requester:{ann.id}:funds"])
                   if e.amount_minor == 12_50]
    assert entry.kind == "deposit" and entry.memo["by"] == admin.pseudonym


@pytest.mark.parametrize(("typed", "field", "message"), [
    ({"requester": "nobody@example.org"}, "requester", "no requester with the e-mail"),
    ({"requester": "worker@example.org"}, "requester", "no requester with the e-mail"),
    ({"requester": ""}, "requester", "type the requester's e-mail address"),
    ({"amount": "12.500"}, "amount", "has more decimals than EUR allows (2 decimals)"),
    ({"amount": "1.2.3"}, "amount", "is not an amount"),
    ({"amount": "twelve"}, "amount", "is not an amount"),
    ({"amount": ""}, "amount", "type the amount"),
    ({"amount": "0"}, "amount", "a deposit must be more than zero"),
    ({"amount": "-5"}, "amount", "a deposit must be more than zero"),
    ({"currency": "euro"}, "currency", "choose the currency"),
])
def test_deposit_errors_are_shown_by_the_form_with_what_was_typed(
        client: TestClient, people: Accounts, container: Container, admin: Any,
        typed: dict[str, str], field: str, message: str) -> None:
    people.make(Role.REQUESTER, email="ann@example.org")
    people.make(Role.WORKER, email="worker@example.org")
    sign_in(client, admin.email)
    data = {"csrf_token": csrf(client, "/operator"), "requester": "ann@example.org",
            "amount": "12.50", "currency": "EUR", **typed}
    response = client.post("/operator/deposits", data=data)
    assert response.status_code == 400
    soup = BeautifulSoup(response.text, "html.parser")
    error = soup.select_one("#deposit #deposit-error")
    assert error is not None and message in error.get_text(), error
    assert error.get_text().startswith("Not recorded:")
    form = soup.select_one("#deposit form")
    assert form is not None
    for name in ("requester", "amount"):
        kept = form.select_one(f"input[name={name}]")
        assert kept is not None and kept.get("value") == data[name].strip()
    wrong = form.select_one(f"[name={field}]")
    assert wrong is not None and wrong.get("aria-invalid") == "true"
    assert funds(container, "ann@example.org") == []


def test_the_forms_need_the_csrf_token(client: TestClient, people: Accounts,
                                       container: Container, admin: Any) -> None:
    requester = people.make(Role.REQUESTER, email="ann@example.org")[0]
    worker = people.make(Role.WORKER)[0]
    payout_id = batched_payout(container, requester, worker)
    sign_in(client, admin.email)
    deposit = {"requester": requester.email, "amount": "10", "currency": "USD"}
    for token in ({}, {"csrf_token": "forged"}):
        assert client.post("/operator/deposits", data={**deposit, **token}).status_code == 403
        assert client.post(f"/operator/payouts/{payout_id}/sent",
                           data=token).status_code == 403
    assert Money(10_00, "USD") not in funds(container, requester.email)
    assert [line.payout_id for line in payouts.payout_lines(
        container.db, admin, status="batched")] == [payout_id]
    page = BeautifulSoup(client.get("/operator/payouts").text, "html.parser")
    forms = page.select("main form[method=post]")
    assert forms and all(f.select_one("input[name=csrf_token]") for f in forms)


@pytest.fixture
def sepa(container: Container) -> None:
    container.settings = container.settings.model_copy(update={
        "sepa_debtor_name": "fairlabel cooperative",
        "sepa_debtor_iban": "DE89370400440532013000"})


def test_payouts_are_listed_downloaded_and_marked_sent(
        client: TestClient, people: Accounts, container: Container, admin: Any,
        sepa: None) -> None:
    requester, rtoken = people.make(Role.REQUESTER, email="ann@example.org")
    ada, wtoken = people.make(Role.WORKER)
    bo = people.make(Role.WORKER)[0]
    in_eur = batched_payout(container, requester, ada, price=Money(1_50, "EUR"))
    in_usd = batched_payout(container, requester, bo, price=Money(2_25, "USD"), iban=None,
                            name="Dollars")
    sign_in(client, admin.email)
    page = client.get("/operator/payouts")
    assert page.status_code == 200
    soup = BeautifulSoup(page.text, "html.parser")
    waiting = text_of(page.text, "#waiting")
    assert "2 payouts" in waiting and "€1.50" in waiting and "$2.25" in waiting
    eur_row = text_of(page.text, f"#payout-{in_eur}")
    usd_row = text_of(page.text, f"#payout-{in_usd}")
    assert ada.pseudonym in eur_row and "SEPA" in eur_row and "IBAN ending 4931" in eur_row
    assert "CSV only" in usd_row and "SEPA transfers are in EUR only" in usd_row
    assert "no IBAN" in usd_row
    assert "None yet" in text_of(page.text, "#settled")

    # The files: the CSV of every waiting payout, the SEPA file of the EUR one; the same as
    # the API gives.
    links = {a.get_text(" ", strip=True): a["href"] for a in soup.select("#waiting a.button")}
    csv_link = links["Download CSV (all 2)"]
    sepa_link = links["Download SEPA XML (1 in EUR)"]
    got = client.get(csv_link)
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    assert got.headers["content-disposition"].startswith('attachment; filename="payouts-')
    assert got.headers["cache-control"] == "no-store"
    rows = list(csv.DictReader(io.StringIO(got.text)))
    assert [(r["payout_id"], r["amount"], r["currency"]) for r in rows] == [
        (str(in_eur), "1.50", "EUR"), (str(in_usd), "2.25", "USD")]
    api = client.get("/api/v1/admin/payouts?format=csv",
                     headers=bearer(people.make(Role.ADMIN)[1]))
    assert api.text == got.text
    xml = client.get(sepa_link)
    assert xml.status_code == 200 and xml.headers["content-type"] == "application/xml"
    amounts = [e.text for e in ET.fromstring(xml.content).iter() if e.tag.endswith("InstdAmt")]
    assert amounts == ["1.50"]

    # Mark the EUR one sent: it moves to the sent list, and the worker is paid.
    token = csrf(client, "/operator/payouts")
    done = client.post(f"/operator/payouts/{in_eur}/sent", data={"csrf_token": token},
                       follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/operator/payouts"
    after = client.get("/operator/payouts")
    assert f"Payout {in_eur} of €1.50 marked sent" in after.text
    assert BeautifulSoup(after.text, "html.parser").select_one(f"#waiting #payout-{in_eur}") \
        is None
    sent_row = text_of(after.text, f"#settled #payout-{in_eur}")
    assert "sent" in sent_row and "€1.50" in sent_row
    assert "1 payout," in text_of(after.text, "#waiting")
    earned = client.get("/api/v1/me/earnings", headers=bearer(wtoken)).json()["balances"]
    assert earned["paid"] == [{"amount_minor": 1_50, "currency": "EUR"}]
    again = client.post(f"/operator/payouts/{in_eur}/sent", data={"csrf_token": token})
    assert f"Payout {in_eur} not marked sent: payout {in_eur} is already sent" in again.text
    assert client.post("/operator/payouts/999999/sent", data={"csrf_token": token}
                       ).text.count("no payout 999999") == 1
    assert rtoken


def test_without_a_sepa_account_the_page_says_what_to_set(
        client: TestClient, people: Accounts, container: Container, admin: Any) -> None:
    requester = people.make(Role.REQUESTER)[0]
    batched_payout(container, requester, people.make(Role.WORKER)[0])
    sign_in(client, admin.email)
    page = client.get("/operator/payouts")
    assert "FAIRLABEL_SEPA_DEBTOR_NAME" in text_of(page.text, "#waiting")
    assert "/operator/payouts/batched.xml" not in page.text
    refused = client.get("/operator/payouts/batched.xml", follow_redirects=False)
    assert refused.status_code == 303 and refused.headers["location"] == "/operator/payouts"
    assert "No SEPA file: set FAIRLABEL_SEPA_DEBTOR_NAME" in client.get(
        "/operator/payouts").text


def test_with_nothing_waiting_the_payouts_page_says_so(
        client: TestClient, container: Container, admin: Any, sepa: None) -> None:
    sign_in(client, admin.email)
    page = client.get("/operator/payouts")
    assert page.status_code == 200 and "No payout is waiting" in page.text
    assert "None yet" in text_of(page.text, "#settled")
    assert client.get("/operator/payouts/batched.csv").text.startswith("payout_id,")
    refused = client.get("/operator/payouts/batched.xml")  # followed back to the page
    assert "No SEPA file: a SEPA file needs at least one payout line" in refused.text
