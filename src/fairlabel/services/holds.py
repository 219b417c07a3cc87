"""Transaction-level steps that keep a project's reserved account at the answers' hold
(``domain.holds``) and settle the project once it has ended. They run inside the caller's
write transaction; the use cases that call them own it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from fairlabel.domain import ledger
from fairlabel.domain.algorithms import TOPUP_RULE
from fairlabel.domain.assignment import Assignment
from fairlabel.domain.decisions import DecisionKind
from fairlabel.domain.errors import Conflict
from fairlabel.domain.holds import AnswerTotals, answers_hold, bound_ms
from fairlabel.domain.money import Money
from fairlabel.domain.pay import PayPolicy, fair_price, topup_due
from fairlabel.domain.projects import Project
from fairlabel.services.decisions import record_decision
from fairlabel.services.pay import measured_median, post
from fairlabel.services.ports import Transaction


def hold_floor(project: Project, policy: PayPolicy) -> int:
    """The floor the holds of a project are sized by: the highest any worker can be owed."""
    return policy.floors.highest(project.terms.pay_per_task.currency,
                                 project_floor=project.terms.own_floor_hourly)


def hold_for(project: Project, totals: AnswerTotals, policy: PayPolicy) -> int:
    return answers_hold(totals, floor_hourly=hold_floor(project, policy),
                        lease_ms=project.terms.lease_seconds * 1000)


def earn_hold_change(tx: Transaction, project_id: int, *, worked_ms: int, project: Project,
                     policy: PayPolicy) -> int:
    """Count a submitted answer and return how much the reserved account must move to stay
    at the answers' hold (the answer's lease held at least that much beside its price)."""
    totals = tx.holds.add_answer(project_id, worked_ms=worked_ms)
    currency = project.terms.pay_per_task.currency
    reserved = tx.ledger.balance(ledger.project_reserved(project_id), currency)
    return hold_for(project, totals, policy) - reserved


@dataclass(frozen=True, slots=True)
class Rebalance:
    target_minor: int  # the answers' hold
    moved_minor: int  # + from escrow to reserved, − back to the escrow
    short_minor: int  # what the free escrow could not add (0 when the hold is whole)


def rebalance(tx: Transaction, project: Project, policy: PayPolicy, *, now: datetime,
              reason: str) -> Rebalance:
    """Bring the reserved account to the answers' hold: release what it no longer needs,
    take what it lacks from the free escrow (as much as there is). The caller holds the
    project's escrow lock (``tx.escrow.lock``)."""
    currency = project.terms.pay_per_task.currency
    totals = tx.holds.totals(project.id, for_update=True)
    target = hold_for(project, totals, policy)
    reserved = tx.ledger.balance(ledger.project_reserved(project.id), currency)
    memo = {"project_id": project.id, "reason": reason, "hold_minor": target,
            "answers": totals.answers, "bound_ms": totals.bound_ms,
            "pivot_ms": totals.pivot_ms, "lowest_paid_minor": totals.lowest_paid_minor}
    if reserved > target:
        post(tx, ledger.release(project.id, Money(reserved - target, currency), memo), now=now)
        return Rebalance(target, target - reserved, 0)
    wanted = target - reserved
    moved = min(wanted, max(0, tx.escrow.free(project.id, currency)))
    if moved:
        post(tx, ledger.hold(project.id, Money(moved, currency), memo), now=now)
    return Rebalance(target, moved, wanted - moved)


def raise_lowest_paid(tx: Transaction, project: Project) -> None:
    """Once top-ups have lifted every answer, the bound's lowest pay rises with them (never
    above the current price: answers still to come are paid at least that)."""
    totals = tx.holds.totals(project.id, for_update=True)
    so_far = tx.holds.lowest_paid_so_far(project.id)
    price = project.terms.pay_per_task.amount_minor
    lowest = min(price, so_far) if so_far is not None else price
    if lowest > totals.lowest_paid_minor:
        tx.holds.set_lowest_paid(project.id, lowest)


def raise_pivot(tx: Transaction, project: Project, median_ms: int) -> None:
    """Move the bound's pivot up to a higher measured median: ``bound_ms`` is recomputed
    from every answer's time, which lowers it (the median is where it is lowest). A pivot
    never falls: live leases hold enough for the pivot they were served under."""
    totals = tx.holds.totals(project.id, for_update=True)
    pivot = min(median_ms, project.terms.lease_seconds * 1000)
    if pivot <= totals.pivot_ms:
        return
    durations = tx.assignments.durations_ms(project.id)
    if len(durations) != totals.answers:
        return  # not the answers the totals count: left for the next run
    tx.holds.set_pivot(project.id, pivot_ms=pivot, bound_ms=bound_ms(durations, pivot))


def lower_lowest_paid(tx: Transaction, project: Project, new_price_minor: int) -> int:
    """A price cut lowers the bound's lowest pay; returns by how much (0 when it does not).
    Every answer still to come may then add that much more to the answers' hold, so live
    leases hold it too."""
    totals = tx.holds.totals(project.id, for_update=True)
    if new_price_minor >= totals.lowest_paid_minor:
        return 0
    lowered = totals.lowest_paid_minor - new_price_minor
    tx.holds.set_lowest_paid(project.id, new_price_minor)
    tx.holds.widen_live_leases(project.id, lowered)
    return lowered


@dataclass(frozen=True, slots=True)
class FinalTopUps:
    median_ms: int | None
    measured: int  # answers in the final median
    answers: list[Assignment]  # those paid less than the fair price at it
    owed: dict[int, tuple[int, int]]  # assignment id → (top-up, its worker's floor)

    @property
    def total(self) -> int:
        return sum(amount for amount, _ in self.owed.values())


def final_topups(tx: Transaction, project: Project, policy: PayPolicy) -> FinalTopUps:
    """Every top-up owed at the project's final median, whatever the number of answers: no
    answer can change it any more."""
    durations = tx.assignments.durations_ms(project.id)
    if not durations:
        return FinalTopUps(None, 0, [], {})
    median = measured_median(durations)
    currency = project.terms.pay_per_task.currency
    answers = tx.assignments.below_price(
        project.id, fair_minor=fair_price(hold_floor(project, policy), median), limit=None)
    countries = tx.users.countries({a.worker_id for a in answers})
    owed: dict[int, tuple[int, int]] = {}
    for answer in answers:
        floor = policy.floors.hourly(currency, country=countries.get(answer.worker_id),
                                     project_floor=project.terms.own_floor_hourly)
        owed[answer.id] = (topup_due(floor_hourly=floor, median=Fraction(median),
                                     paid_minor=answer.price_minor + answer.topped_up_minor),
                           floor)
    return FinalTopUps(median, len(durations), answers, owed)


def settle(tx: Transaction, project: Project, policy: PayPolicy, *, now: datetime) -> int:
    """Settle an ended project with no live lease: pay every top-up owed at the final
    median, then release the whole reserved account to the escrow. Returns what the
    top-ups paid. The caller holds the escrow lock."""
    tx.holds.totals(project.id, for_update=True)
    final = final_topups(tx, project, policy)
    tx.ledger.lock(account for a in final.answers for account in (
        ledger.project_escrow(a.project_id), ledger.project_reserved(a.project_id),
        ledger.worker_pending(a.worker_id), ledger.worker_available(a.worker_id)))
    paid, per_worker = pay_topups(tx, project, final.answers, final.owed, now=now, figures={
        "median_ms": final.median_ms or 0, "answers_measured": final.measured})
    if paid < final.total:
        raise SettlementShort(
            f"settling the project owes {Money(final.total, project.terms.pay_per_task.currency)}"
            " of top-ups at its final median, more than its escrow holds")
    if final.median_ms is not None:
        record_topups(tx, project, per_worker, median=final.median_ms, measured=final.measured,
                      now=now)
    currency = project.terms.pay_per_task.currency
    left = tx.ledger.balance(ledger.project_reserved(project.id), currency)
    if left:
        post(tx, ledger.release(project.id, Money(left, currency), {
            "project_id": project.id, "reason": "project settled"}), now=now)
    tx.holds.mark_settled(project.id, now=now)
    return paid


class SettlementShort(Conflict):
    code = "settlement_short"


def pay_topups(tx: Transaction, project: Project, answers: list[Assignment],
               owed: dict[int, tuple[int, int]], *, figures: dict[str, int], now: datetime,
               ) -> tuple[int, dict[int, tuple[int, int, int]]]:
    """Pay the top-ups owed to these answers: from the reserved account (the answers' hold
    is there for them), then from the free escrow while it holds them. An answer the money
    does not reach stays owed, and is paid at a later run. The caller holds the escrow lock
    and the project's holds row. Returns the amount paid and, per worker, (answers, amount,
    floor). ``owed`` maps an answer to (its top-up, its worker's floor)."""
    currency = project.terms.pay_per_task.currency
    reserved = tx.ledger.balance(ledger.project_reserved(project.id), currency)
    free = tx.escrow.free(project.id, currency)
    paid = 0
    per_worker: dict[int, tuple[int, int, int]] = {}
    for answer in answers:
        amount, floor = owed.get(answer.id, (0, 0))
        from_reserve = min(reserved, amount)
        from_escrow = amount - from_reserve
        if not amount or from_escrow > free:
            continue
        approved = answer.approved_at is not None
        memo = {"assignment_id": answer.id, "project_id": project.id, **figures,
                "floor_hourly_minor": floor, "price_minor": answer.price_minor,
                "fair_price_minor": answer.price_minor + answer.topped_up_minor + amount}
        if from_reserve:
            post(tx, ledger.topup(project.id, answer.worker_id, Money(from_reserve, currency),
                                  memo, approved=approved, from_reserve=True), now=now)
        if from_escrow:
            post(tx, ledger.topup(project.id, answer.worker_id, Money(from_escrow, currency),
                                  memo, approved=approved), now=now)
        tx.assignments.add_topup(answer.id, amount)
        reserved, free, paid = reserved - from_reserve, free - from_escrow, paid + amount
        done, total, _ = per_worker.get(answer.worker_id, (0, 0, floor))
        per_worker[answer.worker_id] = (done + 1, total + amount, floor)
    return paid, per_worker


def record_topups(tx: Transaction, project: Project,
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
