from datetime import UTC, datetime, timedelta
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fairlabel.domain.charter import CharterPolicy, FloorTable
from fairlabel.domain.errors import InvalidInput
from fairlabel.domain.label_schema import parse_schema
from fairlabel.domain.money import Money
from fairlabel.domain.pay import (
    effective_hourly,
    fair_price,
    lease_reserve,
    median_ms,
    rate_median,
    schedule_price_change,
    topup_due,
)
from fairlabel.domain.projects import Project, ProjectStatus, ProjectTerms

NOW = datetime(2026, 11, 2, 9, tzinfo=UTC)
FLOORS = FloorTable({"USD": 1500, "EUR": 1300}, {"DE": {"EUR": 1400}})


def test_the_floors_take_the_highest_that_applies() -> None:
    assert FLOORS.hourly("USD") == 1500
    assert FLOORS.hourly("EUR", country="de") == 1400
    assert FLOORS.hourly("EUR", country="FR") == 1300
    assert FLOORS.hourly("EUR", country="DE", project_floor=2000) == 2000
    assert FLOORS.hourly("GBP") == 0


def test_thirty_seconds_at_fifteen_dollars_is_thirteen_cents_rounded_up() -> None:
    assert fair_price(1500, 30_000) == 13  # 12.5 rounds in the worker's favour
    assert topup_due(floor_hourly=1500, median=Fraction(30_000), paid_minor=5) == 8
    assert topup_due(floor_hourly=1500, median=Fraction(30_000), paid_minor=20) == 0
    assert effective_hourly(5, Fraction(30_000)) == 600


def test_the_median_of_an_even_count_is_exact() -> None:
    assert median_ms([10, 20, 30, 40]) == Fraction(25)
    assert median_ms([7]) == 7
    with pytest.raises(InvalidInput):
        median_ms([])


@given(st.integers(min_value=1, max_value=10**6), st.integers(min_value=1, max_value=10**8))
def test_the_fair_price_always_pays_at_least_the_floor(floor: int, work_ms: int) -> None:
    price = fair_price(floor, work_ms)
    assert price * 3_600_000 >= floor * work_ms
    assert (price - 1) * 3_600_000 < floor * work_ms


def test_cuts_wait_for_the_notice_and_raises_do_not() -> None:
    notice = timedelta(days=14)
    cut = schedule_price_change(Money(50, "USD"), Money(40, "USD"), now=NOW, notice=notice)
    assert cut.is_cut and cut.effective_at == NOW + notice
    rise = schedule_price_change(Money(50, "USD"), Money(60, "USD"), now=NOW, notice=notice)
    assert not rise.is_cut and rise.effective_at == NOW
    for bad in (Money(50, "USD"), Money(0, "USD"), Money(40, "EUR")):
        with pytest.raises(InvalidInput):
            schedule_price_change(Money(50, "USD"), bad, now=NOW, notice=notice)


def _project(price: int, *, lease: int = 600, median: int | None = None,
             answers: int = 0) -> Project:
    terms = ProjectTerms("p", "", parse_schema({"type": "pairwise"}), 3, Money(price, "USD"),
                         lease)
    return Project(1, 1, terms, ProjectStatus.OPEN, NOW, NOW, median, answers)


def test_a_lease_holds_its_price_and_the_most_its_answer_can_add_to_the_answers_hold() -> None:
    policy = CharterPolicy(floors=FLOORS)
    # Ten minutes at 15.00/h is 2.50; twice that plus a cent of rounding, less the lowest pay.
    assert lease_reserve(_project(5), policy, lowest_paid_minor=5) == (5, 496)
    # Measured or not, a live lease may still take the whole lease: the same hold.
    assert lease_reserve(_project(5, median=30_000, answers=20), policy,
                         lowest_paid_minor=5) == (5, 496)
    # A lower pay among earlier answers makes it hold more; a shorter lease, less.
    assert lease_reserve(_project(13), policy, lowest_paid_minor=5) == (13, 496)
    assert lease_reserve(_project(5, lease=60), policy, lowest_paid_minor=5) == (5, 46)


def test_an_effective_hourly_rate_never_passes_the_largest_amount() -> None:
    from fractions import Fraction

    from fairlabel.domain.money import MAX_AMOUNT_MINOR
    from fairlabel.domain.pay import effective_hourly

    assert effective_hourly(10**12, Fraction(1)) == MAX_AMOUNT_MINOR
    assert effective_hourly(5, Fraction(30_000)) == 600


def test_a_rate_counts_only_once_enough_answers_are_measured() -> None:
    assert rate_median(4000, 5, 20) is None
    assert rate_median(4000, 19, 20) is None
    assert rate_median(4000, 20, 20) == 4000
    assert rate_median(None, 30, 20) is None
