"""Use cases of quality control: which task to serve (qualification, gold, work), grading gold
answers, the consensus of each task (updated on each answer for adaptive projects, refitted
periodically for all), and what workers and requesters see of it.

The aggregation library (numpy, scipy) is imported only when a consensus is computed, so an
app server whose projects use none of it does not load it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import partial
from threading import Event
from typing import TYPE_CHECKING, NamedTuple, Protocol

from fairlabel.domain.accounts import Role, User, require_role
from fairlabel.domain.consensus_upkeep import (
    UPDATE_LAG,
    Covered,
    Upkeep,
    UpkeepPolicy,
    plan,
    watermark,
)
from fairlabel.domain.quality import (
    GoldScore,
    Qualification,
    QualificationStatus,
    qualification_status,
)
from fairlabel.services.ports.accounts import HasUsers
from fairlabel.services.ports.quality import (
    ConsensusColumns,
    ConsensusSummary,
    HasConsensus,
    HasConsensusUpkeep,
    HasGold,
    MissedGold,
    TaskAnswer,
    TaskConsensus,
    WorkerSkill,
)
from fairlabel.services.ports.transaction import Commits, Database
from fairlabel.services.ports.work import HasProjects, ProjectFacts
from fairlabel.services.steps.access import own_project, visible_project
from fairlabel.services.steps.consensus import (
    CodedAnswers,
    answers_per_task,
    as_columns,
    changed_tasks,
    coded_answers,
)
from fairlabel.services.steps.consensus_update import updated_consensus
from fairlabel.services.steps.fitting import STRUCTURED_ESTIMATORS, fit_consensus

if TYPE_CHECKING:  # numpy loads only where a consensus is computed
    import numpy as np
    from numpy.typing import NDArray

UPKEEP = UpkeepPolicy()
"""When a project's consensus is refit whole rather than updated (``refit_consensus``)."""


class MyQualityTx(HasProjects, HasGold, Protocol):
    """The transaction of ``my_quality``."""


class ProjectQualityTx(HasUsers, HasProjects, HasGold, HasConsensus, HasConsensusUpkeep, Commits,
                       Protocol):
    """The transaction of ``project_quality``."""


class RefreshConsensusTx(HasProjects, HasGold, HasConsensus, HasConsensusUpkeep, Commits,
                         Protocol):
    """The transaction of ``refresh_consensus``, ``_refit``."""


@dataclass(frozen=True, slots=True)
class Refit:
    project_id: int
    tasks: int
    settled: int
    unsettled: int
    written: int = 0  # tasks whose stored consensus changed
    kind: Upkeep = Upkeep.REFIT  # refit whole, or updated task by task
    # False: another upkeep of the project recorded what it covered while this one ran, so
    # what each wrote may be older than the other's; the project was left for the next one.
    recorded: bool = True


class RefitConsensus(Protocol):
    """How one project's consensus is refit: ``refit_consensus`` in this process, or the same
    in a worker process on a database connection of its own, which gives back only the
    summary (the app server's large refits: ``adapters/compute.py``)."""

    def __call__(self, db: Database[RefreshConsensusTx], project_id: int, *, now: datetime,
                 seed: int) -> Refit: ...


@dataclass(frozen=True, slots=True)
class RefitSize:
    answers: int  # the project's submitted answers (its count, not read one by one)
    structured: bool  # boxes, spans or rankings
    covered: int = 0  # the answers its consensus took in at the last refit or update


def refit_size(db: Database[RefreshConsensusTx], project_id: int) -> RefitSize:
    """What a refit of the project would read, from its counts alone (one short read)."""
    with db.read() as tx:
        return RefitSize(tx.consensus.answer_count(project_id),
                         tx.projects.facts(project_id).schema.structured,
                         tx.upkeep.covered(project_id).answers or 0)


WRITE_CHUNK = 500
"""Tasks whose consensus a refit writes per transaction (short writes: workers never wait)."""


def _write_chunks(db: Database[RefreshConsensusTx], count: int,
                  rows: Callable[[int, int], Sequence[TaskConsensus]], *, writers: int) -> None:
    """``rows(start, end)`` for each chunk of ``WRITE_CHUNK`` of ``count`` rows, each in a
    transaction of its own; with ``writers`` above one, that many transactions at once (on
    PostgreSQL, each on a connection of its own: the database's work on the rows, most of a
    large refit, then runs on as many cores). Each chunk's rows are made when it is written,
    so that a large refit never holds them all. After a failure no chunk begins (those
    already writing end) and the failure is raised; the project stays stale for the next
    upkeep, which writes what differs."""
    failed = Event()

    def save(start: int) -> None:
        if failed.is_set():
            return
        try:
            with db.write() as tx:
                tx.consensus.save(rows(start, min(start + WRITE_CHUNK, count)))
                tx.commit()
        except BaseException:
            failed.set()
            raise

    starts = range(0, count, WRITE_CHUNK)
    if writers <= 1 or len(starts) < 2:
        for start in starts:
            save(start)
        return
    pool = ThreadPoolExecutor(min(writers, len(starts)), thread_name_prefix="consensus-write")
    try:
        for done in [pool.submit(save, start) for start in starts]:
            done.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def refresh_consensus(db: Database[RefreshConsensusTx], *, now: datetime,
                      project_id: int | None = None,
                      seed: int = 0, refit: RefitConsensus | None = None,
                      min_interval: timedelta | None = None) -> list[Refit]:
    """Refit the consensus of every project with answers newer than its last refit (or of
    one project, when stale) — with ``min_interval``, only projects whose last refit is at
    least that old — each by ``refit`` (by default ``refit_consensus``, in this process)."""
    with db.read() as tx:
        ids = tx.consensus.stale_projects(
            project_id, covered_before=now - min_interval if min_interval else None)
    return [(refit or refit_consensus)(db, pid, now=now, seed=seed) for pid in ids]


def refit_consensus(db: Database[RefreshConsensusTx], project_id: int, *, now: datetime,
                    seed: int, policy: UpkeepPolicy = UPKEEP, writers: int = 1) -> Refit:
    """Bring one project's consensus up to date: refit whole, or updated task by task when
    ``domain/consensus_upkeep.py`` allows it (the tasks answered since the last watermark,
    with the workers' accuracies of the last refit). Read in one transaction, computed outside
    any, what changed written in short transactions, ``writers`` of them at once. A refit of
    a categorical project reads its answers, stored consensus and settled tasks as arrays (no
    object per answer or per task); a structured project's answers are read as objects."""
    done = _until_recorded(partial(_upkeep, db, project_id, now=now, seed=seed,
                                   policy=policy, refit=True, writers=writers))
    assert done is not None
    return done


def update_consensus(db: Database[RefreshConsensusTx], project_id: int, *, now: datetime,
                     policy: UpkeepPolicy = UPKEEP) -> Refit | None:
    """``refit_consensus`` when it would be an update (which loads neither numpy nor the
    project's answers); None, having done nothing, when the project must be refit whole."""
    return _until_recorded(partial(_upkeep, db, project_id, now=now, seed=0, policy=policy,
                                   refit=False))


UPKEEP_TRIES = 3
"""Upkeeps of one project run side by side (an export in one server process, the sweep in
another) read, compute and write in steps, so an older consensus may be written over a newer
one. The one that records second finds the other's record (``mark_covered``), puts the
project's record back to what it read and runs again, up to this many times in all; after
that, the project is left stale for the next upkeep."""


def _until_recorded(upkeep: Callable[[], Refit | None]) -> Refit | None:
    done = upkeep()
    for _ in range(UPKEEP_TRIES - 1):
        if done is None or done.recorded:
            break
        done = upkeep()
    return done


def _upkeep(db: Database[RefreshConsensusTx], project_id: int, *, now: datetime, seed: int,
            policy: UpkeepPolicy, refit: bool, writers: int = 1) -> Refit | None:
    cutoff = now - UPDATE_LAG
    with db.read() as tx:
        facts = tx.projects.facts(project_id)
        covered = tx.upkeep.covered(project_id)
        marks = tx.upkeep.marks(project_id, since=covered.until, cutoff=cutoff)
        structured = facts.schema.structured
        if covered.until is not None and plan(covered, marks, structured=structured,
                                              policy=policy) is Upkeep.UPDATE:
            answers = tx.upkeep.answers_since(project_id, covered.until)
            update = updated_consensus(facts, answers, tx.consensus.of_tasks(
                [a.task_id for a in answers]))
            del answers
        elif not refit:
            return None
        else:
            update = None
            fit = _read_fit(tx, facts, project_id)
    until, counted = watermark(marks, cutoff, structured=structured, policy=policy)
    if update is not None:
        changed = update.changed
        _write_chunks(db, len(changed), lambda start, end: changed[start:end],
                      writers=writers)
        with db.write() as tx:
            tx.consensus.settle(update.settle, now=now)
            tx.consensus.unsettle(update.unsettle)
            recorded = tx.upkeep.mark_covered(project_id, until=until, answers=counted,
                                              fitted=None, seen=covered)
            tx.commit()
        return Refit(project_id, update.tasks, len(update.settle), len(update.unsettle),
                     len(update.changed), Upkeep.UPDATE, recorded)
    return _refit(db, facts, project_id, fit, seed=seed, now=now,
                  covered=(until, counted, marks.total), seen=covered, writers=writers)


class _FitInput(NamedTuple):
    answers: CodedAnswers | list[TaskAnswer]
    gold: dict[int, GoldScore]
    was_settled: NDArray[np.int64]
    stored: ConsensusColumns


def _read_fit(tx: RefreshConsensusTx, facts: ProjectFacts, project_id: int) -> _FitInput:
    answers: CodedAnswers | list[TaskAnswer]
    if facts.schema.structured:
        answers = _with_texts(tx, facts, project_id, tx.consensus.project_answers(project_id))
    else:
        answers = coded_answers(
            tx.consensus.answer_columns(project_id, facts.schema.answer_key), facts.schema)
    return _FitInput(answers, tx.gold.scores(project_id),
                     tx.consensus.settled_task_ids(project_id),
                     tx.consensus.stored_consensus(project_id))


def _refit(db: Database[RefreshConsensusTx], facts: ProjectFacts, project_id: int,
           fit: _FitInput, *, seed: int, now: datetime,
           covered: tuple[datetime | None, int, int], seen: Covered, writers: int) -> Refit:
    import numpy as np

    answers, gold, was_settled, stored = fit
    del fit
    fitted, skills = fit_consensus(facts, answers, gold, seed)
    computed = fitted if isinstance(fitted, ConsensusColumns) else as_columns(fitted)
    quality = facts.quality
    settle: list[int] = []
    unsettle: list[int] = []
    if quality.confidence_target is not None:
        counts = answers_per_task(computed.task_ids, answers)
        reached = (computed.confidences >= quality.confidence_target) & (
            counts >= quality.min_answers)
        was = np.isin(computed.task_ids, was_settled)
        settle = computed.task_ids[reached & (counts < facts.redundancy) & ~was].tolist()
        unsettle = computed.task_ids[~reached & was].tolist()
    del answers
    changed = changed_tasks(computed, stored)
    del stored
    _write_chunks(db, len(changed), lambda start, end: computed.rows(changed[start:end]),
                  writers=writers)
    until, counted, fitted_answers = covered
    recorded = True
    with db.write() as tx:
        tx.consensus.save_skills(project_id, skills, now=now)
        tx.consensus.settle(settle, now=now)
        tx.consensus.unsettle(unsettle)
        if until is not None:
            recorded = tx.upkeep.mark_covered(project_id, until=until, answers=counted,
                                              fitted=fitted_answers, seen=seen)
        tx.commit()
    return Refit(project_id, len(computed), len(settle), len(unsettle), len(changed),
                 recorded=recorded)


def _with_texts(tx: RefreshConsensusTx, facts: ProjectFacts, project_id: int,
                answers: list[TaskAnswer]) -> list[TaskAnswer]:
    """The answers, each with its task's text when the project's method reads it."""
    method = STRUCTURED_ESTIMATORS.get(facts.quality.consensus_method)
    if method is None or not method.reads_text or not answers:
        return answers
    texts = tx.consensus.task_texts(project_id)
    return [replace(a, text=texts.get(a.task_id)) for a in answers]


@dataclass(frozen=True, slots=True)
class WorkerQuality:
    project_id: int
    gold: GoldScore
    missed: list[MissedGold]
    qualification: Qualification | None
    status: QualificationStatus


def my_quality(db: Database[MyQualityTx], worker: User, project_id: int, *,
               now: datetime) -> WorkerQuality:
    """A worker's own record on a project: gold accuracy, every gold task they missed with
    the expected answer (only after they answered it), and their qualification."""
    require_role(worker, Role.WORKER)
    with db.read() as tx:
        project = visible_project(tx, worker, project_id)
        rule = project.terms.quality.qualification
        score = tx.gold.score(worker_id=worker.id, project_id=project_id)
        missed = tx.gold.missed(worker_id=worker.id, project_id=project_id)
        attempts = tx.gold.attempts(project_id=project_id, worker_id=worker.id)
    return WorkerQuality(project_id, score, missed, rule,
                         qualification_status(rule, attempts, now=now))


@dataclass(frozen=True, slots=True)
class WorkerRow:
    worker: str  # pseudonym
    gold: GoldScore
    skill: WorkerSkill | None


@dataclass(frozen=True, slots=True)
class ProjectQuality:
    project_id: int
    gold_tasks: int
    summary: ConsensusSummary
    workers: list[WorkerRow]


def project_quality(db: Database[ProjectQualityTx], user: User, project_id: int, *, now: datetime,
                    refit: RefitConsensus | None = None) -> ProjectQuality:
    """The requester's view: consensus coverage, answers saved, and each worker's gold
    accuracy and agreement (refreshed first)."""
    require_role(user, Role.REQUESTER, Role.ADMIN)
    with db.read() as tx:
        own_project(tx, user, project_id)
    refresh_consensus(db, now=now, project_id=project_id, refit=refit)
    with db.read() as tx:
        gold_count = tx.gold.count(project_id)
        summary = tx.consensus.summary(project_id)
        scores = tx.gold.scores(project_id)
        skills = {s.worker_id: s for s in tx.consensus.skills(project_id)}
        names = tx.users.pseudonyms(set(scores) | set(skills))
    rows = [WorkerRow(names[w], scores.get(w, GoldScore(0, 0)), skills.get(w))
            for w in sorted(names, key=lambda w: names[w])]
    return ProjectQuality(project_id, gold_count, summary, rows)
