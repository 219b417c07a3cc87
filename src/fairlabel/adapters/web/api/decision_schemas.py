"""Bodies of the decision, review, appeal, proposal and voice routes."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt

from fairlabel.domain.decisions import Appeal
from fairlabel.services.appeals import QueuedAppeal
from fairlabel.services.steps.decisions import DecisionView
from fairlabel.services.voice import TestimonyView


class ReviewBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "reject"]
    reason: str = Field(default="", max_length=4000,
                        description="Required to reject; shown to the worker.")
    withhold_pay: StrictBool = Field(
        default=False, description="Reject without paying: refused (409) unless the evidence "
        "rule withhold_evidence@2 holds.")


class AppealPublic(BaseModel):
    id: int
    decision_id: int
    status: Literal["open", "upheld", "overturned"]
    message: str
    created_at: datetime
    deadline_at: datetime
    reason: str | None = Field(description="The moderator's written reason, once resolved.")
    resolved_at: datetime | None
    resolved_by: Literal["moderator", "deadline"] | None

    @classmethod
    def of(cls, appeal: Appeal) -> AppealPublic:
        by: Literal["moderator", "deadline"] | None = None
        if appeal.resolved_at is not None:
            by = "moderator" if appeal.resolved_by is not None else "deadline"
        return cls(id=appeal.id, decision_id=appeal.decision_id, status=appeal.status.value,
                   message=appeal.message, created_at=appeal.created_at,
                   deadline_at=appeal.deadline_at, reason=appeal.reason,
                   resolved_at=appeal.resolved_at, resolved_by=by)


class DecisionPublic(BaseModel):
    id: int
    kind: str = Field(description="answer_approved, answer_rejected, quality_block, "
                                  "qualification_failed, qualification_revoked, removal, "
                                  "topup, pause, project_ended, back_pay")
    rule: str | None = Field(description="The automated rule (name@version), or null when a "
                                         "person decided alone.")
    decided_by: str = Field(description='"rule", or the role of the person who decided.')
    status: Literal["final", "proposed", "declined"]
    project_id: int | None
    project_name: str | None
    assignment_id: int | None
    follows_id: int | None = Field(description="The proposal this decision confirms or "
                                               "declines.")
    inputs: dict[str, Any]
    outcome: str
    explanation: str
    created_at: datetime
    appeal: AppealPublic | None
    appealable: bool = Field(description="Whether the worker may appeal it now: a decision "
                                         "in force, against them, not yet appealed.")

    @classmethod
    def of(cls, view: DecisionView) -> DecisionPublic:
        d = view.decision
        return cls(id=d.id, kind=d.kind.value, rule=d.rule, decided_by=view.decided_by_role,
                   status=d.status.value, project_id=d.project_id,
                   project_name=view.project_name, assignment_id=d.assignment_id,
                   follows_id=d.follows_id, inputs=d.inputs, outcome=d.outcome,
                   explanation=str(d.explanation), created_at=d.created_at,
                   appeal=AppealPublic.of(view.appeal) if view.appeal else None,
                   appealable=view.appealable)


class AppealBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message: str = Field(min_length=1, max_length=4000,
                         description="What the moderator should know.")


class ResolveBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Literal["upheld", "overturned"]
    reason: str = Field(min_length=1, max_length=4000, description="Shown to the worker.")


class QueuedAppealPublic(BaseModel):
    appeal: AppealPublic
    decision: DecisionPublic
    worker: str = Field(description="The worker's pseudonym.")
    overdue: bool

    @classmethod
    def of(cls, item: QueuedAppeal) -> QueuedAppealPublic:
        return cls(appeal=AppealPublic.of(item.appeal),
                   decision=DecisionPublic.of(item.decision), worker=item.worker,
                   overdue=item.overdue)


class ProposalBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Literal["confirmed", "declined"]
    reason: str = Field(min_length=1, max_length=4000, description="Shown to the worker.")


class RestrictBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    worker: str = Field(min_length=1, max_length=64, description="The worker's pseudonym.")
    project_id: int
    reason: str = Field(min_length=1, max_length=4000, description="Shown to the worker.")


class RatingBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pay: StrictInt = Field(ge=1, le=5)
    communication: StrictInt = Field(ge=1, le=5)
    fairness: StrictInt = Field(ge=1, le=5, description="Fairness of review.")
    promptness: StrictInt = Field(ge=1, le=5)
    comment: str | None = Field(default=None, max_length=2000)


class Created(BaseModel):
    id: int


class TestimonyBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=5000)


class TestimonyPublic(BaseModel):
    id: int
    project_id: int
    project_name: str
    text: str
    status: Literal["pending", "approved", "rejected"]
    reply: str | None

    @classmethod
    def of(cls, view: TestimonyView) -> TestimonyPublic:
        return cls(id=view.id, project_id=view.project_id, project_name=view.project_name,
                   text=view.text, status=view.status.value, reply=view.reply)


class ModerateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Literal["approved", "rejected"]
    reason: str = Field(default="", max_length=4000,
                        description="Required to reject; shown to the author.")


class ReplyBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=4000)
