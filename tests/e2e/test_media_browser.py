"""The requester's image upload in a real browser (Debian's Chromium) against a real server:
files chosen with the input and dropped on the area, the progress and the list, a refusal
said in words, and the image served to the signed-in requester."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fairlabel.bootstrap import bootstrap
from fairlabel.config import Settings
from fairlabel.domain.accounts import Role
from fairlabel.domain.label_schema import parse_schema
from fairlabel.domain.money import Money
from fairlabel.domain.projects import ProjectTerms
from fairlabel.services import accounts, projects
from tests.e2e import test_browser
from tests.support.databases import migrated_sqlite_template, sqlite_copy
from tests.support.images import HTML_AS_PNG, image_bytes, png, zip_of
from tests.support.server import RunningServer, running_server

pytestmark = pytest.mark.browser
browser = test_browser.browser  # the module's Chromium, launched once
PASSWORD = "upload-images"

DROP = """([name, data, type]) => {
  const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], name, { type }));
  const zone = document.getElementById("media-drop");
  for (const kind of ["dragenter", "dragover", "drop"]) {
    zone.dispatchEvent(new DragEvent(kind, { dataTransfer: transfer, bubbles: true,
                                             cancelable: true }));
  }
}"""


@pytest.fixture
def draft(tmp_path: Path) -> Iterator[tuple[RunningServer, int]]:
    url = sqlite_copy(migrated_sqlite_template(tmp_path), tmp_path)
    container = bootstrap(Settings(database_url=url))
    now = container.clock()
    requester = accounts.add_user(container.db, email="req@example.org", password=PASSWORD,
                                  role=Role.REQUESTER, now=now)
    project = projects.create_project(container.db, requester, ProjectTerms(
        "Pets", "Which animal?", parse_schema({"type": "single_choice",
                                               "choices": ["cat", "dog"]}),
        1, Money(5, "USD"), 600), policy=container.charter, now=now)
    container.close()
    with running_server(url, tmp_path) as server:
        yield server, project.id


def test_a_requester_uploads_images_by_choosing_and_by_dropping_them(
        browser: Any, draft: tuple[RunningServer, int], tmp_path: Path) -> None:
    server, project_id = draft
    page = browser.new_page()
    page.goto(f"{server.url}/login")
    page.fill("input[name=email]", "req@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server.url}/requester")
    page.goto(f"{server.url}/requester/projects/{project_id}")
    assert page.locator("label[for=media-files]").is_visible()

    (tmp_path / "cat.png").write_bytes(png((300, 200)))
    (tmp_path / "more.zip").write_bytes(zip_of({"dogs/rex.jpg": image_bytes("JPEG", (40, 30))}))
    page.set_input_files("#media-files", [str(tmp_path / "cat.png"), str(tmp_path / "more.zip")])
    page.wait_for_selector("#media-status.ok")
    assert "Kept 2 of 2 files" in page.inner_text("#media-status")
    assert page.evaluate("() => document.getElementById('media-progress').value") == 100
    rows = page.locator("#media-list tbody tr")
    assert rows.count() == 2 and page.inner_text("#media-total") == "2"
    assert "dogs/rex.jpg" in rows.nth(0).inner_text() and "40 × 30" in rows.nth(0).inner_text()

    page.evaluate(DROP, ["bird.webp", base64.b64encode(image_bytes("WEBP", (20, 10))).decode(),
                         "image/webp"])
    page.wait_for_function("() => document.getElementById('media-total').textContent === '3'")
    assert "bird.webp" in rows.nth(0).inner_text() and "20 × 10" in rows.nth(0).inner_text()

    page.evaluate(DROP, ["page.png", base64.b64encode(HTML_AS_PNG).decode(), "image/png"])
    page.wait_for_selector("#media-status.error")
    assert "page.png: the file is not a PNG, JPEG or WebP image" in \
        page.inner_text("#media-status")
    assert page.inner_text("#media-total") == "3"

    served = page.request.get(server.url + rows.nth(2).locator("a").get_attribute("href"))
    assert served.status == 200 and served.headers["content-type"] == "image/png"
    page.reload()  # the page lists what the server kept
    assert page.locator("#media-list tbody tr").count() == 3
    page.screenshot(path=str(tmp_path / "media.png"), full_page=True)
