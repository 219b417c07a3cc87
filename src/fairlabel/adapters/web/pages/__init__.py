"""Server-rendered pages. They call the same service functions as the API."""

from fastapi import APIRouter

from fairlabel.adapters.web.pages import (
    account,
    auth,
    decisions,
    inbox,
    operator,
    public,
    requester,
    site,
    worker,
)

router = APIRouter(include_in_schema=False)
router.include_router(auth.router)
router.include_router(account.router)
router.include_router(worker.router)
router.include_router(inbox.router)
router.include_router(requester.router)
router.include_router(decisions.router)
router.include_router(operator.router)
router.include_router(public.router)
router.include_router(site.router)
