"""Use cases of the worker loop: next task, submit, skip, and the lease sweep."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fairlabel.domain.accounts import Role, User
from fairlabel.domain.assignment import (
    Assignment,
    check_releasable,
    check_submittable,
    is_replay,
    lease_expiry,
)
from fairlabel.domain.errors import NotFound
from fairlabel.domain.projects import check_serving
from fairlabel.services.ports import Database, Transaction
from fairlabel.services.projects import require_role, visible_project


@dataclass(frozen=True, slots=True)
class Lease:
    assignment_id: int
    project_id: int
    task_id: int
    data: dict[str, Any]
    lease_expires_at: datetime


@dataclass(frozen=True, slots=True)
class Submission:
    assignment_id: int
    task_id: int
    answer: Any
    submitted_at: datetime
    replayed: bool  # True when this repeats an answer already recorded (a retry)


def request_next(db: Database, worker: User, project_id: int, *, now: datetime) -> Lease | None:
    """Lease the next task of a project to a worker, or None when nothing is left for them.

    A worker who already holds a live lease on the project gets it back (a reloaded page
    shows the same task) rather than a second one.
    """
    require_role(worker, Role.WORKER)
    with db.write() as tx:
        project = tx.projects.get(project_id)
        if project is None:
            raise NotFound(f"no project {project_id}")
        check_serving(project.status)
        _return_expired(tx, now=now, project_id=project_id)
        held = tx.assignments.active_lease(worker_id=worker.id, project_id=project_id, now=now)
        if held is not None:
            lease = Lease(held.id, project_id, held.task_id, tx.tasks.data(held.task_id),
                          held.lease_expires_at)
            tx.commit()
            return lease
        claimed = tx.tasks.claim_next(project_id=project_id, worker_id=worker.id)
        if claimed is None:
            tx.commit()
            return None
        expires = lease_expiry(now, project.terms.lease_seconds)
        assignment_id = tx.assignments.add(task_id=claimed.id, project_id=project_id,
                                           worker_id=worker.id, now=now, expires=expires)
        tx.commit()
    return Lease(assignment_id, project_id, claimed.id, claimed.data, expires)


def _own_assignment(tx: Transaction, worker: User, assignment_id: int) -> Assignment:
    assignment = tx.assignments.get(assignment_id, for_update=True)
    if assignment is None or assignment.worker_id != worker.id:
        raise NotFound(f"no assignment {assignment_id} of yours")
    return assignment


def submit_answer(db: Database, worker: User, assignment_id: int, answer: Any,
                  *, idempotency_key: str | None, now: datetime) -> Submission:
    """Record a worker's answer on their leased task.

    A retry of the same submission (same ``Idempotency-Key``, or the same answer when no key
    was given) returns the recorded submission and changes nothing.
    """
    require_role(worker, Role.WORKER)
    with db.write() as tx:
        assignment = _own_assignment(tx, worker, assignment_id)
        if is_replay(assignment, answer, idempotency_key):
            assert assignment.submitted_at is not None
            return Submission(assignment.id, assignment.task_id, assignment.answer,
                              assignment.submitted_at, replayed=True)
        project = visible_project(tx, worker, assignment.project_id)
        clean = project.terms.schema.validate_answer(answer)
        if is_replay(assignment, clean, idempotency_key):
            assert assignment.submitted_at is not None
            return Submission(assignment.id, assignment.task_id, assignment.answer,
                              assignment.submitted_at, replayed=True)
        check_submittable(assignment, now)
        tx.assignments.mark_submitted(assignment.id, answer=clean,
                                      idempotency_key=idempotency_key, now=now)
        tx.tasks.record_answer(assignment.task_id)
        tx.commit()
    return Submission(assignment.id, assignment.task_id, clean, now, replayed=False)


def release(db: Database, worker: User, assignment_id: int, *, now: datetime) -> None:
    """Skip a leased task: it goes back to the pool for others, never again to this worker."""
    require_role(worker, Role.WORKER)
    with db.write() as tx:
        assignment = _own_assignment(tx, worker, assignment_id)
        check_releasable(assignment)
        tx.assignments.mark_released(assignment.id, now=now)
        tx.tasks.free_slots(Counter({assignment.task_id: 1}))
        tx.commit()


def _return_expired(tx: Transaction, *, now: datetime, project_id: int | None) -> int:
    freed = tx.assignments.expire_due(now=now, project_id=project_id)
    tx.tasks.free_slots(freed)
    return sum(freed.values())


def expire_leases(db: Database, *, now: datetime) -> int:
    """Return every expired lease to the pool; safe to run on several servers at once."""
    with db.write() as tx:
        count = _return_expired(tx, now=now, project_id=None)
        tx.commit()
    return count
