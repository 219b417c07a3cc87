"""The REST API, mounted under /api/v1."""

from fastapi import APIRouter, FastAPI

from fairlabel.adapters.web.api import (
    admin,
    assignments,
    continuation,
    decisions,
    exports,
    funding,
    me,
    media,
    money,
    projects,
    public,
    quality,
    voice,
)

PREFIX = "/api/v1"

meta = APIRouter(tags=["meta"])


@meta.get("/health")
def health() -> dict[str, str]:
    """Liveness: answers as soon as the server accepts requests."""
    return {"status": "ok"}


ROUTERS = (projects.router, exports.router, quality.router, assignments.router, money.router,
           funding.router, me.router, admin.router, decisions.router, continuation.router,
           voice.router, public.router, media.router, meta)
"""The API's routers, in the order their routes are matched."""


def install(app: FastAPI) -> None:
    """Include each API router in ``app`` under /api/v1, directly: FastAPI finds a request's
    route by walking the tree of included routers, twice (to match, then to handle), so a
    router of these routers would cost every API request a level more of that walk."""
    for each in ROUTERS:
        app.include_router(each, prefix=PREFIX)
