"""Templates and safe Markdown for the pages."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markdown_it import MarkdownIt
from markupsafe import Markup

from fairlabel.adapters.web.deps import csrf_token, session_user
from fairlabel.adapters.web.media_links import media_src

TEMPLATES = Path(__file__).parent / "templates"


@cache
def _markdown() -> MarkdownIt:
    # html=False: raw HTML written by users is shown as text, never inserted into a page;
    # markdown-it also refuses javascript:, vbscript: and data: links by default.
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def markdown(text: str) -> Markup:
    return Markup(_markdown().render(text or ""))


@cache
def templates() -> Jinja2Templates:
    env = Jinja2Templates(directory=str(TEMPLATES))
    env.env.filters["markdown"] = markdown
    env.env.filters["media_src"] = media_src
    return env


def render(request: Request, name: str, context: dict[str, Any] | None = None,
           *, status_code: int = 200) -> HTMLResponse:
    ctx: dict[str, Any] = dict(context or {})
    has_session = "session" in request.scope
    container = getattr(request.app.state, "container", None)
    if ctx.get("user") is None and has_session and container is not None:
        ctx["user"] = session_user(request, container)
    if has_session:
        ctx["csrf_token"] = csrf_token(request)
    return templates().TemplateResponse(request, name, ctx, status_code=status_code)
