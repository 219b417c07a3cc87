"""What each worker's paid answers on each project add up to, by hour of submission
(``hourly_earnings``: how many, what they earned, the time they took).

Two reads cost what a project or a worker holds without them: the notice pay a project would
owe (rule 4) is summed from the last 14 days of its answers (1.7 s on SQLite for 3,000,000
answers in the window, on every funding view, withdrawal and refresh of the figure leases
check), and a worker's totals in a project from all their answers there (53 ms for 60,000, on
every view of their earnings). Both now read one row per hour instead.

Every change to an answer whose pay stands — its submission, a top-up, pay withheld by a
rejection or given back by an appeal — adds to its project's, worker's and hour's row, in the
transaction that makes it: kept here while the transaction runs, and written when it commits
(``write``), each row once, in key order, after the transaction's ledger chain heads (the lock
order). A submission's row is written sooner, in the round trip that locks its posting's chain
heads (``HoldsRepository.add_answer``): on PostgreSQL no round trip of its own. A window that
starts inside an hour reads that hour's answers themselves, so the sums are exactly those of
the answers.
"""

from __future__ import annotations

from datetime import datetime
from math import ceil
from typing import Any, NamedTuple

from sqlalchemy import Connection, func, select

from fairlabel.adapters.db.statements import PAID, adding_to
from fairlabel.adapters.db.tables import assignments, hourly_earnings
from fairlabel.domain.assignment import AssignmentStatus
from fairlabel.services.ports.work import WorkerTotals

SECONDS_PER_HOUR = 3600
_KEY = ("project_id", "hour", "worker_id")
_SUMS = ("answers", "earned_minor", "worked_ms")


# Adds to a row's sums, by dialect.
UPSERT = adding_to(hourly_earnings, _KEY, _SUMS)


def hour_of(moment: datetime) -> int:
    """The hour a moment lies in, counted from the Unix epoch (UTC)."""
    return int(moment.timestamp()) // SECONDS_PER_HOUR


class Change(NamedTuple):
    """A change to one hour's sums: answers, pay, working time."""

    answers: int
    earned_minor: int
    worked_ms: int


class EarningsByHour:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._pending: dict[tuple[int, int, int], Change] = {}  # (project, hour, worker)

    def add(self, *, project_id: int, worker_id: int, submitted_at: datetime,
            change: Change) -> None:
        """Count a change to the sums of the answers submitted at ``submitted_at`` (an
        answer counted or taken back, pay added or withheld)."""
        key = (project_id, hour_of(submitted_at), worker_id)
        before = self._pending.get(key, Change(0, 0, 0))
        self._pending[key] = Change(*(a + b for a, b in zip(before, change, strict=True)))

    def since(self, project_id: int, *, since: datetime) -> dict[int, int]:
        """Per worker, what their answers on the project submitted since ``since`` earned:
        the hours that start at or after it, and the answers of the hour it falls in."""
        first = ceil(since.timestamp() / SECONDS_PER_HOUR)  # the first whole hour
        earned: dict[int, int] = {}

        def count(rows: Any) -> None:
            for worker_id, amount in rows:
                earned[int(worker_id)] = earned.get(int(worker_id), 0) + int(amount or 0)

        count(self._conn.execute(
            select(hourly_earnings.c.worker_id, func.sum(hourly_earnings.c.earned_minor))
            .where(hourly_earnings.c.project_id == project_id, hourly_earnings.c.hour >= first)
            .group_by(hourly_earnings.c.worker_id)))
        boundary = datetime.fromtimestamp(first * SECONDS_PER_HOUR, tz=since.tzinfo)
        if since < boundary:
            count(self._conn.execute(
                select(assignments.c.worker_id,
                       func.sum(assignments.c.price_minor + assignments.c.topped_up_minor))
                .where(assignments.c.project_id == project_id,
                       assignments.c.status == AssignmentStatus.SUBMITTED.value,
                       assignments.c.submitted_at >= since,
                       assignments.c.submitted_at < boundary, PAID)
                .group_by(assignments.c.worker_id)))
        count((worker, change.earned_minor)
              for (project, hour, worker), change in self._pending.items()
              if project == project_id and hour >= first)
        return {worker: amount for worker, amount in earned.items() if amount}

    def worker_totals(self, *, worker_id: int, project_id: int) -> WorkerTotals:
        """A worker's paid answers on a project, what they received and the time they took:
        the sums of their hours there (this transaction's changes included)."""
        row = self._conn.execute(
            select(*(func.coalesce(func.sum(hourly_earnings.c[name]), 0) for name in _SUMS))
            .where(hourly_earnings.c.worker_id == worker_id,
                   hourly_earnings.c.project_id == project_id)).one()
        sums = [int(value) for value in row]
        for (project, _, worker), change in self._pending.items():
            if (project, worker) == (project_id, worker_id):
                sums = [a + b for a, b in zip(sums, change, strict=True)]
        return WorkerTotals(*sums)

    def pending(self) -> list[dict[str, int]]:
        """The rows that add this transaction's changes (each once, in key order) with
        ``UPSERT[dialect]``, which are then no longer pending."""
        rows = [dict(zip(_KEY, key, strict=True)) | change._asdict()
                for key, change in sorted(self._pending.items()) if any(change)]
        self._pending.clear()
        return rows

    def write(self) -> None:
        """Add what is pending to its rows (the unit of work calls it just before it
        commits)."""
        rows = self.pending()
        if rows:
            self._conn.execute(UPSERT[self._conn.dialect.name], rows)
