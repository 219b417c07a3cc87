"""Moderators' own decisions restricting a worker's access: removal from a project, and
revoking a passed qualification test. A person decides (charter rule 6); the worker is told,
and can appeal; an overturned appeal undoes it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from fairlabel.domain.accounts import Role, User, require_role
from fairlabel.domain.decisions import Decision, DecisionKind, check_text
from fairlabel.domain.errors import Conflict, NotFound
from fairlabel.domain.messages import N_, Msg
from fairlabel.domain.projects import Project
from fairlabel.services.ports.accounts import HasUsers
from fairlabel.services.ports.decisions import HasBlocks, HasDecisions
from fairlabel.services.ports.quality import HasGold
from fairlabel.services.ports.transaction import Commits, Database
from fairlabel.services.ports.voice import HasInbox
from fairlabel.services.ports.work import HasProjects
from fairlabel.services.steps.decisions import MODERATORS, record_decision


class ProjectTx(HasProjects, Protocol):
    """The transaction of ``_project``."""


class RemoveWorkerTx(HasUsers, HasProjects, HasDecisions, HasBlocks, HasInbox, Commits, Protocol):
    """The transaction of ``remove_worker``."""


class RevokeQualificationTx(HasUsers, HasProjects, HasGold, HasDecisions, HasInbox, Commits,
                            Protocol):
    """The transaction of ``revoke_qualification``."""


class TellTx(HasInbox, Protocol):
    """The transaction of ``_tell``."""


class WorkerTx(HasUsers, Protocol):
    """The transaction of ``_worker``."""


def _worker(tx: WorkerTx, pseudonym: str) -> User:
    found = tx.users.by_pseudonym(pseudonym.strip())
    if found is None or found.role is not Role.WORKER:
        raise NotFound("no worker “{pseudonym}”", pseudonym=pseudonym)
    return found


def _project(tx: ProjectTx, project_id: int) -> Project:
    project = tx.projects.get(project_id)
    if project is None:
        raise NotFound("no project {project_id}", project_id=str(project_id))
    return project


def _tell(tx: TellTx, decision: Decision, project_id: int, *, now: datetime) -> None:
    tx.inbox.add(user_ids=[decision.worker_id], project_id=project_id,
                 subject=Msg("Decision: {outcome}", {"outcome": Msg(decision.outcome)}),
                 body=decision.explanation, now=now)


def remove_worker(db: Database[RemoveWorkerTx], moderator: User, *, worker: str, project_id: int,
                  reason: str,
                  now: datetime) -> Decision:
    """Remove a worker (by pseudonym) from a project's work, with a reason they read."""
    require_role(moderator, *MODERATORS)
    reason = check_text(reason, N_("the reason"))
    with db.write() as tx:
        person, project = _worker(tx, worker), _project(tx, project_id)
        if tx.blocks.blocking(worker_id=person.id, project_id=project_id) is not None:
            raise Conflict("{worker} is already kept from this project's work",
                           code="already_blocked", worker=worker)
        decision = record_decision(
            tx, worker_id=person.id, kind=DecisionKind.REMOVAL, decided_by=moderator.id,
            project_id=project_id, inputs={"reason": reason}, now=now,
            outcome="removed from the project",
            explanation=Msg("A moderator removed you from “{project}” on {decided_at}: "
                            "{reason}. You can no longer take its tasks; what you did is paid "
                            "as agreed. You can appeal this decision.",
                            {"project": project.terms.name, "decided_at": now,
                             "reason": reason}))
        tx.blocks.add(project_id=project_id, worker_id=person.id, decision_id=decision.id,
                      now=now)
        _tell(tx, decision, project_id, now=now)
        tx.commit()
    return decision


def revoke_qualification(db: Database[RevokeQualificationTx], moderator: User, *, worker: str,
                         project_id: int,
                         reason: str, now: datetime) -> Decision:
    """Revoke a worker's passed qualification test on a project: they must pass it again
    (after the project's retry delay) before more of its work."""
    require_role(moderator, *MODERATORS)
    reason = check_text(reason, N_("the reason"))
    with db.write() as tx:
        person, project = _worker(tx, worker), _project(tx, project_id)
        rule = project.terms.quality.qualification
        if rule is None:
            raise Conflict("this project has no qualification test", code="no_qualification")
        if not tx.gold.revoke_pass(project_id=project_id, worker_id=person.id, now=now):
            raise Conflict("{worker} holds no pass of this project's qualification test",
                           code="not_qualified", worker=worker)
        decision = record_decision(
            tx, worker_id=person.id, kind=DecisionKind.QUALIFICATION_REVOKED,
            decided_by=moderator.id, project_id=project_id, now=now,
            inputs={"reason": reason, "revoked_at": now.isoformat(),
                    "retry_after_hours": rule.retry_after_hours},
            outcome="qualification revoked",
            explanation=Msg("A moderator revoked your qualification for “{project}” on "
                            "{decided_at}: {reason}. You may take the test again from "
                            "{retry_at}, {hours} hours later. You can appeal this decision.",
                            {"project": project.terms.name, "decided_at": now,
                             "reason": reason, "hours": rule.retry_after_hours,
                             "retry_at": now + timedelta(hours=rule.retry_after_hours)}))
        _tell(tx, decision, project_id, now=now)
        tx.commit()
    return decision
