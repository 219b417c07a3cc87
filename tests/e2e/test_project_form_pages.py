"""The requester's forms, in process: money typed as people type it, the new-project form's
problems all at once beside their fields, in the fields' units and in plain words, with what was
typed kept; the commitments (expected end, notice period); a page in French."""

from __future__ import annotations

import re
from datetime import timedelta

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from httpx import Response

from fairlabel.adapters.container import Container
from fairlabel.domain.accounts import Role
from fairlabel.domain.money import Money
from fairlabel.services import projects
from tests.conftest import Accounts
from tests.e2e.test_pages import csrf, requester_with_a_draft, sign_in


def new_project(client: TestClient, **fields: str) -> Response:
    token = csrf(client, "/requester/projects/new")
    return client.post("/requester/projects/new", follow_redirects=False, data={
        "csrf_token": token, "name": "Birds", "type": "single_choice", "choices": "yes\nno",
        "pay": "0.10", "currency": "USD", **fields})


def test_a_price_of_0_10_is_read_however_it_is_written(
        client: TestClient, people: Accounts, container: Container) -> None:
    requester, _ = people.make(Role.REQUESTER)
    sign_in(client, requester.email)
    for typed in ("0,10", "0.10", "$0.10", " 0,10 $ ", ",10"):
        created = new_project(client, name=f"Birds {typed}", pay=typed)
        assert created.status_code == 303, (typed, created.text)
    prices = {v.project.terms.pay_per_task for v in projects.list_projects(container.db,
                                                                           requester)}
    assert prices == {Money(10, "USD")}


def test_the_project_page_reads_amounts_as_people_type_them(
        client: TestClient, people: Accounts, container: Container) -> None:
    _, url, token = requester_with_a_draft(client, people, container, pay_typed="0,10")
    page = BeautifulSoup(client.get(url).text, "html.parser")
    price = page.select_one("form[action$='/price'] input[name=amount]")
    assert price is not None and price["placeholder"] == "0.10"  # the field's own format
    funded = client.post(f"{url}/fund", data={"csrf_token": token, "amount": "$12.50"})
    assert "Escrow now holds $12.50" in funded.text
    raised = client.post(f"{url}/price", data={"csrf_token": token, "amount": "0,12"})
    assert "takes effect now" in raised.text


def test_every_problem_is_said_at_once_beside_its_field_in_its_units(
        client: TestClient, people: Accounts, container: Container) -> None:
    sign_in(client, people.make(Role.REQUESTER)[0].email)
    past = (container.clock() - timedelta(days=3)).date().isoformat()
    typed = {"name": "", "instructions": "Is it a **bird**?", "choices": "only one",
             "redundancy": "0", "pay": "abc", "lease_minutes": "1e3", "notice_days": "3",
             "ends_on": past, "gold_percent": "60", "qual_retry_hours": "2.5",
             "confidence_target": "100", "min_answers": "2"}
    refused = new_project(client, **typed)
    assert refused.status_code == 400
    html = refused.text
    page = BeautifulSoup(html, "html.parser")
    said = {
        "name": "Give the project a name",
        "choices": "Write at least two choices, one per line.",
        "redundancy": "Between 1 and 100 workers per task.",
        "pay": "is not an amount",
        "lease_minutes": "Write a whole number of minutes, such as 15.",
        "notice_days": "Between 7 and 365 days",
        "ends_on": "The expected end cannot be in the past",
        "gold_percent": "Between 0 and 50 %.",
        "qual_retry_hours": "Write a whole number of hours, such as 24.",
        "confidence_target": "From 50 % up to, but not including, 100 %.",
    }
    for field, words in said.items():
        error = page.select_one(f"#f-{field}-error")
        assert error is not None and words in error.get_text(), (field, error)
        control = page.select_one(f"#f-{field}")
        assert control is not None and control.get("aria-invalid") == "true", field
        assert f"f-{field}-error" in control.get("aria-describedby", "").split(), field
        for described in control["aria-describedby"].split():
            assert page.find(id=described) is not None, described
    summary = page.select_one("#form-problems")
    assert summary is not None and summary.get("role") == "alert"
    assert len(summary.select("li")) == len(said)
    assert {a["href"] for a in summary.select("a")} == {f"#f-{f}" for f in said}
    # In the fields' units and in plain words, never the rules' own units or Python's words.
    for wrong in ("invalid literal", "share between", "0.5", " s and ", "86400", "seconds"):
        assert wrong not in page.get_text(" "), wrong
    # Nothing typed is lost.
    for field, value in typed.items():
        control = page.select_one(f"[name={field}]")
        assert control is not None, field
        kept = control.get_text() if control.name == "textarea" else control.get("value")
        assert kept == value, (field, kept)
    least = page.select_one("#f-min_answers")
    assert least is not None and least.get("aria-invalid") is None


def test_the_form_starts_with_the_defaults_and_no_problem(
        client: TestClient, people: Accounts, container: Container) -> None:
    sign_in(client, people.make(Role.REQUESTER)[0].email)
    page = BeautifulSoup(client.get("/requester/projects/new").text, "html.parser")
    assert page.select_one("#form-problems") is None and not page.select("[aria-invalid]")
    notice = page.select_one("#f-notice_days")
    assert notice is not None and notice["value"] == str(container.charter.min_notice_days)
    ends = page.select_one("#f-ends_on")
    assert ends is not None and ends["type"] == "date"
    assert ends["min"] == container.clock().date().isoformat()
    for control in page.select("#new-project input:not([type=hidden]), #new-project select, "
                               "#new-project textarea"):
        label = page.select_one(f"label[for={control['id']}]")
        assert label is not None and label.get_text(strip=True), control


def test_the_expected_end_and_the_notice_period_are_saved_and_shown(
        client: TestClient, people: Accounts, container: Container) -> None:
    requester, _ = people.make(Role.REQUESTER)
    sign_in(client, requester.email)
    ends_on = (container.clock() + timedelta(days=60)).date()
    created = new_project(client, ends_on=ends_on.isoformat(), notice_days="21")
    assert created.status_code == 303, created.text
    location = created.headers["location"]
    pid = int(location.rsplit("/", 1)[1])
    commitment = projects.get_project(container.db, requester, pid).project.terms.commitment
    assert (commitment.ends_on, commitment.notice_days) == (ends_on, 21)
    terms = BeautifulSoup(client.get(location).text, "html.parser").select_one("dl.terms")
    assert terms is not None
    text = terms.get_text(" ", strip=True)
    assert "21 days" in text and str(ends_on.year) in text
    without = new_project(client, name="Open-ended")
    pid = int(without.headers["location"].rsplit("/", 1)[1])
    commitment = projects.get_project(container.db, requester, pid).project.terms.commitment
    assert commitment.ends_on is None
    assert commitment.notice_days == container.charter.min_notice_days


def test_a_requester_reading_french_types_and_reads_french_money(
        client: TestClient, people: Accounts, container: Container) -> None:
    requester, _ = people.make(Role.REQUESTER)
    client.headers["Accept-Language"] = "fr-FR,fr;q=0.9"
    sign_in(client, requester.email)
    refused = new_project(client, name="Oiseaux", pay="0,10", lease_minutes="1e3")
    assert refused.status_code == 400
    page = BeautifulSoup(refused.text, "html.parser")
    assert page.html is not None and page.html["lang"] == "fr"
    error = page.select_one("#f-lease_minutes-error")
    assert error is not None
    assert "Écrivez un nombre entier de minutes, par exemple 15." in error.get_text()
    pay = page.select_one("#f-pay")
    assert pay is not None and pay["value"] == "0,10"
    created = new_project(client, name="Oiseaux", pay="0,10")
    location = created.headers["location"]
    shown = client.get(location).text
    assert "créé comme brouillon" in shown
    text = BeautifulSoup(shown, "html.parser").get_text(" ", strip=True)
    assert re.search(r"Rémunération par tâche 0,10\s\$US", text), text[:600]
    assert "Séquestre disponible" in text
    price = BeautifulSoup(shown, "html.parser").select_one(
        "form[action$='/price'] input[name=amount]")
    assert price is not None and price["placeholder"] == "0,10"
