"""What a browser asks of any site by itself (its icon at /favicon.ico), and the language menu
of visitors who are not signed in (signed-in people choose theirs on the account page)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import FileResponse, RedirectResponse, Response

from fairlabel.adapters.i18n.catalogs import LANGUAGES
from fairlabel.adapters.web.reader import LANGUAGE_COOKIE

ICON = Path(__file__).parents[1] / "static" / "favicon.svg"

router = APIRouter()


@router.get("/favicon.ico")
def favicon() -> FileResponse:
    """The site's icon (SVG), for browsers that ask for it without reading the page's link."""
    return FileResponse(ICON, media_type="image/svg+xml",
                        headers={"Cache-Control": "public, max-age=86400"})


def _local_path(next_path: str) -> str:
    """Only a path on this site (never ``//host`` or a scheme): a redirect cannot leave it."""
    if not next_path.startswith("/") or next_path.startswith("//") or "\\" in next_path:
        return "/"
    return next_path[:500]


@router.post("/language")
def choose_language(language: Annotated[str, Form(max_length=16)],
                    next_path: Annotated[str, Form(alias="next", max_length=500)] = "/",
                    ) -> Response:
    """Remember a visitor's language in a cookie (a year) and go back to the page."""
    response = RedirectResponse(_local_path(next_path), status_code=303)
    if language in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, language, max_age=365 * 86400, samesite="lax",
                            httponly=True)
    return response
