"""Periodic work: `fairlabel sweep` and every app server's timer run `run_due_work`.

Each job is idempotent and safe with several sweepers at once: rows are claimed with
SKIP LOCKED on PostgreSQL (SQLite has one writer), and every job works in short
transactions so that a sweep never holds up the labeling loop for long.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from fractions import Fraction

from fairlabel.domain import ledger
from fairlabel.domain.algorithms import TOPUP_RULE
from fairlabel.domain.assignment import Assignment, Review
from fairlabel.domain.decisions import DecisionKind
from fairlabel.domain.money import Money
from fairlabel.domain.pay import PayPolicy, fair_price, topup_due
from fairlabel.domain.projects import Project
from fairlabel.services import appeals, decisions, ending
from fairlabel.services.assignment import expire_leases
from fairlabel.services.decisions import record_decision
from fairlabel.services.pay import (
    measured_median,
    post,
    settle_approval,
    settlement_accounts,
)
from fairlabel.services.ports import Database, Transaction
from fairlabel.services.quality import FitConsensus, refresh_consensus

BATCH = 200


@dataclass
class SweepReport:
    expired: int = 0
    approved: int = 0
    prices_applied: int = 0
    topups: int = 0
    topup_minor: dict[str, int] = field(default_factory=dict)
    payouts: int = 0
    projects_closed: int = 0
    consensus_refits: int = 0
    appeals_overturned: int = 0
    proposals: int = 0

    def summary(self) -> str:
        topped = ", ".join(f"{Money(v, c)}" for c, v in sorted(self.topup_minor.items()))
        return (f"expired {self.expired} leases, approved {self.approved} answers, applied "
                f"{self.prices_applied} price changes, {self.topups} top-ups"
                f"{f' ({topped})' if topped else ''}, {self.payouts} payouts, "
                f"closed {self.projects_closed} projects, refitted the consensus of "
                f"{self.consensus_refits} projects, overturned {self.appeals_overturned} "
                f"overdue appeals, made {self.proposals} proposals")


def run_due_work(db: Database, policy: PayPolicy, *, now: datetime,
                 fit: FitConsensus | None = None, measure: bool = True,
                 consensus_interval: timedelta | None = None) -> SweepReport:
    """Run every due job. With ``measure=False`` the jobs that read every answer —
    measurement and top-ups, the rules that propose blocks, consensus refits — wait for a
    later run (app servers run them once a minute, the rest every sweep); a project's
    consensus is refitted at most once per ``consensus_interval``."""
    report = SweepReport()
    report.appeals_overturned = appeals.overturn_overdue(db, now=now)
    report.expired = expire_leases(db, now=now)
    report.projects_closed = ending.close_due(db, now=now)
    ending.refresh_notice_liability(db, now=now)
    report.prices_applied = apply_due_prices(db, now=now)
    if measure:
        for project_id in _projects_with_answers(db):
            topped = measure_and_top_up(db, project_id, policy, now=now)
            report.topups += topped[0]
            if topped[1]:
                report.topup_minor[topped[2]] = report.topup_minor.get(topped[2], 0) + topped[1]
    report.approved = approve_due(db, policy, now=now)
    if measure:
        report.proposals = decisions.propose_blocks(db, policy, now=now)
    report.payouts = batch_payouts(db, policy, now=now)
    if measure:
        report.consensus_refits = len(refresh_consensus(db, now=now, fit=fit,
                                                        min_interval=consensus_interval))
    return report


def _projects_with_answers(db: Database) -> list[int]:
    with db.read() as tx:
        return tx.projects.with_answers()


def approve_due(db: Database, policy: PayPolicy, *, now: datetime) -> int:
    """Approve every answer whose review window has closed (charter rule 6)."""
    total = 0
    while True:
        with db.write() as tx:
            due = tx.assignments.due_for_approval(submitted_before=now - policy.review_window,
                                                  limit=BATCH)
            tx.ledger.lock(account for a in due for account in settlement_accounts(a))
            for answer in due:
                settle_approval(tx, answer, now=now, reason="review window ended",
                                review=Review.AUTO_APPROVED)
            tx.commit()
        total += len(due)
        if len(due) < BATCH:
            return total


def apply_due_prices(db: Database, *, now: datetime) -> int:
    """Price cuts whose notice has run out take effect now, and not before."""
    with db.write() as tx:
        due = tx.prices.due(now=now)
        for change in due:
            tx.projects.set_price(change.project_id, change.new_minor)
            tx.prices.mark_applied(change.id, now=now)
        tx.commit()
    return len(due)


def measure_and_top_up(db: Database, project_id: int, policy: PayPolicy,
                       *, now: datetime) -> tuple[int, int, str]:
    """Measure a project's median time; top every answer up to the floor; raise the price.

    Returns (top-ups paid, minor units paid, currency).
    """
    with db.write() as tx:
        project = tx.projects.get(project_id, for_update=True)
        assert project is not None
        durations = tx.assignments.durations_ms(project_id)
        median = measured_median(durations)
        tx.projects.set_measurement(project_id, median_ms=median, answers=len(durations))
        currency = project.terms.pay_per_task.currency
        if len(durations) < policy.min_answers_for_rate:
            tx.commit()
            return 0, 0, currency
        floor = policy.floors.hourly(currency, project_floor=project.terms.own_floor_hourly)
        fair = fair_price(floor, median)
        if project.terms.pay_per_task.amount_minor < fair:
            _raise_to_floor(tx, project, fair, floor=floor, median=median, now=now)
        tx.commit()
    count = paid = 0
    highest = max([floor, *(f.get(currency, 0) for f in policy.floors.by_country.values())])
    while True:
        with db.write() as tx:
            answers = tx.assignments.below_price(project_id, fair_minor=fair_price(highest, median),
                                                 limit=BATCH)
            countries = tx.users.countries([a.worker_id for a in answers])
            tx.escrow.lock(project_id)  # top-ups may spend the free escrow
            tx.ledger.lock(account for a in answers for account in settlement_accounts(a))
            batch_paid = 0
            per_worker: dict[int, tuple[int, int, int]] = {}  # answers, amount, floor
            for answer in answers:
                worker_floor = policy.floors.hourly(
                    currency, country=countries.get(answer.worker_id),
                    project_floor=project.terms.own_floor_hourly)
                amount = topup_due(floor_hourly=worker_floor, median=Fraction(median),
                                   paid_minor=answer.price_minor + answer.topped_up_minor)
                if amount and _top_up(tx, project, answer, amount, figures={
                        "median_ms": median, "answers_measured": len(durations),
                        "floor_hourly_minor": worker_floor,
                        "price_minor": answer.price_minor,
                        "fair_price_minor": fair_price(worker_floor, median)}, now=now):
                    count, batch_paid = count + 1, batch_paid + amount
                    done, total, _ = per_worker.get(answer.worker_id, (0, 0, worker_floor))
                    per_worker[answer.worker_id] = (done + 1, total + amount, worker_floor)
            _record_topups(tx, project, per_worker, median=median, measured=len(durations),
                           now=now)
            tx.commit()
        paid += batch_paid
        if len(answers) < BATCH or batch_paid == 0:
            return count, paid, currency


def _record_topups(tx: Transaction, project: Project,
                   per_worker: dict[int, tuple[int, int, int]], *, median: int, measured: int,
                   now: datetime) -> None:
    """One decision per worker for the top-ups of this batch (rule pay_floor@1)."""
    currency = project.terms.pay_per_task.currency
    for worker_id, (answers, amount, floor) in sorted(per_worker.items()):
        record_decision(
            tx, worker_id=worker_id, kind=DecisionKind.TOPUP, rule=TOPUP_RULE,
            project_id=project.id, now=now, outcome=f"topped up {Money(amount, currency)}",
            inputs={"median_ms": median, "answers_measured": measured,
                    "floor_hourly_minor": floor, "fair_price_minor": fair_price(floor, median),
                    "answers_topped_up": answers, "amount_minor": amount, "currency": currency},
            explanation=f"The project's median working time is {median / 1000:.1f} s over "
                        f"{measured} answers; at that time its price paid less than the floor "
                        f"of {Money(floor, currency)} per hour, so {answers} of your answers "
                        f"were topped up by {Money(amount, currency)} in all.")


def _raise_to_floor(tx: Transaction, project: Project, fair: int, *, floor: int, median: int,
                    now: datetime) -> None:
    old = project.terms.pay_per_task
    tx.prices.add(project_id=project.id, kind="floor", old_minor=old.amount_minor,
                  new_minor=fair, currency=old.currency,
                  reason=f"measured median {median / 1000:.1f} s: {old} per task paid less "
                         f"than the floor of {Money(floor, old.currency)} per hour",
                  announced_at=now, effective_at=now, applied_at=now)
    tx.projects.set_price(project.id, fair)


def _top_up(tx: Transaction, project: Project, answer: Assignment, amount: int,
            *, figures: dict[str, int], now: datetime) -> bool:
    """Pay one answer's top-up: from its reserve first, then from escrow if it covers it."""
    currency = project.terms.pay_per_task.currency
    approved = answer.approved_at is not None
    from_reserve = 0 if approved else min(answer.allowance_left, amount)
    from_escrow = amount - from_reserve
    if from_escrow:
        tx.escrow.lock(project.id)  # held already by the caller, before any chain head
        if tx.escrow.free(project.id, currency) < from_escrow:
            return False  # owed, paid as soon as the free escrow holds it; no work is served
    memo = {"assignment_id": answer.id, "project_id": project.id, **figures}
    if from_reserve:
        post(tx, ledger.topup(project.id, answer.worker_id, Money(from_reserve, currency), memo,
                              approved=False, from_reserve=True), now=now)
    if from_escrow:
        post(tx, ledger.topup(project.id, answer.worker_id, Money(from_escrow, currency), memo,
                              approved=approved), now=now)
    tx.assignments.add_topup(answer.id, amount)
    return True


def batch_payouts(db: Database, policy: PayPolicy, *, now: datetime) -> int:
    """Put available balances at or above the threshold into payouts."""
    with db.write() as tx:
        candidates = tx.ledger.worker_balances("available")
        made = 0
        for worker_id, currency in candidates:
            account = ledger.worker_available(worker_id)
            tx.ledger.lock([account])
            balance = tx.ledger.balance(account, currency)  # read again under the lock
            if balance < policy.payout_threshold(currency) or balance <= 0:
                continue
            payout_id = tx.payouts.add(worker_id=worker_id, amount_minor=balance,
                                       currency=currency, now=now)
            post(tx, ledger.payout_batch(worker_id, Money(balance, currency),
                                         {"payout_id": payout_id}), now=now)
            made += 1
        tx.commit()
    return made
