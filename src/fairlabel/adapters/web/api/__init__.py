"""The REST API, mounted under /api/v1."""

from fastapi import APIRouter

from fairlabel.adapters.web.api import assignments, projects

router = APIRouter(prefix="/api/v1")
router.include_router(projects.router)
router.include_router(assignments.router)


@router.get("/health", tags=["meta"])
def health() -> dict[str, str]:
    """Liveness: answers as soon as the server accepts requests."""
    return {"status": "ok"}
