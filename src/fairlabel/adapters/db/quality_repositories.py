"""Repositories of quality control: gold tasks, qualification attempts, consensus, skills."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Connection,
    Text,
    and_,
    bindparam,
    case,
    cast,
    delete,
    false,
    func,
    insert,
    select,
    true,
    update,
)
from sqlalchemy.exc import IntegrityError

from fairlabel.adapters.db.columns import Columns, coded_json
from fairlabel.adapters.db.consensus_writes import save_consensus
from fairlabel.adapters.db.driver import stream
from fairlabel.adapters.db.quality_totals import QualityTotals, Tally
from fairlabel.adapters.db.rows import decoded_json
from fairlabel.adapters.db.tables import (
    assignments,
    project_holds,
    projects,
    qualification_attempts,
    tasks,
    worker_skills,
)
from fairlabel.domain.assignment import AssignmentStatus, Purpose
from fairlabel.domain.errors import Conflict
from fairlabel.domain.quality import Attempt, GoldScore
from fairlabel.services.ports.quality import (
    AnswerColumns,
    ConsensusColumns,
    ConsensusSummary,
    MissedGold,
    StoredConsensus,
    TaskAnswer,
    TaskConsensus,
    WorkerSkill,
)

if TYPE_CHECKING:  # numpy is imported by the refit's reads alone
    import numpy as np
    from numpy.typing import NDArray

SUBMITTED = AssignmentStatus.SUBMITTED.value
ANSWER_PARTITION = 50_000  # rows of answers read and decoded at a time
SHARED_ANSWERS = 10_000  # distinct plain answers shared, at most
_PLAIN = (str, int, float, bool)
WORK = Purpose.WORK.value
_CHUNK = 2000


def _attempt(row: Any) -> Attempt:
    return Attempt(row.id, row.started_at, row.answered, row.correct, row.finished_at,
                   row.passed, row.revoked_at)


# A project's submitted answers on its ordinary tasks, as a refit reads them.
_work_answers = (select(assignments.c.task_id, assignments.c.worker_id,
                        cast(assignments.c.answer, Text))
                 .where(assignments.c.project_id == bindparam("project_id"),
                        assignments.c.status == SUBMITTED, assignments.c.purpose == WORK)
                 .order_by(assignments.c.id))


class GoldRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def count(self, project_id: int) -> int:
        return int(self._conn.execute(
            select(func.count()).select_from(tasks)
            .where(tasks.c.project_id == project_id, tasks.c.is_gold == true())).scalar_one())

    def unseen(self, *, project_id: int, worker_id: int, limit: int) -> list[int]:
        """Gold tasks of the project this worker has never been served, by id."""
        seen = select(assignments.c.id).where(assignments.c.task_id == tasks.c.id,
                                              assignments.c.worker_id == worker_id).exists()
        return list(self._conn.execute(
            select(tasks.c.id).where(tasks.c.project_id == project_id,
                                     tasks.c.is_gold == true(), ~seen)
            .order_by(tasks.c.id).limit(limit)).scalars())

    def expected(self, task_id: int) -> Any:
        return self._conn.execute(select(tasks.c.gold_answer)
                                  .where(tasks.c.id == task_id)).scalar_one()

    def _scores(self, project_id: int, worker_id: int | None) -> dict[int, GoldScore]:
        query = (select(assignments.c.worker_id, func.count(),
                        func.sum(case((assignments.c.correct.is_(True), 1), else_=0)))
                 .where(assignments.c.project_id == project_id,
                        assignments.c.status == SUBMITTED,
                        assignments.c.correct.is_not(None))
                 .group_by(assignments.c.worker_id))
        if worker_id is not None:
            query = query.where(assignments.c.worker_id == worker_id)
        return {int(r[0]): GoldScore(int(r[2] or 0), int(r[1])) for r in self._conn.execute(query)}

    def score(self, *, worker_id: int, project_id: int) -> GoldScore:
        return self._scores(project_id, worker_id).get(worker_id, GoldScore(0, 0))

    def scores(self, project_id: int) -> dict[int, GoldScore]:
        return self._scores(project_id, None)

    def missed(self, *, worker_id: int, project_id: int) -> list[MissedGold]:
        rows = self._conn.execute(
            select(tasks.c.id, tasks.c.data, tasks.c.gold_answer, assignments.c.answer,
                   assignments.c.submitted_at)
            .join(assignments, assignments.c.task_id == tasks.c.id)
            .where(assignments.c.worker_id == worker_id,
                   assignments.c.project_id == project_id,
                   assignments.c.status == SUBMITTED, assignments.c.correct.is_(False))
            .order_by(assignments.c.submitted_at.desc(), assignments.c.id.desc()))
        return [MissedGold(r.id, r.data, r.answer, r.gold_answer, r.submitted_at) for r in rows]

    def attempts(self, *, project_id: int, worker_id: int) -> list[Attempt]:
        rows = self._conn.execute(
            select(qualification_attempts)
            .where(qualification_attempts.c.project_id == project_id,
                   qualification_attempts.c.worker_id == worker_id)
            .order_by(qualification_attempts.c.id))
        return [_attempt(r) for r in rows]

    def start_attempt(self, *, project_id: int, worker_id: int, now: datetime) -> int:
        try:
            new_id: int = self._conn.execute(
                insert(qualification_attempts).values(project_id=project_id,
                                                      worker_id=worker_id, started_at=now,
                                                      answered=0, correct=0)
                .returning(qualification_attempts.c.id)).scalar_one()
        except IntegrityError:
            raise Conflict("another request of yours started the qualification test at the "
                           "same moment; ask again", code="concurrent_request") from None
        return new_id

    def count_attempt_answer(self, attempt_id: int, *, correct: bool) -> Attempt:
        row = self._conn.execute(
            update(qualification_attempts)
            .where(qualification_attempts.c.id == attempt_id)
            .values(answered=qualification_attempts.c.answered + 1,
                    correct=qualification_attempts.c.correct + (1 if correct else 0))
            .returning(*qualification_attempts.c)).one()
        return _attempt(row)

    def revoke_pass(self, *, project_id: int, worker_id: int, now: datetime) -> bool:
        """Revoke the worker's standing pass; False when they hold none."""
        done = self._conn.execute(
            update(qualification_attempts)
            .where(qualification_attempts.c.project_id == project_id,
                   qualification_attempts.c.worker_id == worker_id,
                   qualification_attempts.c.passed == true(),
                   qualification_attempts.c.revoked_at.is_(None))
            .values(revoked_at=now))
        return bool(done.rowcount)

    def restore_pass(self, *, project_id: int, worker_id: int, revoked_at: datetime) -> None:
        """Undo a revocation (an appeal overturned it)."""
        self._conn.execute(
            update(qualification_attempts)
            .where(qualification_attempts.c.project_id == project_id,
                   qualification_attempts.c.worker_id == worker_id,
                   qualification_attempts.c.revoked_at == revoked_at)
            .values(revoked_at=None))

    def finish_attempt(self, attempt_id: int, *, passed: bool, now: datetime) -> None:
        self._conn.execute(update(qualification_attempts)
                           .where(qualification_attempts.c.id == attempt_id)
                           .values(finished_at=now, passed=passed))


_task_answers = (
    select(assignments.c.task_id, assignments.c.worker_id, assignments.c.answer,
           worker_skills.c.accuracy)
    .outerjoin(worker_skills, and_(worker_skills.c.project_id == assignments.c.project_id,
                                   worker_skills.c.worker_id == assignments.c.worker_id))
    .where(assignments.c.task_id == bindparam("task_id"), assignments.c.status == SUBMITTED)
    .order_by(assignments.c.id)
)


class ConsensusRepository:
    def __init__(self, conn: Connection, quality: QualityTotals) -> None:
        self._conn = conn
        self._quality = quality  # the transaction's: consensus writes and settling change it

    def task_answers(self, task_id: int) -> list[TaskAnswer]:
        """The submitted answers of one task, each with its worker's estimated accuracy."""
        return [TaskAnswer(r.task_id, r.worker_id, r.answer, r.accuracy)
                for r in self._conn.execute(_task_answers, {"task_id": task_id})]

    def project_answers(self, project_id: int) -> list[TaskAnswer]:
        """Every submitted answer on the project's ordinary tasks.

        Read in partitions of ``ANSWER_PARTITION`` rows, each decoded in one call, so that only
        the answers are held at the end, not the rows they came from; equal plain answers
        (the few labels of a choice project) share one object.
        """
        result = self._conn.execution_options(yield_per=ANSWER_PARTITION).execute(
            _work_answers, {"project_id": project_id})
        found: list[TaskAnswer] = []
        shared: dict[tuple[type, Any], Any] = {}
        for rows in result.partitions():
            for r, answer in zip(rows, decoded_json(r[2] for r in rows), strict=True):
                if type(answer) in _PLAIN and len(shared) < SHARED_ANSWERS:
                    answer = shared.setdefault((type(answer), answer), answer)
                found.append(TaskAnswer(r[0], r[1], answer))
        return found

    def answer_columns(self, project_id: int,
                       key: Callable[[Any], Hashable]) -> AnswerColumns:
        """``project_answers`` as columns, each answer's ``key`` as a code into the keys:
        read in partitions of ``ANSWER_PARTITION`` rows into arrays allocated once (for the
        project's count of answers), each distinct answer of a partition decoded and keyed
        once, so that nothing per answer outlives its partition but three numbers."""
        import numpy as np

        expected = self._conn.execute(select(project_holds.c.answers).where(
            project_holds.c.project_id == project_id)).scalar()
        columns = Columns(int(expected or 0), np.int64, np.int32, np.int32)
        task_ids, worker_ids, codes = columns.arrays
        code_of_key: dict[Hashable, int] = {}
        for rows in stream(self._conn, _work_answers, {"project_id": project_id},
                           size=ANSWER_PARTITION):
            start, end = columns.extend(len(rows))
            texts = [r[2] for r in rows]
            distinct = list(dict.fromkeys(texts))
            code_of_text = {text: code_of_key.setdefault(key(answer), len(code_of_key))
                            for text, answer in zip(distinct, decoded_json(distinct),
                                                    strict=True)}
            codes[start:end] = np.fromiter(map(code_of_text.__getitem__, texts), np.int32,
                                           len(texts))
            task_ids[start:end] = np.fromiter((r[0] for r in rows), np.int64, len(rows))
            worker_ids[start:end] = np.fromiter((r[1] for r in rows), np.int32, len(rows))
        columns.trim()
        return AnswerColumns(task_ids, worker_ids, codes, list(code_of_key))

    def task_texts(self, project_id: int) -> dict[int, str]:
        """The ``text`` of each ordinary task of the project that has one."""
        rows = self._conn.execute(
            select(tasks.c.id, tasks.c.data)
            .where(tasks.c.project_id == project_id, tasks.c.is_gold == false()))
        return {r.id: r.data["text"] for r in rows
                if isinstance(r.data, dict) and isinstance(r.data.get("text"), str)}

    def save(self, rows: Sequence[TaskConsensus]) -> None:
        save_consensus(self._conn, rows, self._quality)

    def settle(self, task_ids: Sequence[int], *, now: datetime) -> None:
        self._settle(task_ids, tasks.c.settled_at.is_(None), now, 1)

    def unsettle(self, task_ids: Sequence[int]) -> None:
        self._settle(task_ids, tasks.c.settled_at.is_not(None), None, -1)

    def _settle(self, task_ids: Sequence[int], was: Any, now: datetime | None,
                sign: int) -> None:
        """Settle (``sign`` 1) or unsettle (-1) the tasks that were not (were); each one
        changed adds or takes away its part of its project's quality tally."""
        for start in range(0, len(task_ids), _CHUNK):
            changed = self._conn.execute(
                update(tasks).where(tasks.c.id.in_(task_ids[start:start + _CHUNK]), was)
                .values(settled_at=now)
                .returning(tasks.c.project_id, tasks.c.is_gold, tasks.c.max_answers,
                           tasks.c.answered))
            for project_id, is_gold, max_answers, answered in changed:
                if not is_gold:
                    self._quality.add(project_id, Tally(
                        settled=sign, answers_saved=sign * (max_answers - answered)))

    def settled_task_ids(self, project_id: int) -> NDArray[np.int64]:
        """The project's settled tasks, ascending."""
        import numpy as np

        found = self._conn.execute(select(tasks.c.id).where(
            tasks.c.project_id == project_id, tasks.c.settled_at.is_not(None))).scalars().all()
        return np.sort(np.array(found, dtype=np.int64))

    def save_skills(self, project_id: int, skills: Sequence[WorkerSkill],
                    *, now: datetime) -> None:
        """Replace a project's worker skills. Two refits saving at once queue on the project's
        row; the second then deletes what the first inserted instead of colliding with it."""
        self._conn.execute(select(projects.c.id).where(projects.c.id == project_id)
                           .with_for_update(key_share=True)).all()
        self._conn.execute(delete(worker_skills).where(worker_skills.c.project_id == project_id))
        if skills:
            self._conn.execute(insert(worker_skills), [
                {"project_id": project_id, "worker_id": s.worker_id, "accuracy": s.accuracy,
                 "agreed": s.agreed, "answers": s.answers, "updated_at": now} for s in skills])

    def skills(self, project_id: int) -> list[WorkerSkill]:
        rows = self._conn.execute(select(worker_skills)
                                  .where(worker_skills.c.project_id == project_id)
                                  .order_by(worker_skills.c.worker_id))
        return [WorkerSkill(r.worker_id, r.accuracy, r.agreed, r.answers) for r in rows]

    def answer_count(self, project_id: int) -> int:
        """The project's count of submitted answers, which every submission raises (read
        before the answers a refit reads, it is at most the count they hold)."""
        return int(self._conn.execute(
            select(project_holds.c.answers).where(project_holds.c.project_id == project_id)
        ).scalar_one())

    def stale_projects(self, project_id: int | None = None, *,
                       covered_before: datetime | None = None) -> list[int]:
        """Projects (or the one given) with answers submitted after their last refit — their
        count of submitted answers is not the one the refit covered; never refit: any
        answer — with ``covered_before``, only those whose last refit covered answers up to
        before then. Over every project it reads their counts, never their answers (an
        EXISTS over them would be planned as one pass over every answer on PostgreSQL)."""
        if project_id is None:
            some = project_holds.c.answers > 0
        else:
            some = select(assignments.c.id).where(assignments.c.project_id == projects.c.id,
                                                  assignments.c.status == SUBMITTED).exists()
        never = (projects.c.consensus_answers.is_(None)
                 | projects.c.consensus_until.is_(None)) & some
        query = (select(projects.c.id)
                 .join(project_holds, project_holds.c.project_id == projects.c.id)
                 .where(never | (project_holds.c.answers != projects.c.consensus_answers))
                 .order_by(projects.c.id))
        if covered_before is not None:
            query = query.where(projects.c.consensus_until.is_(None)
                                | (projects.c.consensus_until < covered_before))
        if project_id is not None:
            query = query.where(projects.c.id == project_id)
        return list(self._conn.execute(query).scalars())

    def summary(self, project_id: int) -> ConsensusSummary:
        """From the project's tally (``quality_totals.py``) and its progress: two rows, never
        its tasks."""
        kept = self._quality.of_project(project_id)
        work = self._conn.execute(
            select(project_holds.c.work_tasks, project_holds.c.work_answered)
            .where(project_holds.c.project_id == project_id)).first()
        work_tasks, answered = (int(work[0]), int(work[1])) if work else (0, 0)
        return ConsensusSummary(
            work_tasks, kept.with_consensus, kept.settled, answered,
            kept.answers_saved,
            kept.confidence_sum / kept.confidences if kept.confidences else None)

    def stored_consensus(self, project_id: int) -> ConsensusColumns:
        """The stored consensus and confidence of every task of the project that has one,
        tasks ascending, as columns: read in partitions into arrays allocated once, each
        distinct stored consensus decoded once (up to ``SHARED_ANSWERS`` of them shared)."""
        import numpy as np

        expected = self._conn.execute(select(func.count()).select_from(tasks)
                                      .where(tasks.c.project_id == project_id)).scalar_one()
        result = self._conn.execution_options(yield_per=ANSWER_PARTITION).execute(
            select(tasks.c.id, cast(tasks.c.consensus, Text), tasks.c.confidence)
            .where(tasks.c.project_id == project_id, tasks.c.confidence.is_not(None))
            .order_by(tasks.c.id))
        columns = Columns(int(expected), np.int64, np.int32, np.float64)
        task_ids, codes, confidences = columns.arrays
        values: list[Any] = []
        code_of: dict[str | None, int] = {}
        for rows in result.partitions():
            start, end = columns.extend(len(rows))
            task_ids[start:end] = np.fromiter((r[0] for r in rows), np.int64, len(rows))
            confidences[start:end] = np.fromiter((r[2] for r in rows), np.float64, len(rows))
            codes[start:end] = coded_json((r[1] for r in rows), len(rows), code_of, values,
                                          SHARED_ANSWERS)
        columns.trim()
        return ConsensusColumns(task_ids, codes, values, confidences)

    def of_tasks(self, task_ids: Sequence[int]) -> dict[int, StoredConsensus]:
        """The stored consensus of each of the tasks, and whether it is settled."""
        wanted = sorted(set(task_ids))
        found: dict[int, StoredConsensus] = {}
        for start in range(0, len(wanted), _CHUNK):
            rows = self._conn.execute(
                select(tasks.c.id, tasks.c.consensus, tasks.c.confidence, tasks.c.settled_at)
                .where(tasks.c.id.in_(wanted[start:start + _CHUNK])))
            found.update((r[0], StoredConsensus(r[1], r[2], r[3] is not None)) for r in rows)
        return found

