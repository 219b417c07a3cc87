"""The task repository: imports, claims of slots, consensus counts, exports. It works over
one open transaction and never commits: the unit of work does."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Text, cast, insert, select, update

from fairlabel.adapters.db import statements as sql
from fairlabel.adapters.db.assignment_repository import AssignmentRepository, lease_conflict
from fairlabel.adapters.db.pipeline import direct
from fairlabel.adapters.db.quality_totals import QualityTotals, TaskPart
from fairlabel.adapters.db.rows import decoded_json
from fairlabel.adapters.db.tables import assignments, project_holds, tasks
from fairlabel.domain.assignment import AssignmentStatus
from fairlabel.services.ports.quality import ConsensusUpdate
from fairlabel.services.ports.work import ClaimedTask, ExportRow, NewLease, NewTask

GOLD_MAX_ANSWERS = 1_000_000_000
"""A gold task may be answered by every worker once; its slot count is never the limit."""


class TaskRepository:
    def __init__(self, conn: Connection, quality: QualityTotals) -> None:
        self._conn = conn
        self._quality = quality  # the transaction's: answers and consensus change it
        self._postgres = conn.dialect.name == "postgresql"
        # Ordinary tasks added in this transaction, and their answers wanted, by project: the
        # project's progress (``project_holds``) counts them when the transaction commits
        # (``write_totals``), so that an import of many batches locks that row, which every
        # submission to the project updates, only for its commit.
        self._added: Counter[int] = Counter()
        self._wanted: Counter[int] = Counter()

    def add_many(self, *, project_id: int, new_tasks: Sequence[NewTask], max_answers: int,
                 now: datetime) -> int:
        # The rows of one batch at a time: a large import holds its tasks once, not twice.
        for start in range(0, len(new_tasks), 5000):
            self._conn.execute(insert(tasks), [
                {"project_id": project_id, "data": t.data, "is_gold": t.is_gold,
                 "gold_answer": t.gold_answer,
                 "max_answers": GOLD_MAX_ANSWERS if t.is_gold else max_answers,
                 "taken": 0, "answered": 0, "created_at": now}
                for t in new_tasks[start:start + 5000]])
        work = sum(1 for t in new_tasks if not t.is_gold)
        self._added[project_id] += work
        self._wanted[project_id] += work * max_answers
        return len(new_tasks)

    def write_totals(self) -> None:
        """Count the tasks added in this transaction in their projects' progress (the unit of
        work calls it just before it commits)."""
        for project_id in sorted(self._added):
            self._conn.execute(
                update(project_holds).where(project_holds.c.project_id == project_id)
                .values(work_tasks=project_holds.c.work_tasks + self._added[project_id],
                        work_capacity=project_holds.c.work_capacity
                        + self._wanted[project_id]))
        self._added.clear()
        self._wanted.clear()

    def claim_next(self, *, project_id: int, worker_id: int,
                   lease: NewLease | None = None) -> ClaimedTask | None:
        """Take one slot of the first task this worker has not seen that still has room,
        and with ``lease``, lease it to the worker as ordinary work (in the same statement
        on PostgreSQL; the lease's id is the result's ``assignment_id``).

        On PostgreSQL the row is locked with SKIP LOCKED, so concurrent claimers pass each
        other instead of queueing; on SQLite the caller's BEGIN IMMEDIATE serialises writers.
        The CHECK constraint on ``taken`` backs the redundancy cap in both.
        """
        # Start after the last task this worker was served: the tasks before it are mostly
        # ones they did, and scanning past them made each claim slower than the last. Open
        # slots left behind (skips, expiries) are found by the second pass.
        params: dict[str, Any] = {"claim_project": project_id, "claim_worker": worker_id}
        if lease is not None and self._postgres:
            params.update(leased_at=lease.leased_at, lease_expires_at=lease.expires,
                          price_minor=lease.price_minor, allowance_minor=lease.allowance_minor)
            with lease_conflict():
                rows = direct(self._conn, sql.lease_after_cursor, params)
                if not rows:
                    rows = direct(self._conn, sql.lease_any, params)
            return ClaimedTask(rows[0].id, rows[0].data, rows[0].assignment_id) if rows else None
        row = self._conn.execute(sql.claim_after_cursor, params).first()
        if row is None:
            row = self._conn.execute(sql.claim_any, params).first()
        if row is None:
            return None
        if lease is None:
            return ClaimedTask(row.id, row.data)
        leased = AssignmentRepository(self._conn).add(
            task_id=row.id, project_id=project_id, worker_id=worker_id, now=lease.leased_at,
            expires=lease.expires, price_minor=lease.price_minor,
            allowance_minor=lease.allowance_minor)
        return ClaimedTask(row.id, row.data, leased)

    def claim(self, task_id: int) -> ClaimedTask:
        """Take one slot of a given task (a gold task chosen by the caller)."""
        self._conn.execute(sql.take_slot, {"task_id": task_id})
        return ClaimedTask(task_id, self.data(task_id))

    def sample_data(self, project_id: int, limit: int) -> list[dict[str, Any]]:
        return [r.data for r in self._conn.execute(
            select(tasks.c.data).where(tasks.c.project_id == project_id)
            .order_by(tasks.c.id).limit(limit))]

    def data(self, task_id: int) -> dict[str, Any]:
        data: dict[str, Any] = self._conn.execute(sql.task_data,
                                                  {"task_id": task_id}).scalar_one()
        return data

    def free_slots(self, task_counts: Counter[int]) -> None:
        for task_id in sorted(task_counts):  # a fixed order: no deadlock between sweepers
            self._conn.execute(sql.free_slots,
                               {"task_id": task_id, "freed": task_counts[task_id]})

    def record_answer(self, task_id: int, update: ConsensusUpdate | None = None) -> None:
        """Count an answer on its task, with the task's consensus after it when given; the
        project's quality tally follows (``quality_totals.py``)."""
        if update is None:
            counted = self._conn.execute(sql.count_answer, {"task_id": task_id}).one()
            self._quality.answered(counted[0], is_gold=counted[1], settled=counted[2] is not None)
            return
        params = {"task_id": task_id, "consensus": update.consensus,
                  "confidence": update.confidence, "settled_at": update.settled_at}
        if self._postgres:
            row = self._conn.execute(sql.count_answer_with_consensus_locked, params).one()
            prior = row
        else:
            prior = self._conn.execute(sql.task_prior, params).one()
            row = self._conn.execute(sql.count_answer_with_consensus, params).one()
        self._quality.changed(
            row.project_id, is_gold=row.is_gold,
            before=TaskPart(prior.had_consensus, prior.had_confidence, prior.was_settled,
                            row.answered - 1, row.max_answers),
            after=TaskPart(update.consensus is not None, update.confidence,
                           row.settled_at is not None,
                           row.answered, row.max_answers))

    def export_rows(self, project_id: int, *, batch: int = 2000) -> Iterator[ExportRow]:
        """Every task of a project in id order, with its submitted answers.

        Two statements per ``batch`` tasks (keyset pagination by task id): the tasks, then the
        answers of their id range by the ``(task_id, worker_id)`` index — asking for the
        project's submitted answers instead led SQLite to the ``(project_id, status)`` index,
        which read every answer of the project for each batch. JSON columns are read as text
        and each column of a batch decoded in one call.
        """
        last_id = 0
        submitted = AssignmentStatus.SUBMITTED.value
        while True:
            chunk = self._conn.execute(
                select(tasks.c.id, cast(tasks.c.data, Text), tasks.c.is_gold,
                       cast(tasks.c.gold_answer, Text), cast(tasks.c.consensus, Text),
                       tasks.c.confidence, tasks.c.settled_at.is_not(None))
                .where(tasks.c.project_id == project_id, tasks.c.id > last_id)
                .order_by(tasks.c.id).limit(batch)).all()
            if not chunk:
                return
            first, last_id = chunk[0][0], chunk[-1][0]
            # Other projects' tasks may sit in the id range: their answers are skipped here.
            found = [a for a in self._conn.execute(
                select(assignments.c.task_id, assignments.c.project_id, assignments.c.status,
                       assignments.c.worker_id, cast(assignments.c.answer, Text))
                .where(assignments.c.task_id.between(first, last_id))
                .order_by(assignments.c.task_id, assignments.c.submitted_at, assignments.c.id)
            ).all() if a[2] == submitted and a[1] == project_id]
            answers: dict[int, list[tuple[int, Any]]] = {}
            for a, answer in zip(found, decoded_json(a[4] for a in found), strict=True):
                answers.setdefault(a[0], []).append((a[3], answer))
            columns = zip(decoded_json(t[1] for t in chunk), decoded_json(t[3] for t in chunk),
                          decoded_json(t[4] for t in chunk), strict=True)
            for t, (data, gold, consensus) in zip(chunk, columns, strict=True):
                yield ExportRow(t[0], data, answers.get(t[0], []), gold, bool(t[2]), consensus,
                                t[5], bool(t[6]))

