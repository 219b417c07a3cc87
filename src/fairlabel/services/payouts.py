"""Use cases for payouts: where a worker is paid, listing batches, marking them sent."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from fairlabel.domain import ledger
from fairlabel.domain.accounts import Role, User, require_role
from fairlabel.domain.errors import Conflict, NotFound
from fairlabel.domain.money import Money
from fairlabel.domain.payouts import PayoutLine, PayoutStatus, check_bic, normalize_iban
from fairlabel.services.ports.money import HasLedger, HasPayouts, PayoutDetails, PayoutRecord
from fairlabel.services.ports.transaction import Commits, Database
from fairlabel.services.ports.work import HasAssignments, HasProjects
from fairlabel.services.steps.ledger import post


class GetDetailsTx(HasPayouts, Protocol):
    """The transaction of ``get_details``, ``payout_lines``."""


class MarkTx(HasLedger, HasPayouts, Commits, Protocol):
    """The transaction of ``mark``."""


class SetDetailsTx(HasPayouts, HasProjects, HasAssignments, Commits, Protocol):
    """The transaction of ``set_details``."""


def set_details(db: Database[SetDetailsTx], worker: User, *, name: str, iban: str, bic: str | None,
                country: str | None) -> PayoutDetails:
    """Record where a worker's payouts go; the IBAN (and BIC) are checked first."""
    details = PayoutDetails(worker.pseudonym, name.strip(), normalize_iban(iban),
                            check_bic(bic) if bic else None,
                            country.upper() if country else None)
    with db.write() as tx:
        before = tx.payouts.details([worker.id])[worker.id].country
        tx.payouts.set_details(worker.id, details)
        if details.country != before:
            # The country sets the worker's floor (rule 1): each project they answered is
            # measured again at the next sweep, which tops their answers up to a higher one.
            for project_id in tx.assignments.worker_projects(worker.id):
                tx.projects.recheck_pay(project_id)
        tx.commit()
    return details


def get_details(db: Database[GetDetailsTx], worker: User) -> PayoutDetails:
    with db.read() as tx:
        return tx.payouts.details([worker.id])[worker.id]


def payout_lines(db: Database[GetDetailsTx], admin: User, *,
                 status: PayoutStatus = PayoutStatus.BATCHED) -> list[PayoutLine]:
    """Payouts with where they go, ready for a CSV or SEPA file (operators)."""
    require_role(admin, Role.ADMIN)
    with db.read() as tx:
        records = tx.payouts.find(status=PayoutStatus(status))
        details = tx.payouts.details(sorted({r.worker_id for r in records}))
    return [PayoutLine(payout_id=r.id, worker_pseudonym=details[r.worker_id].pseudonym,
                       beneficiary_name=details[r.worker_id].name or details[r.worker_id].pseudonym,
                       iban=details[r.worker_id].iban, bic=details[r.worker_id].bic,
                       amount=Money(r.amount_minor, r.currency),
                       reference=f"fairlabel payout {r.id}")
            for r in records]


def mark(db: Database[MarkTx], admin: User, payout_id: int, *, status: PayoutStatus,
         now: datetime) -> PayoutRecord:
    """Mark a batched payout as sent (money left) or returned (back to available)."""
    require_role(admin, Role.ADMIN)
    status = PayoutStatus(status)
    with db.write() as tx:
        record = tx.payouts.get(payout_id, for_update=True)
        if record is None:
            raise NotFound("no payout {payout_id}", payout_id=str(payout_id))
        if record.status is not PayoutStatus.BATCHED:
            raise Conflict("payout {payout_id} is already {status}", code="payout_settled",
                           payout_id=str(payout_id), status=record.status.value)
        amount = Money(record.amount_minor, record.currency)
        movement = (ledger.payout_sent if status is PayoutStatus.SENT
                    else ledger.payout_returned)(
            record.worker_id, amount, {"payout_id": payout_id})
        post(tx, movement, now=now)
        tx.payouts.mark(payout_id, status=status, now=now)
        tx.commit()
    return PayoutRecord(record.id, record.worker_id, record.amount_minor, record.currency,
                        status, record.created_at,
                        now if status is PayoutStatus.SENT else None)
