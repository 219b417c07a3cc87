"""The worker's pages, in process: the inbox and its unread count, paused and ended projects
kept in the work list with their dates, reasons and notice pay, an ended project's own page,
continuations named and linked, and the earnings page in French."""

from __future__ import annotations

from typing import Any

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from fairlabel.adapters.container import Container
from fairlabel.domain.accounts import Role
from fairlabel.domain.commitments import EndMode
from fairlabel.domain.money import Money
from fairlabel.services import ending, pay
from tests.conftest import Accounts
from tests.e2e.test_pages import sign_in
from tests.support.clock import FakeClock
from tests.support.work import answer, launched_project


def text_of(client: TestClient, path: str, **kwargs: Any) -> str:
    response = client.get(path, **kwargs)
    assert response.status_code == 200, response.text
    return BeautifulSoup(response.text, "html.parser").get_text(" ", strip=True)


def said_in(tag: Any, selector: str) -> str:
    """The text of the first element under ``tag`` that ``selector`` finds (it must find one)."""
    found = tag.select_one(selector)
    assert found is not None, selector
    return str(found.get_text(" ", strip=True))


def unread_badge(html: str) -> str | None:
    link = BeautifulSoup(html, "html.parser").select_one("a.inbox-link")
    assert link is not None  # the menu links the inbox on every page
    badge = link.select_one(".badge")
    return badge.get_text(strip=True) if badge else None


@pytest.fixture
def projects_in_every_state(client: TestClient, container: Container, people: Accounts,
                            clock: FakeClock) -> dict[str, Any]:
    """A worker who answered on projects now ended at once, paused and ending with notice;
    one more open project, and an ended one they never worked on."""
    requester, _ = people.make(Role.REQUESTER)
    worker, wtoken = people.make(Role.WORKER)
    pids = {name: launched_project(container, requester, name=name, tasks=6)
            for name in ("Owls", "Bats", "Wasps", "Cats", "Moles")}
    for name in ("Owls", "Bats", "Wasps"):
        answer(client, clock, wtoken, pids[name], seconds=30, count=2)
    ending.end_project(container.db, requester, pids["Owls"],
                       reason="The client study is complete.", mode=EndMode.IMMEDIATE,
                       policy=container.charter, now=clock())
    ending.end_project(container.db, requester, pids["Moles"], reason="Nobody needs moles now.",
                       mode=EndMode.IMMEDIATE, policy=container.charter, now=clock())
    ending.pause_project(container.db, requester, pids["Bats"], now=clock())
    ending.end_project(container.db, requester, pids["Wasps"], reason="The season is over soon.",
                       mode=EndMode.NOTICE, policy=container.charter, now=clock())
    notice_paid = sum(e.amount_minor for e in pay.statement(container.db, worker)
                      if e.kind == "notice_pay")
    assert notice_paid > 0
    sign_in(client, worker.email)
    return {"pids": pids, "worker": worker, "notice_paid": Money(notice_paid, "USD")}


def test_paused_and_ended_projects_stay_in_the_list_with_their_dates_and_reasons(
        client: TestClient, projects_in_every_state: dict[str, Any]) -> None:
    pids = projects_in_every_state["pids"]
    html = client.get("/worker").text
    page = BeautifulSoup(html, "html.parser")
    serving = [said_in(a, "h2") for a in page.select("article.project")]
    assert serving == ["Wasps", "Cats"] or serving == ["Cats", "Wasps"]
    stopped = page.select_one("section.stopped")
    assert stopped is not None
    cards = {said_in(c, "h3"): c.get_text(" ", strip=True) for c in stopped.select("article")}
    assert list(cards) == ["Bats", "Owls"]  # paused first, then ended; never worked: not shown
    assert "Moles" not in page.get_text()
    assert "Ended on Nov 2, 2026" in cards["Owls"]
    assert "The client study is complete." in cards["Owls"]
    paid = "$" + f"{projects_in_every_state['notice_paid'].amount_minor / 100:.2f}"
    assert f"you were paid {paid} of notice pay" in cards["Owls"]
    assert "Paused since Nov 2, 2026" in cards["Bats"]
    assert "If it is still paused on Nov 9, 2026, it counts as ended" in cards["Bats"]
    wasps = page.find(id=f"project-{pids['Wasps']}")
    assert wasps is not None
    said = wasps.get_text(" ", strip=True)
    assert "Ending on Nov 9, 2026" in said and "The season is over soon." in said
    assert html.index("Wasps") < html.index("Bats") < html.index("Owls")  # open ones first


def test_an_ended_project_has_a_page_that_says_when_why_and_what_it_paid(
        client: TestClient, projects_in_every_state: dict[str, Any]) -> None:
    pids = projects_in_every_state["pids"]
    response = client.get(f"/worker/projects/{pids['Owls']}")
    assert response.status_code == 200
    page = BeautifulSoup(response.text, "html.parser")
    assert said_in(page, "h1") == "Owls"
    assert 'src="/static/label.js"' not in response.text  # no labeling, no error
    said = said_in(page, "#project-state")
    paid = "$" + f"{projects_in_every_state['notice_paid'].amount_minor / 100:.2f}"
    assert "Ended on Nov 2, 2026" in said and "The client study is complete." in said
    assert f"you were paid {paid} of notice pay" in said
    assert "You answered 2 tasks on it." in said
    assert page.find("a", href="/worker") is not None
    paused = text_of(client, f"/worker/projects/{pids['Bats']}")
    assert "Paused since Nov 2, 2026" in paused and "no new work is served" in paused
    ending_soon = client.get(f"/worker/projects/{pids['Wasps']}").text
    assert 'src="/static/label.js"' in ending_soon  # still serving until its notice ends
    assert "This project ends on Nov 9, 2026" in ending_soon


def test_the_inbox_counts_what_is_unread_marks_it_read_and_states_the_amounts(
        client: TestClient, container: Container, people: Accounts, clock: FakeClock) -> None:
    requester, _ = people.make(Role.REQUESTER)
    worker, wtoken = people.make(Role.WORKER)
    pid = launched_project(container, requester, name="Birds", price=25)
    answer(client, clock, wtoken, pid, seconds=30)
    pay.change_price(container.db, requester, pid, Money(20, "USD"), reason="budget",
                     policy=container.charter, now=clock())
    clock.advance(minutes=5)
    ending.end_project(container.db, requester, pid, reason="The client study is complete.",
                       mode=EndMode.NOTICE, policy=container.charter, now=clock())
    sign_in(client, worker.email)
    assert unread_badge(client.get("/worker").text) == "2"
    first = client.get("/inbox")
    page = BeautifulSoup(first.text, "html.parser")
    messages = page.select("article.inbox-message")
    assert len(messages) == 2
    newest, older = (m.get_text(" ", strip=True) for m in messages)
    assert "The client study is complete." in newest and "Nov 9, 2026" in newest  # newest first
    assert "$0.25" in older and "$0.20" in older and "budget" in older
    assert all("unread" in m["class"] and m.select_one(".badge.new") for m in messages)
    assert page.find("a", href=f"/worker/projects/{pid}") is not None
    assert unread_badge(first.text) is None  # read once shown
    again = BeautifulSoup(client.get("/inbox").text, "html.parser")
    assert not again.select("article.inbox-message.unread")
    assert unread_badge(client.get("/worker/earnings").text) is None
    earnings = client.get("/worker/earnings").text
    assert 'id="inbox"' not in earnings and 'href="/inbox"' in earnings


def test_a_requester_reads_their_inbox_too(client: TestClient, people: Accounts) -> None:
    requester, _ = people.make(Role.REQUESTER)
    sign_in(client, requester.email)
    assert "No messages yet." in text_of(client, "/inbox")


def test_a_continuation_is_named_and_linked(
        client: TestClient, container: Container, people: Accounts, clock: FakeClock) -> None:
    requester, _ = people.make(Role.REQUESTER)
    worker, _ = people.make(Role.WORKER)
    musen = launched_project(container, requester, name="Musen")
    nova = launched_project(container, requester, name="Nova")
    with container.db.write() as tx:
        tx.projects.set_continuation(nova, continuation_of=musen, first_access_until=clock())
        tx.commit()
    sign_in(client, worker.email)
    card = BeautifulSoup(client.get("/worker").text, "html.parser").find(id=f"project-{nova}")
    assert card is not None
    link = card.find("a", href=f"/worker/projects/{musen}")
    assert link is not None and link.get_text(strip=True) == "“Musen”"
    said = link.find_parent("dd")
    term = said.find_previous_sibling("dt") if said is not None else None
    assert said is not None and term is not None and term.get_text() == "Continues"
    assert said.get_text(strip=True) == "“Musen”, at no lower pay per hour"


def test_earnings_in_french_write_money_and_dates_the_french_way(
        client: TestClient, container: Container, people: Accounts, clock: FakeClock) -> None:
    requester, _ = people.make(Role.REQUESTER)
    worker, wtoken = people.make(Role.WORKER)
    pid = launched_project(container, requester, name="Oiseaux", price=1250)
    answer(client, clock, wtoken, pid, seconds=30)
    sign_in(client, worker.email)
    french = {"Accept-Language": "fr-FR,fr;q=0.9"}
    html = client.get("/worker/earnings", headers=french).text
    page = BeautifulSoup(html, "html.parser")
    assert page.html is not None and page.html["lang"] == "fr"
    text = page.get_text(" ", strip=True)
    assert "Vos gains" in text and "En attente" in text
    assert "12,50\u00a0$US" in text  # a decimal comma, the symbol after the amount
    assert "2 nov. 2026" in text and "UTC" in text  # French dates, in the reader's zone
    assert "$12.50" not in text and "Nov 2, 2026" not in text
    cells = {td["data-label"] for td in page.select("table.stack td")}
    assert {"Quand", "Montant"} <= cells  # tables become labelled lists on a phone
    english = text_of(client, "/worker/earnings")
    assert "$12.50" in english and "Your earnings" in english
