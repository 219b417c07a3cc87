"""``python -m tools.screenshots [--out screenshots/]`` (``make screenshots``): a PNG of every
page of every role (``pages.py``) at 1280 and 390 px, in English and French, and an
``index.html`` that shows them side by side. The pages come from a demo site built in a
temporary folder and served by a real server (``site.py``, ``browse.py``)."""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from html import escape
from pathlib import Path

from tools.screenshots import browse
from tools.screenshots.pages import LANGUAGES, ROLES, WIDTHS, Page, pages
from tools.screenshots.site import build


def shoot(out: Path) -> list[Page]:
    """Write the PNGs into ``out``; the pages shown."""
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="fairlabel-screenshots-") as folder:
        directory = Path(folder)
        print("Building the demo site…", flush=True)
        site = build(directory)
        shown = pages(site)
        with browse.serve(site.database_url, directory / "server.log") as url, \
                sync_playwright() as playwright:
            browser = browse.launch(playwright)
            for role in ROLES:
                for language in LANGUAGES:
                    context = browse.reader(browser, url, role, language)
                    page = context.new_page()
                    for target in (p for p in shown if p.role == role):
                        browse.open_page(page, target)
                        for width in WIDTHS:
                            browse.set_width(page, width)
                            name = f"{target.key}-{language}-{width}.png"
                            page.screenshot(path=str(out / name), full_page=True)
                            wide = browse.page_width(page)
                            note = f" (the page is {wide} px wide)" if wide > width else ""
                            print(f"  {name}{note}", flush=True)
                    context.close()
            browser.close()
    return shown


def index(out: Path, shown: list[Page]) -> Path:
    """``index.html``: per page, its four shots (two languages × two widths)."""
    rows = []
    for target in shown:
        cells = []
        for language in LANGUAGES:
            for width in WIDTHS:
                name = f"{target.key}-{language}-{width}.png"
                cells.append(f'<td><a href="{name}"><img src="{name}" loading="lazy" '
                             f'width="{min(width, 320) if width > 400 else 160}" '
                             f'alt="{escape(target.path)}, {language}, {width} px"></a></td>')
        rows.append(f"<tr><th scope=\"row\">{escape(target.role)}<br><code>"
                    f"{escape(target.path)}</code></th>{''.join(cells)}</tr>")
    heads = "".join(f"<th scope=\"col\">{language}, {width} px</th>"
                    for language in LANGUAGES for width in WIDTHS)
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>fairlabel: every page</title>
<style>body{{font-family:system-ui,sans-serif;margin:1rem}}td,th{{vertical-align:top;
padding:.4rem;border-bottom:1px solid #ddd;text-align:left}}img{{border:1px solid #ccc;
height:auto}}</style></head>
<body><h1>fairlabel: every page of every role</h1>
<p>Made {time.strftime("%Y-%m-%d %H:%M")} by <code>make screenshots</code> on the demo data.
Click a picture for its full size.</p>
<table><thead><tr><th scope="col">Page</th>{heads}</tr></thead>
<tbody>{"".join(rows)}</tbody></table></body></html>
"""
    path = out / "index.html"
    path.write_text(page, encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.screenshots", description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("screenshots"),
                        help="folder for the PNGs and index.html (default: screenshots/)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    shown = shoot(args.out)
    path = index(args.out, shown)
    print(f"{len(shown) * len(LANGUAGES) * len(WIDTHS)} screenshots of {len(shown)} pages in "
          f"{time.monotonic() - started:.0f} s: open {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
