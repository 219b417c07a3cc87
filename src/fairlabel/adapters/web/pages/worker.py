"""Worker pages: open projects with their terms, and the keyboard-first labeling page."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from fairlabel.adapters.web.deps import ContainerDep
from fairlabel.adapters.web.pages.common import act_on_form, page_user, take_flashes
from fairlabel.adapters.web.paths import Id
from fairlabel.adapters.web.rendering import render
from fairlabel.domain.accounts import Role, User
from fairlabel.services import pay, payouts, projects, quality

router = APIRouter()


@router.get("/worker")
def open_projects(request: Request, container: ContainerDep) -> Response:
    user = page_user(request, Role.WORKER)
    views = projects.list_projects(container.db, user, container.charter)
    return render(request, "work.html", {"user": user, "views": views})


@router.get("/worker/earnings")
def earnings_page(request: Request, container: ContainerDep) -> Response:
    user = page_user(request, Role.WORKER)
    return render(request, "earnings.html", {
        "user": user, "earnings": pay.earnings(container.db, user, container.charter),
        "messages": pay.inbox(container.db, user), "flashes": take_flashes(request),
        "details": payouts.get_details(container.db, user)})


@router.post("/worker/payout-details")
def payout_details(request: Request, container: ContainerDep,
                   csrf_token: Annotated[str, Form()], name: Annotated[str, Form()],
                   iban: Annotated[str, Form()], bic: Annotated[str, Form()] = "",
                   country: Annotated[str, Form()] = "") -> Response:
    def action(user: User) -> str:
        payouts.set_details(container.db, user, name=name, iban=iban, bic=bic or None,
                            country=country or None)
        return "Payout details saved."
    return act_on_form(request, "/worker/earnings", csrf_token, "Not saved", (Role.WORKER,),
                       action)


@router.get("/worker/projects/{project_id}")
def label_page(project_id: Id, request: Request, container: ContainerDep) -> Response:
    user = page_user(request, Role.WORKER)
    view = projects.get_project(container.db, user, project_id, container.charter)
    schema_json = json.dumps(view.project.terms.schema.to_dict())
    # The page's script shows a task's image by the rule of the media_src filter, and needs
    # the hosts that rule allows.
    hosts = json.dumps([h.strip().lower() for h in container.settings.image_hosts])
    mine = quality.my_quality(container.db, user, project_id, now=container.clock())
    return render(request, "label.html", {"user": user, "view": view, "schema_json": schema_json,
                                          "image_hosts_json": hosts, "mine": mine})
