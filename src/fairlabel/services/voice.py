"""Worker voice (charter rule 8): ratings of requesters, testimonies, their moderation and the
requester's public reply. Nothing here ever tells a requester who rated or testified."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from fairlabel.domain.accounts import Role, User, require_role
from fairlabel.domain.decisions import AlreadyResolved, check_text
from fairlabel.domain.errors import Conflict, NotFound
from fairlabel.domain.messages import N_, Msg
from fairlabel.domain.projects import Project, ProjectStatus
from fairlabel.domain.voice import (
    Scores,
    TestimonyStatus,
    check_can_rate,
    check_comment,
    check_testimony,
    check_worked,
)
from fairlabel.services.ports.transaction import Commits, Database
from fairlabel.services.ports.voice import HasInbox, HasVoice, TestimonyRecord
from fairlabel.services.ports.work import HasAssignments, HasProjects
from fairlabel.services.steps.decisions import MODERATORS
from fairlabel.services.steps.voice import published


class ModerateTx(HasProjects, HasInbox, HasVoice, Commits, Protocol):
    """The transaction of ``moderate``."""


class PendingTestimoniesTx(HasProjects, HasVoice, Protocol):
    """The transaction of ``pending_testimonies``."""


class RateTx(HasProjects, HasAssignments, HasVoice, Commits, Protocol):
    """The transaction of ``rate``, ``testify``."""


class ReplyTx(HasProjects, HasVoice, Commits, Protocol):
    """The transaction of ``reply``."""


class ViewTx(HasProjects, Protocol):
    """The transaction of ``_view``."""


class WorkedProjectTx(HasProjects, HasAssignments, Protocol):
    """The transaction of ``_worked_project``."""


def _worked_project(tx: WorkedProjectTx, worker: User, project_id: int) -> tuple[Project, int]:
    project = tx.projects.get(project_id)
    if project is None or project.status is ProjectStatus.DRAFT:
        raise NotFound("no project {project_id}", project_id=str(project_id))
    return project, tx.assignments.count_submitted(worker_id=worker.id, project_id=project_id)


def rate(db: Database[RateTx], worker: User, project_id: int, scores: Scores, *,
         comment: str | None, now: datetime) -> int:
    """Rate a project's requester once, after a few answers, on the four dimensions."""
    require_role(worker, Role.WORKER)
    comment = check_comment(comment)
    with db.write() as tx:
        project, answers = _worked_project(tx, worker, project_id)
        check_can_rate(answers, already=tx.voice.has_rated(worker_id=worker.id,
                                                           project_id=project_id))
        rating_id = tx.voice.add_rating(project_id=project_id,
                                        requester_id=project.requester_id,
                                        worker_id=worker.id, scores=scores, comment=comment,
                                        now=now)
        tx.commit()
    return rating_id


def testify(db: Database[RateTx], worker: User, project_id: int, *, text: str,
            now: datetime) -> int:
    """Write a testimony about a project you worked on. A moderator reviews it; it is
    published, without any identifier, once enough workers testified about the project."""
    require_role(worker, Role.WORKER)
    text = check_testimony(text)
    with db.write() as tx:
        project, answers = _worked_project(tx, worker, project_id)
        check_worked(answers, N_("testify about it"))
        testimony_id = tx.voice.add_testimony(project_id=project_id,
                                              requester_id=project.requester_id,
                                              worker_id=worker.id, text=text, now=now)
        tx.commit()
    return testimony_id


@dataclass(frozen=True, slots=True)
class TestimonyView:
    """A testimony as moderators and the public see it: never who wrote it."""

    id: int
    project_id: int
    project_name: str
    text: str
    status: TestimonyStatus
    reply: str | None


def _view(tx: ViewTx, record: TestimonyRecord) -> TestimonyView:
    project = tx.projects.get(record.project_id)
    return TestimonyView(record.id, record.project_id, project.terms.name if project else "",
                         record.text, record.status, record.reply)


def pending_testimonies(db: Database[PendingTestimoniesTx], moderator: User, *, limit: int = 200
                        ) -> list[TestimonyView]:
    require_role(moderator, *MODERATORS)
    with db.read() as tx:
        return [_view(tx, t) for t in tx.voice.pending_testimonies(limit=limit)]


def moderate(db: Database[ModerateTx], moderator: User, testimony_id: int, *, approve: bool,
             reason: str,
             now: datetime) -> TestimonyView:
    """Approve a testimony for publication, or reject it (with a reason the author reads)."""
    require_role(moderator, *MODERATORS)
    reason = check_text(reason, N_("the reason"), required=not approve)
    with db.write() as tx:
        found = tx.voice.testimony(testimony_id, for_update=True)
        if found is None:
            raise NotFound("no testimony {testimony_id}", testimony_id=str(testimony_id))
        if found.status is not TestimonyStatus.PENDING:
            raise AlreadyResolved("this testimony was already {status}",
                                  status=found.status.value)
        status = TestimonyStatus.APPROVED if approve else TestimonyStatus.REJECTED
        tx.voice.moderate(testimony_id, status=status, by=moderator.id, reason=reason, now=now)
        if not approve:
            tx.inbox.add(user_ids=[found.worker_id], project_id=found.project_id,
                         subject=Msg("Your testimony was not published"),
                         body=Msg("A moderator did not publish the testimony you wrote on "
                                  "{written_at}, on {decided_at}: {reason}",
                                  {"written_at": found.created_at, "decided_at": now,
                                   "reason": reason}),
                         now=now)
        view = _view(tx, found)
        tx.commit()
    return TestimonyView(view.id, view.project_id, view.project_name, view.text, status,
                         view.reply)


def reply(db: Database[ReplyTx], requester: User, testimony_id: int, *, text: str,
          now: datetime) -> TestimonyView:
    """The requester answers a published testimony about one of their projects, publicly."""
    require_role(requester, Role.REQUESTER, Role.ADMIN)
    text = check_text(text, N_("the reply"))
    with db.write() as tx:
        found = tx.voice.testimony(testimony_id, for_update=True)
        if found is None or found.requester_id != requester.id or found.id not in {
                t.id for t in published(tx, found.requester_id)}:
            raise NotFound("no published testimony {testimony_id} about your projects",
                           testimony_id=str(testimony_id))
        if found.reply is not None:
            raise Conflict("you already replied to this testimony", code="already_replied")
        tx.voice.reply(testimony_id, text=text, now=now)
        view = _view(tx, found)
        tx.commit()
    return TestimonyView(view.id, view.project_id, view.project_name, view.text, view.status,
                         text)
