"""Use cases of quality control: which task to serve (qualification, gold, work), grading gold
answers, the consensus of each task (updated on each answer for adaptive projects, refitted
periodically for all), and what workers and requesters see of it.

The aggregation library (numpy, scipy) is imported only when a consensus is computed, so an
app server whose projects use none of it does not load it.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fairlabel.domain.accounts import Role, User
from fairlabel.domain.algorithms import QUALIFICATION_RULE
from fairlabel.domain.assignment import Assignment, Purpose
from fairlabel.domain.decisions import DecisionKind
from fairlabel.domain.projects import Project, ProjectNotOpen
from fairlabel.domain.quality import (
    GoldScore,
    Qualification,
    QualificationState,
    QualificationStatus,
    answer_key,
    classes,
    is_correct,
    key_to_answer,
    qualification_status,
    serve_gold,
    smoothed_agreement,
)
from fairlabel.services.decisions import record_decision
from fairlabel.services.ports import (
    ClaimedTask,
    ConsensusSummary,
    ConsensusUpdate,
    Database,
    MissedGold,
    ProjectFacts,
    TaskAnswer,
    Transaction,
    WorkerSkill,
)
from fairlabel.services.projects import own_project, require_role, visible_project

GOLD_CANDIDATES = 200  # unseen gold tasks a draw chooses among


class _QualificationRefusal(ProjectNotOpen):
    def __init__(self, message: str, *, details: dict[str, object]) -> None:
        super().__init__(message)
        self._details = details

    @property
    def details(self) -> dict[str, object]:
        return self._details


class QualificationFailed(_QualificationRefusal):
    code = "qualification_failed"


class NotEnoughGold(_QualificationRefusal):
    code = "not_enough_gold"


@dataclass(frozen=True, slots=True)
class Pick:
    task: ClaimedTask
    purpose: Purpose
    attempt_id: int | None = None


def pick_task(tx: Transaction, project: Project, worker: User, *, now: datetime,
              rng: random.Random) -> Pick | None:
    """Choose what to serve: the qualification test until passed, then ordinary work with a
    share of gold tasks mixed in. None when no ordinary work is left for this worker."""
    quality = project.terms.quality
    if quality.qualification is not None:
        status = qualification_status(
            quality.qualification,
            tx.gold.attempts(project_id=project.id, worker_id=worker.id), now=now)
        if not status.may_work():
            return _qualification_item(tx, project.id, worker, quality.qualification, status,
                                       now=now, rng=rng)
    if serve_gold(rng, quality.gold_rate):
        unseen = tx.gold.unseen(project_id=project.id, worker_id=worker.id,
                                limit=GOLD_CANDIDATES)
        if unseen:
            return Pick(tx.tasks.claim(rng.choice(unseen)), Purpose.GOLD)
    claimed = tx.tasks.claim_next(project_id=project.id, worker_id=worker.id)
    return Pick(claimed, Purpose.WORK) if claimed is not None else None


def _qualification_item(tx: Transaction, project_id: int, worker: User, rule: Qualification,
                        status: QualificationStatus, *, now: datetime,
                        rng: random.Random) -> Pick:
    if status.state is QualificationState.FAILED:
        assert status.attempt is not None and status.retry_at is not None
        if status.attempt.revoked_at is not None:
            raise QualificationFailed(
                "a moderator revoked your qualification for this project (see your decisions, "
                f"where you can appeal it); you may take the test again from "
                f"{status.retry_at:%Y-%m-%d %H:%M} UTC.",
                details={"retry_at": status.retry_at.isoformat(), "revoked": True})
        raise QualificationFailed(
            f"you answered {status.attempt.correct} of {status.attempt.answered} qualification "
            f"items right; the pass mark is {rule.pass_mark:.0%}. You may take the test again "
            f"from {status.retry_at:%Y-%m-%d %H:%M} UTC.",
            details={"retry_at": status.retry_at.isoformat(),
                     "correct": status.attempt.correct, "answered": status.attempt.answered})
    unseen = tx.gold.unseen(project_id=project_id, worker_id=worker.id, limit=GOLD_CANDIDATES)
    if status.state is QualificationState.IN_PROGRESS:
        assert status.attempt is not None
        attempt_id = status.attempt.id
        needed = 1
    else:
        attempt_id = None
        needed = rule.size
    if len(unseen) < needed:
        raise NotEnoughGold(
            "the qualification test needs gold items you have not seen, and the project has "
            "none left for you; its requester can add gold tasks",
            details={"needed": needed, "available": len(unseen)})
    if attempt_id is None:
        attempt_id = tx.gold.start_attempt(project_id=project_id, worker_id=worker.id, now=now)
    return Pick(tx.tasks.claim(rng.choice(unseen)), Purpose.QUALIFICATION, attempt_id)


def grade(tx: Transaction, facts: ProjectFacts, assignment: Assignment, answer: Any) -> bool | None:
    """Whether a gold or qualification answer is right (None for ordinary work)."""
    if assignment.purpose is Purpose.WORK:
        return None
    return is_correct(facts.schema, answer, tx.gold.expected(assignment.task_id))


def after_graded(tx: Transaction, facts: ProjectFacts, assignment: Assignment,
                 correct: bool | None, *, now: datetime) -> None:
    """Count a qualification answer in its attempt, and close the attempt when complete."""
    rule = facts.quality.qualification
    if assignment.purpose is not Purpose.QUALIFICATION or rule is None or correct is None:
        return
    assert assignment.attempt_id is not None
    attempt = tx.gold.count_attempt_answer(assignment.attempt_id, correct=correct)
    if attempt.answered >= rule.size and attempt.finished_at is None:
        passed = rule.passed(attempt.correct, attempt.answered)
        tx.gold.finish_attempt(attempt.id, passed=passed, now=now)
        if not passed:
            record_decision(
                tx, worker_id=assignment.worker_id, kind=DecisionKind.QUALIFICATION_FAILED,
                rule=QUALIFICATION_RULE, project_id=assignment.project_id, now=now,
                inputs={"correct": attempt.correct, "answered": attempt.answered,
                        "pass_mark": str(rule.pass_mark),
                        "retry_after_hours": rule.retry_after_hours},
                outcome="qualification test failed",
                explanation=f"You answered {attempt.correct} of {attempt.answered} items of "
                            f"the qualification test right; the pass mark is "
                            f"{rule.pass_mark:.0%}. You may take it again after "
                            f"{rule.retry_after_hours:g} hours, on items you have not seen.")


def incremental_consensus(tx: Transaction, facts: ProjectFacts, task_id: int,
                          *, now: datetime) -> ConsensusUpdate | None:
    """For a project with a confidence target: the task's consensus after this answer, from
    its answers and the workers' accuracies of the last refit (one-coin posterior; a vote
    share for majority-vote projects), and whether it is settled."""
    target = facts.quality.confidence_target
    if target is None:
        return None
    from fairlabel.aggregation.online import (
        DEFAULT_WORKER_ACCURACY,
        settled,
        task_posterior,
    )

    answers = tx.consensus.task_answers(task_id)
    keys = [answer_key(facts.schema, a.answer) for a in answers]
    known = classes(facts.schema) or sorted(set(keys), key=str)
    if facts.quality.consensus_method == "mv":
        votes = Counter(keys)
        posterior = {k: votes[k] / len(keys) for k in known}
    else:
        accuracies = [a.accuracy if a.accuracy is not None else DEFAULT_WORKER_ACCURACY
                      for a in answers]
        posterior = task_posterior(keys, accuracies, known)
    best = max(posterior, key=lambda k: (posterior[k], -known.index(k) if k in known else 0))
    confidence = float(posterior[best])
    done = (len(keys) < facts.redundancy
            and settled(confidence, len(keys), target=target,
                        min_answers=facts.quality.min_answers, max_answers=facts.redundancy))
    return ConsensusUpdate(key_to_answer(facts.schema, best), confidence,
                           now if done else None)


FitConsensus = Callable[
    [ProjectFacts, list[TaskAnswer], dict[int, GoldScore], int],
    tuple[list[tuple[int, Any, float]], list[WorkerSkill]],
]
"""How a refit computes: ``fit_consensus`` in process, or the same in a worker process."""


@dataclass(frozen=True, slots=True)
class Refit:
    project_id: int
    tasks: int
    settled: int
    unsettled: int
    written: int = 0  # tasks whose stored consensus changed


WRITE_CHUNK = 500
"""Tasks whose consensus a refit writes per transaction (short writes: workers never wait)."""

CONFIDENCE_STEP = 1e-3
"""A refit rewrites a task only when its consensus changed or its confidence moved this much."""


def refresh_consensus(db: Database, *, now: datetime, project_id: int | None = None,
                      seed: int = 0, fit: FitConsensus | None = None,
                      min_interval: timedelta | None = None) -> list[Refit]:
    """Refit the consensus of every project with answers newer than its last refit (or of
    one project, when stale) — with ``min_interval``, only projects whose last refit is at
    least that old. Reads in one transaction, computes outside any (``fit``, by default in
    this process), writes what changed in short transactions."""
    with db.read() as tx:
        ids = tx.consensus.stale_projects(
            project_id, covered_before=now - min_interval if min_interval else None)
    return [_refit(db, pid, now=now, seed=seed, fit=fit or fit_consensus) for pid in ids]


def _refit(db: Database, project_id: int, *, now: datetime, seed: int,
           fit: FitConsensus) -> Refit:
    with db.read() as tx:
        facts = tx.projects.facts(project_id)
        until = tx.consensus.latest_answer_at(project_id)
        answers = tx.consensus.project_answers(project_id)
        gold = tx.gold.scores(project_id)
        was_settled = tx.consensus.settled_ids(project_id)
        stored = tx.consensus.current(project_id)
    rows, skills = fit(facts, answers, gold, seed)
    quality = facts.quality
    settle: list[int] = []
    unsettle: list[int] = []
    if quality.confidence_target is not None:
        counts = Counter(a.task_id for a in answers)
        for task_id, _, confidence in rows:
            n = counts[task_id]
            reached = confidence >= quality.confidence_target and n >= quality.min_answers
            if reached and n < facts.redundancy and task_id not in was_settled:
                settle.append(task_id)
            elif not reached and task_id in was_settled:
                unsettle.append(task_id)
    changed = [(t, c, p) for t, c, p in rows
               if t not in stored or stored[t][0] != c
               or abs((stored[t][1] or 0.0) - p) >= CONFIDENCE_STEP]
    for start in range(0, len(changed), WRITE_CHUNK):
        with db.write() as tx:
            tx.consensus.save(changed[start:start + WRITE_CHUNK])
            tx.commit()
    with db.write() as tx:
        tx.consensus.save_skills(project_id, skills, now=now)
        tx.consensus.settle(settle, now=now)
        tx.consensus.unsettle(unsettle)
        if until is not None:
            tx.consensus.mark_refit(project_id, until=until)
        tx.commit()
    return Refit(project_id, len(rows), len(settle), len(unsettle), len(changed))


def fit_consensus(facts: ProjectFacts, answers: list[TaskAnswer], gold: dict[int, GoldScore],
                  seed: int = 0) -> tuple[list[tuple[int, Any, float]], list[WorkerSkill]]:
    """The project's consensus method over its answers: per task (id, consensus, confidence),
    and per worker their agreement with the consensus plus their gold answers."""
    if not answers:
        return [], [WorkerSkill(w, s.accuracy, s.correct, s.total) for w, s in gold.items()]
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
    rows = [(int(t), key_to_answer(schema, label), float(c))
            for t, label, c in zip(tasks, labels, confidences, strict=True)]
    consensus_of = dict(zip(tasks, labels, strict=True))
    agree = np.array([consensus_of[t] == k for t, k in zip(task_ids, keys, strict=True)])
    workers = np.array(worker_ids)
    agreed: Counter[int] = Counter(workers[agree].tolist())
    total: Counter[int] = Counter(worker_ids)
    skills = []
    for worker_id in sorted(set(total) | set(gold)):
        score = gold.get(worker_id, GoldScore(0, 0))
        right, n = agreed[worker_id] + score.correct, total[worker_id] + score.total
        skills.append(WorkerSkill(worker_id, smoothed_agreement(right, n), right, n))
    return rows, skills


@dataclass(frozen=True, slots=True)
class WorkerQuality:
    project_id: int
    gold: GoldScore
    missed: list[MissedGold]
    qualification: Qualification | None
    status: QualificationStatus


def my_quality(db: Database, worker: User, project_id: int, *, now: datetime) -> WorkerQuality:
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


def project_quality(db: Database, user: User, project_id: int, *, now: datetime,
                    fit: FitConsensus | None = None) -> ProjectQuality:
    """The requester's view: consensus coverage, answers saved, and each worker's gold
    accuracy and agreement (refreshed first)."""
    require_role(user, Role.REQUESTER, Role.ADMIN)
    with db.read() as tx:
        own_project(tx, user, project_id)
    refresh_consensus(db, now=now, project_id=project_id, fit=fit)
    with db.read() as tx:
        gold_count = tx.gold.count(project_id)
        summary = tx.consensus.summary(project_id)
        scores = tx.gold.scores(project_id)
        skills = {s.worker_id: s for s in tx.consensus.skills(project_id)}
        names = tx.users.pseudonyms(set(scores) | set(skills))
    rows = [WorkerRow(names[w], scores.get(w, GoldScore(0, 0)), skills.get(w))
            for w in sorted(names, key=lambda w: names[w])]
    return ProjectQuality(project_id, gold_count, summary, rows)
