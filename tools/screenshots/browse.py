"""A real server on the demo site and Debian's Chromium to look at it: what the screenshots
and the accessibility test share."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.support.server import running_server

from tools.screenshots.pages import LANGUAGES, PASSWORD, ROLES, WIDTHS, Page

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


@contextmanager
def serve(database_url: str, log: Path) -> Iterator[str]:
    """``fairlabel serve`` on the database, on a free port (the test suite's server starter,
    its log beside ``log``); yields its address."""
    with running_server(database_url, log.parent) as server:
        yield server.url


def launch(playwright: Any) -> Any:
    """Debian's Chromium (``apt-get install chromium``), headless."""
    if not CHROMIUM.exists():
        raise RuntimeError("Chromium is not installed at /usr/bin/chromium: apt-get install "
                           "chromium (or run `make browser-deps` as root)")
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM),
        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])


def reader(browser: Any, base_url: str, role: str, language: str, *,
           inject_scripts: bool = False) -> Any:
    """A browser context reading in ``language`` (its Accept-Language and time zone), signed
    in as the role's demo account. ``inject_scripts``: the pages' security policy lets the
    test add a script of its own (axe-core) to them."""
    locale, zone = LANGUAGES[language]
    context = browser.new_context(base_url=base_url, locale=locale, timezone_id=zone,
                                  viewport={"width": WIDTHS[0], "height": 900},
                                  bypass_csp=inject_scripts)
    email = ROLES[role]
    if email is not None:
        page = context.new_page()
        page.goto("/login?next=/account")  # a light page after signing in
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.click("form[action='/login'] [type=submit]")
        if "/account" not in page.url:
            raise RuntimeError(f"signing in as {email} failed: {page.inner_text('main')}")
        page.close()
    return context


def open_page(page: Any, target: Page) -> None:
    """Open the page, check it answered with the status it should, and wait until its
    scripts have shown what they load (the labeling page's task)."""
    response = page.goto(target.path)
    status = response.status if response is not None else None
    if status != target.status:
        raise AssertionError(f"{target.path} as {target.role} answered {status}, "
                             f"not {target.status}")
    if page.locator("#labeler").count():
        page.wait_for_selector("#answer-form:not([hidden]), #message:not([hidden])",
                               state="attached", timeout=10_000)


def set_width(page: Any, width: int) -> None:
    """Resize the window (the pages' scripts follow a resize) and let the layout settle."""
    page.set_viewport_size({"width": width, "height": 900})
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def page_width(page: Any) -> int:
    """How wide the document is: wider than the window means a sideways scroll."""
    return int(page.evaluate("document.documentElement.scrollWidth"))


def widest(page: Any, limit: int) -> list[str]:
    """The elements that reach past ``limit`` px (the innermost few), to say what to fix."""
    found: list[str] = page.evaluate("""limit => {
        const out = [];
        for (const el of document.querySelectorAll('body *')) {
            const box = el.getBoundingClientRect();
            if (box.right <= limit + 1 || box.width === 0) continue;
            if ([...el.children].some(c => c.getBoundingClientRect().right > limit + 1)) continue;
            const cls = el.className && typeof el.className === 'string'
                ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
            out.push(`${el.tagName.toLowerCase()}${cls} (right edge ${Math.round(box.right)} px)`);
        }
        return out.slice(0, 6);
    }""", limit)
    return found
