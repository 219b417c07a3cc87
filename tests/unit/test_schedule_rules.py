"""When the periodic jobs are due (domain.schedule)."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fairlabel.domain.schedule import (
    EPOCH,
    MEASURE,
    SWEEP,
    PeriodicJob,
    SweepPlan,
    due_jobs,
    is_due,
    next_due,
    next_wake,
    period_start,
    periodic_jobs,
    plan,
)

NOW = datetime(2026, 11, 2, 9, 0, 7, 250_000, tzinfo=UTC)
JOBS = periodic_jobs(sweep_every=timedelta(seconds=15), measure_every=timedelta(seconds=60))


def test_periods_are_aligned_on_one_grid_that_every_process_agrees_on() -> None:
    assert period_start(NOW, timedelta(seconds=15)) == datetime(2026, 11, 2, 9, tzinfo=UTC)
    assert next_due(NOW, timedelta(seconds=15)) == datetime(2026, 11, 2, 9, 0, 15, tzinfo=UTC)
    assert next_due(NOW, timedelta(minutes=1)) == datetime(2026, 11, 2, 9, 1, tzinfo=UTC)
    # At a period's very start the job is due again one full period later.
    start = datetime(2026, 11, 2, 9, 0, 15, tzinfo=UTC)
    assert next_due(start, timedelta(seconds=15)) == datetime(2026, 11, 2, 9, 0, 30, tzinfo=UTC)


@given(st.datetimes(min_value=datetime(2001, 1, 1), max_value=datetime(2100, 1, 1),
                    timezones=st.just(UTC)),
       st.integers(min_value=1, max_value=86_400_000))
def test_the_next_due_time_is_the_next_period_start_after_now(now: datetime, ms: int) -> None:
    every = timedelta(milliseconds=ms)
    due = next_due(now, every)
    assert now < due <= now + every
    assert (due - EPOCH) % every == timedelta(0)
    # Every process that runs in the same period computes the same due time.
    assert next_due(period_start(now, every), every) == due
    assert next_due(due - timedelta(microseconds=1), every) == due


def test_a_job_is_due_once_its_time_has_come_or_when_it_never_ran() -> None:
    assert is_due(None, NOW)
    assert is_due(NOW, NOW)
    assert is_due(NOW - timedelta(seconds=1), NOW)
    assert not is_due(NOW + timedelta(microseconds=1), NOW)
    due = {MEASURE: NOW + timedelta(seconds=30), SWEEP: NOW}
    assert [job.name for job in due_jobs(JOBS, due, NOW)] == [SWEEP]
    assert [job.name for job in due_jobs(JOBS, {}, NOW)] == [MEASURE, SWEEP]
    assert due_jobs(JOBS, {MEASURE: NOW + timedelta(1), SWEEP: NOW + timedelta(1)}, NOW) == []


def test_the_heavy_job_is_claimed_first_and_includes_the_light_work() -> None:
    assert [job.name for job in JOBS] == [MEASURE, SWEEP]
    assert plan([MEASURE, SWEEP]) == SweepPlan(measure=True)
    assert plan([MEASURE]) == SweepPlan(measure=True)
    assert plan([SWEEP]) == SweepPlan(measure=False)
    assert plan([]) is None


def test_a_sweeper_wakes_at_the_start_of_the_next_period_of_any_job() -> None:
    assert next_wake(NOW, JOBS) == datetime(2026, 11, 2, 9, 0, 15, tzinfo=UTC)
    odd = periodic_jobs(sweep_every=timedelta(seconds=45), measure_every=timedelta(seconds=20))
    assert next_wake(NOW, odd) == datetime(2026, 11, 2, 9, 0, 20, tzinfo=UTC)


def test_periods_must_be_positive_and_times_aware() -> None:
    with pytest.raises(ValueError, match="positive"):
        PeriodicJob(SWEEP, timedelta(0))
    with pytest.raises(ValueError, match="positive"):
        next_due(NOW, timedelta(seconds=-1))
    with pytest.raises(ValueError, match="aware"):
        next_due(datetime(2026, 11, 2), timedelta(seconds=15))
