"""The REST API, mounted under /api/v1."""

from fastapi import APIRouter

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

router = APIRouter(prefix="/api/v1")
router.include_router(projects.router)
router.include_router(exports.router)
router.include_router(quality.router)
router.include_router(assignments.router)
router.include_router(money.router)
router.include_router(funding.router)
router.include_router(me.router)
router.include_router(admin.router)
router.include_router(decisions.router)
router.include_router(continuation.router)
router.include_router(voice.router)
router.include_router(public.router)
router.include_router(media.router)


@router.get("/health", tags=["meta"])
def health() -> dict[str, str]:
    """Liveness: answers as soon as the server accepts requests."""
    return {"status": "ok"}
