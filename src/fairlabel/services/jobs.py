"""Periodic work: `fairlabel sweep` and every app server's timer run `run_due_work`.

Each job is idempotent and safe with several sweepers at once: rows are claimed with
SKIP LOCKED on PostgreSQL (SQLite has one writer), and every job works in short
transactions so that a sweep never holds up the labeling loop for long. A sweep costs what
changed since the last one, not what exists: the per-project jobs keep on the project what
they last saw (its count of submitted answers, or when to look again) and visit only the
projects where that moved (ARCHITECTURE.md, Money; ``benchmarks/sweep.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol, TypeVar

from fairlabel.domain import ledger
from fairlabel.domain.assignment import Review
from fairlabel.domain.charter import CharterPolicy
from fairlabel.domain.money import Money
from fairlabel.domain.pay import PriceChangeKind, fair_price, measured_median_of
from fairlabel.domain.projects import Project
from fairlabel.services import appeals, decisions, ending
from fairlabel.services.assignment import expire_leases
from fairlabel.services.ports.accounts import HasUsers
from fairlabel.services.ports.decisions import HasAppeals, HasBlocks, HasDecisions
from fairlabel.services.ports.money import HasEscrow, HasHolds, HasLedger, HasPayouts, HasPrices
from fairlabel.services.ports.quality import HasConsensus, HasConsensusUpkeep, HasGold
from fairlabel.services.ports.transaction import Commits, Database
from fairlabel.services.ports.voice import HasInbox
from fairlabel.services.ports.work import HasAssignments, HasProjects, HasTasks
from fairlabel.services.quality import RefitConsensus, refresh_consensus
from fairlabel.services.steps.holds import (
    hold_floor,
    lower_lowest_paid,
    pay_topups,
    raise_lowest_paid,
    raise_pivot,
    rebalance,
    record_topups,
    topups_owed,
)
from fairlabel.services.steps.ledger import post, settle_approval, settlement_accounts


class ApplyDuePricesTx(HasProjects, HasLedger, HasEscrow, HasHolds, HasPrices, Commits, Protocol):
    """The transaction of ``apply_due_prices``."""


class ApproveDueTx(HasProjects, HasAssignments, HasLedger, Commits, Protocol):
    """The transaction of ``approve_due``."""


class BatchPayoutsTx(HasLedger, HasPayouts, Commits, Protocol):
    """The transaction of ``batch_payouts``."""


class MeasureAndTopUpTx(HasUsers, HasProjects, HasAssignments, HasLedger, HasEscrow, HasHolds,
                        HasPrices, HasDecisions, Commits, Protocol):
    """The transaction of ``measure_and_top_up``."""


class EachProjectTx(HasProjects, Commits, Protocol):
    """The transaction of ``each_project``."""


class ProjectsToMeasureTx(HasProjects, Protocol):
    """The transaction of ``_projects_to_measure``."""


class NoticeLiabilitiesTx(HasProjects, HasAssignments, HasHolds, Commits, Protocol):
    """The transaction of ``refresh_notice_liabilities``."""


class ProposeWhereDueTx(HasProjects, HasAssignments, HasGold, HasDecisions, HasBlocks, Commits,
                        Protocol):
    """The transaction of ``propose_blocks_where_due``."""


class RaiseToFloorTx(HasProjects, HasPrices, Protocol):
    """The transaction of ``_raise_to_floor``."""


class RunDueWorkTx(HasUsers, HasProjects, HasTasks, HasAssignments, HasLedger, HasEscrow, HasHolds,
                   HasPrices, HasPayouts, HasGold, HasConsensus, HasConsensusUpkeep, HasDecisions,
                   HasAppeals, HasBlocks, HasInbox, Commits, Protocol):
    """The transaction of ``run_due_work``."""


BATCH = 200

T = TypeVar("T", bound=EachProjectTx)
R = TypeVar("R")


@dataclass
class SweepReport:
    expired: int = 0
    approved: int = 0
    prices_applied: int = 0
    topups: int = 0
    topup_minor: dict[str, int] = field(default_factory=dict)
    payouts: int = 0
    projects_closed: int = 0
    projects_settled: int = 0
    consensus_refits: int = 0
    appeals_overturned: int = 0
    proposals: int = 0

    def summary(self) -> str:
        topped = ", ".join(f"{Money(v, c)}" for c, v in sorted(self.topup_minor.items()))
        return (f"expired {self.expired} leases, approved {self.approved} answers, applied "
                f"{self.prices_applied} price changes, {self.topups} top-ups"
                f"{f' ({topped})' if topped else ''}, {self.payouts} payouts, "
                f"closed {self.projects_closed} projects, settled {self.projects_settled} "
                f"ended projects, refitted the consensus of "
                f"{self.consensus_refits} projects, overturned {self.appeals_overturned} "
                f"overdue appeals, made {self.proposals} proposals")


def run_due_work(db: Database[RunDueWorkTx], policy: CharterPolicy, *, now: datetime,
                 refit: RefitConsensus | None = None, measure: bool = True,
                 consensus_interval: timedelta | None = None) -> SweepReport:
    """Run every due job. With ``measure=False`` the jobs that read every answer —
    measurement and top-ups, the rules that propose blocks, consensus refits — wait for a
    later run (app servers run them once a minute, the rest every sweep); a project's
    consensus is refitted at most once per ``consensus_interval``."""
    report = SweepReport()
    report.appeals_overturned = appeals.overturn_overdue(db, now=now)
    report.expired = expire_leases(db, now=now)
    report.projects_closed = ending.close_due(db, policy, now=now)
    report.projects_settled = ending.settle_due(db, policy, now=now)
    report.prices_applied = apply_due_prices(db, policy, now=now)
    if measure:
        for project_id in _projects_to_measure(db):
            topped = measure_and_top_up(db, project_id, policy, now=now)
            report.topups += topped.count
            if topped.paid_minor:
                report.topup_minor[topped.currency] = (report.topup_minor.get(topped.currency, 0)
                                                       + topped.paid_minor)
    # After the top-ups, so that the liability counts what they paid.
    refresh_notice_liabilities(db, now=now)
    report.approved = approve_due(db, policy, now=now)
    if measure:
        report.proposals = propose_blocks_where_due(db, policy, now=now)
    report.payouts = batch_payouts(db, policy, now=now)
    if measure:
        report.consensus_refits = len(refresh_consensus(db, now=now, refit=refit,
                                                        min_interval=consensus_interval))
    return report


def each_project(db: Database[T], project_ids: list[int],
                 work: Callable[[T, Project], R]) -> list[R]:
    """Run ``work`` over the projects given (those some job must visit), each in a short
    write transaction of its own (a sweep never holds up the labeling loop for long); a
    project gone meanwhile is skipped. Returns what ``work`` returned, project by project."""
    done = []
    for project_id in project_ids:
        with db.write() as tx:
            project = tx.projects.get(project_id)
            if project is None:
                continue
            done.append(work(tx, project))
            tx.commit()
    return done


def refresh_notice_liabilities(db: Database[NoticeLiabilitiesTx], *, now: datetime) -> int:
    """Bring the notice liability of each serving project up to date where it may have
    changed: answers came or their pay moved since it was computed, or the oldest answer
    it counts has left the window. Returns how many projects it visited."""
    with db.read() as tx:
        due = tx.projects.notice_due(now=now)
    return len(each_project(
        db, due, lambda tx, project: ending.refresh_notice_liability(tx, project, now=now)))


def propose_blocks_where_due(db: Database[ProposeWhereDueTx], policy: CharterPolicy, *,
                             now: datetime) -> int:
    """Run the rules that propose blocks over each serving project whose measurement changed
    since they last looked, or whose time to look again has come; returns the proposals."""
    with db.read() as tx:
        due = tx.projects.proposals_due(now=now)

    def look(tx: ProposeWhereDueTx, project: Project) -> int:
        found = decisions.look_for_blocks(tx, project, policy, now=now)
        tx.projects.set_proposals_checked(project.id, answers=project.measured_answers,
                                          due_at=found.again_at)
        return found.made
    return sum(each_project(db, due, look))


def _projects_to_measure(db: Database[ProjectsToMeasureTx]) -> list[int]:
    with db.read() as tx:
        return tx.projects.to_measure()


def approve_due(db: Database[ApproveDueTx], policy: CharterPolicy, *, now: datetime) -> int:
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


def apply_due_prices(db: Database[ApplyDuePricesTx], policy: CharterPolicy, *,
                     now: datetime) -> int:
    """Price cuts whose notice has run out take effect now, and not before. A cut lowers
    what answers to come are paid, so the answers' hold grows by its bound's lowest pay
    (``domain.holds``); a cut whose growth the free escrow cannot hold waits (in the workers'
    favour) until the requester adds funds."""
    with db.read() as tx:
        due = tx.prices.due(now=now)
    applied = 0
    for change in due:
        with db.write() as tx:
            tx.escrow.lock(change.project_id)
            project = tx.projects.get(change.project_id)
            if project is None or change not in tx.prices.due(now=now):
                continue
            tx.projects.set_price(change.project_id, change.new_minor)
            tx.prices.mark_applied(change.id, now=now)
            tx.projects.recheck_pay(change.project_id)  # measured against the new price
            # An ended project serves no more answers: its holds no longer move.
            if project.ended_at is None and lower_lowest_paid(tx, project, change.new_minor):
                fresh = tx.projects.get(change.project_id)
                assert fresh is not None
                short = rebalance(tx, fresh, policy, now=now, reason="price cut").short_minor
                if short or tx.escrow.free(change.project_id,
                                           project.terms.pay_per_task.currency) < 0:
                    continue  # rolled back: the cut waits for funds
            tx.commit()
            applied += 1
    return applied


@dataclass(frozen=True, slots=True)
class TopUps:
    """What one measurement paid: how many top-ups, how much in all, in which currency."""

    count: int
    paid_minor: int
    currency: str


def measure_and_top_up(db: Database[MeasureAndTopUpTx], project_id: int, policy: CharterPolicy,
                       *, now: datetime) -> TopUps:
    """Measure a project's median time; top every answer up to the floor; raise the price;
    then lift the answers' hold's lowest pay and bring the reserved account back to it."""
    with db.write() as tx:
        project = tx.projects.get(project_id, for_update=True)
        assert project is not None
        median, measured = measured_median_of(tx.assignments.middle_durations(project_id))
        tx.projects.set_measurement(project_id, median_ms=median, answers=measured)
        currency = project.terms.pay_per_task.currency
        if measured < policy.min_answers_for_rate or tx.holds.settled_at(project_id):
            tx.commit()
            return TopUps(0, 0, currency)
        floor = policy.floors.hourly(currency, project_floor=project.terms.own_floor_hourly)
        fair = fair_price(floor, median)
        if project.terms.pay_per_task.amount_minor < fair:
            _raise_to_floor(tx, project, fair, floor=floor, median=median, now=now)
        tx.commit()
    count = paid = 0
    short = False
    while True:
        with db.write() as tx:
            tx.escrow.lock(project_id)  # top-ups may spend the free escrow; settling waits
            tx.holds.totals(project_id, for_update=True)  # and they spend the reserved account
            below = fair_price(hold_floor(project, policy), median)
            answers = tx.assignments.below_price(project_id, fair_minor=below, limit=BATCH)
            # An answer another transaction holds locked (a review, an appeal) was skipped:
            # a batch short of BATCH took every other one, so a count beyond it is skipped.
            skipped = (len(answers) < BATCH
                       and tx.assignments.count_below_price(project_id, fair_minor=below)
                       > len(answers))
            owed = topups_owed(tx, project, policy, answers, median)
            tx.ledger.lock(account for a in answers for account in settlement_accounts(a))
            figures = {"median_ms": median, "answers_measured": measured}
            batch_paid, per_worker = pay_topups(tx, project, answers, owed, figures=figures,
                                                now=now)
            record_topups(tx, project, per_worker, median=median, measured=measured,
                           now=now)
            count += sum(w.answers for w in per_worker.values())
            last = len(answers) < BATCH or batch_paid == 0
            if last:
                fresh = tx.projects.get(project_id)
                assert fresh is not None
                raise_pivot(tx, fresh, median)
                raise_lowest_paid(tx, fresh, policy)
                rebalance(tx, fresh, policy, now=now, reason="top-ups paid")
            # Top-ups change what the notice liability counts; top-ups the money did not
            # reach are owed still: the project is measured again at the next run, answers
            # or not (until they are paid).
            short = (short or skipped
                     or batch_paid < sum(o.amount_minor for o in owed.values()))
            if count or (last and short):
                tx.projects.recheck_pay(project_id, measure=last and short)
            tx.commit()
        paid += batch_paid
        if len(answers) < BATCH or batch_paid == 0:
            return TopUps(count, paid, currency)


def _raise_to_floor(tx: RaiseToFloorTx, project: Project, fair: int, *, floor: int, median: int,
                    now: datetime) -> None:
    old = project.terms.pay_per_task
    tx.prices.add(project_id=project.id, kind=PriceChangeKind.FLOOR, old_minor=old.amount_minor,
                  new_minor=fair, currency=old.currency,
                  reason=f"measured median {median / 1000:.1f} s: {old} per task paid less "
                         f"than the floor of {Money(floor, old.currency)} per hour",
                  announced_at=now, effective_at=now, applied_at=now)
    tx.projects.set_price(project.id, fair)


def batch_payouts(db: Database[BatchPayoutsTx], policy: CharterPolicy, *, now: datetime) -> int:
    """Put available balances at or above the threshold into payouts."""
    with db.write() as tx:
        # Only balances that may reach a threshold are locked and read again: a sweep does
        # not visit every worker whose balance stays below it.
        candidates = tx.ledger.worker_balances("available",
                                               at_least=policy.lowest_payout_threshold())
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
