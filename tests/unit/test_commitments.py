from datetime import UTC, date, datetime, timedelta

import pytest

from fairlabel.domain.commitments import (
    Commitment,
    check_can_end,
    check_reason,
    notice_pay,
    pause_counts_as_ending,
)
from fairlabel.domain.errors import Conflict, InvalidInput

NOW = datetime(2026, 11, 2, 9, tzinfo=UTC)


def test_notice_below_the_platform_minimum_is_refused() -> None:
    Commitment(7, date(2026, 12, 31)).check(min_notice_days=7, today=NOW.date())
    with pytest.raises(InvalidInput, match="at least 7 days"):
        Commitment(3).check(min_notice_days=7, today=NOW.date())
    with pytest.raises(InvalidInput, match="already past"):
        Commitment(7, date(2026, 1, 1)).check(min_notice_days=7, today=NOW.date())


@pytest.mark.parametrize("reason", ["", "   ", "scope"])
def test_ending_needs_a_written_reason(reason: str) -> None:
    with pytest.raises(InvalidInput, match="reason"):
        check_reason(reason)
    assert check_reason("  The client cancelled the contract.  ") == \
        "The client cancelled the contract."


def test_notice_pay_is_average_daily_earnings_times_notice_days_rounded_up() -> None:
    assert notice_pay({1: 1400, 2: 1, 3: 0}, 7) == {1: 700, 2: 1}
    assert notice_pay({}, 7) == {}


def test_a_pause_longer_than_the_notice_is_an_ending() -> None:
    assert not pause_counts_as_ending(NOW, 7, NOW + timedelta(days=7))
    assert pause_counts_as_ending(NOW, 7, NOW + timedelta(days=7, seconds=1))


def test_a_project_ends_once() -> None:
    check_can_end(ended=False, ending_at=None)
    with pytest.raises(Conflict):
        check_can_end(ended=True, ending_at=None)
    with pytest.raises(Conflict, match="already ends"):
        check_can_end(ended=False, ending_at=NOW)


def test_a_continuation_may_not_pay_less_per_hour() -> None:
    from fairlabel.domain.continuation import ContinuationPayCut, check_continuation_pay
    from fairlabel.domain.money import Money

    check_continuation_pay(old_id=1, old_name="Musen", old_price=Money(35, "USD"),
                           old_median_ms=60_000, new_price=Money(35, "USD"))
    with pytest.raises(ContinuationPayCut) as refused:
        check_continuation_pay(old_id=1, old_name="Musen", old_price=Money(35, "USD"),
                               old_median_ms=60_000, new_price=Money(27, "USD"))
    message = refused.value.message
    assert refused.value.continuation_of == 1 and "Musen" in message
    assert "21.00 USD per hour" in message and "16.20 USD" in message
    assert "announce a price cut on project 1" in message
