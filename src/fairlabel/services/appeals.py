"""Appeals (charter rule 6): a worker appeals a decision once; a moderator upholds or
overturns it with a written reason; past the deadline it is overturned in the worker's favour.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from fairlabel.domain import ledger
from fairlabel.domain.accounts import User, require_role
from fairlabel.domain.algorithms import APPEAL_DEADLINE_RULE
from fairlabel.domain.assignment import Review
from fairlabel.domain.charter import CharterPolicy
from fairlabel.domain.decisions import (
    RESTRICTING,
    Appeal,
    AppealStatus,
    Decision,
    DecisionKind,
    DecisionStatus,
    appeal_deadline,
    check_appealable,
    check_resolvable,
    check_text,
    parse_appeal_outcome,
)
from fairlabel.domain.errors import NotFound
from fairlabel.domain.messages import N_, Msg, Value
from fairlabel.domain.money import Money
from fairlabel.services.ports.accounts import HasUsers
from fairlabel.services.ports.decisions import HasAppeals, HasBlocks, HasDecisions
from fairlabel.services.ports.money import HasEscrow, HasLedger
from fairlabel.services.ports.quality import HasGold
from fairlabel.services.ports.transaction import Commits, Database
from fairlabel.services.ports.voice import HasInbox
from fairlabel.services.ports.work import HasAssignments, HasProjects
from fairlabel.services.steps.decisions import MODERATORS, DecisionView, views
from fairlabel.services.steps.ledger import InsufficientFunds, post, settlement_accounts


class AppealTx(HasDecisions, HasAppeals, Commits, Protocol):
    """The transaction of ``appeal``."""


class OverturnRejectionTx(HasProjects, HasAssignments, HasLedger, HasEscrow, Protocol):
    """The transaction of ``_overturn_rejection``."""


class OverturnTx(HasProjects, HasAssignments, HasLedger, HasEscrow, HasGold, HasBlocks, Protocol):
    """The transaction of ``_overturn``."""


class QueueTx(HasUsers, HasProjects, HasDecisions, HasAppeals, Protocol):
    """The transaction of ``queue``."""


class ResolveAppealTx(HasProjects, HasAssignments, HasLedger, HasEscrow, HasGold, HasDecisions,
                      HasAppeals, HasBlocks, HasInbox, Commits, Protocol):
    """The transaction of ``resolve_appeal``, ``overturn_overdue``."""


class ResolveTx(HasProjects, HasAssignments, HasLedger, HasEscrow, HasGold, HasDecisions,
                HasAppeals, HasBlocks, HasInbox, Protocol):
    """The transaction of ``_resolve``."""


BATCH = 200


def appeal(db: Database[AppealTx], worker: User, decision_id: int, *, message: str,
           policy: CharterPolicy, now: datetime) -> Appeal:
    """Appeal a decision about you, once, with a message for the moderator."""
    message = check_text(message, N_("the appeal's message"))
    with db.write() as tx:
        decision = tx.decisions.get(decision_id)
        if decision is None or decision.worker_id != worker.id:
            raise NotFound("no decision {decision_id} about you", decision_id=str(decision_id))
        check_appealable(decision, already=decision.id in tx.appeals.of_decisions([decision.id]))
        filed = tx.appeals.add(decision_id=decision.id, worker_id=worker.id, message=message,
                               now=now, deadline=appeal_deadline(now, policy.appeal_deadline))
        tx.commit()
    return filed


@dataclass(frozen=True, slots=True)
class QueuedAppeal:
    appeal: Appeal
    decision: DecisionView
    worker: str  # pseudonym
    overdue: bool


def queue(db: Database[QueueTx], moderator: User, *, now: datetime, limit: int = 200
          ) -> list[QueuedAppeal]:
    """Open appeals, oldest first, each with its decision, inputs and the worker's message."""
    require_role(moderator, *MODERATORS)
    with db.read() as tx:
        open_appeals = tx.appeals.open(limit=limit)
        decisions = {a.decision_id: tx.decisions.get(a.decision_id) for a in open_appeals}
        shown = {v.decision.id: v for v in views(tx, [d for d in decisions.values() if d])}
        names = tx.users.pseudonyms(a.worker_id for a in open_appeals)
    return [QueuedAppeal(a, shown[a.decision_id], names.get(a.worker_id, ""), a.is_overdue(now))
            for a in open_appeals]


def resolve_appeal(db: Database[ResolveAppealTx], moderator: User, appeal_id: int, *, outcome: str,
                   reason: str, now: datetime) -> Appeal:
    """Uphold or overturn an appeal with a written reason. Overturning a rejection that
    withheld pay pays it; overturning a block lifts it."""
    require_role(moderator, *MODERATORS)
    status = parse_appeal_outcome(outcome)
    reason = check_text(reason, N_("the reason"))
    with db.write() as tx:
        found = tx.appeals.get(appeal_id, for_update=True)
        if found is None:
            raise NotFound("no appeal {appeal_id}", appeal_id=str(appeal_id))
        check_resolvable(found)
        resolved = _resolve(tx, found, status=status, by=moderator.id, reason=reason, now=now)
        tx.commit()
    return resolved


def overturn_overdue(db: Database[ResolveAppealTx], *, now: datetime) -> int:
    """Overturn, in the worker's favour, every appeal no moderator decided in time."""
    total = 0
    while True:
        done = 0
        with db.write() as tx:
            due = tx.appeals.overdue(now=now, limit=BATCH)
            for found in due:
                why = Msg("no moderator decided before the deadline ({deadline}); rule {rule} "
                          "overturns it in your favour",
                          {"deadline": found.deadline_at, "rule": APPEAL_DEADLINE_RULE})
                try:
                    _resolve(tx, found, status=AppealStatus.OVERTURNED, by=None, now=now,
                             reason=str(why), said=why)
                    done += 1
                except InsufficientFunds:
                    continue  # stays open and overdue, first in the queue; paid once funded
            tx.commit()
        total += done
        if len(due) < BATCH or done == 0:
            return total


def _resolve(tx: ResolveTx, found: Appeal, *, status: AppealStatus, by: int | None,
             reason: str, now: datetime, said: Msg | None = None) -> Appeal:
    """Resolve the appeal, do what overturning changes, and tell the worker. ``reason`` is
    kept as written (a moderator's words, or the English of ``said``, a rule's reason)."""
    decision = tx.decisions.get(found.decision_id)
    assert decision is not None
    about: dict[str, Value] = {"decision_id": str(decision.id), "decided_at": decision.created_at,
                               "reason": said if said is not None else reason.rstrip(".")}
    if status is AppealStatus.OVERTURNED:
        effect = _overturn(tx, decision, now=now)  # first: refused when the money is short
        subject = Msg("Appeal overturned: decision {decision_id}", about)
        body = Msg("Your appeal of decision {decision_id} (of {decided_at}) was overturned: "
                   "the decision no longer stands. Reason: {reason}.{effect}",
                   {**about, "effect": effect})
    else:
        subject = Msg("Appeal upheld: decision {decision_id}", about)
        body = Msg("Your appeal of decision {decision_id} (of {decided_at}) was upheld: the "
                   "decision stands. Reason: {reason}.", about)
    tx.inbox.add(user_ids=[found.worker_id], project_id=decision.project_id, subject=subject,
                 body=body, now=now)
    tx.appeals.resolve(found.id, status=status, resolved_by=by, reason=reason, now=now)
    return Appeal(found.id, found.decision_id, found.worker_id, found.message,
                  found.created_at, found.deadline_at, status, by, reason, now)


def _overturn(tx: OverturnTx, decision: Decision, *, now: datetime) -> Value:
    """What overturning the decision changes; returns a sentence for the worker."""
    if decision.kind is DecisionKind.ANSWER_REJECTED and decision.assignment_id is not None:
        return _overturn_rejection(tx, decision, now=now)
    if (decision.kind is DecisionKind.QUALIFICATION_REVOKED and decision.project_id is not None
            and "revoked_at" in decision.inputs):
        tx.gold.restore_pass(project_id=decision.project_id, worker_id=decision.worker_id,
                             revoked_at=datetime.fromisoformat(str(decision.inputs["revoked_at"])))
        return Msg(" Your qualification stands again.")
    if (decision.kind in RESTRICTING and decision.status is DecisionStatus.FINAL
            and decision.project_id is not None):
        if tx.blocks.blocking(worker_id=decision.worker_id,
                              project_id=decision.project_id) == decision.id:
            tx.blocks.remove(project_id=decision.project_id, worker_id=decision.worker_id)
        return Msg(" You can take the project's tasks again.")
    return ""


def _overturn_rejection(tx: OverturnRejectionTx, decision: Decision, *, now: datetime) -> Msg:
    assert decision.assignment_id is not None
    answer = tx.assignments.get(decision.assignment_id, for_update=True)
    assert answer is not None
    if answer.review is not Review.WITHHELD:
        tx.assignments.mark_reviewed(answer.id, review=Review.OVERTURNED.value)
        return Msg(" The rejection no longer counts against you.")
    project = tx.projects.get(answer.project_id)
    assert project is not None
    currency = project.terms.pay_per_task.currency
    amount = answer.price_minor + answer.topped_up_minor
    tx.escrow.lock(project.id)  # appeal pay may spend the free escrow
    tx.ledger.lock((ledger.requester_funds(project.requester_id),
                    *settlement_accounts(answer)))
    escrow = tx.escrow.free(project.id, currency)
    funds = tx.ledger.balance(ledger.requester_funds(project.requester_id), currency)
    if escrow + funds < amount:
        raise InsufficientFunds("overturning pays {amount} but the project's escrow and its "
                                "requester's funds do not hold it; ask the requester to add "
                                "funds", amount=Money(amount, currency))
    memo = {"assignment_id": answer.id, "project_id": project.id, "decision_id": decision.id}
    from_escrow = min(escrow, amount)
    if from_escrow:
        post(tx, ledger.appeal_pay(project.id, answer.worker_id, Money(from_escrow, currency),
                                   memo), now=now)
    if amount - from_escrow:
        post(tx, ledger.appeal_pay(project.id, answer.worker_id,
                                   Money(amount - from_escrow, currency), memo,
                                   requester_id=project.requester_id), now=now)
    tx.assignments.mark_approved(answer.id, now=now, review=Review.OVERTURNED.value)
    # Its pay stands again: the notice liability counts it, and top-ups may be owed to it.
    tx.projects.recheck_pay(project.id)
    return Msg(" The withheld pay ({amount}) is now available to you.",
               {"amount": Money(amount, currency)})
