"""The periodic jobs, once per period across every process that shares the database.

Every app server tries, at the start of each period (``domain.schedule``), to claim the jobs
that are due; the claim is one atomic statement in the database, so exactly one process wins
each period of each job and runs it, whichever host it is on, and the others go back to
sleep. The claim moves the job's due time on before the work starts: a process that dies in
the middle of a run delays that job by at most one period. ``run_now`` (the ``fairlabel
sweep`` command) runs everything at once whether due or not, and records it the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from fairlabel.domain.charter import CharterPolicy
from fairlabel.domain.schedule import (
    JobRun,
    PeriodicJob,
    due_jobs,
    next_due,
    next_wake,
    plan,
)
from fairlabel.services.jobs import RunDueWorkTx, SweepReport, run_due_work
from fairlabel.services.ports.schedule import HasJobRuns
from fairlabel.services.ports.transaction import Commits, Database
from fairlabel.services.quality import RefitConsensus

log = logging.getLogger("fairlabel.jobs")


class ClaimTx(HasJobRuns, Commits, Protocol):
    """The transaction of the claims and of the record of a run."""


class RunPeriodicTx(RunDueWorkTx, HasJobRuns, Protocol):
    """The transactions of ``run_periodic`` and ``run_now``."""


@dataclass(frozen=True, slots=True)
class PeriodicRun:
    """What one try did: the jobs this process claimed (and ran), the report of the run
    (None when it won nothing), and when to try again."""

    won: tuple[str, ...]
    report: SweepReport | None
    next_at: datetime


def claim(db: Database[ClaimTx], jobs: Sequence[PeriodicJob], *, now: datetime, me: str,
          force: bool = False) -> list[str]:
    """Claim every job of ``jobs`` that is due at ``now`` (all of them with ``force``) for
    ``me``; return the names won.

    A read says first which jobs are due (``due_jobs``), so that a process that finds nothing
    due opens no write transaction (on SQLite, no turn at the one write lock); the claims then
    decide, atomically. They share one transaction, in the order given (heavy first): on
    PostgreSQL a process that wins the heavy job holds its row until it has claimed the light
    one too, so a rival waiting on that row then finds both taken, and the light work is not
    run twice at the moment when both fall due."""
    if not force:
        with db.read() as tx:
            due_at = {run.name: run.due_at for run in tx.job_runs.all()}
        jobs = due_jobs(jobs, due_at, now)
        if not jobs:
            return []
    with db.write() as tx:
        won = [job.name for job in jobs
               if tx.job_runs.claim(job.name, now=now, next_due=next_due(now, job.every),
                                    by=me, force=force)]
        tx.commit()
    return won


def run_periodic(db: Database[RunPeriodicTx], policy: CharterPolicy, *,
                 clock: Callable[[], datetime], me: str, jobs: Sequence[PeriodicJob],
                 refit: RefitConsensus | None = None,
                 consensus_interval: timedelta | None = None) -> PeriodicRun:
    """One try of an app server: claim what is due now, run it, record the run."""
    now = clock()
    won = claim(db, jobs, now=now, me=me)
    what = plan(won)
    report = None
    if what is not None:
        report = _run(db, policy, won, claimed_at=now, clock=clock, me=me,
                      measure=what.measure, refit=refit, consensus_interval=consensus_interval)
    return PeriodicRun(won=tuple(won), report=report, next_at=next_wake(clock(), jobs))


def run_now(db: Database[RunPeriodicTx], policy: CharterPolicy, *,
            clock: Callable[[], datetime], me: str, jobs: Sequence[PeriodicJob],
            refit: RefitConsensus | None = None,
            consensus_interval: timedelta | None = None) -> SweepReport:
    """Run every job at once, due or not (an operator asked), and record it as each job's
    run of this period, so that app servers do not repeat it before the next one."""
    now = clock()
    won = claim(db, jobs, now=now, me=me, force=True)
    return _run(db, policy, won, claimed_at=now, clock=clock, me=me, measure=True, refit=refit,
                consensus_interval=consensus_interval)


def job_runs(db: Database[ClaimTx]) -> list[JobRun]:
    """What the database records of each job."""
    with db.read() as tx:
        return tx.job_runs.all()


def _run(db: Database[RunPeriodicTx], policy: CharterPolicy, won: Sequence[str], *,
         claimed_at: datetime, clock: Callable[[], datetime], me: str, measure: bool,
         refit: RefitConsensus | None, consensus_interval: timedelta | None) -> SweepReport:
    try:
        report = run_due_work(db, policy, now=claimed_at, refit=refit, measure=measure,
                              consensus_interval=consensus_interval)
    except Exception as error:
        _record(db, won, claimed_at=claimed_at, now=clock(), me=me,
                report=f"failed: {type(error).__name__}: {error}"[:2000])
        raise
    _record(db, won, claimed_at=claimed_at, now=clock(), me=me, report=report.summary())
    return report


def _record(db: Database[ClaimTx], won: Sequence[str], *, claimed_at: datetime, now: datetime,
            me: str, report: str) -> None:
    try:
        with db.write() as tx:
            for name in won:
                tx.job_runs.finish(name, by=me, claimed_at=claimed_at, now=now, report=report)
            tx.commit()
    except Exception:  # the run itself is done: a lost record must not hide its outcome
        log.exception("could not record the end of the periodic jobs %s", ", ".join(won))
