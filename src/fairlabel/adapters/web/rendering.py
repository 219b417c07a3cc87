"""Templates and safe Markdown for the pages."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup

from fairlabel.adapters.i18n import formats
from fairlabel.adapters.i18n.catalogs import LANGUAGE_NAMES, LANGUAGES, script_catalog
from fairlabel.adapters.i18n.context import current, gettext, ngettext, pgettext
from fairlabel.adapters.web.deps import csrf_token, session_user
from fairlabel.adapters.web.media_links import media_src
from fairlabel.adapters.web.reader import use_reader
from fairlabel.domain.messages import Msg
from fairlabel.domain.money import Money
from fairlabel.services import inbox

TEMPLATES = Path(__file__).parent / "templates"
SCRIPTS = Path(__file__).parent / "static"

if TYPE_CHECKING:  # loaded by the first page that renders Markdown (about 1 MiB)
    from markdown_it import MarkdownIt


def script_messages() -> dict[str, str]:
    """The reader's translations of the texts the page scripts show (``t("…")``)."""
    return script_catalog(current().language, SCRIPTS)


@cache
def _markdown() -> MarkdownIt:
    from markdown_it import MarkdownIt

    # html=False: raw HTML written by users is shown as text, never inserted into a page;
    # markdown-it also refuses javascript:, vbscript: and data: links by default.
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def markdown(text: str) -> Markup:
    return Markup(_markdown().render(text or ""))


def _finalize(value: Any) -> Any:
    """What ``{{ … }}`` writes: money, times and messages for the reader, the rest as is."""
    if isinstance(value, Money):
        return formats.money(value)
    if isinstance(value, datetime):
        return formats.when(value)
    if isinstance(value, Msg):
        return formats.say(value)
    return value


@cache
def templates() -> Jinja2Templates:
    jinja = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True,
                        extensions=["jinja2.ext.i18n"], finalize=_finalize)
    jinja.install_gettext_callables(  # type: ignore[attr-defined]
        gettext, ngettext, newstyle=True, pgettext=pgettext)
    jinja.policies["ext.i18n.trimmed"] = True
    jinja.filters.update({
        "markdown": markdown, "media_src": media_src,
        "money": formats.money, "number": formats.number, "percent": formats.percent,
        "when": formats.when, "day": formats.day, "clock": formats.clock_time,
        "duration": formats.duration, "say": formats.say,
    })
    jinja.globals.update({"reader": current, "languages": LANGUAGES,
                          "script_messages": script_messages,
                          "language_names": LANGUAGE_NAMES})
    return Jinja2Templates(env=jinja)


def render(request: Request, name: str, context: dict[str, Any] | None = None,
           *, status_code: int = 200) -> HTMLResponse:
    ctx: dict[str, Any] = dict(context or {})
    has_session = "session" in request.scope
    container = getattr(request.app.state, "container", None)
    if ctx.get("user") is None and has_session and container is not None:
        ctx["user"] = session_user(request, container)
    if getattr(request.state, "reader", None) is None:
        use_reader(request, ctx.get("user"))
    if ctx.get("user") is not None and container is not None and "unread" not in ctx:
        ctx["unread"] = inbox.unread_count(container.db, ctx["user"])
    if has_session:
        ctx["csrf_token"] = csrf_token(request)
    return templates().TemplateResponse(request, name, ctx, status_code=status_code)
