"""A worker's journey in French, in a real browser against a real server process: they sign up
on French pages, label five tasks of each task type by keyboard alone, read the inbox message
about a price cut with its amounts and date written the French way, and appeal a rejection
seeing the task and their answer; a moderator, also in French, decides the appeal seeing both."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import create_engine, text

from fairlabel.bootstrap import bootstrap
from fairlabel.config import Settings
from fairlabel.domain.accounts import Role
from fairlabel.domain.label_schema import parse_schema
from fairlabel.domain.money import Money
from fairlabel.domain.projects import ProjectTerms
from fairlabel.domain.quality import QualityTerms, default_method
from fairlabel.services import accounts, projects
from tests.e2e import test_browser
from tests.support.databases import migrated_sqlite_template, sqlite_copy
from tests.support.funding import fund
from tests.support.images import png
from tests.support.server import RunningServer, running_server

pytestmark = pytest.mark.browser
browser = test_browser.browser
PASSWORD = "en-francais-svp"
TASKS = 5
TEXT = "Ada Lovelace écrivit à Charles Babbage depuis Londres."

SCHEMAS: dict[str, dict[str, Any]] = {
    "single_choice": {"type": "single_choice", "choices": ["positif", "négatif"]},
    "multi_choice": {"type": "multi_choice", "choices": ["chat", "chien"]},
    "rating": {"type": "rating", "min": 1, "max": 5},
    "free_text": {"type": "free_text", "max_length": 40},
    "pairwise": {"type": "pairwise"},
    "bounding_boxes": {"type": "bounding_boxes", "labels": ["voiture", "piéton"]},
    "spans": {"type": "spans", "labels": ["PER", "LOC"]},
    "ranking": {"type": "ranking"},
}


def _row(kind: str, i: int) -> dict[str, Any]:
    if kind == "pairwise":
        return {"prompt": f"Question {i}", "response_a": "Oui.", "response_b": "Non."}
    if kind == "bounding_boxes":
        return {"image": "media:{id}"}
    if kind == "spans":
        return {"text": f"{TEXT} ({i})"}
    if kind == "ranking":
        return {"prompt": f"Question {i}", "responses": ["Un.", "Deux.", "Trois."]}
    return {"text": f"Texte numéro {i}"}


# The keys that answer one task of each type, from the moment the task is shown.
KEYS: dict[str, list[str]] = {
    "single_choice": ["1", "Enter"],
    "multi_choice": ["2", "Enter"],
    "rating": ["4", "Enter"],
    "free_text": ["type:bonjour", "Control+Enter"],
    "pairwise": ["2", "Enter"],
    "bounding_boxes": ["b", "Enter"],
    "spans": ["focus:.span-text", "Home", "Control+Shift+ArrowRight", "1", "Enter"],
    "ranking": ["3", "1", "Enter"],
}


@dataclass
class Site:
    server: RunningServer
    url: str  # the database's
    ids: dict[str, int]
    token: str

    def api(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        response = httpx.request(method, f"{self.server.url}/api/v1{path}",
                                 headers={"Authorization": f"Bearer {self.token}"}, **kwargs)
        assert response.is_success, response.text
        return response


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A requester with one funded project per task type (five tasks each, launched through
    the API after uploading the box project's image), a moderator, and a real server."""
    directory = tmp_path_factory.mktemp("francais")
    url = sqlite_copy(migrated_sqlite_template(directory), directory)
    container = bootstrap(Settings(database_url=url))
    now = container.clock()
    requester = accounts.add_user(container.db, email="demandeur@example.org",
                                  password=PASSWORD, role=Role.REQUESTER, now=now)
    accounts.add_user(container.db, email="moderatrice@example.org", password=PASSWORD,
                      role=Role.MODERATOR, now=now)
    token = accounts.create_token(container.db, email="demandeur@example.org", name="t", now=now)
    ids = {}
    for kind, schema in SCHEMAS.items():
        parsed = parse_schema(schema)
        terms = ProjectTerms(f"Projet {kind}", "Répondez avec soin.", parsed, 1,
                             Money(10, "USD"), 600,
                             quality=QualityTerms(consensus_method=default_method(parsed)))
        project = projects.create_project(container.db, requester, terms,
                                          policy=container.charter, now=now)
        fund(container, requester, project.id, 20_000)
        ids[kind] = project.id
    container.close()
    with running_server(url, directory) as server:
        made = Site(server, url, ids, token)
        for kind, pid in ids.items():
            rows = [{"data": _row(kind, i)} for i in range(TASKS)]
            if kind == "bounding_boxes":
                added = made.api("POST", f"/projects/{pid}/media", files={
                    "file": ("rue.png", png((640, 480)), "image/png")}).json()
                rows = json.loads(json.dumps(rows).replace(
                    "media:{id}", f"media:{added['media'][0]['id']}"))
            made.api("POST", f"/projects/{pid}/tasks", json=rows)
            made.api("POST", f"/projects/{pid}/launch")
        yield made


def _french_page(browser: Any) -> Any:
    context = browser.new_context(locale="fr-FR", timezone_id="Africa/Nairobi",
                                  viewport={"width": 390, "height": 844})
    return context.new_page()


def _label(page: Any, site: Site, kind: str) -> None:
    page.goto(f"{site.server.url}/worker/projects/{site.ids[kind]}")
    previous = ""
    for _ in range(TASKS):
        page.wait_for_function(
            "prev => { const a = document.getElementById('labeler').dataset.assignment;"
            " return a && a !== prev; }", arg=previous)
        previous = page.locator("#labeler").get_attribute("data-assignment") or ""
        if kind == "bounding_boxes":
            page.wait_for_function(
                "() => document.querySelector('.box-stage img').naturalWidth > 0")
        for key in KEYS[kind]:
            if key.startswith("type:"):
                page.wait_for_function("() => document.activeElement.tagName === 'TEXTAREA'")
                page.keyboard.type(key[5:])
            elif key.startswith("focus:"):
                page.wait_for_function(
                    f"() => document.activeElement.matches('{key[6:]}')")
            else:
                page.keyboard.press(key)
    page.wait_for_function(f"() => document.getElementById('done-count').textContent === "
                           f"'{TASKS}'")


def _answers(site: Site, kind: str) -> list[Any]:
    exported = site.api("GET", f"/projects/{site.ids[kind]}/export?format=jsonl")
    records = [json.loads(line) for line in exported.text.splitlines()]
    return [a["answer"] for r in records for a in r["answers"]]


def test_a_worker_in_french_labels_reads_the_inbox_and_appeals(
        browser: Any, site: Site, tmp_path: Path) -> None:
    page = _french_page(browser)
    base = site.server.url

    # Sign up on a French page; the account keeps French.
    page.goto(f"{base}/signup")
    assert page.locator("html").get_attribute("lang") == "fr"
    page.wait_for_function("document.activeElement && document.activeElement.name === 'email'")
    page.keyboard.type("amina@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/worker")
    assert "Travail" in page.locator("nav").inner_text()

    # Five tasks of each type, keys only.
    for kind in SCHEMAS:
        _label(page, site, kind)
        answers = _answers(site, kind)
        assert len(answers) == TASKS, (kind, answers)
    assert set(_answers(site, "single_choice")) == {"positif"}
    assert all(a == ["chien"] for a in _answers(site, "multi_choice"))
    assert set(_answers(site, "rating")) == {4}
    assert set(_answers(site, "free_text")) == {"bonjour"}
    assert all(a["choice"] == "b" for a in _answers(site, "pairwise"))
    assert all(len(a) == 1 and a[0]["label"] == "voiture"
               for a in _answers(site, "bounding_boxes"))
    assert all(len(a) == 1 and a[0]["label"] == "PER" for a in _answers(site, "spans"))
    assert all(a["order"] == [2, 0, 1] for a in _answers(site, "ranking"))

    # The requester cuts a price: the inbox says it with amounts and a date in French.
    cut = site.api("POST", f"/projects/{site.ids['single_choice']}/price", json={
        "pay_per_task": {"amount_minor": 8, "currency": "USD"},
        "reason": "Budget réduit"}).json()
    page.goto(f"{base}/worker")
    badge = page.locator("nav .badge")
    assert badge.inner_text().strip() == "1"
    badge.click()
    page.wait_for_url(f"{base}/inbox")
    inbox = page.locator("main").inner_text()
    assert "0,10\u00a0$US" in inbox and "0,08\u00a0$US" in inbox, inbox
    assert "Budget réduit" in inbox
    # The page shows the date where the worker is (Nairobi, UTC+3): after 21:00 UTC it is
    # already the next day there.
    effective = datetime.fromisoformat(cut["effective_at"]).astimezone(ZoneInfo("Africa/Nairobi"))
    year, month, day = effective.year, effective.month, effective.day
    months = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.",
              "oct.", "nov.", "déc."]
    assert re.search(rf"\b{day} {re.escape(months[month - 1])} {year}\b", inbox), inbox
    page.goto(f"{base}/worker")
    assert page.locator("nav .badge").count() == 0  # read now

    # The requester rejects one answer; the worker sees the task and their answer, appeals.
    engine = create_engine(site.url)
    with engine.connect() as conn:
        assignment_id = conn.execute(text(
            "SELECT a.id FROM assignments a JOIN tasks t ON t.id = a.task_id "
            "WHERE t.project_id = :pid AND a.status = 'submitted' ORDER BY a.id LIMIT 1"),
            {"pid": site.ids["spans"]}).scalar_one()
    engine.dispose()
    site.api("POST", f"/assignments/{assignment_id}/review", json={
        "decision": "reject", "reason": "Le lieu n'est pas marqué"})
    page.goto(f"{base}/worker/decisions")
    card = page.locator("section.card", has=page.locator("form.appeal-form")).first
    seen = card.inner_text()
    assert "Ada Lovelace" in seen and "Le lieu n'est pas marqué" in seen, seen
    assert "Votre réponse" in seen or "votre réponse" in seen, seen
    card.locator("textarea").focus()
    page.keyboard.type("Je n'ai marqué que la personne, comme demandé.")
    page.keyboard.press("Tab")  # past the hint to the button
    page.keyboard.press("Enter")
    page.wait_for_selector("p.flash.ok")
    assert page.locator("form.appeal-form").count() == 0
    assert "Je n'ai marqué que la personne, comme demandé." in page.locator("main").inner_text()
    page.screenshot(path=str(tmp_path / "recours.png"), full_page=True)

    # The moderator, in French, sees the task and the answer beside the appeal and decides.
    moderator = _french_page(browser)
    moderator.goto(f"{base}/login")
    moderator.fill("input[name=email]", "moderatrice@example.org")
    moderator.fill("input[name=password]", PASSWORD)
    moderator.keyboard.press("Enter")
    moderator.wait_for_url(f"{base}/moderation")
    queue = moderator.locator("main").inner_text()
    assert "Ada Lovelace" in queue and "Je n'ai marqué que la personne" in queue, queue
    assert "Le lieu n'est pas marqué" in queue
    moderator.fill("textarea[name=reason]", "La consigne ne demandait pas les lieux.")
    moderator.click("button[value=overturned]")
    moderator.wait_for_url(f"{base}/moderation")
    page.goto(f"{base}/worker/decisions")
    assert "La consigne ne demandait pas les lieux." in page.locator("main").inner_text()
