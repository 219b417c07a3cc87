"""The labeling page by keyboard and on a phone, in a real browser (Debian's Chromium) against
a real server process: pairwise answers take the focus, Enter on a focused control does what it
says there, the answers fill a 390 px screen with Submit and Skip in reach, and the page's
script speaks French to a French reader."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from fairlabel.bootstrap import bootstrap
from fairlabel.config import Settings
from fairlabel.domain.accounts import Role
from fairlabel.services import accounts
from tests.e2e import test_browser
from tests.e2e.test_labeling_browser import PASSWORD, Site, _new_project, open_labeling, saved
from tests.support.databases import migrated_sqlite_template, sqlite_copy
from tests.support.server import running_server

pytestmark = pytest.mark.browser
browser = test_browser.browser  # the module's Chromium, launched once
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
PAIR = {"prompt": "Which is kinder?", "response_a": "Thank you.", "response_b": "Whatever."}
PROJECTS: dict[str, tuple[dict[str, Any], list[dict[str, Any]]]] = {
    "pairwise": ({"type": "pairwise"}, [{"data": PAIR}] * 3),
    "choice": ({"type": "single_choice", "choices": ["positive", "negative", "neutral"]},
               [{"data": {"text": f"review {i}"}} for i in range(4)]),
    "french": ({"type": "single_choice", "choices": ["oui", "non"]},
               [{"data": {"text": f"avis {i}"}} for i in range(3)]),
}


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Site]]:
    directory = tmp_path_factory.mktemp("worker")
    url = sqlite_copy(migrated_sqlite_template(directory), directory)
    container = bootstrap(Settings(database_url=url))
    now = container.clock()
    requester = accounts.add_user(container.db, email="req@example.org", password=PASSWORD,
                                  role=Role.REQUESTER, now=now)
    accounts.add_user(container.db, email="worker@example.org", password=PASSWORD,
                      role=Role.WORKER, now=now)
    token = accounts.create_token(container.db, email="req@example.org", name="t", now=now)
    ids = {name: _new_project(container, requester, schema)
           for name, (schema, _rows) in PROJECTS.items()}
    container.close()
    with running_server(url, directory) as server:
        made = {name: Site(server, ids[name], token) for name in PROJECTS}
        for name, (_schema, rows) in PROJECTS.items():
            made[name].api("POST", f"/projects/{ids[name]}/tasks", json=rows)
            made[name].api("POST", f"/projects/{ids[name]}/launch")
        yield made


def focused_id(page: Any) -> str:
    return str(page.evaluate("document.activeElement && document.activeElement.id"))


def next_task(page: Any, previous: str) -> str:
    page.wait_for_function(
        "prev => { const a = document.getElementById('labeler').dataset.assignment;"
        " return a && a !== prev; }", arg=previous)
    return str(page.get_attribute("#labeler", "data-assignment"))


def test_pairwise_answers_take_the_focus_and_enter_answers_with_the_focused_one(
        browser: Any, sites: dict[str, Site]) -> None:
    site = sites["pairwise"]
    page = open_labeling(browser, site)
    first = next_task(page, "")
    for _ in range(40):  # Tab reaches response B like any control
        page.keyboard.press("Tab")
        if focused_id(page) == "response-b":
            break
    assert focused_id(page) == "response-b"
    assert page.get_attribute("#response-b", "aria-pressed") == "false"
    page.keyboard.press("Enter")
    saved(page)
    second = next_task(page, first)
    page.keyboard.press("1")  # a key chooses response A and moves the focus to it
    assert focused_id(page) == "response-a"
    assert page.get_attribute("#response-a", "aria-pressed") == "true"
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.getElementById('done-count').textContent === '2'")
    next_task(page, second)
    page.click("#response-b")  # a click chooses it; Space on it too
    page.keyboard.press("1")
    page.keyboard.press("Space")
    assert page.get_attribute("#response-a", "aria-pressed") == "true"
    page.click("#submit-btn")
    page.wait_for_function("() => document.getElementById('done-count').textContent === '3'")
    assert page.errors == []
    assert [a["choice"] for a in site.answers()] == ["b", "a", "a"]


def test_enter_on_a_focused_control_does_what_it_says_there(
        browser: Any, sites: dict[str, Site]) -> None:
    site = sites["choice"]
    page = open_labeling(browser, site)
    first = next_task(page, "")
    page.focus("#skip-btn")
    page.keyboard.press("Enter")  # skips: never "Choose an answer first."
    page.wait_for_selector("#message:has-text('Skipped')")
    second = next_task(page, first)
    page.keyboard.press("Tab")
    page.focus("#choices .choice:nth-child(2)")
    page.keyboard.press("Enter")  # the focused answer is the answer
    saved(page)
    next_task(page, second)
    page.focus("main a[href='/worker'], nav a[href='/worker']")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # a focused link is followed
    assert page.url.endswith("/worker")
    assert site.answers() == ["negative"]


def test_the_labeling_page_fits_a_phone_and_speaks_french(
        browser: Any, sites: dict[str, Site]) -> None:
    site = sites["french"]
    page = open_labeling(browser, site, locale="fr-FR",
                         extra_http_headers={"Accept-Language": "fr-FR,fr;q=0.9"}, **PHONE)
    first = next_task(page, "")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    for box in (page.locator("#choices .choice").nth(i).bounding_box() for i in range(2)):
        assert box is not None and box["height"] >= 44 and box["width"] >= 300  # one thumb
    for control in ("#submit-btn", "#skip-btn"):
        box = page.locator(control).bounding_box()
        assert box is not None and box["height"] >= 44 and box["y"] + box["height"] <= 844
    assert page.inner_text("#submit-btn").strip() == "Envoyer"
    page.keyboard.press("Enter")  # nothing chosen: said in French
    assert page.inner_text("#message") == "Choisissez d’abord une réponse."
    assert "pour répondre" in page.inner_text("#lease-left")
    page.locator("#choices .choice").nth(0).tap()
    page.locator("#submit-btn").tap()
    page.wait_for_selector("#message:has-text('Enregistré')")
    next_task(page, first)
    assert page.errors == []
    assert json.dumps(site.answers()) == '["oui"]'
