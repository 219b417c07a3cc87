"""Every page of every role (``tools/screenshots/pages.py``), in Chromium at 1280 and 390 px,
in English and in French, checked by axe-core: no violation of serious or critical impact,
and no page wider than a 390 px phone. The pages show the demo data, served by a real server.

axe-core comes from the npm registry at the version ``package-lock.json`` pins (``make
node-deps`` runs ``npm ci``); without it the test is skipped, and fails under CI."""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tools.screenshots import browse
from tools.screenshots.pages import LANGUAGES, ROLES, WIDTHS, Page, pages
from tools.screenshots.site import DemoSite, build

from tests.e2e import test_browser

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]
browser = test_browser.browser  # the module's Chromium, launched once
PHONE = min(WIDTHS)
FAILING = ("serious", "critical")
RUN_AXE = """async () => {
    const result = await axe.run(document, {resultTypes: ["violations"]});
    return result.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map(n => n.target.join(" ")),
    }));
}"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[Page]]]:
    """The demo site (the demo's data and a project of every task type), served; its
    address and every page of it."""
    if not browse.AXE.exists():
        reason = (f"axe-core is not installed ({browse.AXE} is missing): run `make node-deps` "
                  "(npm ci, with Node.js and npm installed): accessibility tests skipped")
        if os.environ.get("CI") == "true":
            pytest.fail(reason.replace("skipped", "cannot be skipped under CI=true"))
        pytest.skip(reason)
    directory = tmp_path_factory.mktemp("accessibility")
    demo = build(directory)
    with browse.serve(demo.database_url, directory / "server.log") as url:
        yield url, pages(demo)


def _check(page: Any, target: Page, language: str) -> tuple[list[str], list[str]]:
    """What fails on this page at each width (and what axe finds of lesser impact)."""
    try:
        browse.open_page(page, target)
    except AssertionError as error:
        return [f"{target.path} as {target.role}, {language}: {error}"], []
    page.add_script_tag(path=str(browse.AXE))
    failures, minor = [], []
    for width in WIDTHS:
        where = f"{target.path} as {target.role}, {language}, {width} px"
        browse.set_width(page, width)
        if width == PHONE and browse.page_width(page) > width:
            failures.append(f"{where}: the page is {browse.page_width(page)} px wide; too "
                            f"wide: {', '.join(browse.widest(page, width))}")
        for violation in page.evaluate(RUN_AXE):
            nodes = violation["nodes"]
            line = (f"{where}: {violation['id']} ({violation['impact']}: {violation['help']}) "
                    f"on {', '.join(nodes[:5])}"
                    + (f" and {len(nodes) - 5} more" if len(nodes) > 5 else ""))
            (failures if violation["impact"] in FAILING else minor).append(line)
    return failures, minor


def test_every_page_of_every_role_passes_axe_and_fits_a_phone(
        browser: Any, site: tuple[str, list[Page]]) -> None:
    url, every_page = site
    failures: list[str] = []
    minor: list[str] = []
    for role in ROLES:
        for language in LANGUAGES:
            context = browse.reader(browser, url, role, language, inject_scripts=True)
            page = context.new_page()
            for target in (p for p in every_page if p.role == role):
                failed, lesser = _check(page, target, language)
                failures += failed
                minor += lesser
            context.close()
    if minor:  # shown with -rP or on failure; they do not fail the test
        print("axe findings of moderate or minor impact:\n" + "\n".join(minor))
    assert not failures, (f"{len(failures)} problems on {len(every_page)} pages:\n"
                          + "\n".join(failures))


def test_the_page_list_covers_every_page_route() -> None:
    """A page route added to adapters/web/pages/ is listed in tools/screenshots/pages.py."""
    from fairlabel.adapters.web import pages as page_routes

    routes = {path for router in page_routes.ROUTERS for path in _get_routes(router)}
    assert "/worker/earnings" in routes
    unlisted = {"/", "/public", "/favicon.ico", "/operator/payouts/batched.csv",
                "/operator/payouts/batched.xml"}  # redirects and downloads
    listed = {p.path for p in pages(DemoSite("", 1, defaultdict(lambda: 1)))}  # ids: any
    templates = {route for route in routes - unlisted
                 if not any(_matches(route, path) for path in listed)}
    assert not templates, f"pages missing from tools/screenshots/pages.py: {sorted(templates)}"


def _get_routes(router: Any, prefix: str = "") -> Iterator[str]:
    """The GET addresses of a router and of the routers it includes."""
    for route in router.routes:
        included = getattr(route, "original_router", None)
        if included is not None:  # FastAPI keeps an included router whole
            yield from _get_routes(included, prefix + route.include_context.prefix)
        elif "GET" in getattr(route, "methods", ()):
            yield prefix + route.path


def _matches(route: str, path: str) -> bool:
    route_parts, path_parts = route.split("/"), path.split("/")
    return len(route_parts) == len(path_parts) and all(
        r == p or (r.startswith("{") and r.endswith("}"))
        for r, p in zip(route_parts, path_parts, strict=True))


def test_axe_core_is_the_pinned_version() -> None:
    """make installs exactly what package-lock.json pins (npm ci)."""
    import json

    root = Path(__file__).resolve().parents[2]
    lock = json.loads((root / "package-lock.json").read_text())
    pinned = lock["packages"]["node_modules/axe-core"]["version"]
    wanted = json.loads((root / "package.json").read_text())["devDependencies"]["axe-core"]
    assert pinned == wanted, "package.json names an exact axe-core version, as the lock file"
    installed = browse.AXE.parent / "package.json"
    if installed.exists():
        assert json.loads(installed.read_text())["version"] == pinned, "run `make node-deps`"
