"""When the periodic jobs are due, so that the app servers sharing one database run each
period of a job once.

Two jobs: the light one (``SWEEP``: leases, approvals, prices, payouts, ending projects,
overdue appeals) every ``sweep_every``, and the heavy one (``MEASURE``: the light work plus
what reads every answer — measurement and top-ups, the rules that propose blocks, consensus
refits) every ``measure_every``. Periods are aligned on a fixed grid (multiples of the period
since ``EPOCH``), so that every process, on every host, agrees when one begins: the first
sweeper to claim a job inside a period runs it, the others find it no longer due.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

SWEEP = "sweep"
MEASURE = "measure"
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class PeriodicJob:
    """A job and how often it runs."""

    name: str
    every: timedelta

    def __post_init__(self) -> None:
        if self.every <= timedelta(0):
            raise ValueError(f"the period of the job {self.name!r} must be positive")


@dataclass(frozen=True, slots=True)
class JobRun:
    """What the database records of a job: when it is next due, who claimed it last and
    when, when that run finished, how many periods were claimed in all, the last report."""

    name: str
    due_at: datetime
    claimed_by: str | None
    claimed_at: datetime | None
    finished_at: datetime | None
    runs: int
    report: str | None


@dataclass(frozen=True, slots=True)
class SweepPlan:
    """What one sweeper runs after its claims: the light work, with the heavy work too when
    ``measure``."""

    measure: bool


def periodic_jobs(*, sweep_every: timedelta, measure_every: timedelta) -> tuple[PeriodicJob, ...]:
    """The jobs, heavy first: a sweeper that wins both runs them as one."""
    return (PeriodicJob(MEASURE, measure_every), PeriodicJob(SWEEP, sweep_every))


def period_start(now: datetime, every: timedelta) -> datetime:
    """The start of the period of length ``every`` that ``now`` falls in."""
    if now.tzinfo is None:
        raise ValueError("use aware UTC datetimes")
    if every <= timedelta(0):
        raise ValueError("the period must be positive")
    return EPOCH + ((now - EPOCH) // every) * every


def next_due(now: datetime, every: timedelta) -> datetime:
    """When a job run at ``now`` is due again: the start of the next period."""
    return period_start(now, every) + every


def is_due(due_at: datetime | None, now: datetime) -> bool:
    """Whether a job next due at ``due_at`` (None: never run) is due at ``now``. The
    database's claim applies the same rule in one statement (``due_at <= now``)."""
    return due_at is None or due_at <= now


def due_jobs(jobs: Collection[PeriodicJob], due_at: Mapping[str, datetime], now: datetime
             ) -> list[PeriodicJob]:
    """Which of ``jobs`` are due at ``now``, given when each is next due (missing: never
    run, so due)."""
    return [job for job in jobs if is_due(due_at.get(job.name), now)]


def plan(won: Collection[str]) -> SweepPlan | None:
    """What to run after claiming ``won``: nothing, the light work, or (when the heavy job
    was won) the heavy work, which includes the light work."""
    if MEASURE in won:
        return SweepPlan(measure=True)
    if SWEEP in won:
        return SweepPlan(measure=False)
    return None


def next_wake(now: datetime, jobs: Collection[PeriodicJob]) -> datetime:
    """When a sweeper should next try its claims: the start of the next period of any job."""
    return min(next_due(now, job.every) for job in jobs)
