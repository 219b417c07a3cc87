"""The periodic jobs' schedule (``job_runs``): claims that one process wins per period."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from fairlabel.adapters.db.tables import job_runs
from fairlabel.domain.schedule import JobRun


class JobRunRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert

    def claim(self, name: str, *, now: datetime, next_due: datetime, by: str,
              force: bool = False) -> bool:
        """One statement, ``INSERT … ON CONFLICT (name) DO UPDATE … WHERE due_at <= :now
        RETURNING name``: the first claim ever inserts the row; later ones move ``due_at``
        on only while it has come. On PostgreSQL a second claimer waits for the first one's
        row lock, then checks ``due_at`` again on the row as the first left it, and finds it
        no longer due; on SQLite writers go one at a time. Either way one claimer wins."""
        stmt = self._insert(job_runs).values(name=name, due_at=next_due, claimed_by=by,
                                             claimed_at=now, runs=1)
        claim = stmt.on_conflict_do_update(
            index_elements=[job_runs.c.name],
            set_={"due_at": stmt.excluded.due_at, "claimed_by": stmt.excluded.claimed_by,
                  "claimed_at": stmt.excluded.claimed_at, "finished_at": None,
                  "runs": job_runs.c.runs + 1},
            where=None if force else job_runs.c.due_at <= now,
        ).returning(job_runs.c.name)
        return self._conn.execute(claim).first() is not None

    def finish(self, name: str, *, by: str, claimed_at: datetime, now: datetime,
               report: str) -> None:
        # Only the claim that ran: if the run outlasted its period and another process has
        # claimed the next one meanwhile, that one's record stands.
        self._conn.execute(
            update(job_runs)
            .where(job_runs.c.name == name, job_runs.c.claimed_by == by,
                   job_runs.c.claimed_at == claimed_at)
            .values(finished_at=now, report=report))

    def all(self) -> list[JobRun]:
        rows = self._conn.execute(select(job_runs).order_by(job_runs.c.name)).all()
        return [JobRun(name=r.name, due_at=r.due_at, claimed_by=r.claimed_by,
                       claimed_at=r.claimed_at, finished_at=r.finished_at, runs=r.runs,
                       report=r.report) for r in rows]
