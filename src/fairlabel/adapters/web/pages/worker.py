"""Worker pages: their projects with the terms (and the paused and ended ones they worked on),
the keyboard-first labeling page, and their earnings."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from fairlabel.adapters.i18n import formats
from fairlabel.adapters.i18n.context import gettext as _
from fairlabel.adapters.web.deps import ContainerDep
from fairlabel.adapters.web.pages.common import act_on_form, page_user, take_flashes
from fairlabel.adapters.web.paths import Id
from fairlabel.adapters.web.rendering import render
from fairlabel.domain.accounts import Role, User
from fairlabel.domain.messages import N_
from fairlabel.domain.money import Money
from fairlabel.services import pay, payouts, projects, quality

router = APIRouter()


@router.get("/worker")
def open_projects(request: Request, container: ContainerDep) -> Response:
    user = page_user(request, Role.WORKER)
    items = projects.worker_projects(container.db, user, container.charter, now=container.clock())
    return render(request, "work.html", {"user": user, "items": items})


@router.get("/worker/earnings")
def earnings_page(request: Request, container: ContainerDep) -> Response:
    user = page_user(request, Role.WORKER)
    earnings = pay.earnings(container.db, user, container.charter)
    thresholds = [Money(minor, currency) for currency, minor
                  in sorted(container.charter.payout_thresholds.items())]
    return render(request, "earnings.html", {
        "user": user, "earnings": earnings, "flashes": take_flashes(request),
        "details": payouts.get_details(container.db, user), "thresholds": thresholds,
        "project_names": {p.project_id: p.name for p in earnings.projects},
        "minor_money": formats.money_minor})


@router.post("/worker/payout-details")
def payout_details(request: Request, container: ContainerDep,
                   csrf_token: Annotated[str, Form()], name: Annotated[str, Form()],
                   iban: Annotated[str, Form()], bic: Annotated[str, Form()] = "",
                   country: Annotated[str, Form()] = "") -> Response:
    def action(user: User) -> str:
        payouts.set_details(container.db, user, name=name, iban=iban, bic=bic or None,
                            country=country or None)
        return _("Payout details saved.")
    return act_on_form(request, "/worker/earnings", csrf_token, N_("Not saved"), (Role.WORKER,),
                       action)


@router.get("/worker/projects/{project_id}")
def label_page(project_id: Id, request: Request, container: ContainerDep) -> Response:
    user = page_user(request, Role.WORKER)
    item = projects.worker_project(container.db, user, project_id, container.charter,
                                   now=container.clock())
    if item.state in ("paused", "ended"):  # no work to serve: say where it stands, and why
        return render(request, "closed_project.html", {"user": user, "item": item})
    view = item.view
    schema_json = json.dumps(view.project.terms.schema.to_dict())
    # The page's script shows a task's image by the rule of the media_src filter, and needs
    # the hosts that rule allows.
    hosts = json.dumps([h.strip().lower() for h in container.settings.image_hosts])
    mine = quality.my_quality(container.db, user, project_id, now=container.clock())
    return render(request, "label.html", {
        "user": user, "item": item, "view": view, "continues": item.continues,
        "schema_json": schema_json, "image_hosts_json": hosts, "mine": mine})
