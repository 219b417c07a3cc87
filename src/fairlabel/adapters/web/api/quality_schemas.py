"""API models of quality control: a project's quality terms and the quality views."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from fairlabel.domain.quality import Qualification, QualityTerms
from fairlabel.services.quality import ProjectQuality, WorkerQuality

Method = Literal["mv", "wmv", "ds", "ods", "glad", "mace", "iou", "span", "token", "borda", "pl"]


class QualificationModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    size: StrictInt = Field(description="Gold items in the test (1–50), paid like any task.")
    pass_mark: float = Field(description="Share of right answers needed to pass, e.g. 0.8.")
    retry_after_hours: StrictInt = Field(default=24, description="Wait before a new attempt.")


class QualityModel(BaseModel):
    """Quality control, fixed when the project is created."""

    model_config = ConfigDict(extra="forbid")

    gold_rate: float = Field(default=0.0, description="Share of served tasks drawn from the "
                             "gold tasks (0–0.5); they look like any other task.")
    gold_min_accuracy: float | None = Field(
        default=None, description="The gold accuracy below which answers may be rejected "
        "without pay, once a worker has answered `gold_min_items` gold tasks.")
    gold_min_items: StrictInt = Field(default=5)
    qualification: QualificationModel | None = Field(
        default=None, description="A paid test of gold items before real work.")
    consensus_method: Method | None = Field(
        default=None, description="How the consensus of each task is inferred (see "
        "docs/aggregation.md and docs/task-types.md). Choice, rating, free-text and pairwise "
        "projects: mv, wmv, ds (the default), ods, glad or mace; bounding_boxes: iou; spans: "
        "span (the default) or token; ranking: borda (the default) or pl (Plackett–Luce).")
    confidence_target: float | None = Field(
        default=None, description="Adaptive redundancy: stop serving a task once its "
        "consensus reaches this posterior probability (0.5 ≤ target < 1). Not for "
        "bounding_boxes, spans or ranking projects.")
    min_answers: StrictInt = Field(default=2, description="Answers before a task may stop.")

    def to_terms(self) -> QualityTerms:
        q = self.qualification
        return QualityTerms(
            gold_rate=self.gold_rate, gold_min_accuracy=self.gold_min_accuracy,
            gold_min_items=self.gold_min_items,
            qualification=(Qualification(q.size, q.pass_mark, q.retry_after_hours)
                           if q else None),
            consensus_method=self.consensus_method or "",  # none: the task type's default
            confidence_target=self.confidence_target, min_answers=self.min_answers)

    @classmethod
    def of(cls, terms: QualityTerms) -> QualityModel:
        q = terms.qualification
        return cls(
            gold_rate=terms.gold_rate, gold_min_accuracy=terms.gold_min_accuracy,
            gold_min_items=terms.gold_min_items,
            qualification=(QualificationModel(size=q.size, pass_mark=q.pass_mark,
                                              retry_after_hours=q.retry_after_hours)
                           if q else None),
            consensus_method=terms.consensus_method,  # type: ignore[arg-type]
            confidence_target=terms.confidence_target, min_answers=terms.min_answers)


class GoldScorePublic(BaseModel):
    correct: int
    total: int
    accuracy: float = Field(description="Posterior mean under a Beta(3, 1) prior.")


class MissedGoldPublic(BaseModel):
    task_id: int
    data: dict[str, Any]
    your_answer: Any
    expected: Any
    submitted_at: datetime


class QualificationStatusPublic(BaseModel):
    required: bool
    state: Literal["not_required", "not_started", "in_progress", "passed", "failed"]
    size: int | None = None
    pass_mark: float | None = None
    answered: int | None = Field(default=None, description="Items of the latest attempt.")
    correct: int | None = None
    retry_at: datetime | None = Field(default=None, description="When failed: next attempt.")


class MyQualityPublic(BaseModel):
    project_id: int
    gold: GoldScorePublic
    missed_gold: list[MissedGoldPublic]
    qualification: QualificationStatusPublic

    @classmethod
    def of(cls, view: WorkerQuality) -> MyQualityPublic:
        status, rule, attempt = view.status, view.qualification, view.status.attempt
        return cls(
            project_id=view.project_id,
            gold=GoldScorePublic(correct=view.gold.correct, total=view.gold.total,
                                 accuracy=view.gold.accuracy),
            missed_gold=[MissedGoldPublic(task_id=m.task_id, data=m.data, your_answer=m.answer,
                                          expected=m.expected, submitted_at=m.submitted_at)
                         for m in view.missed],
            qualification=QualificationStatusPublic(
                required=rule is not None, state=status.state.value,
                size=rule.size if rule else None, pass_mark=rule.pass_mark if rule else None,
                answered=attempt.answered if attempt else None,
                correct=attempt.correct if attempt else None, retry_at=status.retry_at))


class WorkerQualityRow(BaseModel):
    worker: str = Field(description="Pseudonym.")
    gold: GoldScorePublic
    accuracy: float | None = Field(description="Agreement with the consensus and gold, "
                                   "smoothed by the same prior.")
    answers: int | None


class ConsensusPublic(BaseModel):
    tasks: int
    with_consensus: int
    settled_early: int = Field(description="Tasks stopped by adaptive redundancy.")
    answers: int
    answers_saved: int = Field(description="Answers not bought because tasks settled early.")
    mean_confidence: float | None


class ProjectQualityPublic(BaseModel):
    project_id: int
    gold_tasks: int
    consensus: ConsensusPublic
    workers: list[WorkerQualityRow]

    @classmethod
    def of(cls, view: ProjectQuality) -> ProjectQualityPublic:
        s = view.summary
        return cls(
            project_id=view.project_id, gold_tasks=view.gold_tasks,
            consensus=ConsensusPublic(tasks=s.tasks, with_consensus=s.with_consensus,
                                      settled_early=s.settled, answers=s.answers,
                                      answers_saved=s.answers_saved,
                                      mean_confidence=s.mean_confidence),
            workers=[WorkerQualityRow(
                worker=r.worker,
                gold=GoldScorePublic(correct=r.gold.correct, total=r.gold.total,
                                     accuracy=r.gold.accuracy),
                accuracy=r.skill.accuracy if r.skill else None,
                answers=r.skill.answers if r.skill else None) for r in view.workers])
