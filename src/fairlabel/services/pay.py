"""Use cases for money: deposits, funding, prices, settling answers, earnings, statements,
inbox. Reviewing an answer (approve or reject) is in services/review.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Protocol

from fairlabel.domain import ledger
from fairlabel.domain.accounts import Role, User, require_role
from fairlabel.domain.charter import CharterPolicy
from fairlabel.domain.errors import Conflict, InvalidInput, NotFound
from fairlabel.domain.ledger import Entry
from fairlabel.domain.messages import N_, Msg, Value
from fairlabel.domain.money import Money
from fairlabel.domain.pay import (
    PriceChange,
    PriceChangeKind,
    effective_hourly,
    rate_median,
    schedule_price_change,
)
from fairlabel.domain.projects import Project, check_not_ended
from fairlabel.services.ports.accounts import HasUsers
from fairlabel.services.ports.money import HasEscrow, HasLedger, HasPrices, ScheduledPrice
from fairlabel.services.ports.transaction import Commits, Database
from fairlabel.services.ports.voice import HasInbox, InboxMessage
from fairlabel.services.ports.work import HasAssignments, HasProjects
from fairlabel.services.steps.access import own_project
from fairlabel.services.steps.ledger import InsufficientFunds, post


class ChangePriceTx(HasProjects, HasAssignments, HasPrices, HasInbox, Commits, Protocol):
    """The transaction of ``change_price``."""


class DepositTx(HasUsers, HasLedger, Commits, Protocol):
    """The transaction of ``deposit``."""


class EarningsTx(HasProjects, HasAssignments, HasLedger, Protocol):
    """The transaction of ``earnings``."""


class FundProjectTx(HasProjects, HasLedger, HasEscrow, Commits, Protocol):
    """The transaction of ``fund_project``."""


class InboxTx(HasInbox, Protocol):
    """The transaction of ``inbox``."""


class NotifyActiveTx(HasAssignments, HasInbox, Protocol):
    """The transaction of ``_notify_active``."""


class ProjectEarningsTx(HasAssignments, Protocol):
    """The transaction of ``_project_earnings``."""


class RequesterFundsTx(HasLedger, Protocol):
    """The transaction of ``requester_funds``, ``statement``."""


def deposit(db: Database[DepositTx], admin: User, *, requester_email: str, amount: Money,
            policy: CharterPolicy, now: datetime) -> Money:
    """An operator records money a requester paid in (a payment provider is a later adapter);
    refused in a currency the platform has no floor for."""
    require_role(admin, Role.ADMIN)
    policy.floors.require(amount.currency)
    if amount.amount_minor <= 0:
        raise InvalidInput("a deposit must be more than zero")
    with db.write() as tx:
        found = tx.users.with_password_hash(requester_email.strip().lower())
        if found is None or found[0].role is not Role.REQUESTER:
            raise NotFound("no requester with the e-mail {email}", email=requester_email)
        requester = found[0]
        post(tx, ledger.deposit(requester.id, amount, {"by": admin.pseudonym}), now=now)
        balance = tx.ledger.balance(ledger.requester_funds(requester.id), amount.currency)
        tx.commit()
    return Money(balance, amount.currency)


def fund_project(db: Database[FundProjectTx], requester: User, project_id: int, amount: Money,
                 *, now: datetime) -> Money:
    """Move a requester's funds into a project's escrow; returns the free escrow (what open
    leases hold is not free)."""
    require_role(requester, Role.REQUESTER, Role.ADMIN)
    with db.write() as tx:
        project = own_project(tx, requester, project_id, for_update=True)
        check_not_ended(project, N_("be funded"))
        currency = project.terms.pay_per_task.currency
        if amount.currency != currency:
            raise InvalidInput("the project pays in {currency}; fund it in {currency}, not "
                               "{other}", currency=currency, other=amount.currency)
        if amount.amount_minor <= 0:
            raise InvalidInput("funding must be more than zero")
        funds = tx.ledger.balance(ledger.requester_funds(project.requester_id), currency)
        if funds < amount.amount_minor:
            raise InsufficientFunds("your funds hold {funds}; {amount} cannot be moved to the "
                                    "project. Ask the operator to record a deposit first.",
                                    funds=Money(funds, currency), amount=amount)
        post(tx, ledger.fund(project.requester_id, project_id, amount), now=now)
        escrow = tx.escrow.free(project_id, currency)  # less what open leases hold
        tx.commit()
    return Money(escrow, currency)


def _notify_active(tx: NotifyActiveTx, project: Project, policy: CharterPolicy, *, subject: Msg,
                   body: Msg, now: datetime) -> None:
    workers = tx.assignments.active_workers(project.id, since=now - policy.active_window)
    tx.inbox.add(user_ids=workers, project_id=project.id, subject=subject, body=body, now=now)


def change_price(db: Database[ChangePriceTx], requester: User, project_id: int, new_price: Money,
                 *, reason: str, policy: CharterPolicy, now: datetime) -> ScheduledPrice:
    """Raise (at once) or cut (after notice) the price per task; workers are told either way.

    Nothing is changed backward: tasks already served keep the price they were served at.
    """
    require_role(requester, Role.REQUESTER, Role.ADMIN)
    with db.write() as tx:
        project = own_project(tx, requester, project_id, for_update=True)
        check_not_ended(project, N_("change its price"))
        old = project.terms.pay_per_task
        change = schedule_price_change(old, new_price, now=now, notice=policy.price_cut_notice)
        if change.is_cut and any(p.kind is PriceChangeKind.CUT
                                 for p in tx.prices.pending(project_id)):
            raise Conflict("a price cut is already announced for this project; wait until it "
                           "takes effect", code="cut_pending")
        kind = change.kind
        applied = None if change.is_cut else now
        change_id = tx.prices.add(
            project_id=project_id, kind=kind, old_minor=old.amount_minor,
            new_minor=new_price.amount_minor, currency=old.currency,
            reason=reason.strip(), announced_at=now, effective_at=change.effective_at,
            applied_at=applied)
        if not change.is_cut:
            tx.projects.set_price(project_id, new_price.amount_minor)
        subject, body = _price_message(project, change, reason=reason.strip())
        _notify_active(tx, project, policy, now=now, subject=subject, body=body)
        tx.commit()
    return ScheduledPrice(change_id, project_id, kind, old.amount_minor, new_price.amount_minor,
                          old.currency, reason.strip(), now, change.effective_at, applied)


def _price_message(project: Project, change: PriceChange, *, reason: str) -> tuple[Msg, Msg]:
    """What the workers are told of a price change: the old and the new price, the date it
    takes effect, and what it means for the tasks they hold.

    A raise applies at once to every task served from then on; a task served before keeps
    the price it was served at (top-ups to the floor still apply to it). A cut applies only
    after its notice: every task served until then is paid the old price."""
    facts: dict[str, Value] = {"project": project.terms.name, "old": change.old,
                               "new": change.new, "effective_at": change.effective_at,
                               "announced_at": change.announced_at}
    if change.is_cut:
        subject = Msg("Pay cut on {effective_at}: {project}", facts)
        body = Msg("The price per task of “{project}” falls from {old} to {new} on "
                   "{effective_at}. Until then every task you take is paid {old}, even if you "
                   "submit it after that date; only tasks served from {effective_at} on are "
                   "paid {new}.", facts)
    else:
        subject = Msg("Pay raise: {project}", facts)
        body = Msg("The price per task of “{project}” rose from {old} to {new} on "
                   "{effective_at}: every task you take from then on is paid {new}. A task you "
                   "already held keeps the price it was served at, {old}.", facts)
    if reason:
        body = Msg("{message} Reason: {reason}", {"message": body, "reason": reason})
    return subject, body


@dataclass(frozen=True, slots=True)
class ProjectEarnings:
    project_id: int
    name: str
    answers: int
    own_hourly: Money | None
    project_hourly: Money | None


@dataclass(frozen=True, slots=True)
class Earnings:
    balances: dict[str, dict[str, Money]]  # bucket → currency → balance
    projects: list[ProjectEarnings]
    entries: list[Entry]


def earnings(db: Database[EarningsTx], worker: User, policy: CharterPolicy) -> Earnings:
    """A worker's balances, every entry, and per project their measured hourly rate beside
    the project's (once the policy's answers for a rate are measured)."""
    names = [ledger.worker_account(worker.id, b) for b in ledger.WORKER_ACCOUNTS]
    with db.read() as tx:
        raw = tx.ledger.balances(names)
        entries = tx.ledger.entries(names)
        rows = []
        for project_id in tx.assignments.worker_projects(worker.id):
            project = tx.projects.get(project_id)
            if project is None:
                continue
            rows.append(_project_earnings(tx, worker, project, policy))
    balances = {bucket: {cur: Money(v, cur) for cur, v in raw.get(
        ledger.worker_account(worker.id, bucket), {}).items()} for bucket in ledger.WORKER_ACCOUNTS}
    return Earnings(balances, rows, entries)


def _project_earnings(tx: ProjectEarningsTx, worker: User, project: Project,
                      policy: CharterPolicy) -> ProjectEarnings:
    currency = project.terms.pay_per_task.currency
    answers, paid, total_ms = tx.assignments.worker_totals(worker_id=worker.id,
                                                           project_id=project.id)
    own_rate = (Money(effective_hourly(paid, Fraction(total_ms)), currency)
                if total_ms > 0 else None)
    rate_ms = rate_median(project.measured_median_ms, project.measured_answers,
                          policy.min_answers_for_rate)
    project_rate = (Money(effective_hourly(project.terms.pay_per_task.amount_minor,
                                           Fraction(rate_ms)), currency) if rate_ms else None)
    return ProjectEarnings(project.id, project.terms.name, answers, own_rate, project_rate)


def requester_funds(db: Database[RequesterFundsTx], requester: User) -> list[Money]:
    """What a requester holds outside any project, per currency."""
    with db.read() as tx:
        held = tx.ledger.balances([ledger.requester_funds(requester.id)])
    return [Money(v, c) for c, v in sorted(held.get(ledger.requester_funds(requester.id),
                                                     {}).items())]


def statement(db: Database[RequesterFundsTx], worker: User) -> list[Entry]:
    """Every entry of the worker's own accounts, each chain from its first link."""
    with db.read() as tx:
        return tx.ledger.entries(ledger.worker_account(worker.id, b)
                                 for b in ledger.WORKER_ACCOUNTS)


def inbox(db: Database[InboxTx], user: User) -> list[InboxMessage]:
    with db.read() as tx:
        return tx.inbox.latest(user.id)


