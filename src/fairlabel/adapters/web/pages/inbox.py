"""The inbox: what the platform told the signed-in person (price changes, endings, pauses,
decisions), newest first, each with a link to its project; reading the page marks it read."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from fairlabel.adapters.web.deps import ContainerDep
from fairlabel.adapters.web.pages.common import page_user
from fairlabel.adapters.web.rendering import render
from fairlabel.domain.accounts import Role, User
from fairlabel.services import inbox, projects

router = APIRouter()


def _project_pages(user: User) -> str | None:
    """Where the user reads a project: workers and requesters have a page for it."""
    if user.role is Role.WORKER:
        return "/worker/projects/"
    if user.role in (Role.REQUESTER, Role.ADMIN):
        return "/requester/projects/"
    return None


@router.get("/inbox")
def inbox_page(request: Request, container: ContainerDep) -> Response:
    user = page_user(request)
    shown = inbox.messages(container.db, user)
    base = _project_pages(user)
    names = projects.project_names(container.db, user, [
        m.project_id for m in shown if m.project_id is not None]) if base else {}
    if any(m.read_at is None for m in shown):
        inbox.mark_read(container.db, user, up_to_id=max(m.id for m in shown),
                        now=container.clock())
    return render(request, "inbox.html", {"user": user, "messages": shown, "names": names,
                                          "project_base": base})
