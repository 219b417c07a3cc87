"""Charter rules 1–3 on pay: the floor on measured time, escrow first, no silent pay cuts.

All arithmetic is on integers (minor units, milliseconds) and exact fractions; amounts owed
to workers round up, never down.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from fractions import Fraction
from math import ceil, floor
from statistics import median_high, median_low

from fairlabel.domain.charter import CharterPolicy
from fairlabel.domain.errors import InvalidInput
from fairlabel.domain.holds import lease_allowance, lease_hold_bound
from fairlabel.domain.money import MAX_AMOUNT_MINOR, Money
from fairlabel.domain.projects import Project

MS_PER_HOUR = 3_600_000


def median_ms(durations_ms: Sequence[int]) -> Fraction:
    """The median working time (an exact fraction for an even count)."""
    if not durations_ms:
        raise InvalidInput("no measured answers yet")
    return Fraction(median_low(durations_ms) + median_high(durations_ms), 2)


def effective_hourly(price_minor: int, median: Fraction) -> int:
    """What the price pays per hour at the median time, rounded down (minor units); never
    more than the largest amount (a huge price over a millisecond is still shown)."""
    if median <= 0:
        return 0
    return min(MAX_AMOUNT_MINOR, floor(Fraction(price_minor) * MS_PER_HOUR / median))


def fair_price(floor_hourly: int, work_ms: Fraction | int) -> int:
    """The per-task price that pays ``floor_hourly`` for ``work_ms``, rounded up."""
    return ceil(Fraction(floor_hourly) * Fraction(work_ms) / MS_PER_HOUR)


def topup_due(*, floor_hourly: int, median: Fraction, paid_minor: int) -> int:
    """Top-up owed on one answer: up to the fair price at the median, minus what it got."""
    return max(0, fair_price(floor_hourly, median) - paid_minor)


class PriceChangeKind(StrEnum):
    """Why a project's price per task changed: the requester raised it (at once) or cut it
    (after notice), or the measurement raised it to meet the floor (at once)."""

    RAISE = "raise"
    CUT = "cut"
    FLOOR = "floor"


@dataclass(frozen=True, slots=True)
class PriceChange:
    """A change of price per task: raises apply at once, cuts after the notice period."""

    old: Money
    new: Money
    announced_at: datetime
    effective_at: datetime

    @property
    def is_cut(self) -> bool:
        return self.new.amount_minor < self.old.amount_minor

    @property
    def kind(self) -> PriceChangeKind:
        return PriceChangeKind.CUT if self.is_cut else PriceChangeKind.RAISE


def schedule_price_change(old: Money, new: Money, *, now: datetime,
                          notice: timedelta) -> PriceChange:
    """Charter rule 3: nothing lowers pay without notice, nothing changes backward."""
    if new.currency != old.currency:
        raise InvalidInput("the project pays in {currency}; a new price must be in {currency} "
                           "too", currency=old.currency)
    if new.amount_minor <= 0:
        raise InvalidInput("the price per task must be more than zero")
    if new == old:
        raise InvalidInput("the price is already {price}", price=old)
    delay = notice if new.amount_minor < old.amount_minor else timedelta(0)
    return PriceChange(old, new, now, now + delay)


def lease_reserve(project: Project, policy: CharterPolicy, *, lowest_paid_minor: int,
                  pivot_ms: int = 0) -> tuple[int, int]:
    """(price, allowance) that one more lease holds in the project's escrow (rule 2): its
    price, and the most its answer can add to the answers' hold (``domain.holds``), whatever
    time it takes within the lease."""
    price = project.terms.pay_per_task
    floor = policy.floors.highest(price.currency, project_floor=project.terms.own_floor_hourly)
    return price.amount_minor, lease_allowance(
        floor_hourly=floor, lease_ms=project.terms.lease_seconds * 1000,
        lowest_paid_minor=min(lowest_paid_minor, price.amount_minor), pivot_ms=pivot_ms)


def lease_bound(project: Project, policy: CharterPolicy) -> int:
    """The most any lease of the project holds while its price and terms stay as they are:
    :func:`lease_reserve` at its largest (``domain.holds.lease_hold_bound``)."""
    price = project.terms.pay_per_task
    floor = policy.floors.highest(price.currency, project_floor=project.terms.own_floor_hourly)
    return lease_hold_bound(price_minor=price.amount_minor, floor_hourly=floor,
                            lease_ms=project.terms.lease_seconds * 1000)


def measured_median(durations: list[int]) -> int:
    """The median working time, rounded up to a whole millisecond (in the worker's favour)."""
    value = median_ms(durations)
    return -(-value.numerator // value.denominator)


def measured_median_of(middle: tuple[int, int, int] | None) -> tuple[int, int]:
    """The median as :func:`measured_median` gives it, and the number of answers, from the
    number of answers and their two middle working times in order (equal for an odd number),
    which the database reads at two offsets of an index instead of every time."""
    if middle is None:
        raise InvalidInput("no measured answers yet")
    count, low, high = middle
    return -(-(low + high) // 2), count


def rate_median(median_ms: int | None, answers: int, min_answers: int) -> int | None:
    """The median that sets a project's hourly rate: none until ``min_answers`` answers are
    measured (charter rule 1), so a handful of quick answers never stands for the rate."""
    return median_ms if median_ms and answers >= min_answers else None
