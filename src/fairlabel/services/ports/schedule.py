"""The schedule capability: each periodic job's next due time and its last claim, shared by
every process that uses the database."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from fairlabel.domain.schedule import JobRun


class JobRuns(Protocol):
    def claim(self, name: str, *, now: datetime, next_due: datetime, by: str,
              force: bool = False) -> bool:
        """In one atomic statement: when the job is due at ``now`` (or never ran, or
        ``force``), make it due next at ``next_due``, claimed by ``by`` at ``now``, and say
        True; else False. Of several claimers racing for one period, exactly one wins."""
        ...

    def finish(self, name: str, *, by: str, claimed_at: datetime, now: datetime,
               report: str) -> None:
        """Record that the run ``by`` claimed at ``claimed_at`` ended at ``now``."""
        ...

    def all(self) -> list[JobRun]: ...


class HasJobRuns(Protocol):
    """A transaction that reaches ``job_runs``."""

    @property
    def job_runs(self) -> JobRuns: ...
