"""The labeling editors in a real browser (Debian's Chromium) against a real server process:
boxes drawn with the mouse on an uploaded image, spans marked with the keyboard (and one with
the mouse), responses ranked by keys, and an image shown above the choices. Every answer is
read back from the export."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from fairlabel.adapters.container import Container
from fairlabel.bootstrap import bootstrap
from fairlabel.config import Settings
from fairlabel.domain.accounts import Role, User
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
browser = test_browser.browser  # the module's Chromium, launched once
PASSWORD = "draw-and-mark"
IMAGE_SIZE = (1200, 800)  # shown smaller than its natural size: fractions must not care


@dataclass
class Site:
    server: RunningServer
    project_id: int
    token: str

    def api(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        response = httpx.request(method, f"{self.server.url}/api/v1{path}",
                                 headers={"Authorization": f"Bearer {self.token}"}, **kwargs)
        assert response.is_success, response.text
        return response

    def answers(self) -> list[Any]:
        exported = self.api("GET", f"/projects/{self.project_id}/export?format=jsonl")
        records = [json.loads(line) for line in exported.text.splitlines()]
        return [a["answer"] for r in records for a in r["answers"]]


HOST = "images.example.org"
TEXT = "🙂 Ada Lovelace wrote to Charles Babbage in London."
BOXES = {"type": "bounding_boxes", "labels": ["car", "person"]}
PROJECTS: dict[str, tuple[dict[str, Any], list[dict[str, Any]], bytes | None]] = {
    # name: (schema, task rows, the image uploaded first: rows say "media:{id}" for it)
    "boxes": (BOXES, [{"data": {"image": "media:{id}"}}], png(IMAGE_SIZE)),
    "nothing": (BOXES, [{"data": {"image": "media:{id}"}}], png((300, 200))),
    "spans": ({"type": "spans", "labels": ["PER", "LOC"]}, [{"data": {"text": TEXT}}], None),
    "ranking": ({"type": "ranking"}, [{"data": {
        "prompt": "Explain photosynthesis.",
        "responses": ["Plants eat soil.", "Light, water and CO2 become sugar and oxygen.",
                      "Chlorophyll captures light to split water and fix carbon."]}}], None),
    "images": ({"type": "single_choice", "choices": ["red", "blue"]},
               [{"data": {"image": "media:{id}", "caption": "uploaded"}},
                {"data": {"image": f"https://{HOST}/sky.png", "caption": "elsewhere"}}],
               png((64, 48))),
    "multi": ({"type": "multi_choice", "choices": ["cat", "dog"]},
              [{"data": {"text": "A cat and a dog"}}], None),
    "text": ({"type": "free_text", "max_length": 20}, [{"data": {"text": "Say hello"}}], None),
}


def _new_project(container: Container, requester: User, schema: dict[str, Any]) -> int:
    parsed = parse_schema(schema)
    terms = ProjectTerms("Labeling", "Mark what you see.", parsed, 2, Money(5, "USD"), 600,
                         quality=QualityTerms(consensus_method=default_method(parsed)))
    project = projects.create_project(container.db, requester, terms,
                                      policy=container.charter, now=container.clock())
    fund(container, requester, project.id, 10_000)
    return project.id


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Site]]:
    """A requester (with an API token), a worker and one funded project per test; a real
    server on them (allowing images from HOST), where the requester uploads each project's
    image, imports its rows and launches it."""
    directory = tmp_path_factory.mktemp("labeling")
    url = sqlite_copy(migrated_sqlite_template(directory), directory)
    container = bootstrap(Settings(database_url=url))
    now = container.clock()
    requester = accounts.add_user(container.db, email="req@example.org", password=PASSWORD,
                                  role=Role.REQUESTER, now=now)
    accounts.add_user(container.db, email="worker@example.org", password=PASSWORD,
                      role=Role.WORKER, now=now)
    token = accounts.create_token(container.db, email="req@example.org", name="t", now=now)
    ids = {name: _new_project(container, requester, schema)
           for name, (schema, _rows, _image) in PROJECTS.items()}
    container.close()
    env = {"FAIRLABEL_IMAGE_HOSTS": json.dumps([HOST])}
    with running_server(url, directory, env=env) as server:
        made = {name: Site(server, ids[name], token) for name in PROJECTS}
        for name, (_schema, rows, image) in PROJECTS.items():
            site = made[name]
            if image is not None:
                added = site.api("POST", f"/projects/{site.project_id}/media",
                                 files={"file": (f"{name}.png", image, "image/png")}).json()
                ref = f"media:{added['media'][0]['id']}"
                rows = json.loads(json.dumps(rows).replace("media:{id}", ref))
            site.api("POST", f"/projects/{site.project_id}/tasks", json=rows)
            site.api("POST", f"/projects/{site.project_id}/launch")
        yield made


def _answer_with(body: bytes) -> Any:
    return lambda route: route.fulfill(status=200, body=body, content_type="image/png")


def open_labeling(browser: Any, site: Site, *, routes: dict[str, bytes] | None = None,
                  **context: Any) -> Any:
    """A page signed in as the worker, on the project's labeling page with a task; `routes`:
    images Chromium answers for other hosts (so nothing leaves the machine)."""
    page = browser.new_page(**context)
    for pattern, body in (routes or {}).items():
        page.route(pattern, _answer_with(body))
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{site.server.url}/login")
    page.fill("input[name=email]", "worker@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{site.server.url}/worker")
    page.goto(f"{site.server.url}/worker/projects/{site.project_id}")
    page.wait_for_function("() => document.getElementById('labeler').dataset.assignment")
    page.errors = errors
    return page


def saved(page: Any) -> None:
    page.wait_for_selector("#message:has-text('Saved')")
    assert page.errors == []


def test_a_worker_draws_labels_and_deletes_boxes_with_the_mouse_and_keys(
        browser: Any, sites: dict[str, Site], tmp_path: Path) -> None:
    site = sites["boxes"]
    page = open_labeling(browser, site, viewport={"width": 1280, "height": 900})
    page.wait_for_function("() => document.querySelector('.box-stage img').naturalWidth > 0")
    stage = page.locator(".box-stage").bounding_box()
    assert stage["width"] < IMAGE_SIZE[0]  # shown smaller than it is

    def drag(x0: float, y0: float, x1: float, y1: float) -> None:
        page.mouse.move(stage["x"] + x0, stage["y"] + y0)
        page.mouse.down()
        page.mouse.move(stage["x"] + (x0 + x1) / 2, stage["y"] + (y0 + y1) / 2, steps=4)
        page.mouse.move(stage["x"] + x1, stage["y"] + y1, steps=4)
        page.mouse.up()

    def focused() -> str:
        return str(page.evaluate("document.activeElement.getAttribute('aria-label')"))

    drag(40, 50, 200, 150)
    page.keyboard.press("2")  # the drawn box is selected: person
    assert focused() == "person box 1 of 1"
    drag(330.5, 260.25, 250, 120)  # drawn from its bottom-right corner
    page.keyboard.press("1")
    assert focused() == "car box 2 of 2"
    drag(290, 190, 310, 200)  # the selected box moves by (20, 10) …
    drag(350.5, 270.25, 360.5, 280.25)  # … and grows by its bottom-right corner
    page.keyboard.press("Shift+Tab")
    assert focused() == "person box 1 of 2"
    page.keyboard.press("Tab")
    assert focused() == "car box 2 of 2"
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Delete")
    assert focused() == "car box 1 of 1"
    assert page.locator("#box-list li").count() == 1
    page.screenshot(path=str(tmp_path / "boxes.png"), full_page=True)
    page.keyboard.press("Enter")
    saved(page)

    [answer] = site.answers()
    [box] = answer
    width, height = IMAGE_SIZE
    scale_x, scale_y = width / stage["width"], height / stage["height"]
    drawn = {"x": 270 * scale_x, "y": 130 * scale_y,
             "width": 90.5 * scale_x, "height": 150.25 * scale_y}
    assert box["label"] == "car"
    for key, size in (("x", width), ("y", height), ("width", width), ("height", height)):
        assert abs(box[key] * size - drawn[key]) <= 1, (key, box, drawn)


def test_nothing_to_mark_sends_an_empty_answer(browser: Any, sites: dict[str, Site]) -> None:
    site = sites["nothing"]
    page = open_labeling(browser, site, viewport={"width": 390, "height": 844})
    page.wait_for_function("() => document.querySelector('.box-stage img').naturalWidth > 0")
    page.keyboard.press("Enter")  # no box: submitting needs "nothing to mark"
    assert "Nothing to mark" in page.inner_text("#message")
    page.keyboard.press("b")  # a box from the keyboard, then gone again
    assert page.locator("#nothing-btn").is_disabled()
    page.keyboard.press("Backspace")
    page.click("#nothing-btn")
    saved(page)
    assert site.answers() == [[]]


def test_a_worker_marks_spans_with_the_keyboard_and_the_mouse(
        browser: Any, sites: dict[str, Site], tmp_path: Path) -> None:
    site = sites["spans"]
    page = open_labeling(browser, site, viewport={"width": 1280, "height": 900})
    page.wait_for_function("() => document.activeElement.classList.contains('span-text')")
    # "Ada Lovelace": past the emoji (two UTF-16 units, one code point) and the space.
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Control+Shift+ArrowRight")
    page.keyboard.press("Control+Shift+ArrowRight")
    page.keyboard.press("1")
    # "London": from the end, back a word, then select it.
    page.keyboard.press("End")
    page.keyboard.press("Control+ArrowLeft")
    page.keyboard.press("Control+Shift+ArrowRight")
    page.keyboard.press("2")
    # Overlapping spans are refused, saying why.
    page.keyboard.press("Home")
    page.keyboard.press("Shift+End")
    page.keyboard.press("2")
    assert "may not overlap" in page.inner_text("#message")
    # "Charles Babbage" with the mouse.
    ends = page.evaluate("""word => {
      const text = document.querySelector('.span-text');
      const walker = document.createTreeWalker(text, NodeFilter.SHOW_TEXT);
      for (let node; (node = walker.nextNode());) {
        const at = node.data.indexOf(word);
        if (at < 0) continue;
        const range = document.createRange();
        range.setStart(node, at); range.setEnd(node, at + 1);
        const first = range.getBoundingClientRect();
        range.setStart(node, at + word.length - 1); range.setEnd(node, at + word.length);
        const last = range.getBoundingClientRect();
        return [first.left + 1, first.top + first.height / 2,
                last.right - 1, last.top + last.height / 2];
      }
    }""", "Charles Babbage")
    page.mouse.move(ends[0], ends[1])
    page.mouse.down()
    page.mouse.move(ends[2], ends[3], steps=5)
    page.mouse.up()
    page.keyboard.press("1")
    assert page.locator("#span-list li").count() == 3
    page.screenshot(path=str(tmp_path / "spans.png"), full_page=True)
    page.keyboard.press("Enter")
    saved(page)

    def span(word: str, label: str) -> dict[str, Any]:
        start = TEXT.index(word)  # Python counts code points, as the answer does
        return {"start": start, "end": start + len(word), "label": label}

    assert site.answers() == [[span("Ada Lovelace", "PER"), span("Charles Babbage", "PER"),
                               span("London", "LOC")]]


def test_a_worker_ranks_three_responses_by_keys(
        browser: Any, sites: dict[str, Site], tmp_path: Path) -> None:
    site = sites["ranking"]
    page = open_labeling(browser, site, viewport={"width": 390, "height": 844})
    page.wait_for_selector(".rank-item")
    page.keyboard.press("Enter")  # nothing ranked yet: refused, saying what to do
    assert "Rank every response" in page.inner_text("#message")
    for key in ["1", "Backspace", "3", "2"]:  # the last one left takes the last place
        page.keyboard.press(key)
    ranks = page.eval_on_selector_all(".rank-item", "items => items.map(i => i.dataset.index)")
    assert ranks == ["2", "1", "0"]
    page.keyboard.press("r")
    page.keyboard.type("The third is precise.")
    page.screenshot(path=str(tmp_path / "ranking.png"), full_page=True)
    page.keyboard.press("Control+Enter")
    saved(page)
    assert site.answers() == [{"order": [2, 1, 0], "rationale": "The third is precise."}]


def test_an_image_shows_above_the_choices(browser: Any, sites: dict[str, Site]) -> None:
    """An uploaded image, and one from a host the operator allows."""
    site = sites["images"]
    page = open_labeling(browser, site, viewport={"width": 390, "height": 844},
                         routes={f"https://{HOST}/**": png((30, 20), (20, 20, 200))})
    shown = "() => { const i = document.querySelector('#task img.task-image');" \
            " return i && i.complete && i.naturalWidth; }"
    widths: dict[str, int] = {}
    for key in ["1", "2"]:
        page.wait_for_function(shown)
        assert page.locator(".field img").count() == 1
        caption = page.inner_text("#task .field:last-child .value")
        widths[caption] = page.evaluate(shown)
        page.keyboard.press(key)
        page.keyboard.press("Enter")
        page.wait_for_function(
            "caption => !document.getElementById('task').innerText.includes(caption)",
            arg=caption)
    assert widths == {"uploaded": 64, "elsewhere": 30}
    assert page.errors == []
    assert sorted(site.answers()) == ["blue", "red"]


def test_a_multi_choice_task_with_nothing_ticked_is_not_sent_on_enter(
        browser: Any, sites: dict[str, Site]) -> None:
    site = sites["multi"]
    page = open_labeling(browser, site)
    page.keyboard.press("Enter")
    assert page.inner_text("#message") == "Tick at least one answer, or skip the task."
    assert site.answers() == []
    page.keyboard.press("2")
    page.keyboard.press("Enter")
    saved(page)
    assert site.answers() == [["dog"]]


def test_a_free_text_answer_counts_its_characters_and_is_sent_with_ctrl_enter(
        browser: Any, sites: dict[str, Site]) -> None:
    site = sites["text"]
    page = open_labeling(browser, site)
    assert page.inner_text("#submit-btn").split() == ["Submit", "Ctrl+Enter"]
    assert page.inner_text("#text-count") == "0 / 20"
    page.keyboard.type("hello")
    page.keyboard.press("Enter")  # a new line, not a submission
    page.keyboard.type("you")
    assert page.inner_text("#text-count") == "9 / 20"
    assert page.get_attribute("#text-answer", "maxlength") == "20"
    page.keyboard.press("Control+Enter")
    saved(page)
    assert site.answers() == ["hello\nyou"]
