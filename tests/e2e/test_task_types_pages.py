"""The new-project page for boxes, spans and rankings: in process (the form's rules), and in
Chromium (only the chosen type's fields are shown and sent)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from fairlabel.bootstrap import bootstrap
from fairlabel.config import Settings
from fairlabel.domain.accounts import Role
from fairlabel.services import accounts
from tests.conftest import Accounts
from tests.e2e.test_browser import browser  # noqa: F401  (the Chromium fixture)
from tests.e2e.test_pages import csrf, sign_in
from tests.support.databases import migrated_sqlite_template, sqlite_copy
from tests.support.server import RunningServer, running_server

PASSWORD = "labels by number"


def create(client: TestClient, **fields: str) -> Any:
    token = csrf(client, "/requester/projects/new")
    return client.post("/requester/projects/new", follow_redirects=False, data={
        "csrf_token": token, "name": "Streets", "pay": "0.10", "currency": "USD", **fields})


def project_of(client: TestClient, location: str, token: str) -> dict[str, Any]:
    pid = location.rsplit("/", 1)[1]
    project: dict[str, Any] = client.get(f"/api/v1/projects/{pid}",
                                         headers={"Authorization": f"Bearer {token}"}).json()
    return project


def test_the_form_creates_each_structured_type_with_its_threshold_and_method(
        client: TestClient, people: Accounts) -> None:
    requester, token = people.make(Role.REQUESTER)
    sign_in(client, requester.email)
    cases = [
        ({"type": "bounding_boxes", "labels": "car\n person \n\n", "gold_iou": "0.7"},
         {"type": "bounding_boxes", "labels": ["car", "person"], "gold_iou": 0.7}, "iou"),
        ({"type": "spans", "labels": "PER\nLOC", "consensus_method": "token"},
         {"type": "spans", "labels": ["PER", "LOC"], "gold_f1": 0.8}, "token"),
        ({"type": "ranking", "gold_tau": "-0.2", "consensus_method": "pl"},
         {"type": "ranking", "gold_tau": -0.2}, "pl"),
    ]
    for fields, schema, method in cases:
        created = create(client, **fields)
        assert created.status_code == 303, created.text
        project = project_of(client, created.headers["location"], token)
        assert project["schema"] == schema and project["quality"]["consensus_method"] == method


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"type": "spans", "labels": "PER", "consensus_method": "ds"}, "consensus_method",
     "This method is not for this task type: choose one listed under “Spans”"),
    ({"type": "bounding_boxes", "labels": ""}, "labels",
     "Write at least one label, one per line."),
    ({"type": "bounding_boxes", "labels": "car\ncar"}, "labels",
     "Each line must be different: “car” is there twice."),
    ({"type": "bounding_boxes", "labels": "car", "gold_iou": "2"}, "gold_iou",
     "Write a number above 0 and at most 1, such as 0.5."),
    ({"type": "ranking", "gold_tau": "high"}, "gold_tau",
     "Write a number from -1 to 1, such as 0.6."),
])
def test_the_form_says_what_is_wrong_and_keeps_what_was_typed(
        client: TestClient, people: Accounts, fields: dict[str, str], field: str,
        message: str) -> None:
    sign_in(client, people.make(Role.REQUESTER)[0].email)
    refused = create(client, **fields)
    assert refused.status_code == 400
    page = BeautifulSoup(refused.text, "html.parser")
    said = page.select_one(f"#f-{field}-error")
    assert said is not None and message in said.get_text(), refused.text
    assert page.select_one(f'[name="{field}"]')["aria-invalid"] == "true"
    assert page.select_one('select[name="type"] option[selected]')["value"] == fields["type"]


def test_the_fields_of_other_task_types_are_ignored(client: TestClient,
                                                    people: Accounts) -> None:
    """Without the page's script every field is sent: only the chosen type's are read."""
    requester, token = people.make(Role.REQUESTER)
    sign_in(client, requester.email)
    created = create(client, type="ranking", confidence_target="95", min_answers="x",
                     choices="only one", rating_min="nine", labels="", gold_iou="7")
    assert created.status_code == 303, created.text
    project = project_of(client, created.headers["location"], token)
    assert project["schema"] == {"type": "ranking", "gold_tau": 0.6}
    assert project["quality"]["confidence_target"] is None


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[RunningServer, str]]:
    """A real server with one requester; and the requester's API token."""
    url = sqlite_copy(migrated_sqlite_template(tmp_path), tmp_path)
    container = bootstrap(Settings(database_url=url))
    now = container.clock()
    accounts.add_user(container.db, email="req@example.org", password=PASSWORD,
                      role=Role.REQUESTER, now=now)
    token = accounts.create_token(container.db, email="req@example.org", name="t", now=now)
    container.close()
    with running_server(url, tmp_path) as running:
        yield running, token


def test_the_form_shows_and_sends_only_the_chosen_types_fields(
        browser: Any, server: tuple[RunningServer, str]) -> None:  # noqa: F811
    site, token = server
    page = browser.new_page()
    page.goto(f"{site.url}/login")
    page.fill("input[name=email]", "req@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(f"{site.url}/requester")
    page.goto(f"{site.url}/requester/projects/new")
    page.click("details.quality summary")  # the quality section opens
    choices, labels = page.locator("textarea[name=choices]"), page.locator("textarea[name=labels]")
    confidence = page.locator("input[name=confidence_target]")
    assert choices.is_visible() and not labels.is_visible() and confidence.is_visible()
    page.fill("input[name=name]", "Streets")
    page.fill("input[name=pay]", "0.10")
    confidence.fill("95")  # typed for a choice project, then the type changes
    page.select_option("select[name=consensus_method]", "mace")
    page.select_option("select[name=type]", "bounding_boxes")
    assert labels.is_visible() and not choices.is_visible() and not confidence.is_visible()
    assert page.locator("input[name=gold_iou]").is_visible()
    assert not page.locator("input[name=gold_f1]").is_visible()
    offered = page.eval_on_selector_all(
        "select[name=consensus_method] option",
        "options => options.filter(o => !o.disabled && !o.parentElement.disabled)"
        ".map(o => o.value)")
    assert offered == ["", "iou"]
    assert page.input_value("select[name=consensus_method]") == ""  # mace is not for boxes
    labels.fill("car\nperson")
    page.fill("input[name=gold_iou]", "0.65")
    page.click("#new-project button[type=submit]")
    page.wait_for_url(re.compile(r".*/requester/projects/\d+$"))
    pid = page.url.rsplit("/", 1)[1]
    project = httpx.get(f"{site.url}/api/v1/projects/{pid}",
                        headers={"Authorization": f"Bearer {token}"}).json()
    assert project["schema"] == {"type": "bounding_boxes", "labels": ["car", "person"],
                                 "gold_iou": 0.65}
    assert project["quality"]["consensus_method"] == "iou"
    assert project["quality"]["confidence_target"] is None
