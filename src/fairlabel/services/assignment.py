"""Use cases of the worker loop: next task, submit, skip, and the lease sweep."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from fairlabel.domain import ledger
from fairlabel.domain.accounts import Role, User, require_role
from fairlabel.domain.assignment import (
    Assignment,
    Purpose,
    check_releasable,
    check_submittable,
    is_replay,
    lease_expiry,
    worked_ms_between,
)
from fairlabel.domain.charter import CharterPolicy
from fairlabel.domain.decisions import AccessBlocked
from fairlabel.domain.errors import NotFound
from fairlabel.domain.holds import lease_needs_no_lock
from fairlabel.domain.money import Money
from fairlabel.domain.pay import lease_bound, lease_reserve
from fairlabel.domain.projects import ProjectNotOpen, check_serving
from fairlabel.services.ports.decisions import HasDecisions
from fairlabel.services.ports.money import HasEscrow, HasHolds, HasLedger
from fairlabel.services.ports.quality import HasConsensus, HasGold
from fairlabel.services.ports.transaction import Commits, Database
from fairlabel.services.ports.work import (
    Earned,
    HasAssignments,
    HasProjects,
    HasTasks,
    NewLease,
    ProjectFacts,
)
from fairlabel.services.steps.holds import earn_hold_change
from fairlabel.services.steps.ledger import post
from fairlabel.services.steps.quality import (
    after_graded,
    follows_consensus,
    grade,
    incremental_consensus,
    pick_task,
)


class EarnTx(HasLedger, HasHolds, Protocol):
    """The transaction of ``_earn``."""


class OwnAssignmentTx(HasAssignments, Protocol):
    """The transaction of ``_own_assignment``."""


class ReleaseTx(HasTasks, HasAssignments, Commits, Protocol):
    """The transaction of ``release``, ``expire_leases``."""


class RequestNextTx(HasTasks, HasAssignments, HasEscrow, HasGold, Commits, Protocol):
    """The transaction of ``request_next``."""


class ReturnExpiredTx(HasTasks, HasAssignments, Protocol):
    """The transaction of ``_return_expired``."""


class SubmitAnswerTx(HasProjects, HasTasks, HasAssignments, HasLedger, HasHolds, HasGold,
                     HasConsensus, HasDecisions, Commits, Protocol):
    """The transaction of ``submit_answer``."""


@dataclass(frozen=True, slots=True)
class Lease:
    assignment_id: int
    project_id: int
    task_id: int
    data: dict[str, Any]
    lease_expires_at: datetime
    qualification: bool = False  # an item of the project's qualification test


@dataclass(frozen=True, slots=True)
class Submission:
    assignment_id: int
    task_id: int
    answer: Any
    submitted_at: datetime
    replayed: bool  # True when this repeats an answer already recorded (a retry)


_SYSTEM_RNG = random.SystemRandom()


class EscrowExhausted(ProjectNotOpen):
    code = "escrow_exhausted"


class FirstAccess(ProjectNotOpen):
    code = "first_access"


def request_next(db: Database[RequestNextTx], worker: User, project_id: int, *, now: datetime,
                 policy: CharterPolicy, rng: random.Random | None = None) -> Lease | None:
    """Lease the next task of a project to a worker, or None when nothing is left for them.

    Escrow first: the lease holds its price and a top-up allowance in the project's escrow,
    and is refused when the free escrow (its balance less what live leases hold) cannot cover
    them. A hold is no ledger entry: the answer's submission posts the money it moves. A
    worker who already holds a live lease on the project gets it back (a reloaded page shows
    the same task) rather than a second one. What is served follows the project's quality
    terms: the qualification test until passed, then work with a share of gold tasks
    (``services.quality.pick_task``). Expired leases of the project are returned to the pool
    here whenever they stand in the way (no task left, or escrow short), and by the periodic
    sweep otherwise.

    Where writers run side by side (PostgreSQL), a lease first takes its project's escrow
    lock, before it touches any task, and then reads what it must know: shared, beside the
    project's other leases, when the free escrow leaves room for every lease that may be in
    flight beside it at its largest (``domain.holds.lease_needs_no_lock``); otherwise, or
    with no lease slot free, it is taken again under the exclusive lock.
    """
    require_role(worker, Role.WORKER)
    rng = rng or _SYSTEM_RNG
    try:
        return _lease(db, worker, project_id, now=now, policy=policy, rng=rng, shared=True)
    except _NeedsTheLock:
        return _lease(db, worker, project_id, now=now, policy=policy, rng=rng, shared=False)


def _lease(db: Database[RequestNextTx], worker: User, project_id: int, *, now: datetime,
           policy: CharterPolicy, rng: random.Random, shared: bool) -> Lease | None:
    with db.write() as tx:
        found = tx.escrow.lock_and_gate(project_id, worker_id=worker.id, now=now,
                                        shared=shared)
        if found is None:
            raise NotFound("no project {project_id}", project_id=str(project_id))
        project, gate = found
        check_serving(project.status, ending_at=project.ending_at, now=now)
        if (project.continuation_of is not None and project.first_access_until is not None
                and now < project.first_access_until
                and not tx.assignments.worked_on(worker_id=worker.id,
                                                 project_id=project.continuation_of)):
            raise FirstAccess(
                "until {until} this project is open first to the workers of the project it "
                "continues; it opens to everyone then", until=project.first_access_until)
        if gate.held_id is not None:
            held = tx.assignments.get(gate.held_id)
            assert held is not None
            lease = Lease(held.id, project_id, held.task_id, tx.tasks.data(held.task_id),
                          held.lease_expires_at, held.purpose is Purpose.QUALIFICATION)
            tx.commit()
            return lease
        if gate.blocking_decision is not None:
            raise AccessBlocked("decision {decision_id} keeps you from this project's work; "
                                "see your decisions to read why, and to appeal it",
                                decision_id=str(gate.blocking_decision))
        price, allowance = lease_reserve(project, policy,
                                         lowest_paid_minor=gate.lowest_paid_minor,
                                         pivot_ms=gate.pivot_ms)
        # Escrow first: the lease's price, its allowance, and the notice pay that ending the
        # project now would owe must all be there. (Leases in flight beside this one only
        # lower the free escrow: seen short, it is short.)
        needed = price + allowance + project.notice_liability_minor
        free = gate.free_minor
        if free < needed and _return_expired(tx, now=now, project_id=project_id):
            free = tx.escrow.free(project_id, project.terms.pay_per_task.currency)
        if free < needed:
            raise _escrow_exhausted()
        if shared and not tx.escrow.serialised and not (gate.slots and lease_needs_no_lock(
                free_after_minor=free - price - allowance,
                notice_minor=project.notice_liability_minor,
                hold_bound_minor=lease_bound(project, policy), slots=gate.slots)):
            raise _NeedsTheLock()
        expires = lease_expiry(now, project.terms.lease_seconds)
        terms = NewLease(now, expires, price, allowance)
        picked = pick_task(tx, project, worker, now=now, rng=rng, lease=terms)
        if picked is None and _return_expired(tx, now=now, project_id=project_id):
            picked = pick_task(tx, project, worker, now=now, rng=rng, lease=terms)
        if picked is None:
            tx.commit()
            return None
        claimed = picked.task
        assignment_id = claimed.assignment_id
        if assignment_id is None:  # gold and qualification items: claimed, then leased
            assignment_id = tx.assignments.add(task_id=claimed.id, project_id=project_id,
                                               worker_id=worker.id, now=now, expires=expires,
                                               price_minor=price, allowance_minor=allowance,
                                               purpose=picked.purpose.value,
                                               attempt_id=picked.attempt_id)
        tx.commit()
    return Lease(assignment_id, project_id, claimed.id, claimed.data, expires,
                 picked.purpose is Purpose.QUALIFICATION)


class _NeedsTheLock(Exception):
    """A lease that could not go beside the project's other leases (no lease slot free, or
    the free escrow too near the notice pay for the bound): it is taken again, under the
    project's exclusive escrow lock."""


def _escrow_exhausted() -> EscrowExhausted:
    return EscrowExhausted(
        "This project is waiting for its requester to add funds. Everything you have done "
        "on it is paid.")


def _own_assignment(tx: OwnAssignmentTx, worker: User, assignment_id: int) -> Assignment:
    assignment = tx.assignments.get(assignment_id, for_update=True)
    if assignment is None or assignment.worker_id != worker.id:
        raise NotFound("no assignment {assignment_id} of yours", assignment_id=str(assignment_id))
    return assignment


def submit_answer(db: Database[SubmitAnswerTx], worker: User, assignment_id: int, answer: Any,
                  *, idempotency_key: str | None, now: datetime,
                  policy: CharterPolicy) -> Submission:
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
        facts = tx.projects.facts(assignment.project_id)
        data = (tx.tasks.data(assignment.task_id) if facts.schema.answer_needs_data
                else None)
        clean = facts.schema.validate_answer(answer, data)
        if is_replay(assignment, clean, idempotency_key):
            assert assignment.submitted_at is not None
            return Submission(assignment.id, assignment.task_id, assignment.answer,
                              assignment.submitted_at, replayed=True)
        check_submittable(assignment, now)
        correct = grade(tx, facts, assignment, clean)
        # The answer counts on its task in the same statement, unless its consensus follows.
        follows = assignment.purpose is Purpose.WORK and follows_consensus(facts)
        tx.assignments.mark_submitted(assignment.id, answer=clean,
                                      idempotency_key=idempotency_key, now=now, correct=correct,
                                      worked_ms=worked_ms_between(assignment.leased_at, now),
                                      earned=Earned(assignment.project_id, assignment.worker_id,
                                                    assignment.price_minor
                                                    + assignment.topped_up_minor),
                                      count_on_task=None if follows else assignment.task_id)
        if follows:
            tx.tasks.record_answer(assignment.task_id,
                                   incremental_consensus(tx, facts, assignment.task_id, now=now))
        after_graded(tx, facts, assignment, correct, now=now)
        _earn(tx, assignment, facts, now=now, policy=policy)
        tx.commit()
    return Submission(assignment.id, assignment.task_id, clean, now, replayed=False)


def _earn(tx: EarnTx, assignment: Assignment, facts: ProjectFacts, *, now: datetime,
          policy: CharterPolicy) -> None:
    """Post what a submitted answer earns: its price to the worker's pending balance, and
    the change of the answers' hold that its measured time makes (never more than its lease
    held beside the price)."""
    currency = facts.currency
    worked = worked_ms_between(assignment.leased_at, now)
    change = earn_hold_change(tx, assignment.project_id, worked_ms=worked,
                              paid_minor=assignment.price_minor + assignment.topped_up_minor,
                              work=assignment.purpose is Purpose.WORK, facts=facts,
                              policy=policy, worker_id=assignment.worker_id)
    if assignment.price_minor or change:
        memo = {"assignment_id": assignment.id, "project_id": assignment.project_id,
                "worked_ms": worked}
        post(tx, ledger.earn(assignment.project_id, assignment.worker_id,
                             Money(assignment.price_minor, currency), Money(change, currency),
                             memo), now=now)


def release(db: Database[ReleaseTx], worker: User, assignment_id: int, *, now: datetime) -> None:
    """Skip a leased task: it goes back to the pool for others, never again to this worker."""
    require_role(worker, Role.WORKER)
    with db.write() as tx:
        assignment = _own_assignment(tx, worker, assignment_id)
        check_releasable(assignment)
        tx.assignments.mark_released(assignment.id, now=now)
        tx.tasks.free_slots(Counter({assignment.task_id: 1}))  # its hold ends with it
        tx.commit()


def _return_expired(tx: ReturnExpiredTx, *, now: datetime, project_id: int | None) -> int:
    """Expired leases go back to the pool; their holds end with them (nothing to post)."""
    expired = tx.assignments.expire_due(now=now, project_id=project_id)
    tx.tasks.free_slots(Counter(a.task_id for a in expired))
    return len(expired)


def expire_leases(db: Database[ReleaseTx], *, now: datetime) -> int:
    """Return every expired lease to the pool; safe to run on several servers at once."""
    with db.write() as tx:
        count = _return_expired(tx, now=now, project_id=None)
        tx.commit()
    return count
