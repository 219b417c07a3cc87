"""The assignment repository: leases, answers, reviews and what pay is measured from. It
works over one open transaction and never commits: the unit of work does."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, select, text, update
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from fairlabel.adapters.db import statements as sql
from fairlabel.adapters.db.earnings import Change, EarningsByHour
from fairlabel.adapters.db.pipeline import direct
from fairlabel.adapters.db.quality_totals import QualityTotals
from fairlabel.adapters.db.rows import to_assignment
from fairlabel.adapters.db.statements import PAID
from fairlabel.adapters.db.tables import assignments, project_reviews
from fairlabel.adapters.db.tables.work import AWAITING_APPROVAL, MEASURED
from fairlabel.domain.assignment import Assignment, AssignmentStatus, Review
from fairlabel.domain.errors import Conflict
from fairlabel.services.ports.work import Earned, WorkerTotals


@contextmanager
def lease_conflict() -> Iterator[None]:
    """A new lease that breaks the one-lease-per-task-and-worker rule: a racing request of
    the same worker took the task first."""
    try:
        yield
    except IntegrityError:
        raise Conflict("another request of yours took this task at the same moment; "
                       "ask again", code="concurrent_request") from None


class AssignmentRepository:
    def __init__(self, conn: Connection, earnings: EarningsByHour | None = None,
                 quality: QualityTotals | None = None) -> None:
        self._conn = conn
        self._postgres = conn.dialect.name == "postgresql"
        self._reviews: defaultdict[int, Counter[str]] = defaultdict(Counter)  # by project
        # The transaction's (a lease alone, added by the task repository, changes neither).
        self._earnings = earnings or EarningsByHour(conn)
        self._quality = quality or QualityTotals(conn)

    def add(self, *, task_id: int, project_id: int, worker_id: int, now: datetime,
            expires: datetime, price_minor: int, allowance_minor: int,
            purpose: str = "work", attempt_id: int | None = None) -> int:
        with lease_conflict():
            new_id: int = self._conn.execute(sql.new_lease, {
                "task_id": task_id, "project_id": project_id, "worker_id": worker_id,
                "status": AssignmentStatus.LEASED.value, "leased_at": now,
                "lease_expires_at": expires, "price_minor": price_minor,
                "allowance_minor": allowance_minor, "purpose": purpose,
                "attempt_id": attempt_id}).scalar_one()
        return new_id

    def get(self, assignment_id: int, *, for_update: bool = False) -> Assignment | None:
        query = sql.assignment_by_id_for_update if for_update else sql.assignment_by_id
        if self._postgres:  # a submission's first read
            rows = direct(self._conn, query, {"assignment_id": assignment_id})
            return to_assignment(rows[0]) if rows else None
        row = self._conn.execute(query, {"assignment_id": assignment_id}).first()
        return to_assignment(row) if row else None

    def mark_submitted(self, assignment_id: int, *, answer: Any, idempotency_key: str | None,
                       now: datetime, worked_ms: int, earned: Earned,
                       correct: bool | None = None, count_on_task: int | None = None) -> None:
        """Record the answer, and what it ``earned`` in its worker's earnings by hour; with
        ``count_on_task``, also count it on that task (its ``answered``, as
        ``Tasks.record_answer`` without a consensus update), in the same statement on
        PostgreSQL."""
        self._earnings.add(project_id=earned.project_id, worker_id=earned.worker_id,
                           submitted_at=now, change=Change(1, earned.amount_minor, worked_ms))
        values = {"assignment_id": assignment_id, "answer": answer,
                  "idempotency_key": idempotency_key, "submitted_at": now, "correct": correct,
                  "worked_ms": worked_ms}
        if count_on_task is None:
            self._conn.execute(sql.submit, values)
            return
        if self._postgres:
            counted = direct(self._conn, sql.submit_and_count, values)[0]
        else:
            self._conn.execute(sql.submit, values)
            counted = self._conn.execute(sql.count_answer, {"task_id": count_on_task}).one()
        self._quality.answered(counted[0], is_gold=counted[1], settled=counted[2] is not None)

    def mark_released(self, assignment_id: int, *, now: datetime) -> None:
        self._conn.execute(update(assignments).where(assignments.c.id == assignment_id).values(
            status=AssignmentStatus.RELEASED.value, released_at=now))

    def expire_due(self, *, now: datetime,
                   project_id: int | None = None) -> list[Assignment]:
        """Mark every lease past its expiry as expired; return those leases.

        Rows another sweeper holds are skipped (SKIP LOCKED on PostgreSQL), so sweeps on
        several nodes at once never expire a lease twice.
        """
        if project_id is None:
            rows = self._conn.execute(sql.due_leases, {"now": now}).all()
        else:
            rows = self._conn.execute(sql.due_leases_of_project,
                                      {"now": now, "project_id": project_id}).all()
        if not rows:
            return []
        due = [to_assignment(r) for r in rows]
        self._conn.execute(
            update(assignments).where(and_(assignments.c.id.in_([a.id for a in due]),
                                           assignments.c.status == AssignmentStatus.LEASED.value))
            .values(status=AssignmentStatus.EXPIRED.value, released_at=now))
        return due

    def add_topup(self, answer: Assignment, amount_minor: int) -> None:
        """Add a top-up to a submitted answer (locked by the caller), and to its worker's
        earnings by hour while its pay stands."""
        self._conn.execute(update(assignments).where(assignments.c.id == answer.id)
                           .values(topped_up_minor=assignments.c.topped_up_minor + amount_minor))
        if answer.submitted_at is not None and answer.review is not Review.WITHHELD:
            self._earnings.add(project_id=answer.project_id, worker_id=answer.worker_id,
                               submitted_at=answer.submitted_at,
                               change=Change(0, amount_minor, 0))

    def mark_approved(self, assignment_id: int, *, now: datetime, review: str) -> None:
        self._review(assignment_id, review, approved_at=now)

    def mark_reviewed(self, assignment_id: int, *, review: str) -> None:
        self._review(assignment_id, review)

    def _review(self, assignment_id: int, review: str, **also: Any) -> None:
        """Record an answer's review, and its move in its project's tally of reviews (from
        the review it had, if any), which ``write_review_counts`` adds when the transaction
        commits; pay withheld, or given back, moves its worker's earnings by hour."""
        row = self._conn.execute(
            select(assignments.c.project_id, assignments.c.review, assignments.c.worker_id,
                   assignments.c.submitted_at,
                   assignments.c.price_minor + assignments.c.topped_up_minor,
                   assignments.c.worked_ms)
            .where(assignments.c.id == assignment_id)).one()
        project_id, before, worker_id, submitted_at, paid, worked = row
        self._conn.execute(update(assignments).where(assignments.c.id == assignment_id)
                           .values(review=review, **also))
        moved = self._reviews[project_id]
        moved[review] += 1
        if before is not None:
            moved[before] -= 1
        withheld = Review.WITHHELD.value
        if submitted_at is not None and (before == withheld) != (review == withheld):
            sign = 1 if before == withheld else -1  # given back, or withheld
            self._earnings.add(project_id=project_id, worker_id=worker_id,
                               submitted_at=submitted_at,
                               change=Change(sign, sign * paid, sign * (worked or 0)))

    def write_earnings(self) -> None:
        """Add this transaction's changes of pay to the earnings by hour (the unit of work
        calls it just before it commits)."""
        self._earnings.write()

    def write_review_counts(self) -> None:
        """Add this transaction's reviews to their projects' tallies (``project_reviews``;
        the unit of work calls it just before it commits: after every posting of the
        transaction, so that the tally's row is always the last lock a review takes)."""
        upsert = postgres_insert if self._postgres else sqlite_insert
        for project_id in sorted(self._reviews):
            moved = {name: count for name, count in self._reviews[project_id].items() if count}
            if moved:
                self._conn.execute(upsert(project_reviews).values(project_id=project_id, **moved)
                                   .on_conflict_do_update(
                                       index_elements=[project_reviews.c.project_id],
                                       set_={name: project_reviews.c[name] + count
                                             for name, count in moved.items()}))
        self._reviews.clear()

    def of_worker(self, worker_id: int) -> list[Assignment]:
        return [to_assignment(r) for r in self._conn.execute(
            select(assignments).where(assignments.c.worker_id == worker_id)
            .order_by(assignments.c.id))]

    def recent_durations(self, project_id: int, *, since: datetime) -> dict[int, list[int]]:
        """Per worker, the working times of their answers on the project since ``since``."""
        found: dict[int, list[int]] = {}
        for r in self._conn.execute(
                select(assignments.c.worker_id, assignments.c.worked_ms)
                .where(*_measured(project_id), assignments.c.submitted_at >= since)
                .order_by(assignments.c.id)):
            found.setdefault(r.worker_id, []).append(r.worked_ms)
        return found

    def durations_ms(self, project_id: int, *, worker_id: int | None = None) -> list[int]:
        """Measured working time (lease issued → submitted) of each submitted answer."""
        query = select(assignments.c.worked_ms).where(*_measured(project_id))
        if worker_id is not None:
            query = query.where(assignments.c.worker_id == worker_id)
        return list(self._conn.execute(query).scalars())

    def middle_durations(self, project_id: int) -> tuple[int, int, int] | None:
        """The number of submitted answers and the two middle working times in their order
        (equal for an odd number), or None without answers: two reads of the
        ``ix_assignments_worked`` index, however many answers the project holds."""
        count = self._conn.execute(select(func.count()).select_from(assignments)
                                   .where(*_measured(project_id))).scalar_one()
        if not count:
            return None
        middle = list(self._conn.execute(
            select(assignments.c.worked_ms).where(*_measured(project_id))
            .order_by(assignments.c.worked_ms).offset((count - 1) // 2)
            .limit(2 - count % 2)).scalars())
        return count, middle[0], middle[-1]

    def due_for_approval(self, *, submitted_before: datetime, limit: int) -> list[Assignment]:
        """Unreviewed answers whose review window has closed, locked (SKIP LOCKED)."""
        rows = self._conn.execute(
            select(assignments).where(text(AWAITING_APPROVAL),
                                      assignments.c.submitted_at <= submitted_before)
            .order_by(assignments.c.status, assignments.c.submitted_at, assignments.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True))
        return [to_assignment(r) for r in rows]

    def below_price(self, project_id: int, *, fair_minor: int, limit: int | None,
                    skip_locked: bool = True) -> list[Assignment]:
        """Answers paid less than ``fair_minor`` so far, locked (SKIP LOCKED, unless
        ``skip_locked`` is False: then it waits for the answers others hold)."""
        rows = self._conn.execute(
            select(assignments).where(
                assignments.c.project_id == project_id,
                assignments.c.status == AssignmentStatus.SUBMITTED.value, PAID,
                assignments.c.price_minor + assignments.c.topped_up_minor < fair_minor)
            .order_by(assignments.c.id).limit(limit).with_for_update(skip_locked=skip_locked))
        return [to_assignment(r) for r in rows]

    def count_below_price(self, project_id: int, *, fair_minor: int) -> int:
        """How many answers are paid less than ``fair_minor`` so far, locked or not."""
        return int(self._conn.execute(
            select(func.count()).select_from(assignments).where(
                assignments.c.project_id == project_id,
                assignments.c.status == AssignmentStatus.SUBMITTED.value, PAID,
                assignments.c.price_minor + assignments.c.topped_up_minor < fair_minor)
        ).scalar_one())

    def active_workers(self, project_id: int, *, since: datetime) -> list[int]:
        """Workers who took a task of the project since ``since``."""
        return list(self._conn.execute(
            select(assignments.c.worker_id).where(assignments.c.project_id == project_id,
                                                  assignments.c.leased_at >= since)
            .distinct().order_by(assignments.c.worker_id)).scalars())

    def worked_on(self, *, worker_id: int, project_id: int) -> bool:
        return self._conn.execute(
            select(assignments.c.id).where(
                assignments.c.worker_id == worker_id, assignments.c.project_id == project_id,
                assignments.c.status == AssignmentStatus.SUBMITTED.value).limit(1)
        ).first() is not None

    def earnings_since(self, project_id: int, *, since: datetime) -> dict[int, int]:
        """Per worker, what they earned on the project (price and top-ups, pay withheld not
        counted) since ``since``: from the earnings by hour."""
        return self._earnings.since(project_id, since=since)

    def first_submitted_since(self, project_id: int, *, since: datetime,
                              paid: bool = False) -> datetime | None:
        """When the oldest answer of the project submitted since ``since`` was submitted
        (with ``paid``, of the answers whose pay stands)."""
        query = select(func.min(assignments.c.submitted_at)).where(
            assignments.c.project_id == project_id,
            assignments.c.status == AssignmentStatus.SUBMITTED.value,
            assignments.c.submitted_at >= since)
        if paid:
            query = query.where(PAID)
        found: datetime | None = self._conn.execute(query).scalar()
        return found

    def worker_totals(self, *, worker_id: int, project_id: int) -> WorkerTotals:
        """(answers, pay received in minor units, measured milliseconds) of a worker's paid
        answers on a project: the sums of their hours there, not of every answer."""
        return self._earnings.worker_totals(worker_id=worker_id, project_id=project_id)

    def worker_projects(self, worker_id: int) -> list[int]:
        """The projects a worker was ever served, in order: one probe of
        ``ix_assignments_worker`` per project (each the next project after the last found),
        not a walk through every answer of theirs (PostgreSQL has no skip scan: 0.19 s for a
        worker of 60,000 answers, each view of their pages)."""
        found = (select(func.min(assignments.c.project_id).label("project_id"))
                 .where(assignments.c.worker_id == worker_id)
                 .cte("found", recursive=True))
        after = (select(func.min(assignments.c.project_id))
                 .where(assignments.c.worker_id == worker_id,
                        assignments.c.project_id > found.c.project_id)
                 .scalar_subquery())
        found = found.union_all(select(after).where(found.c.project_id.is_not(None)))
        return list(self._conn.execute(
            select(found.c.project_id).where(found.c.project_id.is_not(None))).scalars())

    def count_submitted(self, *, worker_id: int, project_id: int) -> int:
        return int(self._conn.execute(
            select(func.count()).select_from(assignments).where(
                assignments.c.worker_id == worker_id, assignments.c.project_id == project_id,
                assignments.c.status == AssignmentStatus.SUBMITTED.value)).scalar_one())

    def recent_answers(self, project_id: int, *, limit: int) -> list[Any]:
        return list(self._conn.execute(
            select(assignments.c.id, assignments.c.task_id, assignments.c.worker_id,
                   assignments.c.answer, assignments.c.submitted_at, assignments.c.leased_at,
                   assignments.c.review, assignments.c.approved_at)
            .where(assignments.c.project_id == project_id,
                   assignments.c.status == AssignmentStatus.SUBMITTED.value)
            .order_by(assignments.c.submitted_at.desc(), assignments.c.id.desc()).limit(limit)
        ))


def _measured(project_id: int) -> tuple[Any, ...]:
    """The submitted answers of a project that have a working time, as the partial index
    ``ix_assignments_worked`` states them (its predicate written as a literal)."""
    return (assignments.c.project_id == project_id, text(MEASURED),
            assignments.c.worked_ms.is_not(None))
