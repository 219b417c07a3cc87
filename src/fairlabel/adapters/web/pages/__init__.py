"""Server-rendered pages. They call the same service functions as the API."""

from fastapi import FastAPI

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

ROUTERS = (auth.router, account.router, worker.router, inbox.router, requester.router,
           decisions.router, operator.router, public.router, site.router)
"""The pages' routers, in the order their routes are matched."""


def install(app: FastAPI) -> None:
    """Include each page router in ``app``, directly (as ``api.install``), out of the API's
    documentation."""
    for each in ROUTERS:
        app.include_router(each, include_in_schema=False)
