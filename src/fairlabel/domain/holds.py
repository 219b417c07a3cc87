"""Charter rule 2, escrow first: how much of a project's money is held, and why.

A project holds money for three things, and only for as long as they can still be owed:

1. **Live leases.** A lease may take up to its whole length; while it is live it holds its
   price and :func:`lease_allowance` (its answer's growth of the answers' hold, below).
2. **Submitted answers.** Their times are known, but a later median can still owe them a
   top-up to the floor. :func:`answers_hold` is a bound of every top-up that any future
   median can owe them, proved below; it is kept on the project's ``reserved`` account.
3. **Notice pay** that ending the project now would owe (``domain.commitments``).

When the project ends and has no live lease, no answer can move the median any more: it is
settled (every top-up at the final median paid, the reserved account released) and whatever
is left in its escrow can be withdrawn.

The bound (docs/pay.md states it for requesters). Let ``f`` be the highest floor that can
apply to an answer of the project, ``F(t) = ceil(f·t / 1 h)`` the fair price of ``t``
milliseconds, ``N`` the submitted answers with times ``tᵢ`` (each within the lease ``L``) that
have received ``qᵢ`` so far (price plus top-ups), ``c`` a level of pay no higher than the
current price, ``D = Σᵢ max(0, c − qᵢ)`` the *deficit* of the answers paid less
than ``c``, and ``a`` any time from 0 to ``L`` (the *pivot*; the project uses its measured
median once it has one). At a median ``m`` of the answers at least half of them took ``m`` or
longer, so ``Σᵢ max(a, 2·tᵢ − a) ≥ N·m`` (if ``m ≥ a``, the slow half contributes
``2·tᵢ − a ≥ 2m − a`` and the rest ``a``; if ``m < a``, every term is at least ``a > m``). As
``F(m) < f·m / 1 h + 1``, ``N·F(m) ≤ ceil(f·B / 1 h) + N`` where ``B = Σᵢ max(a, 2·tᵢ − a)``;
and ``F(m) ≤ F(L)``. The top-ups owed at ``m`` are ``Σᵢ max(0, F(m) − qᵢ)``, and
``max(0, F(m) − qᵢ) ≤ max(0, F(m) − c) + max(0, c − qᵢ)``, hence never more than
``max(0, min(ceil(f·B / 1 h) + N, N·F(L)) − N·c) + D``. Adding one answer paid ``p`` raises
that bound by at most ``ceil(f·(2L − a) / 1 h) + 1 − c + max(0, c − p)``, which is
``ceil(f·(2L − a) / 1 h) + 1 − min(c, p)`` when ``c ≤ F(L)``: what its lease holds beside
its price, since ``c`` was at most ``p`` when the lease was served and only rises after, to
at most ``F(L)`` (a price cut that lowers ``c`` widens the live leases by as much). (A lease
cannot hold much less and stay safe: if half the answers come back at once and the other
half take the whole lease, the median is the lease, and the slow half must cover the fast
half's top-ups too.) The pivot only ever rises (to a higher measured median): ``B`` is then
recomputed from every answer's time, and no live lease's allowance falls short. ``c`` rises
once top-ups have lifted the answers, to a level where the whole bound is no larger, with
``D`` recomputed for it: an answer of a live lease served at an older, lower price then
brings its own shortfall below ``c`` into ``D`` when it is submitted, out of its lease's
allowance, instead of keeping ``c`` (and so the hold of every other answer) down.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from math import ceil

MS_PER_HOUR = 3_600_000


@dataclass(frozen=True, slots=True)
class AnswerTotals:
    """What the bound needs to know of a project's submitted answers.

    Attributes:
        answers: submitted answers (every purpose, withheld ones too: they count in the
            median, and an appeal can make them owed again).
        bound_ms: ``Σ max(pivot, 2·t − pivot)`` over their measured working times ``t``.
        lowest_paid_minor: a lower bound of what any answer, submitted or still to come,
            has received (price plus top-ups): the lowest of the prices that answers were
            served at and can still be served at, raised once top-ups lift every answer.
        pivot_ms: the pivot of ``bound_ms`` (0 until the project is measured, then its
            highest measured median).
        deficit_minor: at least ``Σ max(0, lowest_paid_minor − q)`` over the submitted
            answers, ``q`` what each has received: how far the answers paid less than the
            bound's lowest pay are below it.
    """

    answers: int
    bound_ms: int
    lowest_paid_minor: int
    pivot_ms: int = 0
    deficit_minor: int = 0


def answer_bound_ms(worked_ms: int, pivot_ms: int) -> int:
    """One answer's part of ``bound_ms``."""
    return max(pivot_ms, 2 * worked_ms - pivot_ms)


def bound_ms(times_ms: Iterable[int], pivot_ms: int) -> int:
    return sum(answer_bound_ms(t, pivot_ms) for t in times_ms)


def answers_hold(totals: AnswerTotals, *, floor_hourly: int, lease_ms: int) -> int:
    """The most that top-ups at any future median can still owe these answers (minor
    units): ``max(0, min(ceil(f·B / 1 h) + N, N·F(L)) − N·c) + D``."""
    n = totals.answers
    if n <= 0:
        return 0
    by_times = ceil(floor_hourly * totals.bound_ms / MS_PER_HOUR) + n
    by_lease = n * ceil(floor_hourly * lease_ms / MS_PER_HOUR)
    return (max(0, min(by_times, by_lease) - n * totals.lowest_paid_minor)
            + totals.deficit_minor)


def lease_allowance(*, floor_hourly: int, lease_ms: int, lowest_paid_minor: int,
                    pivot_ms: int = 0) -> int:
    """What a live lease holds beside its price: the most its answer can add to
    :func:`answers_hold`, whatever time it takes within the lease."""
    reach = answer_bound_ms(lease_ms, min(pivot_ms, lease_ms))
    return max(0, ceil(floor_hourly * reach / MS_PER_HOUR) + 1 - lowest_paid_minor)


def hold_change(before: AnswerTotals, after: AnswerTotals, *, floor_hourly: int,
                lease_ms: int) -> int:
    """How much the answers' hold moves between two states (negative: released)."""
    return (answers_hold(after, floor_hourly=floor_hourly, lease_ms=lease_ms)
            - answers_hold(before, floor_hourly=floor_hourly, lease_ms=lease_ms))


def lease_hold_bound(*, price_minor: int, floor_hourly: int, lease_ms: int) -> int:
    """The most any one lease of a project holds (price and allowance) while the project's
    price, floor and lease length stay as they are: :func:`lease_allowance` is largest with
    the pivot at 0 (its reach, ``max(a, 2L − a)``, is then ``2L``) and nothing yet paid."""
    return price_minor + lease_allowance(floor_hourly=floor_hourly, lease_ms=lease_ms,
                                         lowest_paid_minor=0, pivot_ms=0)


def lease_needs_no_lock(*, free_after_minor: int, notice_minor: int, hold_bound_minor: int,
                        slots: int) -> bool:
    """Whether a lease may commit while other leases of the project are in flight beside it,
    none of them seeing the others (each holding one of the project's ``slots`` and the
    project's state shared, so that nothing else spends the escrow meanwhile).

    ``free_after_minor`` is the free escrow this lease sees once it holds its slot, its own
    hold taken off. At most ``slots − 1`` others are in flight beside it, each holding at most
    ``hold_bound_minor``; if the free escrow covers the notice pay and all of them, then
    whatever order they commit or give up in, the free escrow never falls below the notice
    pay (each of them checked the same against what was committed when it looked).
    Otherwise the lease takes the project's exclusive lock and checks exactly: the bound
    costs a requester no money held, only leases that go one at a time near the end of the
    escrow."""
    return free_after_minor - notice_minor >= (slots - 1) * hold_bound_minor


@dataclass(frozen=True, slots=True)
class FundingNeed:
    """What finishing a project's remaining work needs, for the requester to read."""

    remaining_answers: int
    per_answer_minor: int  # price plus the top-up expected at the current measurement
    notice_growth_minor: int  # how much the notice-pay liability grows with that work
    hold_growth_minor: int  # how much the answers' hold grows with that work
    lease_hold_minor: int  # one more live lease beside its price
    needed_minor: int  # all of it together
    to_add_minor: int  # beyond what is free now


def funding_need(*, remaining_answers: int, price_minor: int, fair_price_minor: int | None,
                 typical_ms: int | None, totals: AnswerTotals, floor_hourly: int,
                 lease_ms: int, notice_days: int, notice_window_days: int,
                 free_minor: int, notice_liability_minor: int) -> FundingNeed:
    """What the remaining answers need at the current measurement (at the lease's worst case
    before the project is measured): their pay and expected top-ups, the growth of the
    answers' hold and of the notice pay owed if the project ended, and one lease's hold."""
    remaining = max(0, remaining_answers)
    per_answer = max(price_minor, fair_price_minor or 0)
    reference_ms = typical_ms if typical_ms is not None else lease_ms
    lowest = min(totals.lowest_paid_minor, per_answer)
    after = AnswerTotals(totals.answers + remaining,
                         totals.bound_ms + remaining * answer_bound_ms(reference_ms,
                                                                       totals.pivot_ms),
                         lowest, totals.pivot_ms, totals.deficit_minor)
    hold_growth = max(0, hold_change(totals, after, floor_hourly=floor_hourly,
                                     lease_ms=lease_ms)) if remaining else 0
    notice_growth = ceil(remaining * per_answer * notice_days / notice_window_days)
    lease_hold = lease_allowance(floor_hourly=floor_hourly, lease_ms=lease_ms,
                                 lowest_paid_minor=lowest,
                                 pivot_ms=totals.pivot_ms) if remaining else 0
    needed = remaining * per_answer + hold_growth + notice_growth + lease_hold
    to_add = max(0, needed - max(0, free_minor - notice_liability_minor))
    return FundingNeed(remaining, per_answer, notice_growth, hold_growth, lease_hold, needed,
                       to_add)
