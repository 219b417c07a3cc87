"""Worker pages: open projects with their terms, and the keyboard-first labeling page."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import Response

from fairlabel.adapters.web.deps import ContainerDep
from fairlabel.adapters.web.pages.common import page_user
from fairlabel.adapters.web.rendering import render
from fairlabel.domain.accounts import Role
from fairlabel.services import pay, projects

router = APIRouter()


@router.get("/work")
def open_projects(request: Request, container: ContainerDep) -> Response:
    user = page_user(request, Role.WORKER)
    views = projects.list_projects(container.db, user, container.pay)
    return render(request, "work.html", {"user": user, "views": views})


@router.get("/work/earnings")
def earnings_page(request: Request, container: ContainerDep) -> Response:
    user = page_user(request, Role.WORKER)
    return render(request, "earnings.html", {
        "user": user, "earnings": pay.earnings(container.db, user),
        "messages": pay.inbox(container.db, user)})


@router.get("/work/projects/{project_id}")
def label_page(project_id: int, request: Request, container: ContainerDep) -> Response:
    user = page_user(request, Role.WORKER)
    view = projects.get_project(container.db, user, project_id, container.pay)
    schema_json = json.dumps(view.project.terms.schema.to_dict())
    return render(request, "label.html", {"user": user, "view": view, "schema_json": schema_json})
