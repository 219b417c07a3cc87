"""What each worker earned on each project, by hour of submission (``notice_earnings``): the
notice pay a project would owe (rule 4) is summed from the last 14 days of its answers, and
reading those answers cost what the project holds (1.7 s on SQLite for 3,000,000 answers in
the window) on every funding view, withdrawal and refresh of the figure leases check.

Every change to what a submitted answer's pay stands at — its submission, a top-up, pay
withheld by a rejection or given back by an appeal — adds to its project's, worker's and
hour's row, in the transaction that makes it: kept here while the transaction runs, and
written when it commits (``write``), each row once, in key order, after the transaction's
ledger chain heads (the lock order). A submission's row is written sooner, in the round trip
that locks its posting's chain heads (``HoldsRepository.add_answer``), on PostgreSQL one
round trip fewer. A window that starts inside an hour reads that hour's answers themselves,
so the sums are exactly those of the answers.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from math import ceil
from typing import Any

from sqlalchemy import Connection, bindparam, func, select
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from fairlabel.adapters.db.tables import assignments, notice_earnings
from fairlabel.domain.assignment import AssignmentStatus, Review

SECONDS_PER_HOUR = 3600


def _upsert(insert: Any) -> Any:
    statement = insert(notice_earnings).values(
        {name: bindparam(name) for name in ("project_id", "hour", "worker_id", "earned_minor")})
    return statement.on_conflict_do_update(
        index_elements=[notice_earnings.c.project_id, notice_earnings.c.hour,
                        notice_earnings.c.worker_id],
        set_={"earned_minor": notice_earnings.c.earned_minor + statement.excluded.earned_minor})


# Adds a row's earnings to what it holds, by dialect (one statement each: compiled once).
UPSERT = {"postgresql": _upsert(postgres_insert), "sqlite": _upsert(sqlite_insert)}


def hour_of(moment: datetime) -> int:
    """The hour a moment lies in, counted from the Unix epoch (UTC)."""
    return int(moment.timestamp()) // SECONDS_PER_HOUR



class EarningsByHour:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._postgres = conn.dialect.name == "postgresql"
        self._pending: Counter[tuple[int, int, int]] = Counter()  # (project, hour, worker)

    def add(self, *, project_id: int, worker_id: int, submitted_at: datetime,
            amount_minor: int) -> None:
        """Count a change of ``amount_minor`` to what an answer submitted at ``submitted_at``
        earned (negative: withheld)."""
        if amount_minor:
            self._pending[(project_id, hour_of(submitted_at), worker_id)] += amount_minor

    def since(self, project_id: int, *, since: datetime) -> dict[int, int]:
        """Per worker, what their answers on the project submitted since ``since`` earned:
        the hours that start at or after it, and the answers of the hour it falls in."""
        first = ceil(since.timestamp() / SECONDS_PER_HOUR)  # the first whole hour
        earned: Counter[int] = Counter()
        for worker_id, amount in self._conn.execute(
                select(notice_earnings.c.worker_id, func.sum(notice_earnings.c.earned_minor))
                .where(notice_earnings.c.project_id == project_id,
                       notice_earnings.c.hour >= first)
                .group_by(notice_earnings.c.worker_id)):
            earned[int(worker_id)] += int(amount or 0)
        boundary = datetime.fromtimestamp(first * SECONDS_PER_HOUR, tz=since.tzinfo)
        if since < boundary:
            for worker_id, amount in self._conn.execute(
                    select(assignments.c.worker_id,
                           func.sum(assignments.c.price_minor + assignments.c.topped_up_minor))
                    .where(assignments.c.project_id == project_id,
                           assignments.c.status == AssignmentStatus.SUBMITTED.value,
                           assignments.c.submitted_at >= since,
                           assignments.c.submitted_at < boundary,
                           (assignments.c.review.is_(None))
                           | (assignments.c.review != Review.WITHHELD.value))
                    .group_by(assignments.c.worker_id)):
                earned[int(worker_id)] += int(amount or 0)
        for (project, hour, worker_id), amount in self._pending.items():
            if project == project_id and hour >= first:
                earned[worker_id] += amount
        return {worker: amount for worker, amount in earned.items() if amount}

    def pending(self) -> list[dict[str, int]]:
        """The rows that add this transaction's changes (each once, in key order) to be
        written with ``UPSERT[dialect]``, which are then no longer pending."""
        rows = [{"project_id": project, "hour": hour, "worker_id": worker, "earned_minor": amount}
                for (project, hour, worker), amount in sorted(self._pending.items()) if amount]
        self._pending.clear()
        return rows

    def write(self) -> None:
        """Add what is pending to its rows (the unit of work calls it just before it
        commits)."""
        rows = self.pending()
        if rows:
            self._conn.execute(UPSERT[self._conn.dialect.name], rows)
