"""Request and response bodies of /api/v1 (Pydantic models, documented in OpenAPI)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from fairlabel.domain.money import Money
from fairlabel.services.projects import ProjectView


class MoneyModel(BaseModel):
    """An amount in integer minor units (cents for USD) and its ISO 4217 currency."""

    amount_minor: StrictInt = Field(examples=[5])
    currency: str = Field(min_length=3, max_length=3, examples=["USD"])

    def to_money(self) -> Money:
        return Money(self.amount_minor, self.currency)

    @classmethod
    def of(cls, money: Money) -> MoneyModel:
        return cls(amount_minor=money.amount_minor, currency=money.currency)


class ProjectCreate(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    instructions: str = Field(default="", description="Markdown; raw HTML is shown as text.")
    label_schema: dict[str, Any] = Field(
        alias="schema",
        description="e.g. {\"type\": \"single_choice\", \"choices\": [\"a\", \"b\"]}; also "
        "multi_choice, rating (min, max), free_text (max_length), pairwise.",
        examples=[{"type": "single_choice", "choices": ["positive", "negative"]}],
    )
    redundancy: StrictInt = Field(default=3, description="Distinct workers per task.")
    pay_per_task: MoneyModel
    lease_seconds: StrictInt | None = Field(
        default=None, description="How long a worker holds a task (default: platform setting)."
    )


class Progress(BaseModel):
    tasks: int
    answers: int
    answers_wanted: int


class ProjectPublic(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: int
    name: str
    instructions: str
    label_schema: dict[str, Any] = Field(serialization_alias="schema")
    redundancy: int
    pay_per_task: MoneyModel
    lease_seconds: int
    status: Literal["draft", "open", "paused", "ended"]
    created_at: datetime
    launched_at: datetime | None
    progress: Progress
    your_answers: int | None = Field(default=None, description="Workers: answers you gave.")

    @classmethod
    def of(cls, view: ProjectView) -> ProjectPublic:
        p, terms = view.project, view.project.terms
        return cls(
            id=p.id, name=terms.name, instructions=terms.instructions,
            label_schema=terms.schema.to_dict(), redundancy=terms.redundancy,
            pay_per_task=MoneyModel.of(terms.pay_per_task), lease_seconds=terms.lease_seconds,
            status=p.status.value, created_at=p.created_at, launched_at=p.launched_at,
            progress=Progress(tasks=view.counts.tasks, answers=view.counts.answers,
                              answers_wanted=view.counts.answers_wanted),
            your_answers=view.own_answers,
        )


class ImportResult(BaseModel):
    imported: int


class TaskPublic(BaseModel):
    id: int
    data: dict[str, Any]


class LeasePublic(BaseModel):
    assignment_id: int
    task: TaskPublic
    lease_expires_at: datetime


class SubmitBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answer: Any = Field(description="Shape set by the project's schema.")


class SubmissionPublic(BaseModel):
    assignment_id: int
    task_id: int
    answer: Any
    submitted_at: datetime
    replayed: bool


class Released(BaseModel):
    assignment_id: int
    released: bool = True


class ErrorBody(BaseModel):
    error: str
    message: str
