"""Transaction-level steps of quality control: which task to serve a worker (qualification item,
gold task, work), grading a gold answer, a task's consensus after an answer."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from fairlabel.domain.accounts import User
from fairlabel.domain.algorithms import QUALIFICATION_RULE
from fairlabel.domain.assignment import Assignment, Purpose
from fairlabel.domain.decisions import DecisionKind
from fairlabel.domain.messages import Msg, Value
from fairlabel.domain.projects import Project, ProjectNotOpen
from fairlabel.domain.quality import (
    Qualification,
    QualificationState,
    QualificationStatus,
    answer_key,
    classes,
    is_correct,
    key_to_answer,
    qualification_status,
    serve_gold,
)
from fairlabel.services.ports.decisions import HasDecisions
from fairlabel.services.ports.quality import (
    ConsensusUpdate,
    HasConsensus,
    HasGold,
)
from fairlabel.services.ports.work import ClaimedTask, HasTasks, NewLease, ProjectFacts
from fairlabel.services.steps.decisions import record_decision


class AfterGradedTx(HasGold, HasDecisions, Protocol):
    """The transaction of ``after_graded``."""


class GradeTx(HasGold, Protocol):
    """The transaction of ``grade``."""


class IncrementalConsensusTx(HasConsensus, Protocol):
    """The transaction of ``incremental_consensus``."""


class PickTaskTx(HasTasks, HasGold, Protocol):
    """The transaction of ``pick_task``, ``_qualification_item``."""


GOLD_CANDIDATES = 200  # unseen gold tasks a draw chooses among


class _QualificationRefusal(ProjectNotOpen):
    def __init__(self, message: str, *, details: dict[str, object], **params: Value) -> None:
        super().__init__(Msg(message, params))
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


def pick_task(tx: PickTaskTx, project: Project, worker: User, *, now: datetime,
              rng: random.Random, lease: NewLease | None = None) -> Pick | None:
    """Choose what to serve: the qualification test until passed, then ordinary work with a
    share of gold tasks mixed in. None when no ordinary work is left for this worker. With
    ``lease``, ordinary work is leased with its claim (``Tasks.claim_next``): the pick's
    task then carries its ``assignment_id``."""
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
    claimed = tx.tasks.claim_next(project_id=project.id, worker_id=worker.id, lease=lease)
    return Pick(claimed, Purpose.WORK) if claimed is not None else None


def _qualification_item(tx: PickTaskTx, project_id: int, worker: User, rule: Qualification,
                        status: QualificationStatus, *, now: datetime,
                        rng: random.Random) -> Pick:
    if status.state is QualificationState.FAILED:
        assert status.attempt is not None and status.retry_at is not None
        if status.attempt.revoked_at is not None:
            raise QualificationFailed(
                "a moderator revoked your qualification for this project (see your decisions, "
                "where you can appeal it); you may take the test again from {retry_at}.",
                details={"retry_at": status.retry_at.isoformat(), "revoked": True},
                retry_at=status.retry_at)
        raise QualificationFailed(
            "you answered {correct} of {answered} qualification items right; the pass mark is "
            "{pass_mark} %. You may take the test again from {retry_at}.",
            details={"retry_at": status.retry_at.isoformat(),
                     "correct": status.attempt.correct, "answered": status.attempt.answered},
            correct=status.attempt.correct, answered=status.attempt.answered,
            pass_mark=round(rule.pass_mark * 100), retry_at=status.retry_at)
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


def grade(tx: GradeTx, facts: ProjectFacts, assignment: Assignment, answer: Any) -> bool | None:
    """Whether a gold or qualification answer is right (None for ordinary work)."""
    if assignment.purpose is Purpose.WORK:
        return None
    return is_correct(facts.schema, answer, tx.gold.expected(assignment.task_id))


def after_graded(tx: AfterGradedTx, facts: ProjectFacts, assignment: Assignment,
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
                explanation=Msg("You answered {correct} of {answered} items of the "
                                "qualification test right; the pass mark is {pass_mark} %. You "
                                "may take it again from {retry_at}, {hours} hours later, on "
                                "items you have not seen.",
                                {"correct": attempt.correct, "answered": attempt.answered,
                                 "pass_mark": round(rule.pass_mark * 100),
                                 "retry_at": now + timedelta(hours=rule.retry_after_hours),
                                 "hours": rule.retry_after_hours}))


def follows_consensus(facts: ProjectFacts) -> bool:
    """Whether each answer updates its task's consensus (``incremental_consensus``): a
    project with a confidence target, of a type that is not structured (those are refitted
    only)."""
    return facts.quality.confidence_target is not None and not facts.schema.structured


def incremental_consensus(tx: IncrementalConsensusTx, facts: ProjectFacts, task_id: int,
                          *, now: datetime) -> ConsensusUpdate | None:
    """For a project with a confidence target: the task's consensus after this answer, from
    its answers and the workers' accuracies of the last refit (one-coin posterior; a vote
    share for majority-vote projects), and whether it is settled."""
    target = facts.quality.confidence_target
    if target is None or not follows_consensus(facts):
        return None
    from fairlabel.aggregation.online import settled

    answers = tx.consensus.task_answers(task_id)
    keys = [answer_key(facts.schema, a.answer) for a in answers]
    best, confidence = task_consensus(facts, keys, [a.accuracy for a in answers])
    done = (len(keys) < facts.redundancy
            and settled(confidence, len(keys), target=target,
                        min_answers=facts.quality.min_answers, max_answers=facts.redundancy))
    return ConsensusUpdate(key_to_answer(facts.schema, best), confidence,
                           now if done else None)


def task_consensus(facts: ProjectFacts, keys: Sequence[Hashable],
                   accuracies: Sequence[float | None]) -> tuple[Hashable, float]:
    """One task's consensus key and its confidence from its answers' keys and their workers'
    accuracies as the last refit estimated them (a worker without one counts as
    ``DEFAULT_WORKER_ACCURACY``): the one-coin posterior, or the vote share for a
    majority-vote project. Ties go to the class declared first."""
    from fairlabel.aggregation.online import DEFAULT_WORKER_ACCURACY, task_posterior

    known = classes(facts.schema) or sorted(set(keys), key=str)
    if facts.quality.consensus_method == "mv":
        votes = Counter(keys)
        posterior = {k: votes[k] / len(keys) for k in known}
    else:
        posterior = task_posterior(
            keys, [DEFAULT_WORKER_ACCURACY if a is None else a for a in accuracies], known)
    best = max(posterior, key=lambda k: (posterior[k], -known.index(k) if k in known else 0))
    return best, float(posterior[best])
