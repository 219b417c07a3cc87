"""What a browser asks of any site by itself: its icon at /favicon.ico."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

ICON = Path(__file__).parents[1] / "static" / "favicon.svg"

router = APIRouter()


@router.get("/favicon.ico")
def favicon() -> FileResponse:
    """The site's icon (SVG), for browsers that ask for it without reading the page's link."""
    return FileResponse(ICON, media_type="image/svg+xml",
                        headers={"Cache-Control": "public, max-age=86400"})
