"""Transaction-level steps on the ledger: post a movement, settle an approved answer."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Protocol

from fairlabel.domain import ledger
from fairlabel.domain.assignment import Assignment, Review
from fairlabel.domain.errors import Conflict
from fairlabel.domain.ledger import Entry, LedgerTransaction
from fairlabel.domain.money import Money
from fairlabel.services.ports.money import HasLedger
from fairlabel.services.ports.work import HasAssignments, HasProjects


class PostTx(HasLedger, Protocol):
    """The transaction of ``post``."""


class SettleApprovalTx(HasProjects, HasAssignments, HasLedger, Protocol):
    """The transaction of ``settle_approval``."""


class InsufficientFunds(Conflict):
    code = "insufficient_funds"


def post(tx: PostTx, movement: LedgerTransaction, *, now: datetime) -> list[Entry]:
    """Append one ledger transaction inside the caller's database transaction."""
    return tx.ledger.post(movement, tx_id=uuid.uuid4().hex, now=now)


def settle_approval(tx: SettleApprovalTx, assignment: Assignment, *, now: datetime,
                    reason: str, review: Review) -> None:
    """Pending pay of an answer becomes available. (The answers' hold stays: an approved
    answer is still topped up at a later median, until the project is settled.)"""
    currency = tx.projects.currency(assignment.project_id)
    pending = assignment.price_minor + assignment.topped_up_minor
    memo = {"assignment_id": assignment.id, "project_id": assignment.project_id,
            "reason": reason}
    if pending:
        post(tx, ledger.approve(assignment.worker_id, Money(pending, currency), memo), now=now)
    tx.assignments.mark_approved(assignment.id, now=now, review=review.value)


def settlement_accounts(assignment: Assignment) -> tuple[str, ...]:
    """Every ledger account that paying or approving an answer may touch.

    Jobs lock them all up front, in name order (project accounts before worker accounts, as
    every use case does), so that transactions never wait on each other in a circle.
    """
    return (ledger.project_escrow(assignment.project_id),
            ledger.project_reserved(assignment.project_id),
            ledger.worker_pending(assignment.worker_id),
            ledger.worker_available(assignment.worker_id))
