"""The public record, without login: requesters' records and the registry of automated
systems. Each page has its JSON twin under /api/v1/public."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from fairlabel.adapters.web.deps import ContainerDep
from fairlabel.adapters.web.pages.common import redirect
from fairlabel.adapters.web.paths import Id
from fairlabel.adapters.web.rendering import render
from fairlabel.domain.voice import MIN_RATERS_SHOWN, MIN_TESTIFIERS
from fairlabel.services import record

router = APIRouter(prefix="/public")


@router.get("")
def public_home() -> Response:
    return redirect("/public/requesters")


@router.get("/requesters")
def requesters_page(request: Request, container: ContainerDep,
                    after: Annotated[int, Query(ge=0)] = 0) -> Response:
    """A page of requesters (``record.PAGE``), then a link to the next one."""
    found = record.requesters(container.db, after=after)
    more = found[-1].id if len(found) == record.PAGE else None
    return render(request, "public_requesters.html", {"requesters": found, "more_after": more})


@router.get("/requesters/{requester_id}")
def record_page(requester_id: Id, request: Request, container: ContainerDep) -> Response:
    found = record.requester_record(container.db, requester_id, container.charter)
    return render(request, "public_record.html",
                  {"record": found, "min_raters": MIN_RATERS_SHOWN,
                   "min_testifiers": MIN_TESTIFIERS})


@router.get("/algorithms")
def algorithms_page(request: Request, container: ContainerDep) -> Response:
    systems = record.algorithms(container.charter)
    return render(request, "public_algorithms.html", {"systems": systems})
