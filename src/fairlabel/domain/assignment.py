"""Assignment rules: leases, submissions and releases.

The database enforces the two hard invariants (one assignment per worker and task; never more
taken slots than the task's redundancy); these functions decide what a request may do given
the state it reads. Time is always a parameter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from fairlabel.domain.errors import Conflict


class AssignmentStatus(StrEnum):
    LEASED = "leased"
    SUBMITTED = "submitted"
    RELEASED = "released"
    EXPIRED = "expired"


class Purpose(StrEnum):
    """Why a task was served: ordinary work, a gold check mixed into the stream, or an item
    of a qualification test."""

    WORK = "work"
    GOLD = "gold"
    QUALIFICATION = "qualification"


class Review(StrEnum):
    """How an answer was reviewed (charter rule 6)."""

    APPROVED = "approved"  # by the requester
    AUTO_APPROVED = "auto_approved"  # the review window ended
    REJECTED = "rejected"  # rejected, still paid
    WITHHELD = "withheld"  # rejected, pay withheld on evidence
    OVERTURNED = "overturned"  # a rejection overturned on appeal (paid)


class LeaseExpired(Conflict):
    code = "lease_expired"


class AlreadySubmitted(Conflict):
    code = "already_submitted"


@dataclass(frozen=True, slots=True)
class Assignment:
    id: int
    task_id: int
    project_id: int
    worker_id: int
    status: AssignmentStatus
    leased_at: datetime
    lease_expires_at: datetime
    submitted_at: datetime | None
    answer: Any
    idempotency_key: str | None
    price_minor: int = 0  # the price agreed when the task was served
    allowance_minor: int = 0  # reserved beside the price for possible top-ups
    topped_up_minor: int = 0  # top-ups paid so far
    approved_at: datetime | None = None
    purpose: Purpose = Purpose.WORK
    attempt_id: int | None = None  # the qualification attempt this item belongs to
    correct: bool | None = None  # for gold and qualification items, once answered
    review: Review | None = None

    @property
    def worked_ms(self) -> int | None:
        """The measured working time: lease issued → submitted, in milliseconds."""
        if self.submitted_at is None:
            return None
        return worked_ms_between(self.leased_at, self.submitted_at)

    def is_active(self, now: datetime) -> bool:
        return self.status is AssignmentStatus.LEASED and now < self.lease_expires_at


def worked_ms_between(leased_at: datetime, submitted_at: datetime) -> int:
    """An answer's measured working time: lease issued → submitted, in whole milliseconds
    (the time pay is measured on)."""
    return round((submitted_at - leased_at).total_seconds() * 1000)


def lease_expiry(now: datetime, lease_seconds: int) -> datetime:
    return now + timedelta(seconds=lease_seconds)


def is_replay(assignment: Assignment, answer: Any, idempotency_key: str | None) -> bool:
    """Whether a submission repeats the one already recorded (a retry, not a new answer)."""
    if assignment.status is not AssignmentStatus.SUBMITTED:
        return False
    if idempotency_key is not None and assignment.idempotency_key is not None:
        return idempotency_key == assignment.idempotency_key
    return bool(assignment.answer == answer)


def check_submittable(assignment: Assignment, now: datetime) -> None:
    """Raise the reason an answer cannot be recorded on this assignment now, if any."""
    if assignment.status is AssignmentStatus.SUBMITTED:
        raise AlreadySubmitted("this assignment already has an answer; ask for the next task")
    if assignment.status is AssignmentStatus.RELEASED:
        raise Conflict("this task was skipped; it can no longer be answered", code="released")
    if assignment.status is AssignmentStatus.EXPIRED or now >= assignment.lease_expires_at:
        raise LeaseExpired("the lease expired at {expired_at}; the task went back to the pool. "
                           "Ask for the next task.", expired_at=assignment.lease_expires_at)


def check_releasable(assignment: Assignment) -> None:
    if assignment.status is not AssignmentStatus.LEASED:
        raise Conflict("only a leased task can be skipped; this one is {status}",
                       code="not_leased", status=assignment.status.value)
