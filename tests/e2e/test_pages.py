"""Pages, in process: sign-in, CSRF, sign-up, the requester's flow, safe Markdown."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from fairlabel.adapters.container import Container
from fairlabel.domain.accounts import Role, User
from fairlabel.services import projects
from tests.conftest import Accounts
from tests.support.work import launched_project


def csrf(client: TestClient, path: str) -> str:
    page = BeautifulSoup(client.get(path).text, "html.parser")
    field = page.find("input", attrs={"name": "csrf_token"})
    assert field is not None
    return str(field["value"])


def sign_in(client: TestClient, email: str, password: str = "correct horse") -> None:
    token = csrf(client, "/login")
    response = client.post("/login", data={"email": email, "password": password,
                                           "csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303, response.text


def test_signing_in_needs_the_csrf_token_and_the_right_password(
        client: TestClient, people: Accounts) -> None:
    user, _ = people.make(Role.WORKER)
    no_token = client.post("/login", data={"email": user.email, "password": "correct horse",
                                           "csrf_token": "forged"})
    assert no_token.status_code == 403
    token = csrf(client, "/login")
    wrong = client.post("/login", data={"email": user.email, "password": "nope",
                                        "csrf_token": token})
    assert wrong.status_code == 400 and "wrong password" in wrong.text
    sign_in(client, user.email)
    assert client.get("/", follow_redirects=False).headers["location"] == "/worker"


def test_pages_need_a_session_and_the_right_role(client: TestClient,
                                                 people: Accounts) -> None:
    response = client.get("/requester", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    sign_in(client, people.make(Role.WORKER)[0].email)
    assert client.get("/requester", follow_redirects=False).headers["location"] == "/worker"


def test_workers_sign_up_and_see_open_projects_with_their_terms(
        client: TestClient, people: Accounts, container: Container) -> None:
    requester, _ = people.make(Role.REQUESTER)
    sign_in(client, requester.email)
    token = csrf(client, "/requester/projects/new")
    created = client.post("/requester/projects/new", data={
        "csrf_token": token, "name": "Birds", "instructions": "Is it a **bird**?",
        "type": "single_choice", "choices": "yes\nno\n", "redundancy": "2", "pay": "0.12",
        "currency": "EUR", "lease_minutes": "5"}, follow_redirects=False)
    assert created.status_code == 303
    page_url = created.headers["location"]
    pid = int(page_url.rsplit("/", 1)[1])
    upload = client.post(f"{page_url}/upload", data={"csrf_token": token},
                         files={"file": ("birds.csv", b"text\nsparrow\ncrow\n", "text/csv")})
    assert "Imported 2 tasks" in upload.text
    launched = client.post(f"{page_url}/launch", data={"csrf_token": token})
    assert "Launched" in launched.text
    assert projects.get_project(container.db, requester, pid).counts.tasks == 2

    worker_client = TestClient(client.app)
    signup_token = csrf(worker_client, "/signup")
    signed = worker_client.post("/signup", data={"email": "new@example.org",
                                                 "password": "long enough",
                                                 "csrf_token": signup_token})
    assert signed.status_code == 200
    cards = BeautifulSoup(signed.text, "html.parser").select("article.project")
    assert len(cards) == 1
    text = cards[0].get_text(" ", strip=True)
    assert "Birds" in text and "€0.12" in text and "5 min" in text
    label = worker_client.get(f"/worker/projects/{pid}")
    assert label.status_code == 200 and 'src="/static/label.js"' in label.text


def test_project_form_errors_are_shown_on_the_form(client: TestClient,
                                                   people: Accounts) -> None:
    sign_in(client, people.make(Role.REQUESTER)[0].email)
    token = csrf(client, "/requester/projects/new")
    response = client.post("/requester/projects/new", data={
        "csrf_token": token, "name": "x", "type": "single_choice", "choices": "only one",
        "pay": "0.001", "currency": "USD"})
    assert response.status_code == 400
    assert "at least two" in response.text
    assert 'value="x"' in response.text  # what was typed is kept


@pytest.mark.parametrize("payload", ["<script>alert(1)</script>",
                                     "[click](javascript:alert(1))",
                                     '<img src=x onerror="alert(1)">'])
def test_instructions_markdown_never_lets_raw_html_through(
        client: TestClient, people: Accounts, container: Container, payload: str) -> None:
    requester, _ = people.make(Role.REQUESTER)
    sign_in(client, requester.email)
    token = csrf(client, "/requester/projects/new")
    created = client.post("/requester/projects/new", data={
        "csrf_token": token, "name": "XSS", "instructions": f"# Title\n\n{payload}",
        "type": "pairwise", "pay": "1", "currency": "USD"}, follow_redirects=False)
    html = client.get(created.headers["location"]).text
    prose = BeautifulSoup(html, "html.parser").select(".prose")[-1]
    assert prose.find("script") is None and prose.find("img") is None
    assert not re.search(r'href="javascript:', str(prose))
    assert prose.find("h1") is not None  # Markdown itself is rendered


def test_workers_see_their_earnings_inbox_and_statement_link(
        client: TestClient, people: Accounts, container: Container) -> None:
    from fairlabel.domain.label_schema import parse_schema
    from fairlabel.domain.money import Money
    from fairlabel.domain.projects import ProjectTerms
    from fairlabel.services import assignment, pay
    from tests.support.funding import fund

    requester, _ = people.make(Role.REQUESTER)
    worker, _ = people.make(Role.WORKER)
    now = container.clock()
    project = projects.create_project(container.db, requester, ProjectTerms(
        "Birds", "", parse_schema({"type": "single_choice", "choices": ["y", "n"]}), 1,
        Money(25, "USD"), 600), policy=container.charter, now=now)
    projects.import_tasks(container.db, requester, project.id, [{"t": 1}, {"t": 2}],
                          max_rows=5, now=now)
    fund(container, requester, project.id, 10_000)
    projects.launch_project(container.db, requester, project.id, now=now, policy=container.charter)
    lease = assignment.request_next(container.db, worker, project.id, now=now,
                                    policy=container.charter)
    assert lease is not None
    assignment.submit_answer(container.db, worker, lease.assignment_id, "y",
                             idempotency_key=None, now=now, policy=container.charter)
    pay.change_price(container.db, requester, project.id, Money(20, "USD"), reason="budget",
                     policy=container.charter, now=now)
    sign_in(client, worker.email)
    page = BeautifulSoup(client.get("/worker/earnings").text, "html.parser")
    text = page.get_text(" ", strip=True)
    assert "$0.25" in text
    assert page.find("a", href="/api/v1/me/statement") is not None
    assert page.find("a", href="/inbox") is not None  # the inbox has its own page
    inbox = BeautifulSoup(client.get("/inbox").text, "html.parser").get_text(" ", strip=True)
    assert "Pay cut" in inbox and "Birds" in inbox and "budget" in inbox
    work = BeautifulSoup(client.get("/worker").text, "html.parser").get_text(" ", strip=True)
    assert "Price cut announced" in work and "to $0.20" in work


def requester_with_a_draft(client: TestClient, people: Accounts, container: Container, *,
                           pay_typed: str, currency: str = "USD") -> tuple[User, str, str]:
    """A signed-in requester with 50.00 in funds and a draft pairwise project made with the
    form; returns the requester, the project page's address and the CSRF token."""
    from fairlabel.domain.money import Money
    from fairlabel.services import pay
    from tests.support.funding import operator

    requester, _ = people.make(Role.REQUESTER)
    pay.deposit(container.db, operator(container), requester_email=requester.email,
                amount=Money(5_000, currency.upper()), policy=container.charter,
                now=container.clock())
    sign_in(client, requester.email)
    token = csrf(client, "/requester/projects/new")
    created = client.post("/requester/projects/new", data={
        "csrf_token": token, "name": "Cats", "type": "pairwise", "pay": pay_typed,
        "currency": currency}, follow_redirects=False)
    assert created.status_code == 303, created.text
    return requester, created.headers["location"], token


def test_requesters_fund_and_reprice_from_the_project_page(
        client: TestClient, people: Accounts, container: Container) -> None:
    _, url, token = requester_with_a_draft(client, people, container, pay_typed="0.30")
    funded = client.post(f"{url}/fund", data={"csrf_token": token, "amount": "12.50"})
    assert "Escrow now holds $12.50" in funded.text
    too_much = client.post(f"{url}/fund", data={"csrf_token": token, "amount": "1000"})
    assert "Not funded" in too_much.text and "$37.50" in too_much.text
    repriced = client.post(f"{url}/price", data={"csrf_token": token, "amount": "0.25",
                                                 "reason": "less"})
    assert "after the notice period" in repriced.text


def test_requesters_read_what_a_project_holds_and_needs_and_withdraw_from_its_page(
        client: TestClient, people: Accounts, container: Container) -> None:
    _, url, token = requester_with_a_draft(client, people, container, pay_typed="0,10")
    client.post(f"{url}/upload", data={"csrf_token": token}, files={"file": (
        "t.jsonl", b'{"prompt": "p", "response_a": "a", "response_b": "b"}\n' * 4)})
    page = BeautifulSoup(client.get(url).text, "html.parser")
    said = page.find(id="funding-explained")
    # Before launch, what it costs: 4 tasks × 3 answers, at the lease's worst case.
    assert said is not None and "12 answers remain" in said.text
    assert "even if every answer took the whole lease" in said.text
    client.post(f"{url}/fund", data={"csrf_token": token, "amount": "20"})
    withdrawn = client.post(f"{url}/withdraw", data={"csrf_token": token, "amount": "7,50"})
    assert "Withdrew $7.50: your funds hold $37.50" in withdrawn.text
    too_much = client.post(f"{url}/withdraw", data={"csrf_token": token, "amount": "13"})
    assert "Not withdrawn" in too_much.text and "$12.50 of this project" in too_much.text


def test_workers_set_where_payouts_go_and_bad_ibans_are_explained(
        client: TestClient, people: Accounts) -> None:
    sign_in(client, people.make(Role.WORKER)[0].email)
    token = csrf(client, "/worker/earnings")
    bad = client.post("/worker/payout-details", data={
        "csrf_token": token, "name": "Ada", "iban": "DE44 5001 0517 5407 3249 32"})
    assert "Not saved" in bad.text and "check digits" in bad.text.lower()
    good = client.post("/worker/payout-details", data={
        "csrf_token": token, "name": "Ada", "iban": "DE44 5001 0517 5407 3249 31",
        "country": "de"})
    assert "Payout details saved" in good.text and "IBAN ending 4931" in good.text


def test_requesters_end_a_project_from_its_page_and_workers_see_the_terms(
        client: TestClient, people: Accounts, container: Container) -> None:
    from fairlabel.domain.commitments import Commitment
    from fairlabel.domain.label_schema import parse_schema
    from fairlabel.domain.money import Money
    from fairlabel.domain.projects import ProjectTerms
    from tests.support.funding import fund

    requester, _ = people.make(Role.REQUESTER)
    now = container.clock()
    project = projects.create_project(container.db, requester, ProjectTerms(
        "Owls", "", parse_schema({"type": "pairwise"}), 1, Money(25, "USD"), 600,
        commitment=Commitment(10)), policy=container.charter, now=now)
    projects.import_tasks(container.db, requester, project.id,
                          [{"prompt": "p", "response_a": "a", "response_b": "b"}],
                          max_rows=5, now=now)
    fund(container, requester, project.id, 10_000)
    projects.launch_project(container.db, requester, project.id, now=now, policy=container.charter)
    sign_in(client, requester.email)
    token = csrf(client, f"/requester/projects/{project.id}")
    short = client.post(f"/requester/projects/{project.id}/end",
                        data={"csrf_token": token, "reason": "bye", "mode": "notice"})
    assert "Not ended" in short.text
    ended = client.post(f"/requester/projects/{project.id}/end", data={
        "csrf_token": token, "reason": "The client study is complete.", "mode": "notice"})
    assert "workers were told" in ended.text
    worker_client = TestClient(client.app)
    sign_in(worker_client, people.make(Role.WORKER)[0].email)
    listing = worker_client.get("/worker").text
    assert "10 days" in listing and "The client study is complete." in listing


def test_quality_terms_from_the_form_reach_workers_and_both_sides_see_the_record(
        client: TestClient, people: Accounts, container: Container) -> None:
    from fairlabel.services import assignment
    from tests.support.funding import fund

    requester, _ = people.make(Role.REQUESTER)
    worker, _ = people.make(Role.WORKER)
    sign_in(client, requester.email)
    token = csrf(client, "/requester/projects/new")
    created = client.post("/requester/projects/new", data={
        "csrf_token": token, "name": "Checked birds", "instructions": "Bird?",
        "type": "single_choice", "choices": "yes\nno\n", "redundancy": "3", "pay": "0.10",
        "currency": "USD", "lease_minutes": "5", "gold_percent": "20",
        "gold_min_percent": "60", "consensus_method": "mv", "qual_size": "1",
        "qual_pass_percent": "100", "qual_retry_hours": "12", "confidence_target": "90",
        "min_answers": "2"}, follow_redirects=False)
    assert created.status_code == 303, created.text
    page_url = created.headers["location"]
    pid = int(page_url.rsplit("/", 1)[1])
    terms = projects.get_project(container.db, requester, pid).project.terms.quality
    assert (terms.gold_rate, terms.gold_min_accuracy, terms.consensus_method) == (0.2, 0.6, "mv")
    assert terms.qualification is not None and terms.qualification.retry_after_hours == 12
    assert terms.confidence_target == 0.9
    upload = client.post(f"{page_url}/upload", data={"csrf_token": token}, files={
        "file": ("birds.csv", b"text,_gold\nsparrow,\ncrow,\nrobin,yes\nbat,no\n", "text/csv")})
    assert "Imported 4 tasks" in upload.text
    fund(container, requester, pid, 10_000)
    assert "Launched" in client.post(f"{page_url}/launch", data={"csrf_token": token}).text

    now = container.clock()
    lease = assignment.request_next(container.db, worker, pid, now=now, policy=container.charter)
    assert lease is not None and lease.qualification
    expected = "yes" if lease.data["text"] == "robin" else "no"
    wrong = "no" if expected == "yes" else "yes"
    assignment.submit_answer(container.db, worker, lease.assignment_id, wrong,
                             idempotency_key=None, now=now, policy=container.charter)

    worker_client = TestClient(client.app)
    sign_in(worker_client, worker.email)
    cards = BeautifulSoup(worker_client.get("/worker").text, "html.parser")
    text = cards.get_text(" ", strip=True)
    assert "1 paid item, pass mark 100%" in text and "20% of tasks have a known answer" in text
    label = BeautifulSoup(worker_client.get(f"/worker/projects/{pid}").text, "html.parser")
    mine = label.select_one("#my-quality")
    assert mine is not None
    mine_text = mine.get_text(" ", strip=True)
    assert "Not passed (0 of 1 right)" in mine_text
    assert f'expected "{expected}"' in mine_text.replace("“", '"')

    project_page = BeautifulSoup(client.get(page_url).text, "html.parser")
    panel = project_page.select_one("#quality")
    assert panel is not None
    panel_text = panel.get_text(" ", strip=True)
    assert "Consensus by MV" in panel_text and "Gold tasks 2" in panel_text
    assert "0 of 1" in panel_text and worker.email not in project_page.get_text()


def test_the_labeling_page_calls_the_api_with_its_session_and_csrf_token(
        client: TestClient, people: Accounts, container: Container) -> None:
    requester, _ = people.make(Role.REQUESTER)
    pid = launched_project(container, requester, tasks=2)
    worker, _ = people.make(Role.WORKER)
    sign_in(client, worker.email)
    page = BeautifulSoup(client.get(f"/worker/projects/{pid}").text, "html.parser")
    root = page.find(attrs={"data-csrf": True})
    assert root is not None
    lease = client.get(f"/api/v1/projects/{pid}/next")  # a read needs no CSRF token
    assert lease.status_code == 200, lease.text
    submit = f"/api/v1/assignments/{lease.json()['assignment_id']}/submit"
    forged = client.post(submit, json={"answer": "a"}, headers={"X-CSRF-Token": "forged"})
    missing = client.post(submit, json={"answer": "a"})
    assert forged.status_code == missing.status_code == 403
    assert "CSRF" in forged.json()["message"]
    sent = client.post(submit, json={"answer": "a"},
                       headers={"X-CSRF-Token": str(root["data-csrf"])})
    assert sent.status_code == 201, sent.text
    assert projects.get_project(container.db, requester, pid).counts.answers == 1
    anonymous = TestClient(client.app).get(f"/api/v1/projects/{pid}/next")
    assert anonymous.status_code == 401
