"""A real browser (Debian's Chromium driven by Playwright) against a real server process."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from fairlabel.bootstrap import bootstrap
from fairlabel.config import Settings
from fairlabel.domain.accounts import Role
from fairlabel.domain.label_schema import parse_schema
from fairlabel.domain.money import Money
from fairlabel.domain.projects import ProjectTerms
from fairlabel.services import accounts, projects
from tests.support.databases import migrated_sqlite_template, sqlite_copy
from tests.support.funding import fund
from tests.support.server import RunningServer, running_server

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.browser
PASSWORD = "keyboard-only"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        reason = ("Chromium is not installed at /usr/bin/chromium (apt-get install chromium, "
                  "or run `make test` as root): browser tests skipped")
        if os.environ.get("CI") == "true":
            pytest.fail(reason.replace("skipped", "cannot be skipped under CI=true"))
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield launched
        launched.close()


def serve_project(tmp_path: Path, terms: ProjectTerms, rows: list[dict[str, Any]],
                  env: dict[str, str] | None = None,
                  ) -> Iterator[tuple[RunningServer, int, str]]:
    """A requester (with an API token) and a worker; one funded, launched project with these
    terms and tasks; a real server on it. Yields the server, the project id and the token."""
    url = sqlite_copy(migrated_sqlite_template(tmp_path), tmp_path)
    container = bootstrap(Settings(database_url=url))
    now = container.clock()
    requester = accounts.add_user(container.db, email="req@example.org", password=PASSWORD,
                                  role=Role.REQUESTER, now=now)
    accounts.add_user(container.db, email="worker@example.org", password=PASSWORD,
                      role=Role.WORKER, now=now)
    token = accounts.create_token(container.db, email="req@example.org", name="t", now=now)
    project = projects.create_project(container.db, requester, terms,
                                      policy=container.charter, now=now)
    projects.import_tasks(container.db, requester, project.id, rows, max_rows=10, now=now)
    fund(container, requester, project.id, 10_000)
    projects.launch_project(container.db, requester, project.id, now=now, policy=container.charter)
    container.close()
    with running_server(url, tmp_path, env=env) as server:
        yield server, project.id, token


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[RunningServer, int, str]]:
    yield from serve_project(tmp_path, ProjectTerms(
        "Sentiment", "Choose the **feeling**.", parse_schema(
            {"type": "single_choice", "choices": ["positive", "negative", "neutral"]}),
        2, Money(5, "USD"), 600), [{"data": {"text": f"review number {i}"}} for i in range(5)])


def test_a_worker_labels_three_tasks_with_the_keyboard_only(
        browser: Any, site: tuple[RunningServer, int, str], tmp_path: Path) -> None:
    server, project_id, token = site
    page = browser.new_page()
    page.goto(f"{server.url}/login")
    # The e-mail field takes the focus on load (autofocus): wait for it, then only type.
    page.wait_for_function("document.activeElement && document.activeElement.name === 'email'")
    page.keyboard.type("worker@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server.url}/worker")
    page.focus("a.button.primary")  # the project's "Start labeling" link
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server.url}/worker/projects/{project_id}")

    labeler = page.locator("#labeler")
    seen: list[str] = []
    keys = ["1", "2", "1"]
    for key in keys:
        page.wait_for_function(
            "prev => { const a = document.getElementById('labeler').dataset.assignment;"
            " return a && a !== prev; }", arg=seen[-1] if seen else "")
        seen.append(labeler.get_attribute("data-assignment") or "")
        page.keyboard.press(key)
        page.keyboard.press("Enter")
    page.wait_for_function("() => document.getElementById('done-count').textContent === '3'")
    # One more task is shown; skip it with the keyboard.
    page.wait_for_function(
        "prev => document.getElementById('labeler').dataset.assignment !== prev",
        arg=seen[-1])
    page.keyboard.press("s")
    page.wait_for_selector("#message:has-text('Skipped')")
    page.screenshot(path=str(tmp_path / "labeling.png"), full_page=True)

    exported = httpx.get(f"{server.url}/api/v1/projects/{project_id}/export?format=jsonl",
                         headers={"Authorization": f"Bearer {token}"})
    records = [json.loads(line) for line in exported.text.splitlines()]
    answers = [a["answer"] for r in records for a in r["answers"]]
    assert sorted(answers) == ["negative", "positive", "positive"]
    assert len({a["worker"] for r in records for a in r["answers"]}) == 1


@pytest.fixture
def qualified_site(tmp_path: Path) -> Iterator[tuple[RunningServer, int, str]]:
    """A project that opens with a two-item qualification test (gold answer: positive)."""
    from fairlabel.domain.quality import Qualification, QualityTerms

    yield from serve_project(tmp_path, ProjectTerms(
        "Checked sentiment", "Choose the feeling.", parse_schema(
            {"type": "single_choice", "choices": ["positive", "negative"]}),
        2, Money(5, "USD"), 600, quality=QualityTerms(
            qualification=Qualification(2, 0.5), consensus_method="mv")),
        [{"data": {"text": f"review {i}"}} for i in range(3)]
        + [{"data": {"text": f"check {i}"}, "gold": "positive"} for i in range(2)])


def test_a_worker_passes_the_qualification_test_and_sees_their_record(
        browser: Any, qualified_site: tuple[RunningServer, int, str], tmp_path: Path) -> None:
    server, project_id, token = qualified_site
    page = browser.new_page()
    page.goto(f"{server.url}/login")
    page.fill("input[name=email]", "worker@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server.url}/worker")
    assert "2 paid items, pass mark 50%" in page.inner_text("main")
    page.goto(f"{server.url}/worker/projects/{project_id}")
    labeler = page.locator("#labeler")
    previous = ""
    for key in ["1", "2"]:  # first item right, second wrong: 1 of 2 passes at 50 %
        page.wait_for_function(
            "prev => { const a = document.getElementById('labeler').dataset.assignment;"
            " return a && a !== prev; }", arg=previous)
        previous = labeler.get_attribute("data-assignment") or ""
        page.wait_for_selector("#qualification-banner")
        page.keyboard.press(key)
        page.keyboard.press("Enter")
    page.wait_for_function(
        "prev => document.getElementById('labeler').dataset.assignment !== prev", arg=previous)
    assert page.locator("#qualification-banner").count() == 0
    assert "review" in page.inner_text("#task")
    page.reload()
    record = page.inner_text("#my-quality")
    assert "Passed." in record and "1 right of 2" in record
    page.click("#my-quality summary")
    assert 'expected "positive"' in page.inner_text("#my-quality .missed")
    page.screenshot(path=str(tmp_path / "qualification.png"), full_page=True)

    exported = httpx.get(f"{server.url}/api/v1/projects/{project_id}/export?format=jsonl",
                         headers={"Authorization": f"Bearer {token}"})
    records = [json.loads(line) for line in exported.text.splitlines()]
    assert sorted(r["gold"] for r in records if r["gold"]) == ["positive", "positive"]


def test_the_public_record_renders_without_login(
        browser: Any, site: tuple[RunningServer, int, str], tmp_path: Path) -> None:
    server, _project_id, _token = site
    page = browser.new_page()
    page.goto(f"{server.url}/login")
    page.click("nav >> text=Public record")
    page.wait_for_url(f"{server.url}/public/requesters")
    page.click("text=Read the record")
    page.wait_for_selector("h1:has-text('Requester')")
    assert "Sentiment" in page.inner_text("main")
    assert page.is_visible("#ratings") and page.is_visible("#testimonies")
    page.screenshot(path=str(tmp_path / "public-record.png"), full_page=True)
    page.click("text=All requesters")
    page.click("text=Automated systems")
    page.wait_for_url(f"{server.url}/public/algorithms")
    assert page.is_visible("#withhold_evidence") and page.is_visible("#fast_answers")
    page.screenshot(path=str(tmp_path / "algorithms.png"), full_page=True)
    for path in ("/api/v1/public/requesters", "/api/v1/public/algorithms"):
        assert httpx.get(f"{server.url}{path}").status_code == 200
