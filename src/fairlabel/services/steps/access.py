"""Transaction-level steps: the projects a user may act on or see."""

from __future__ import annotations

from typing import Protocol

from fairlabel.domain.accounts import Role, User
from fairlabel.domain.errors import (
    NotFound,
)
from fairlabel.domain.projects import (
    Project,
    ProjectStatus,
)
from fairlabel.services.ports.work import HasProjects


class OwnProjectTx(HasProjects, Protocol):
    """The transaction of ``own_project``, ``visible_project``."""


def own_project(tx: OwnProjectTx, user: User, project_id: int,
                 *, for_update: bool = False) -> Project:
    project = tx.projects.get(project_id, for_update=for_update)
    if project is None or (project.requester_id != user.id and user.role is not Role.ADMIN):
        raise NotFound("no project {project_id} among your projects", project_id=str(project_id))
    return project


def visible_project(tx: OwnProjectTx, user: User, project_id: int) -> Project:
    """A project the user may see: workers see open ones, requesters their own."""
    project = tx.projects.get(project_id)
    if project is not None:
        if user.role in (Role.ADMIN, Role.MODERATOR) or project.requester_id == user.id:
            return project
        if user.role is Role.WORKER and project.status is not ProjectStatus.DRAFT:
            return project
    raise NotFound("no project {project_id}", project_id=str(project_id))
