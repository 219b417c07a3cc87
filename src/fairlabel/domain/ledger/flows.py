"""The money flows: one builder of a balanced transaction per kind of movement."""

from __future__ import annotations

from fairlabel.domain.errors import InvalidInput
from fairlabel.domain.ledger.accounts import (
    PLATFORM_FEES,
    WORLD,
    Id,
    project_escrow,
    project_reserved,
    requester_funds,
    worker_available,
    worker_paid,
    worker_payout,
    worker_pending,
)
from fairlabel.domain.ledger.transactions import LedgerTransaction, Memo, Posting
from fairlabel.domain.messages import shown
from fairlabel.domain.money import Money


def _positive(kind: str, amount: Money) -> Money:
    if not isinstance(amount, Money) or amount.amount_minor <= 0:
        raise InvalidInput("a {kind} moves a positive amount, got {amount}", kind=kind,
                           amount=amount if isinstance(amount, Money) else shown(amount))
    return Money(-amount.amount_minor, amount.currency)


def _move(
    kind: str, source: str, target: str, amount: Money, memo: Memo | None
) -> LedgerTransaction:
    postings = (Posting(source, _positive(kind, amount)), Posting(target, amount))
    return LedgerTransaction(kind, postings, memo or {})


def deposit(requester_id: Id, amount: Money, memo: Memo | None = None) -> LedgerTransaction:
    """``world`` → requester funds: money arrives from outside."""
    return _move("deposit", WORLD, requester_funds(requester_id), amount, memo)


def fund(
    requester_id: Id, project_id: Id, amount: Money, memo: Memo | None = None,
    *, fee: Money | None = None,
) -> LedgerTransaction:  # fmt: skip
    """Requester funds → project escrow, plus an optional positive ``fee`` → platform fees."""
    source, escrow = requester_funds(requester_id), project_escrow(project_id)
    if fee is None:
        return _move("fund", source, escrow, amount, memo)
    _positive("fund", amount)
    total = _positive("fund fee", fee) - amount
    postings = (Posting(source, total), Posting(escrow, amount), Posting(PLATFORM_FEES, fee))
    return LedgerTransaction("fund", postings, memo or {})


def hold(project_id: Id, amount: Money, memo: Memo | None = None) -> LedgerTransaction:
    """Project escrow → reserved: the answers' hold grows (see ``domain.holds``)."""
    return _move("hold", project_escrow(project_id), project_reserved(project_id), amount, memo)


def release(project_id: Id, amount: Money, memo: Memo | None = None) -> LedgerTransaction:
    """Project reserved → escrow: the answers' hold shrinks, or the project was settled."""
    return _move("release", project_reserved(project_id), project_escrow(project_id), amount, memo)


def earn(
    project_id: Id, worker_id: Id, price: Money, hold_change: Money, memo: Memo | None = None
) -> LedgerTransaction:  # fmt: skip
    """Work submitted: its price goes from the project's escrow to the worker's pending
    balance, and the answers' hold changes by ``hold_change`` (escrow → reserved when
    positive, back when negative). The lease itself moved no money; see
    ``services.assignment``."""
    paid = _positive("earn", price)  # the price, negated
    postings = [Posting(account, part) for account, part in (
        (project_escrow(project_id), paid - hold_change),
        (worker_pending(worker_id), price),
        (project_reserved(project_id), hold_change)) if part.amount_minor]
    return LedgerTransaction("earn", tuple(postings), memo or {})


def approve(worker_id: Id, amount: Money, memo: Memo | None = None) -> LedgerTransaction:
    """Worker pending → available: approved by a person or after the review window."""
    return _move("approve", worker_pending(worker_id), worker_available(worker_id), amount, memo)


def topup(
    project_id: Id, worker_id: Id, amount: Money, memo: Memo | None = None, *, approved: bool,
    from_reserve: bool = False,
) -> LedgerTransaction:  # fmt: skip
    """Project escrow (or, ``from_reserve``, the answer's reserve) → worker available if
    ``approved``, else pending (pay floor, rule 1)."""
    target = worker_available(worker_id) if approved else worker_pending(worker_id)
    source = project_reserved(project_id) if from_reserve else project_escrow(project_id)
    return _move("topup", source, target, amount, memo)


def notice_pay(
    project_id: Id, worker_id: Id, amount: Money, memo: Memo | None = None
) -> LedgerTransaction:
    """Project escrow → worker available: a project ended without notice (rule 4)."""
    source, target = project_escrow(project_id), worker_available(worker_id)
    return _move("notice_pay", source, target, amount, memo)


def withhold(
    project_id: Id, worker_id: Id, amount: Money, memo: Memo | None = None
) -> LedgerTransaction:
    """Worker pending → project escrow: a rejection withholds an answer's pay, on evidence
    of bad faith (rule 6); the evidence goes in the memo and the decision."""
    return _move("withhold", worker_pending(worker_id), project_escrow(project_id), amount, memo)


def appeal_pay(
    project_id: Id, worker_id: Id, amount: Money, memo: Memo | None = None,
    *, requester_id: Id | None = None,
) -> LedgerTransaction:  # fmt: skip
    """Project escrow → worker available: an appeal overturned a rejection that withheld pay.
    With ``requester_id``, from the requester's funds (when the escrow no longer holds it)."""
    source = project_escrow(project_id) if requester_id is None else requester_funds(requester_id)
    return _move("appeal_pay", source, worker_available(worker_id), amount, memo)


def payout_batch(worker_id: Id, amount: Money, memo: Memo | None = None) -> LedgerTransaction:
    """Worker available → payout: put in a payout file, not yet sent."""
    source, target = worker_available(worker_id), worker_payout(worker_id)
    return _move("payout_batch", source, target, amount, memo)


def payout_sent(worker_id: Id, amount: Money, memo: Memo | None = None) -> LedgerTransaction:
    """Worker payout → paid: the money left the platform for the worker's bank."""
    return _move("payout_sent", worker_payout(worker_id), worker_paid(worker_id), amount, memo)


def payout_returned(
    worker_id: Id, amount: Money, memo: Memo | None = None, *, after_sent: bool = False
) -> LedgerTransaction:
    """Worker payout → available (batch cancelled); from ``paid`` if the bank sent it back."""
    source = worker_paid(worker_id) if after_sent else worker_payout(worker_id)
    return _move("payout_returned", source, worker_available(worker_id), amount, memo)


def withdraw(
    requester_id: Id, project_id: Id, amount: Money, memo: Memo | None = None
) -> LedgerTransaction:
    """Project escrow → requester funds: a requester takes back what the project no longer
    needs to hold."""
    return _move("withdraw", project_escrow(project_id), requester_funds(requester_id), amount,
                 memo)
