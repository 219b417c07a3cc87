"""Transaction-level steps that keep a project's reserved account at the answers' hold
(``domain.holds``) and settle the project once it has ended. They run inside the caller's
write transaction; the use cases that call them own it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from fractions import Fraction
from typing import NamedTuple, Protocol

from fairlabel.domain import ledger
from fairlabel.domain.algorithms import TOPUP_RULE
from fairlabel.domain.assignment import Assignment
from fairlabel.domain.charter import CharterPolicy
from fairlabel.domain.decisions import DecisionKind
from fairlabel.domain.errors import Conflict
from fairlabel.domain.holds import AnswerTotals, answers_hold, bound_ms
from fairlabel.domain.messages import Msg
from fairlabel.domain.money import Money
from fairlabel.domain.pay import fair_price, measured_median_of, topup_due
from fairlabel.domain.projects import Project
from fairlabel.services.ports.accounts import HasUsers
from fairlabel.services.ports.decisions import HasDecisions
from fairlabel.services.ports.money import HasEscrow, HasHolds, HasLedger
from fairlabel.services.ports.work import HasAssignments, ProjectFacts
from fairlabel.services.steps.decisions import record_decision
from fairlabel.services.steps.ledger import post


class EarnHoldChangeTx(HasLedger, HasHolds, Protocol):
    """The transaction of ``earn_hold_change``."""


class FinalTopupsTx(HasUsers, HasAssignments, Protocol):
    """The transaction of ``final_topups``."""


class TopupsOwedTx(HasUsers, Protocol):
    """The transaction of ``topups_owed``."""


class PayTopupsTx(HasAssignments, HasLedger, HasEscrow, Protocol):
    """The transaction of ``pay_topups``."""


class RaiseLowestPaidTx(HasHolds, Protocol):
    """The transaction of ``raise_lowest_paid``, ``lower_lowest_paid``."""


class RaisePivotTx(HasAssignments, HasHolds, Protocol):
    """The transaction of ``raise_pivot``."""


class RebalanceTx(HasLedger, HasEscrow, HasHolds, Protocol):
    """The transaction of ``rebalance``."""


class RecordTopupsTx(HasDecisions, Protocol):
    """The transaction of ``record_topups``."""


class SettleTx(HasUsers, HasAssignments, HasLedger, HasEscrow, HasHolds, HasDecisions, Protocol):
    """The transaction of ``settle``."""


def hold_floor(project: Project, policy: CharterPolicy) -> int:
    """The floor the holds of a project are sized by: the highest any worker can be owed."""
    return policy.floors.highest(project.terms.pay_per_task.currency,
                                 project_floor=project.terms.own_floor_hourly)


def hold_for(project: Project, totals: AnswerTotals, policy: CharterPolicy) -> int:
    return _hold(totals, policy, currency=project.terms.pay_per_task.currency,
                 own_floor=project.terms.own_floor_hourly,
                 lease_seconds=project.terms.lease_seconds)


def _hold(totals: AnswerTotals, policy: CharterPolicy, *, currency: str, own_floor: int | None,
          lease_seconds: int) -> int:
    return answers_hold(totals, floor_hourly=policy.floors.highest(currency,
                                                                  project_floor=own_floor),
                        lease_ms=lease_seconds * 1000)


def earn_hold_change(tx: EarnHoldChangeTx, project_id: int, *, worked_ms: int,
                     paid_minor: int, work: bool, facts: ProjectFacts, policy: CharterPolicy,
                     worker_id: int) -> int:
    """Count a submitted answer paid ``paid_minor`` (``work``: on an ordinary task, so in the
    project's progress too) and return how much the reserved account must move to stay at
    the answers' hold (the answer's lease held at least that much beside its price).
    Locks the accounts the answer's posting moves, after the totals (the lock order), so that
    the posting reads nothing more. The hold depends on what never changes about the project
    (its currency, own floor and lease length): no read of the project's row."""
    currency = facts.currency
    accounts = (ledger.project_escrow(project_id), ledger.project_reserved(project_id),
                ledger.worker_pending(worker_id))
    totals = tx.holds.add_answer(project_id, worked_ms=worked_ms, paid_minor=paid_minor,
                                 work=work, then_lock=(accounts, currency))
    reserved = tx.ledger.balance(ledger.project_reserved(project_id), currency)
    return _hold(totals, policy, currency=currency, own_floor=facts.own_floor_hourly,
                 lease_seconds=facts.lease_seconds) - reserved


@dataclass(frozen=True, slots=True)
class Rebalance:
    target_minor: int  # the answers' hold
    moved_minor: int  # + from escrow to reserved, − back to the escrow
    short_minor: int  # what the free escrow could not add (0 when the hold is whole)


def rebalance(tx: RebalanceTx, project: Project, policy: CharterPolicy, *, now: datetime,
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


def raise_lowest_paid(tx: RaiseLowestPaidTx, project: Project, policy: CharterPolicy) -> None:
    """Once top-ups have lifted the answers, raise the bound's lowest pay ``c`` to the least
    that the answers whose pay stands have received — never above the current price (answers
    still to come are paid at least that) nor the fair price of the whole lease — with the
    deficit recomputed at it, if that makes the answers' hold no larger. Answers below it (a
    live lease's, served at an older price, once submitted; a withheld one) count in the
    deficit instead of keeping ``c`` down for every answer."""
    totals = tx.holds.totals(project.id, for_update=True)
    floor = hold_floor(project, policy)
    lease_ms = project.terms.lease_seconds * 1000
    ceiling = min(project.terms.pay_per_task.amount_minor, fair_price(floor, lease_ms))
    so_far = tx.holds.lowest_paid_so_far(project.id)
    level = min(ceiling, so_far) if so_far is not None else ceiling
    best = totals
    if totals.deficit_minor:  # top-ups may have lifted answers that it counts
        best = replace(totals, deficit_minor=tx.holds.deficit_at(project.id,
                                                                 totals.lowest_paid_minor))
    if level > totals.lowest_paid_minor:
        raised = replace(totals, lowest_paid_minor=level,
                         deficit_minor=tx.holds.deficit_at(project.id, level))
        if (answers_hold(raised, floor_hourly=floor, lease_ms=lease_ms)
                <= answers_hold(best, floor_hourly=floor, lease_ms=lease_ms)):
            best = raised
    if best != totals:
        tx.holds.set_lowest_paid(project.id, best.lowest_paid_minor,
                                 deficit_minor=best.deficit_minor)


def raise_pivot(tx: RaisePivotTx, project: Project, median_ms: int) -> None:
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


def lower_lowest_paid(tx: RaiseLowestPaidTx, project: Project, new_price_minor: int) -> int:
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


class Owed(NamedTuple):
    """The top-up owed to one answer, at the hourly floor of its worker."""

    amount_minor: int
    floor_hourly_minor: int


class WorkerTopUps(NamedTuple):
    """What a batch of top-ups paid one worker: how many answers, how much in all, at which
    hourly floor."""

    answers: int
    amount_minor: int
    floor_hourly_minor: int


def topups_owed(tx: TopupsOwedTx, project: Project, policy: CharterPolicy,
                answers: list[Assignment], median_ms: int) -> dict[int, Owed]:
    """What each of these answers is owed at the median ``median_ms``: up to the fair price at
    its worker's floor (the highest of the currency's, their country's and the project's),
    less what it was paid so far."""
    currency = project.terms.pay_per_task.currency
    countries = tx.users.countries({a.worker_id for a in answers})
    owed: dict[int, Owed] = {}
    for answer in answers:
        floor = policy.floors.hourly(currency, country=countries.get(answer.worker_id),
                                     project_floor=project.terms.own_floor_hourly)
        owed[answer.id] = Owed(topup_due(floor_hourly=floor, median=Fraction(median_ms),
                                         paid_minor=answer.price_minor + answer.topped_up_minor),
                               floor)
    return owed


@dataclass(frozen=True, slots=True)
class FinalTopUps:
    median_ms: int | None
    measured: int  # answers in the final median
    answers: list[Assignment]  # those paid less than the fair price at it
    owed: dict[int, Owed]  # by assignment id

    @property
    def total(self) -> int:
        return sum(o.amount_minor for o in self.owed.values())


def final_topups(tx: FinalTopupsTx, project: Project, policy: CharterPolicy) -> FinalTopUps:
    """Every top-up owed at the project's final median, whatever the number of answers: no
    answer can change it any more."""
    middle = tx.assignments.middle_durations(project.id)
    if middle is None:
        return FinalTopUps(None, 0, [], {})
    median, measured = measured_median_of(middle)
    answers = tx.assignments.below_price(
        project.id, fair_minor=fair_price(hold_floor(project, policy), median), limit=None)
    return FinalTopUps(median, measured, answers,
                       topups_owed(tx, project, policy, answers, median))


def settle(tx: SettleTx, project: Project, policy: CharterPolicy, *, now: datetime) -> int:
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
        raise SettlementShort("settling the project owes {owed} of top-ups at its final median, "
                              "more than its escrow holds",
                              owed=Money(final.total, project.terms.pay_per_task.currency))
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


def pay_topups(tx: PayTopupsTx, project: Project, answers: list[Assignment],
               owed: dict[int, Owed], *, figures: dict[str, int], now: datetime,
               ) -> tuple[int, dict[int, WorkerTopUps]]:
    """Pay the top-ups owed to these answers: from the reserved account (the answers' hold
    is there for them), then from the free escrow while it holds them. An answer the money
    does not reach stays owed, and is paid at a later run. The caller holds the escrow lock
    and the project's holds row. Returns the amount paid and, per worker, what it paid them.
    ``owed`` maps an answer's id to its top-up and its worker's floor."""
    currency = project.terms.pay_per_task.currency
    reserved = tx.ledger.balance(ledger.project_reserved(project.id), currency)
    free = tx.escrow.free(project.id, currency)
    paid = 0
    per_worker: dict[int, WorkerTopUps] = {}
    for answer in answers:
        amount, floor = owed.get(answer.id, Owed(0, 0))
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
        tx.assignments.add_topup(answer, amount)
        reserved, free, paid = reserved - from_reserve, free - from_escrow, paid + amount
        done, total, _ = per_worker.get(answer.worker_id, WorkerTopUps(0, 0, floor))
        per_worker[answer.worker_id] = WorkerTopUps(done + 1, total + amount, floor)
    return paid, per_worker


def record_topups(tx: RecordTopupsTx, project: Project,
                   per_worker: dict[int, WorkerTopUps], *, median: int, measured: int,
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
            explanation=Msg("The project's median working time is {median} s over {measured} "
                            "answers; at that time its price paid less than the floor of "
                            "{floor} per hour, so {answers} of your answers were topped up by "
                            "{amount} in all, on {paid_at}.",
                            {"median": round(median / 1000, 1), "measured": measured,
                             "floor": Money(floor, currency), "answers": answers,
                             "amount": Money(amount, currency), "paid_at": now}))
