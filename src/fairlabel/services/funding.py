"""Use cases for a requester's money in a project: what it holds and needs, and taking back
what it no longer needs (charter rules 2 and 4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Protocol

from fairlabel.domain import ledger
from fairlabel.domain.accounts import Role, User, require_role
from fairlabel.domain.charter import CharterPolicy
from fairlabel.domain.commitments import NOTICE_PAY_WINDOW, notice_pay
from fairlabel.domain.errors import Conflict, InvalidInput
from fairlabel.domain.holds import funding_need
from fairlabel.domain.messages import Msg, Value
from fairlabel.domain.money import Money
from fairlabel.domain.pay import fair_price
from fairlabel.domain.projects import Project, ProjectStatus
from fairlabel.services.ports.money import HasEscrow, HasHolds, HasLedger
from fairlabel.services.ports.transaction import Commits, Database
from fairlabel.services.ports.work import HasAssignments, HasProjects
from fairlabel.services.steps.access import own_project
from fairlabel.services.steps.holds import hold_floor
from fairlabel.services.steps.ledger import post


class NoticeLiabilityTx(HasAssignments, Protocol):
    """The transaction of ``_notice_liability``."""


class ProjectFundingTx(HasProjects, HasAssignments, HasLedger, HasEscrow, HasHolds, Protocol):
    """The transaction of ``project_funding``, ``_funding``."""


class WithdrawTx(HasProjects, HasAssignments, HasLedger, HasEscrow, Commits, Protocol):
    """The transaction of ``withdraw``."""


class NotWithdrawable(Conflict):
    code = "not_withdrawable"


@dataclass(frozen=True, slots=True)
class Funding:
    """A project's money as its requester sees it."""

    free_escrow: Money  # the escrow less what live leases hold
    held: Money  # live leases' holds and the answers' hold (reserved)
    notice_liability: Money  # notice pay that ending now would owe
    withdrawable: Money  # what can be taken back now
    needed_to_finish: Money  # what to add so that every remaining task can be served
    remaining_answers: int
    settled: bool
    summary: Msg  # one sentence
    explanation: Msg  # every figure, in plain words


def _notice_liability(tx: NoticeLiabilityTx, project: Project, now: datetime) -> int:
    if project.ended_at is not None or project.status is ProjectStatus.DRAFT:
        return 0
    # Paused: what the pause would owe once it counts as an ending (the days before it).
    stopped = project.paused_at if project.paused_at is not None else now
    owed = notice_pay(tx.assignments.earnings_since(project.id,
                                                    since=stopped - NOTICE_PAY_WINDOW),
                      project.terms.commitment.notice_days)
    return sum(owed.values())


def _withdrawable(project: Project, *, free: int, notice: int) -> int:
    """Draft: the free escrow; open or paused: down to the notice pay it would owe; ended:
    what is free (everything once settled)."""
    if project.status is ProjectStatus.DRAFT or project.ended_at is not None:
        return max(0, free)
    return max(0, free - notice)


def project_funding(db: Database[ProjectFundingTx], user: User, project_id: int, *,
                    policy: CharterPolicy,
                    now: datetime) -> Funding:
    """What the project holds, why, what can be withdrawn, and what finishing it needs."""
    require_role(user, Role.REQUESTER, Role.ADMIN)
    with db.read() as tx:
        project = own_project(tx, user, project_id)
        return _funding(tx, project, policy, now=now)


def _funding(tx: ProjectFundingTx, project: Project, policy: CharterPolicy, *,
             now: datetime) -> Funding:
    currency = project.terms.pay_per_task.currency
    free = tx.escrow.free(project.id, currency)
    leases = tx.escrow.held(project.id)
    reserved = tx.ledger.balance(ledger.project_reserved(project.id), currency)
    notice = _notice_liability(tx, project, now)
    totals = tx.holds.totals(project.id)
    settled = tx.holds.settled_at(project.id) is not None
    counts = tx.projects.counts([project.id])[project.id]
    remaining = 0 if project.ended_at is not None else max(0, counts.answers_wanted
                                                           - counts.answers)
    floor = hold_floor(project, policy)
    measured = (project.measured_median_ms is not None
                and project.measured_answers >= policy.min_answers_for_rate)
    median = project.measured_median_ms if measured else None
    need = funding_need(
        remaining_answers=remaining, price_minor=project.terms.pay_per_task.amount_minor,
        fair_price_minor=fair_price(floor, Fraction(median)) if median else None,
        typical_ms=median, totals=totals, floor_hourly=floor,
        lease_ms=project.terms.lease_seconds * 1000,
        notice_days=project.terms.commitment.notice_days,
        notice_window_days=NOTICE_PAY_WINDOW.days, free_minor=free,
        notice_liability_minor=notice)
    withdrawable = _withdrawable(project, free=free, notice=notice)

    def m(amount: int) -> Money:
        return Money(amount, currency)

    if project.ended_at is not None:
        explanation = (
            Msg("The project has ended. {amount} can be withdrawn now.",
                {"amount": m(withdrawable)}) if settled else
            Msg("The project has ended. {amount} can be withdrawn now; the rest is settled once "
                "its last live lease ends (every top-up at the final median paid, the answers' "
                "hold released).", {"amount": m(withdrawable)}))
        summary = explanation
    else:
        summary = _summary(to_add=m(need.to_add_minor), remaining=remaining,
                           measured=bool(median))
        basis = (Msg("at the measured median of {median} s", {"median": round(median / 1000, 1)})
                 if median else
                 Msg("before the project is measured, at the lease's full {lease} s",
                     {"lease": project.terms.lease_seconds}))
        explanation = Msg(
            "{remaining} answers remain, at {per_answer} each ({basis}). Beside their pay, "
            "finishing holds {hold} more for top-ups the answers could still be owed (released "
            "when the project ends), {notice} more for notice pay, and {lease_hold} for each "
            "worker working at the same moment. {then}",
            {"remaining": remaining, "per_answer": m(need.per_answer_minor), "basis": basis,
             "hold": m(need.hold_growth_minor), "notice": m(need.notice_growth_minor),
             "lease_hold": m(need.lease_hold_minor),
             "then": _then(to_add=m(need.to_add_minor), measured=bool(median),
                           answers_for_rate=policy.min_answers_for_rate)})
    return Funding(m(free), m(leases + reserved), m(notice), m(withdrawable),
                   m(need.to_add_minor), remaining, settled, summary, explanation)


def _summary(*, to_add: Money, remaining: int, measured: bool) -> Msg:
    facts: dict[str, Value] = {"amount": to_add, "remaining": remaining}
    if to_add.amount_minor and measured:
        return Msg("Add {amount} to serve the {remaining} remaining answers.", facts)
    if to_add.amount_minor:
        return Msg("Add {amount} to serve the {remaining} remaining answers, even if every "
                   "answer took the whole lease.", facts)
    if measured:
        return Msg("The escrow covers the {remaining} remaining answers.", facts)
    return Msg("The escrow covers the {remaining} remaining answers, even if every answer took "
               "the whole lease.", facts)


def _then(*, to_add: Money, measured: bool, answers_for_rate: int) -> Msg:
    if not to_add.amount_minor:
        return Msg("The escrow covers it.")
    if measured:
        return Msg("Add {amount} to serve every remaining task.", {"amount": to_add})
    return Msg("Add {amount} to serve every remaining task even if every answer took the whole "
               "lease; once {count} answers are measured this follows their real times.",
               {"amount": to_add, "count": answers_for_rate})


@dataclass(frozen=True, slots=True)
class Withdrawal:
    amount: Money
    free_escrow: Money
    funds: Money  # the requester's funds outside any project


def withdraw(db: Database[WithdrawTx], requester: User, project_id: int, amount: Money, *,
             policy: CharterPolicy, now: datetime) -> Withdrawal:
    """Take free escrow back to the requester's funds: any time from a draft or paused
    project, from an open one down to what its holds and notice pay need, and everything
    left once an ended project is settled."""
    require_role(requester, Role.REQUESTER, Role.ADMIN)
    if amount.amount_minor <= 0:
        raise InvalidInput("a withdrawal must be more than zero")
    with db.write() as tx:
        project = own_project(tx, requester, project_id, for_update=True)
        currency = project.terms.pay_per_task.currency
        if amount.currency != currency:
            raise InvalidInput("the project holds {currency}; withdraw {currency}, not {other}",
                               currency=currency, other=amount.currency)
        tx.escrow.lock(project_id)
        free = tx.escrow.free(project_id, currency)
        can = _withdrawable(project, free=free,
                            notice=_notice_liability(tx, project, now))
        if amount.amount_minor > can:
            raise NotWithdrawable("{can} of this project's escrow can be withdrawn now; {amount} "
                                  "is more than that. {why}", can=Money(can, currency),
                                  amount=amount, why=_why_held(project))
        post(tx, ledger.withdraw(project.requester_id, project_id, amount,
                                 {"project_id": project_id, "by": requester.pseudonym}), now=now)
        left = tx.escrow.free(project_id, currency)
        funds = tx.ledger.balance(ledger.requester_funds(project.requester_id), currency)
        tx.commit()
    return Withdrawal(amount, Money(left, currency), Money(funds, currency))


def _why_held(project: Project) -> Msg:
    if project.ended_at is not None:
        return Msg("Live leases hold their price until they end; the rest comes free when the "
                   "project is settled.")
    return Msg("Live leases hold their price and allowance, and the notice pay that ending the "
               "project now would owe stays in the escrow while it can be owed.")
