"""The answers' hold (charter rule 2): a bound of every top-up that any future median can
owe the submitted answers, and what a lease must hold for its answer. The property tests
try to break the bound with adversarial times, prices and floors."""

from __future__ import annotations

from fractions import Fraction
from math import ceil
from statistics import median_high, median_low

from hypothesis import given, settings
from hypothesis import strategies as st

from fairlabel.domain.holds import (
    AnswerTotals,
    answer_bound_ms,
    answers_hold,
    bound_ms,
    funding_need,
    hold_change,
    lease_allowance,
)
from fairlabel.domain.pay import fair_price, topup_due

HOUR = 3_600_000


def totals(times: list[int], lowest: int, pivot: int = 0) -> AnswerTotals:
    return AnswerTotals(len(times), bound_ms(times, pivot), lowest, pivot)


def owed_at_median(times: list[int], paid: list[int], floor: int) -> int:
    """What top-ups at the median of these answers owe them, as the sweep pays them (the
    median in whole milliseconds, rounded up)."""
    exact = Fraction(median_low(times) + median_high(times), 2)
    median = -(-exact.numerator // exact.denominator)
    return sum(topup_due(floor_hourly=floor, median=Fraction(median), paid_minor=p)
               for p in paid)


def test_three_second_answers_hold_cents_not_the_lease() -> None:
    # The case: 3 s answers at 15.00 USD/h, 1 cent a task, 60 s leases.
    held = answers_hold(totals([3_000] * 48, 1), floor_hourly=1500, lease_ms=60_000)
    assert held == 48 * 2.5 + 48 - 48  # 2·floor·t is 2.5 cents, one more each for rounding
    assert lease_allowance(floor_hourly=1500, lease_ms=60_000, lowest_paid_minor=1) == 50
    # Before: the allowance of the whole lease (25 cents less the price) kept until approval.
    assert 48 * (fair_price(1500, 60_000) - 1) == 1152


def test_slow_answers_hold_no_more_than_the_lease_at_the_floor() -> None:
    assert answers_hold(totals([59_000] * 10, 1), floor_hourly=1500,
                        lease_ms=60_000) == 10 * (25 - 1)
    assert answers_hold(totals([], 1), floor_hourly=1500, lease_ms=60_000) == 0
    # A price above twice the floor rate holds nothing.
    assert answers_hold(totals([3_000] * 5, 10), floor_hourly=1500, lease_ms=60_000) == 0


def test_the_fast_half_and_the_slow_half_case_needs_twice_the_lease_for_the_slow_answers(
) -> None:
    # k − 1 answers at 0 s and k + 1 at the lease: the median is the lease, every answer is
    # owed up to the floor, and only the slow answers' times pay for it.
    k, lease = 10, 60_000
    times = [0] * (k - 1) + [lease] * (k + 1)
    owed = owed_at_median(times, [1] * len(times), 1500)
    assert owed == 2 * k * (25 - 1)
    assert answers_hold(totals(times, 1), floor_hourly=1500, lease_ms=lease) >= owed
    assert (k + 1) * (25 - 1) < owed  # a lease holding only its own worst case is not enough


times_st = st.lists(st.integers(0, 600_000), min_size=1, max_size=60)


@settings(max_examples=400, deadline=None)
@given(times=times_st, extra=st.lists(st.integers(0, 600_000), max_size=60),
       prices=st.lists(st.integers(1, 500), min_size=1, max_size=5),
       floor=st.integers(1, 10_000), lease=st.integers(1_000, 600_000),
       pivot_share=st.fractions(0, 1), data=st.data())
def test_no_future_median_owes_more_than_the_hold(times: list[int], extra: list[int],
                                                 prices: list[int], floor: int, lease: int,
                                                 pivot_share: Fraction,
                                                 data: st.DataObject) -> None:
    """Whatever answers come later (each with its own hold), and whatever the pivot, the
    top-ups owed at the median never exceed the answers' hold, and a lease's allowance
    covers its answer's growth."""
    times = [min(t, lease) for t in times]
    later = [min(t, lease) for t in extra]
    paid = [data.draw(st.sampled_from(prices)) for _ in times + later]
    lowest = min(paid)
    pivot = int(pivot_share * lease)
    everything = times + later
    held = answers_hold(totals(everything, lowest, pivot), floor_hourly=floor, lease_ms=lease)
    assert owed_at_median(everything, paid, floor) <= held
    # Each answer added one at a time grows the hold by at most what its lease held.
    allowance = lease_allowance(floor_hourly=floor, lease_ms=lease, lowest_paid_minor=lowest,
                                pivot_ms=pivot)
    for n in range(len(everything)):
        grown = hold_change(totals(everything[:n], lowest, pivot),
                            totals(everything[:n + 1], lowest, pivot),
                            floor_hourly=floor, lease_ms=lease)
        assert grown <= allowance


@settings(max_examples=200, deadline=None)
@given(times=times_st, pivot=st.integers(0, 600_000))
def test_the_median_is_the_pivot_that_holds_least(times: list[int], pivot: int) -> None:
    """Raising the pivot to the measured median never raises the hold."""
    exact = Fraction(median_low(times) + median_high(times), 2)
    median = -(-exact.numerator // exact.denominator)
    assert bound_ms(times, median) <= bound_ms(times, pivot) + len(times)


def test_a_measured_pivot_halves_what_floor_priced_answers_hold() -> None:
    # 1,000 answers at the fair price of their 12 s median, their times spread as people's
    # are (a long tail): the pivot at the median holds about half as much as none.
    rng = __import__("random").Random(3)
    times = [round(12_000 * rng.lognormvariate(0, 0.6)) for _ in range(1_000)]
    exact = Fraction(median_low(times) + median_high(times), 2)
    median = -(-exact.numerator // exact.denominator)
    price = fair_price(1500, median)
    unpivoted = answers_hold(totals(times, price), floor_hourly=1500, lease_ms=300_000)
    pivoted = answers_hold(totals(times, price, median), floor_hourly=1500, lease_ms=300_000)
    assert pivoted < 0.6 * unpivoted


@settings(max_examples=200, deadline=None)
@given(times=times_st, floor=st.integers(1, 10_000), topped=st.integers(0, 300))
def test_top_ups_paid_lower_what_is_held_by_the_rise_of_the_lowest_pay(
        times: list[int], floor: int, topped: int) -> None:
    """Paying top-ups lifts every answer's pay, the bound's lowest pay with it: the hold
    shrinks by at least what no future median can owe any more."""
    before = answers_hold(totals(times, 1), floor_hourly=floor, lease_ms=600_000)
    after = answers_hold(totals(times, 1 + topped), floor_hourly=floor, lease_ms=600_000)
    assert after == max(0, before - len(times) * topped) or after <= before
    assert owed_at_median(times, [1 + topped] * len(times), floor) <= after


@settings(max_examples=300, deadline=None)
@given(times=times_st, floor=st.integers(1, 10_000), lease=st.integers(1_000, 600_000),
       pivot_share=st.fractions(0, 1), data=st.data())
def test_a_lowest_pay_above_some_answers_holds_their_deficit(
        times: list[int], floor: int, lease: int, pivot_share: Fraction,
        data: st.DataObject) -> None:
    """With the bound's lowest pay ``c`` above what some answers received, their deficit
    ``Σ max(0, c − q)`` keeps the hold above what any median owes; and an answer of a lease
    served at a price ``p`` below ``c`` (``c`` raised after it was served, to at most the fair
    price of the lease) grows the hold by no more than the allowance it was served with."""
    times = [min(t, lease) for t in times]
    fair_lease = fair_price(floor, lease)
    paid = [data.draw(st.integers(0, 2 * fair_lease + 2)) for _ in times]
    level = data.draw(st.integers(0, fair_lease))
    pivot = int(pivot_share * lease)
    deficit = sum(max(0, level - q) for q in paid)
    before = AnswerTotals(len(times), bound_ms(times, pivot), level, pivot, deficit)
    assert owed_at_median(times, paid, floor) <= answers_hold(before, floor_hourly=floor,
                                                              lease_ms=lease)
    price = data.draw(st.integers(0, level))  # what the lease was served at, c then ≤ it
    allowance = lease_allowance(floor_hourly=floor, lease_ms=lease, lowest_paid_minor=price,
                                pivot_ms=pivot)
    took = data.draw(st.integers(0, lease))
    after = AnswerTotals(len(times) + 1, before.bound_ms + answer_bound_ms(took, pivot), level,
                         pivot, deficit + max(0, level - price))
    assert hold_change(before, after, floor_hourly=floor, lease_ms=lease) <= allowance
    assert owed_at_median([*times, took], [*paid, price], floor) <= answers_hold(
        after, floor_hourly=floor, lease_ms=lease)


def test_what_finishing_needs_is_said_in_full() -> None:
    need = funding_need(remaining_answers=28, price_minor=2, fair_price_minor=2,
                        typical_ms=3_000, totals=totals([3_000] * 20, 2), floor_hourly=1500,
                        lease_ms=60_000, notice_days=7, notice_window_days=14,
                        free_minor=100, notice_liability_minor=20)
    assert need.per_answer_minor == 2 and need.lease_hold_minor == 49
    assert need.hold_growth_minor == (ceil(2 * 1500 * 48 * 3_000 / HOUR) + 48 - 96) - (50 + 20 - 40)
    assert need.notice_growth_minor == 28
    assert need.needed_minor == 56 + need.hold_growth_minor + 28 + 49
    assert need.to_add_minor == need.needed_minor - 80
