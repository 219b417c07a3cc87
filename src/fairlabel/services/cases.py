"""What an appeal is about (charter rule 6): for a decision about an answer, the task as the
worker saw it (the project's schema and the task's data) and the answer they gave, so that
the worker appeals the right answer and the moderator decides seeing both.

Who may read a case: the worker, for decisions about them; moderators, for decisions with an
open appeal or an open proposal of a rule. Moderators also read what a rule may have compared
the answer with (the task's stored consensus, the gold answer of a gold task); workers do not,
so that gold questions keep their worth.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from fairlabel.domain.accounts import User
from fairlabel.domain.assignment import Purpose
from fairlabel.domain.decisions import (
    Appeal,
    AppealStatus,
    Decision,
    DecisionStatus,
    is_appealable,
)
from fairlabel.domain.errors import NotFound
from fairlabel.domain.label_schema import LabelSchema
from fairlabel.domain.projects import Project
from fairlabel.services.ports.decisions import HasAppeals, HasDecisions
from fairlabel.services.ports.quality import HasConsensus, HasGold
from fairlabel.services.ports.transaction import Database
from fairlabel.services.ports.work import HasAssignments, HasProjects, HasTasks
from fairlabel.services.steps.decisions import MODERATORS


class CasesTx(HasDecisions, HasAppeals, HasAssignments, HasTasks, HasProjects, HasGold,
              HasConsensus, Protocol):
    """The transaction of ``cases`` and ``case``."""


@dataclass(frozen=True, slots=True)
class Case:
    """A decision about an answer, with the task as the worker saw it and their answer."""

    decision_id: int
    assignment_id: int
    project_id: int
    project_name: str
    schema: LabelSchema
    task_id: int
    data: dict[str, Any]
    answer: Any
    submitted_at: datetime | None
    worked_ms: int | None
    purpose: Purpose
    # Whether the reader may load the task's uploaded image (services.media's rule): the
    # worker while the decision can be appealed or is under appeal, moderators while an
    # appeal is open.
    shows_media: bool
    # What the answer may be compared with, for moderators only (None otherwise):
    expected: Any = None  # the gold answer of a gold or qualification task
    consensus: Any = None  # the task's stored consensus
    confidence: float | None = None


def _may_read(tx: CasesTx, user: User, decision: Decision, appealed: bool) -> bool:
    if decision.worker_id == user.id:
        return True
    if user.role not in MODERATORS:
        return False
    if appealed:
        return True
    return (decision.status is DecisionStatus.PROPOSED
            and tx.decisions.follow_up(decision.id) is None)


def cases(db: Database[CasesTx], user: User, decision_ids: Iterable[int]) -> dict[int, Case]:
    """The cases among these decisions that are about an answer and that ``user`` may read,
    by decision id (the others are left out)."""
    wanted = sorted(set(decision_ids))
    found: dict[int, Case] = {}
    if not wanted:
        return found
    with db.read() as tx:
        appeals = tx.appeals.of_decisions(wanted)
        projects: dict[int, Project | None] = {}
        for decision_id in wanted:
            decision = tx.decisions.get(decision_id)
            if (decision is None or decision.assignment_id is None
                    or not _may_read(tx, user, decision, _is_open(appeals.get(decision_id)))):
                continue
            made = _case(tx, user, decision, appeals.get(decision_id), projects)
            if made is not None:
                found[decision_id] = made
    return found


def case(db: Database[CasesTx], user: User, decision_id: int) -> Case:
    """One decision's case, or NotFound when it is not about an answer or not yours to read."""
    found = cases(db, user, [decision_id]).get(decision_id)
    if found is None:
        raise NotFound("no decision {decision_id} about an answer that you may read",
                       decision_id=str(decision_id))
    return found


def _is_open(appeal: Appeal | None) -> bool:
    return appeal is not None and appeal.status is AppealStatus.OPEN


def _case(tx: CasesTx, user: User, decision: Decision, appeal: Appeal | None,
          projects: dict[int, Project | None]) -> Case | None:
    assert decision.assignment_id is not None
    answer = tx.assignments.get(decision.assignment_id)
    if answer is None or answer.worker_id != decision.worker_id:
        return None
    if answer.project_id not in projects:
        projects[answer.project_id] = tx.projects.get(answer.project_id)
    project = projects[answer.project_id]
    if project is None:
        return None
    expected = consensus = confidence = None
    own = user.id == decision.worker_id
    shows_media = _is_open(appeal) or (own and appeal is None and is_appealable(decision))
    if not own:
        if answer.purpose is not Purpose.WORK:
            expected = tx.gold.expected(answer.task_id)
        stored = tx.consensus.of_tasks([answer.task_id]).get(answer.task_id)
        if stored is not None:
            consensus, confidence = stored.consensus, stored.confidence
    return Case(decision.id, answer.id, project.id, project.terms.name, project.terms.schema,
                answer.task_id, tx.tasks.data(answer.task_id), answer.answer,
                answer.submitted_at, answer.worked_ms, answer.purpose, shows_media, expected,
                consensus, confidence)
