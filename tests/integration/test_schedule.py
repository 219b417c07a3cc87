"""The periodic jobs' claims on each database: one claimer wins each period of a job, even
when claimers on connections of their own race for it (as app servers on several hosts do)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest

from fairlabel.adapters.container import Container
from fairlabel.bootstrap import bootstrap
from fairlabel.config import Settings
from fairlabel.domain.schedule import MEASURE, SWEEP, next_due, periodic_jobs
from fairlabel.services import schedule
from tests.support.clock import FakeClock

JOBS = periodic_jobs(sweep_every=timedelta(seconds=15), measure_every=timedelta(seconds=60))


@pytest.fixture
def rival(container: Container) -> Iterator[Container]:
    """A second process's container: its own engine, pool and connections on the same
    database."""
    other = bootstrap(Settings(database_url=container.settings.database_url, sweep_seconds=0,
                               consensus_process=False))
    yield other
    other.close()


def _runs(container: Container) -> dict[str, tuple[int, str | None]]:
    return {run.name: (run.runs, run.claimed_by) for run in schedule.job_runs(container.db)}


def test_the_first_claim_of_a_period_wins_and_later_ones_find_it_taken(
        container: Container, clock: FakeClock) -> None:
    assert schedule.claim(container.db, JOBS, now=clock(), me="a") == [MEASURE, SWEEP]
    assert schedule.claim(container.db, JOBS, now=clock(), me="b") == []
    clock.advance(seconds=14)  # still the same 15-second period
    assert schedule.claim(container.db, JOBS, now=clock(), me="b") == []
    clock.advance(seconds=1)  # the next one: the light job only
    assert schedule.claim(container.db, JOBS, now=clock(), me="b") == [SWEEP]
    assert _runs(container) == {MEASURE: (1, "a"), SWEEP: (2, "b")}
    with container.db.read() as tx:
        due = {run.name: run.due_at for run in tx.job_runs.all()}
    assert due == {MEASURE: next_due(clock.now - timedelta(seconds=15), timedelta(minutes=1)),
                   SWEEP: clock.now + timedelta(seconds=15)}


def test_the_claim_statement_alone_takes_a_job_only_when_due_or_forced(
        container: Container, clock: FakeClock) -> None:
    now, every = clock(), timedelta(seconds=15)
    with container.db.write() as tx:
        assert tx.job_runs.claim(SWEEP, now=now, next_due=now + every, by="a")  # inserts
        assert not tx.job_runs.claim(SWEEP, now=now, next_due=now + every, by="b")
        assert not tx.job_runs.claim(SWEEP, now=now + every / 2, next_due=now + every, by="b")
        assert tx.job_runs.claim(SWEEP, now=now, next_due=now + every, by="c", force=True)
        assert tx.job_runs.claim(SWEEP, now=now + every, next_due=now + 2 * every, by="d")
        tx.commit()
    assert _runs(container) == {SWEEP: (3, "d")}


def test_a_claimer_that_dies_delays_the_job_by_at_most_one_period(
        container: Container, clock: FakeClock) -> None:
    assert schedule.claim(container.db, JOBS, now=clock(), me="dies") == [MEASURE, SWEEP]
    # It never runs nor records anything; the others find the period taken ...
    clock.advance(seconds=10)
    assert schedule.claim(container.db, JOBS, now=clock(), me="lives") == []
    # ... and claim the job at the next period's start.
    clock.advance(seconds=5)
    assert schedule.claim(container.db, JOBS, now=clock(), me="lives") == [SWEEP]


def test_a_periodic_run_runs_what_it_won_and_records_it(
        container: Container, clock: FakeClock) -> None:
    first = schedule.run_periodic(container.db, container.charter, clock=clock, me="a",
                                  jobs=JOBS)
    assert first.won == (MEASURE, SWEEP) and first.report is not None
    assert first.next_at == clock.now + timedelta(seconds=15)
    again = schedule.run_periodic(container.db, container.charter, clock=clock, me="b",
                                  jobs=JOBS)
    assert again.won == () and again.report is None
    runs = {run.name: run for run in schedule.job_runs(container.db)}
    assert runs[SWEEP].finished_at == clock.now and runs[SWEEP].claimed_by == "a"
    assert runs[SWEEP].report == first.report.summary()
    # An operator's `fairlabel sweep` runs everything though nothing is due, and records it.
    schedule.run_now(container.db, container.charter, clock=clock, me="operator", jobs=JOBS)
    assert _runs(container) == {MEASURE: (2, "operator"), SWEEP: (2, "operator")}


def test_two_claimers_on_connections_of_their_own_win_each_period_once(
        container: Container, rival: Container, clock: FakeClock) -> None:
    periods = 15
    barrier = threading.Barrier(2)
    won: dict[str, list[list[str]]] = {"a": [], "b": []}
    errors: list[BaseException] = []

    def race(me: str, db: Container) -> None:
        try:
            for period in range(periods):
                now = clock.now + timedelta(seconds=15 * period)
                barrier.wait(timeout=30)
                won[me].append(schedule.claim(db.db, JOBS, now=now, me=me))
        except BaseException as error:  # reported below
            errors.append(error)
            barrier.abort()

    threads = [threading.Thread(target=race, args=("a", container)),
               threading.Thread(target=race, args=("b", rival))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    for period in range(periods):
        claims = won["a"][period] + won["b"][period]
        assert claims.count(SWEEP) == 1, (period, won)
        # The heavy job falls due every fourth period (60 s against 15 s).
        assert claims.count(MEASURE) == (1 if period % 4 == 0 else 0), (period, won)
    assert _runs(container)[SWEEP][0] == periods


def test_a_claimer_waiting_on_the_winners_transaction_then_finds_the_period_taken(
        container: Container, rival: Container, clock: FakeClock) -> None:
    """The winner's transaction stays open while the rival claims: PostgreSQL makes the rival
    wait on the row, SQLite on the write lock; when the winner commits, the rival sees the
    job no longer due."""
    schedule.claim(container.db, JOBS, now=clock(), me="earlier")  # the rows exist
    clock.advance(minutes=1)
    result: list[list[str]] = []
    with container.db.write() as tx:
        assert tx.job_runs.claim(SWEEP, now=clock(), next_due=next_due(clock(), JOBS[1].every),
                                 by="winner")
        rival_thread = threading.Thread(
            target=lambda: result.append(schedule.claim(rival.db, JOBS[1:], now=clock(),
                                                        me="rival")))
        rival_thread.start()
        rival_thread.join(timeout=0.5)
        assert rival_thread.is_alive(), "the rival should wait for the winner's transaction"
        tx.commit()
    rival_thread.join(timeout=30)
    assert result == [[]]
    assert _runs(container)[SWEEP] == (2, "winner")
