"""What the consensus upkeep reads and records (``domain/consensus_upkeep.py``): a project's
answers counted by submission time, through ``ix_assignments_project`` (project, status,
submission time), and the answers of the tasks that received one since a watermark."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, ScalarSelect, Text, and_, bindparam, cast, func, select, update

from fairlabel.adapters.db.rows import decoded_json
from fairlabel.adapters.db.tables import assignments, project_holds, projects, worker_skills
from fairlabel.domain.assignment import AssignmentStatus, Purpose
from fairlabel.domain.consensus_upkeep import Covered, Marks
from fairlabel.services.ports.quality import TaskAnswer

_CHUNK = 2000  # task ids per statement
_SUBMITTED = AssignmentStatus.SUBMITTED.value
_WORK = Purpose.WORK.value
_submitted = and_(assignments.c.project_id == bindparam("project_id"),
                  assignments.c.status == _SUBMITTED)


def _after(moment: str) -> ScalarSelect[int]:
    return (select(func.count()).select_from(assignments)
            .where(_submitted, assignments.c.submitted_at > bindparam(moment))
            .scalar_subquery())


# One statement, hence one snapshot on both databases (PostgreSQL's READ COMMITTED gives each
# statement its own): the count each submission raises, the newest stamp, and the counts after
# the cutoff and after the last watermark (none when there is no watermark: `> NULL` is never
# true), each read from the index, not from the answers.
_marks = select(
    project_holds.c.answers,
    select(func.max(assignments.c.submitted_at)).where(_submitted).scalar_subquery(),
    _after("cutoff"),
    _after("since"),
).where(project_holds.c.project_id == bindparam("project_id"))
_touched = (select(assignments.c.task_id).distinct()
            .where(_submitted, assignments.c.purpose == _WORK,
                   assignments.c.submitted_at > bindparam("since"))
            .order_by(assignments.c.task_id))


class ConsensusUpkeepRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def covered(self, project_id: int) -> Covered:
        row = self._conn.execute(
            select(projects.c.consensus_until, projects.c.consensus_answers,
                   projects.c.consensus_fit_answers)
            .where(projects.c.id == project_id)).one()
        return Covered(row[0], None if row[1] is None else int(row[1]),
                       None if row[2] is None else int(row[2]))

    def marks(self, project_id: int, *, since: datetime | None, cutoff: datetime) -> Marks:
        """The project's answers counted in one snapshot (``Marks``)."""
        row = self._conn.execute(_marks, {"project_id": project_id, "cutoff": cutoff,
                                          "since": since}).one()
        return Marks(int(row[0]), row[1], int(row[2]), int(row[3]))

    def answers_since(self, project_id: int, since: datetime) -> list[TaskAnswer]:
        """Every submitted answer of each ordinary task that received one after ``since``,
        with its worker's accuracy as the last refit estimated it; by task, then as saved.

        A task's answers are found by its id alone (the unique index on task and worker):
        SQLite, which keeps no statistics, would otherwise take a status condition for the
        more selective and walk every submitted answer of the database. The few other rows
        of those tasks (leases, released ones) are left out here."""
        touched = list(self._conn.execute(_touched, {"project_id": project_id,
                                                     "since": since}).scalars())
        found: list[TaskAnswer] = []
        for start in range(0, len(touched), _CHUNK):
            rows = [r for r in self._conn.execute(
                select(assignments.c.task_id, assignments.c.worker_id,
                       cast(assignments.c.answer, Text), worker_skills.c.accuracy,
                       assignments.c.status, assignments.c.purpose)
                .outerjoin(worker_skills,
                           and_(worker_skills.c.project_id == assignments.c.project_id,
                                worker_skills.c.worker_id == assignments.c.worker_id))
                .where(assignments.c.task_id.in_(touched[start:start + _CHUNK]))
                .order_by(assignments.c.task_id, assignments.c.id))
                if r[4] == _SUBMITTED and r[5] == _WORK]
            found.extend(TaskAnswer(r[0], r[1], answer, r[3]) for r, answer in
                         zip(rows, decoded_json(r[2] for r in rows), strict=True))
        return found

    def mark_covered(self, project_id: int, *, until: datetime | None, answers: int,
                     fitted: int | None, seen: Covered) -> bool:
        """Record what an update or a refit took in (a refit: ``fitted``, the answers it
        fitted), unless another one recorded since this one read ``seen``: their writes may
        have interleaved, an older consensus written over a newer one. Then the record goes
        back to ``seen`` (or stays older), so that the next upkeep reads again every task
        either may have written; and False."""
        values: dict[str, object] = {"consensus_until": until, "consensus_answers": answers}
        if fitted is not None:
            values["consensus_fit_answers"] = fitted
        unchanged = and_(projects.c.id == project_id,
                         projects.c.consensus_until.is_not_distinct_from(seen.until),
                         projects.c.consensus_answers.is_not_distinct_from(seen.answers),
                         projects.c.consensus_fit_answers.is_not_distinct_from(seen.fitted))
        if self._conn.execute(update(projects).where(unchanged).values(values)).rowcount:
            return True
        newer = (projects.c.consensus_until.is_not(None) if seen.until is None
                 else projects.c.consensus_until > seen.until)
        self._conn.execute(update(projects).where(projects.c.id == project_id, newer)
                           .values(consensus_until=seen.until, consensus_answers=seen.answers))
        return False
