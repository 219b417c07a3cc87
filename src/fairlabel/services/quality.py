"""Use cases of quality control: which task to serve (qualification, gold, work), grading gold
answers, the consensus of each task (updated on each answer for adaptive projects, refitted
periodically for all), and what workers and requesters see of it.

The aggregation library (numpy, scipy) is imported only when a consensus is computed, so an
app server whose projects use none of it does not load it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, NamedTuple, Protocol, overload

from fairlabel.domain.accounts import Role, User, require_role
from fairlabel.domain.errors import InvalidInput
from fairlabel.domain.label_schema import LabelSchema
from fairlabel.domain.quality import (
    GoldScore,
    Qualification,
    QualificationStatus,
    answer_key,
    classes,
    key_to_answer,
    qualification_status,
    smoothed_agreement,
)
from fairlabel.services.ports.accounts import HasUsers
from fairlabel.services.ports.quality import (
    ConsensusColumns,
    ConsensusSummary,
    HasConsensus,
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
    categorical_skills,
    changed_tasks,
    coded_answers,
    fit_columns,
)


class MyQualityTx(HasProjects, HasGold, Protocol):
    """The transaction of ``my_quality``."""


class ProjectQualityTx(HasUsers, HasProjects, HasGold, HasConsensus, Commits, Protocol):
    """The transaction of ``project_quality``."""


class RefreshConsensusTx(HasProjects, HasGold, HasConsensus, Commits, Protocol):
    """The transaction of ``refresh_consensus``, ``_refit``."""


@dataclass(frozen=True, slots=True)
class Refit:
    project_id: int
    tasks: int
    settled: int
    unsettled: int
    written: int = 0  # tasks whose stored consensus changed


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


def refit_size(db: Database[RefreshConsensusTx], project_id: int) -> RefitSize:
    """What a refit of the project would read, from its counts alone (one short read)."""
    with db.read() as tx:
        return RefitSize(tx.consensus.answer_count(project_id),
                         tx.projects.facts(project_id).schema.structured)


WRITE_CHUNK = 500
"""Tasks whose consensus a refit writes per transaction (short writes: workers never wait)."""


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
                    seed: int) -> Refit:
    """Refit one project's consensus: read in one transaction, computed outside any, what
    changed written in short transactions. A categorical project's answers, stored consensus
    and settled tasks are read as arrays (no object per answer or per task); a structured
    project's answers as objects."""
    import numpy as np

    with db.read() as tx:
        facts = tx.projects.facts(project_id)
        covered = tx.consensus.answer_count(project_id)  # first: at most what is read next
        until = tx.consensus.latest_answer_at(project_id)
        answers: CodedAnswers | list[TaskAnswer]
        if facts.schema.structured:
            answers = _with_texts(tx, facts, project_id, tx.consensus.project_answers(project_id))
        else:
            answers = coded_answers(
                tx.consensus.answer_columns(project_id, facts.schema.answer_key), facts.schema)
        gold = tx.gold.scores(project_id)
        was_settled = tx.consensus.settled_task_ids(project_id)
        stored = tx.consensus.stored_consensus(project_id)
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
    for start in range(0, len(changed), WRITE_CHUNK):
        with db.write() as tx:
            tx.consensus.save(computed.rows(changed[start:start + WRITE_CHUNK]))
            tx.commit()
    with db.write() as tx:
        tx.consensus.save_skills(project_id, skills, now=now)
        tx.consensus.settle(settle, now=now)
        tx.consensus.unsettle(unsettle)
        if until is not None:
            tx.consensus.mark_refit(project_id, until=until, answers=covered)
        tx.commit()
    return Refit(project_id, len(computed), len(settle), len(unsettle), len(changed))


def _with_texts(tx: RefreshConsensusTx, facts: ProjectFacts, project_id: int,
                answers: list[TaskAnswer]) -> list[TaskAnswer]:
    """The answers, each with its task's text when the project's method reads it."""
    method = STRUCTURED_ESTIMATORS.get(facts.quality.consensus_method)
    if method is None or not method.reads_text or not answers:
        return answers
    texts = tx.consensus.task_texts(project_id)
    return [replace(a, text=texts.get(a.task_id)) for a in answers]


@overload
def fit_consensus(facts: ProjectFacts, answers: CodedAnswers, gold: dict[int, GoldScore],
                  seed: int = 0, /) -> tuple[ConsensusColumns, list[WorkerSkill]]: ...


@overload
def fit_consensus(facts: ProjectFacts, answers: list[TaskAnswer], gold: dict[int, GoldScore],
                  seed: int = 0, /) -> tuple[list[TaskConsensus], list[WorkerSkill]]: ...


def fit_consensus(facts: ProjectFacts, answers: CodedAnswers | list[TaskAnswer],
                  gold: dict[int, GoldScore], seed: int = 0, /,
                  ) -> tuple[ConsensusColumns | list[TaskConsensus], list[WorkerSkill]]:
    """The project's consensus method over its answers: per task (id, consensus, confidence),
    and per worker their agreement with the consensus plus their gold answers. Answers as
    columns (a categorical project's refit) give the consensus as columns, the same values."""
    if isinstance(answers, CodedAnswers):
        return fit_columns(facts, answers, gold, seed)
    if not answers:
        return [], [WorkerSkill(w, s.accuracy, s.correct, s.total) for w, s in gold.items()]
    if facts.schema.structured:
        return _fit_structured(facts, answers, gold)
    import numpy as np

    from fairlabel.aggregation import make_aggregator

    schema = facts.schema
    keys = [answer_key(schema, a.answer) for a in answers]
    task_ids = [a.task_id for a in answers]
    worker_ids = [a.worker_id for a in answers]
    model = make_aggregator(facts.quality.consensus_method, seed=seed)
    result = model.fit(task_ids, worker_ids, keys, classes=classes(schema)).result_
    labels = result.labels.tolist()
    confidences = result.confidences.tolist()
    tasks = result.tasks.tolist()
    rows = [TaskConsensus(int(t), key_to_answer(schema, label), float(c))
            for t, label, c in zip(tasks, labels, confidences, strict=True)]
    consensus_of = dict(zip(tasks, labels, strict=True))
    agree = np.array([consensus_of[t] == k for t, k in zip(task_ids, keys, strict=True)])
    workers = np.array(worker_ids)
    agreed: Counter[int] = Counter(workers[agree].tolist())
    total: Counter[int] = Counter(worker_ids)
    return rows, categorical_skills(agreed, total, gold)


class Estimator(NamedTuple):
    """A structured consensus method: its module of ``fairlabel.aggregation``, its class
    and arguments (imported on first use, like the categorical ones), and whether its fit
    reads each task's text."""

    module: str
    name: str
    arguments: dict[str, str]
    reads_text: bool = False


STRUCTURED_ESTIMATORS = {
    "iou": Estimator("boxes", "BoxConsensus", {}),
    "span": Estimator("spans", "SpanConsensus", {"mode": "span"}),
    "token": Estimator("spans", "SpanConsensus", {"mode": "token"}, reads_text=True),
    "borda": Estimator("rankings", "RankingConsensus", {"method": "borda"}),
    "pl": Estimator("rankings", "RankingConsensus", {"method": "plackett_luce"}),
}


def _fit_structured(facts: ProjectFacts, answers: list[TaskAnswer],
                    gold: dict[int, GoldScore]) -> tuple[list[TaskConsensus], list[WorkerSkill]]:
    """Boxes, spans and rankings: the consensus answer of the method's estimator, its
    agreement as confidence, and each worker's mean agreement (with their gold answers)
    smoothed like a categorical worker's accuracy."""
    import importlib

    method = STRUCTURED_ESTIMATORS[facts.quality.consensus_method]
    model = getattr(importlib.import_module(f"fairlabel.aggregation.{method.module}"),
                    method.name)(**method.arguments)
    columns = ([a.task_id for a in answers], [a.worker_id for a in answers],
               [a.answer for a in answers])
    if method.reads_text:
        texts = {a.task_id: a.text or "" for a in answers}
        result = model.fit(*columns, texts=texts).result_
    else:
        result = model.fit(*columns).result_
    rows = [TaskConsensus(int(task), _canonical(facts.schema, consensus),
                          float(result.agreement[task]))
            for task, consensus in sorted(result.consensus.items())]
    return rows, _structured_skills(answers, result.worker_agreement, gold)


def _structured_skills(answers: list[TaskAnswer], agreement: dict[Any, float],
                       gold: dict[int, GoldScore]) -> list[WorkerSkill]:
    """Each worker's summed agreement with the consensus (an IoU, F1 or mapped tau per
    answer) plus their right gold answers, over their answers and gold answers."""
    total: Counter[int] = Counter(a.worker_id for a in answers)
    skills = []
    for worker_id in sorted(set(total) | set(gold)):
        score = gold.get(worker_id, GoldScore(0, 0))
        agreed = float(agreement.get(worker_id, 0.0)) * total[worker_id]
        right, n = agreed + score.correct, total[worker_id] + score.total
        skills.append(WorkerSkill(worker_id, smoothed_agreement(right, n), round(right), n))
    return skills


def _canonical(schema: LabelSchema, consensus: Any) -> Any:
    """A consensus in the schema's stored form (coordinates rounded, spans sorted), or as
    the estimator gave it should it not be a valid answer."""
    try:
        return schema.validate_answer(consensus)
    except InvalidInput:
        return consensus


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
