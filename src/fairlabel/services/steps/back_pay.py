"""Back pay of a confirmed continuation (charter rule 5): the answers a continuation took at a
lower price than the project it continues are paid the difference, from its escrow.

Each answer gets ``earlier price − what it was paid so far`` (top-ups included) as a top-up
of that answer, so that a later floor top-up counts it. Answers are paid in order while the
free escrow holds their back pay; what it cannot reach stays owed on the case. The caller
holds the project's escrow lock and owns the transaction."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import NamedTuple, Protocol

from fairlabel.domain import ledger
from fairlabel.domain.charter import CharterPolicy
from fairlabel.domain.continuation import ContinuationCase, back_pay_due
from fairlabel.domain.decisions import DecisionKind
from fairlabel.domain.errors import Conflict
from fairlabel.domain.messages import Msg
from fairlabel.domain.money import Money
from fairlabel.domain.projects import Project
from fairlabel.services.ports.decisions import HasContinuationCases, HasDecisions
from fairlabel.services.ports.money import HasEscrow, HasHolds, HasLedger
from fairlabel.services.ports.voice import HasInbox
from fairlabel.services.ports.work import HasAssignments, HasProjects
from fairlabel.services.steps.decisions import record_decision
from fairlabel.services.steps.holds import raise_lowest_paid, rebalance
from fairlabel.services.steps.ledger import post


class BackPayTx(HasProjects, HasAssignments, HasLedger, HasEscrow, HasHolds, HasDecisions,
                HasInbox, Protocol):
    """The transaction of ``pay_back_pay``."""


class BackPay(NamedTuple):
    """What a run of back pay paid, to how many answers, and what is still owed."""

    paid_minor: int
    answers: int
    owed_minor: int


def pay_back_pay(tx: BackPayTx, project: Project, case: ContinuationCase,
                 policy: CharterPolicy, *, decided_by: int, now: datetime) -> BackPay:
    """Pay what the project's answers are owed to reach the earlier project's price as it is
    now (a cut on it counts once applied, whatever the case found at launch; the same at
    confirmation and at a later resume); each worker paid is told, and the payment recorded
    as a decision in their favour. Prices in two currencies are not compared (as the guard
    does not compare them)."""
    found = tx.projects.get(case.earlier_id)
    assert found is not None  # cases reference projects, which are never deleted
    if found.terms.pay_per_task.currency != project.terms.pay_per_task.currency:
        return BackPay(0, 0, 0)
    case = replace(case, earlier_price=found.terms.pay_per_task)
    currency = case.earlier_price.currency
    earlier_minor = case.earlier_price.amount_minor
    paid_to: dict[int, tuple[int, int]] = {}  # worker → (answers, amount)
    paid, owed = _pay(tx, project, case, paid_to, now=now)
    if paid:  # the answers' hold may need less now: free it, then try what is left
        raise_lowest_paid(tx, project, policy)
        rebalance(tx, project, policy, now=now, reason="continuation back pay")
        if owed:
            more, owed = _pay(tx, project, case, paid_to, now=now)
            paid += more
        tx.projects.recheck_pay(project.id)
    earlier = found.terms.name
    for worker_id, (answers, amount) in sorted(paid_to.items()):
        body = Msg("A moderator confirmed that “{project}” continues “{earlier}”, which paid "
                   "{earlier_price} per task. {answers} of your answers on “{project}” were paid "
                   "less, so you are paid the difference, {amount} in all, on {paid_at}.",
                   {"project": project.terms.name, "earlier": earlier,
                    "earlier_price": case.earlier_price,
                    "answers": answers, "amount": Money(amount, currency), "paid_at": now})
        record_decision(tx, worker_id=worker_id, kind=DecisionKind.BACK_PAY,
                        decided_by=decided_by, project_id=project.id, now=now,
                        outcome="back pay for a confirmed continuation", explanation=body,
                        inputs={"case_id": case.id, "earlier_id": case.earlier_id,
                                "earlier_price_minor": earlier_minor, "currency": currency,
                                "answers_back_paid": answers, "amount_minor": amount})
        tx.inbox.add(user_ids=[worker_id], project_id=project.id,
                     subject=Msg("Back pay: {project}", {"project": project.terms.name}),
                     body=body, now=now)
    return BackPay(paid, sum(a for a, _ in paid_to.values()), owed)


def _pay(tx: BackPayTx, project: Project, case: ContinuationCase,
         paid_to: dict[int, tuple[int, int]], *, now: datetime) -> tuple[int, int]:
    """One pass over the answers paid less than the earlier price: returns (paid, owed)."""
    currency = case.earlier_price.currency
    earlier_minor = case.earlier_price.amount_minor
    # Every answer, waiting for those a review or the top-ups hold: one skipped here would be
    # neither paid nor counted as owed.
    answers = tx.assignments.below_price(project.id, fair_minor=earlier_minor, limit=None,
                                         skip_locked=False)
    tx.ledger.lock(account for a in answers for account in (
        ledger.project_escrow(project.id), ledger.worker_pending(a.worker_id),
        ledger.worker_available(a.worker_id)))
    free = tx.escrow.free(project.id, currency)
    paid = owed = 0
    for answer in answers:
        due = back_pay_due(paid_minor=answer.price_minor + answer.topped_up_minor,
                           earlier_price_minor=earlier_minor)
        if not due:
            continue
        if due > free:
            owed += due
            continue
        post(tx, ledger.topup(project.id, answer.worker_id, Money(due, currency), {
            "reason": "continuation back pay", "case_id": case.id,
            "assignment_id": answer.id, "project_id": project.id,
            "earlier_id": case.earlier_id, "price_minor": answer.price_minor,
            "earlier_price_minor": earlier_minor}, approved=answer.approved_at is not None),
            now=now)
        tx.assignments.add_topup(answer, due)
        free, paid = free - due, paid + due
        count, amount = paid_to.get(answer.worker_id, (0, 0))
        paid_to[answer.worker_id] = (count + 1, amount + due)
    return paid, owed


class BackPayOwed(Conflict):
    code = "back_pay_owed"


class OwedBackPayTx(BackPayTx, HasContinuationCases, Protocol):
    """The transaction of ``pay_owed_back_pay``."""


def pay_owed_back_pay(tx: OwedBackPayTx, project: Project, policy: CharterPolicy, *,
                      decided_by: int, now: datetime) -> None:
    """Before a project paused for unpaid back pay serves again, pay what its confirmed
    cases still owe; refuse (``BackPayOwed``) while the escrow cannot cover it all."""
    owing = tx.continuation_cases.owing(project.id)
    if not owing:
        return
    tx.escrow.lock(project.id)
    owed = 0
    for case in owing:
        paid = pay_back_pay(tx, project, case, policy, decided_by=decided_by, now=now)
        tx.continuation_cases.set_back_pay(case.id, paid_minor=case.back_paid_minor
                                           + paid.paid_minor, owed_minor=paid.owed_minor)
        owed += paid.owed_minor
    if owed:
        raise BackPayOwed("this project still owes {owed} of back pay to the answers it took "
                          "below the price of the project it continues; add at least that to "
                          "its escrow, then resume it",
                          owed=Money(owed, owing[0].earlier_price.currency))
