"""What the operator reads: every requester's money, and the payouts to send (read only).

Recording a deposit is ``services.pay.deposit``; marking a payout sent is
``services.payouts.mark``. These functions only look, each in one read transaction, so that
the figures on a page come from one moment of the ledger.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from fairlabel.domain import ledger
from fairlabel.domain.accounts import Role, User, require_role
from fairlabel.domain.messages import Msg
from fairlabel.domain.money import Money
from fairlabel.domain.payouts import PayoutLine, PayoutStatus, sepa_problem
from fairlabel.services.ports.accounts import HasUsers
from fairlabel.services.ports.money import HasLedger, HasPayouts
from fairlabel.services.ports.transaction import Database
from fairlabel.services.ports.work import HasProjects


class PayoutsOverviewTx(HasPayouts, Protocol):
    """The transaction of ``payouts_overview``."""


class RequestersMoneyTx(HasUsers, HasProjects, HasLedger, Protocol):
    """The transaction of ``requesters_money``."""


@dataclass(frozen=True, slots=True)
class RequesterMoney:
    """A requester's money on the platform, per currency.

    Attributes:
        funds: deposited and not yet moved into a project (``requester:{id}:funds``).
        in_projects: moved into their projects and not yet paid to workers: the projects'
            escrow, including what open leases hold and what submitted answers keep set
            aside for top-ups (``project:{id}:escrow`` plus ``project:{id}:reserved``).
    """

    id: int
    email: str
    pseudonym: str
    projects: int
    funds: list[Money]
    in_projects: list[Money]
    public_name: str = ""  # the display name they chose, else the pseudonym


@dataclass(frozen=True, slots=True)
class OperatorPayout:
    """One payout as the operator sees it; ``line`` is what the payout files carry."""

    line: PayoutLine
    status: PayoutStatus
    created_at: datetime
    sent_at: datetime | None
    sepa_problem: Msg | None  # why it cannot go in the SEPA file, or None if it can


@dataclass(frozen=True, slots=True)
class PayoutsOverview:
    waiting: list[OperatorPayout]  # batched, oldest first: to send
    waiting_totals: list[Money]  # the sum of the waiting payouts per currency
    settled: list[OperatorPayout]  # sent or returned, latest first
    settled_total: int  # how many there are in all (``settled`` may show fewer)


def _amounts(by_currency: dict[str, int]) -> list[Money]:
    return [Money(amount, currency) for currency, amount in sorted(by_currency.items())]


def requesters_money(db: Database[RequestersMoneyTx], admin: User) -> list[RequesterMoney]:
    """Every requester, by e-mail, with their funds and what their projects hold (admins)."""
    require_role(admin, Role.ADMIN)
    with db.read() as tx:
        requesters = tx.users.with_role(Role.REQUESTER)
        projects: dict[int, list[int]] = defaultdict(list)
        for project in tx.projects.find():
            projects[project.requester_id].append(project.id)
        accounts = [ledger.requester_funds(r.id) for r in requesters]
        for r in requesters:
            for project_id in projects[r.id]:
                accounts += [ledger.project_escrow(project_id),
                             ledger.project_reserved(project_id)]
        balances = tx.ledger.balances(accounts)
    result = []
    for r in requesters:
        held: dict[str, int] = defaultdict(int)
        for project_id in projects[r.id]:
            for account in (ledger.project_escrow(project_id),
                            ledger.project_reserved(project_id)):
                for currency, amount in balances.get(account, {}).items():
                    held[currency] += amount
        funds = balances.get(ledger.requester_funds(r.id), {})
        result.append(RequesterMoney(r.id, r.email, r.pseudonym, len(projects[r.id]),
                                     _amounts(funds), _amounts(held), r.public_name))
    return result


def payouts_overview(db: Database[PayoutsOverviewTx], admin: User, *,
                     settled_limit: int = 100) -> PayoutsOverview:
    """The payouts waiting to be sent, and the latest ones sent or returned (admins).

    The lines are built as ``services.payouts.payout_lines`` builds them for the files, so
    what the page says about SEPA is what the SEPA file does.
    """
    require_role(admin, Role.ADMIN)
    with db.read() as tx:
        records = tx.payouts.find()
        details = tx.payouts.details(sorted({r.worker_id for r in records}))
    shown = []
    for r in records:
        who = details[r.worker_id]
        line = PayoutLine(payout_id=r.id, worker_pseudonym=who.pseudonym,
                          beneficiary_name=who.name or who.pseudonym, iban=who.iban,
                          bic=who.bic, amount=Money(r.amount_minor, r.currency),
                          reference=f"fairlabel payout {r.id}")
        shown.append(OperatorPayout(line, r.status, r.created_at, r.sent_at,
                                    sepa_problem(line) if r.status is PayoutStatus.BATCHED
                                    else None))
    waiting = [p for p in shown if p.status is PayoutStatus.BATCHED]
    totals: dict[str, int] = defaultdict(int)
    for p in waiting:
        totals[p.line.amount.currency] += p.line.amount.amount_minor
    settled = sorted((p for p in shown if p.status is not PayoutStatus.BATCHED),
                     key=lambda p: (p.sent_at or p.created_at, p.line.payout_id), reverse=True)
    return PayoutsOverview(waiting, _amounts(totals), settled[:settled_limit], len(settled))


class VerifyLedgerTx(HasLedger, Protocol):
    """The transaction of ``verify_ledger``."""


def verify_ledger(db: Database[VerifyLedgerTx], admin: User) -> ledger.Verification:
    """Check the whole ledger as `fairlabel ledger verify` checks a statement (every
    account's hash chain), and that every transaction balances, the ledger sums to zero and
    no account but ``world`` went below zero (admins).

    Raises:
        InvalidInput: Code ``ledger_invariant``, naming the transaction or account at fault.
    """
    require_role(admin, Role.ADMIN)
    with db.read() as tx:
        entries = tx.ledger.all_entries()
    ledger.check_invariants(entries)
    return ledger.verify(entries)
