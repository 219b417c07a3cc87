"""Request and response bodies of /api/v1 (Pydantic models, documented in OpenAPI)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from fairlabel.adapters.web.api.quality_schemas import QualityModel
from fairlabel.domain.money import MAX_AMOUNT_MINOR, Money
from fairlabel.services.ports.money import ScheduledPrice
from fairlabel.services.projects import ProjectView
from fairlabel.services.steps.pay_view import ProjectPay


class MoneyModel(BaseModel):
    """An amount in integer minor units (cents for USD) and its ISO 4217 currency; at most
    10^12 minor units either side of zero (beyond is 422)."""

    amount_minor: StrictInt = Field(ge=-MAX_AMOUNT_MINOR, le=MAX_AMOUNT_MINOR, examples=[5])
    currency: str = Field(min_length=3, max_length=3, examples=["USD"])

    def to_money(self) -> Money:
        return Money(self.amount_minor, self.currency)

    @classmethod
    def of(cls, money: Money) -> MoneyModel:
        return cls(amount_minor=money.amount_minor, currency=money.currency)


class CommitmentModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ends_on: date | None = Field(default=None, description="Expected end date.")
    notice_days: StrictInt = Field(default=7, description="Notice before ending (minimum 7).")


class EndBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, description="Shown to the workers.")
    mode: Literal["notice", "immediate"]


class EndingPublic(BaseModel):
    project_id: int
    mode: str
    reason: str
    ends_at: datetime
    notice_pay: list[dict[str, Any]] = Field(description="Immediate mode: what each worker "
                                                         "was paid ({worker, amount}).")


class ProjectCreate(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    instructions: str = Field(default="", description="Markdown; raw HTML is shown as text.")
    label_schema: dict[str, Any] = Field(
        alias="schema",
        description="e.g. {\"type\": \"single_choice\", \"choices\": [\"a\", \"b\"]}; also "
        "multi_choice, rating (min, max), free_text (max_length), pairwise, bounding_boxes "
        "(labels, gold_iou), spans (labels, gold_f1), ranking (gold_tau). Each type's task "
        "data and answer format: docs/task-types.md.",
        examples=[{"type": "single_choice", "choices": ["positive", "negative"]}],
    )
    redundancy: StrictInt = Field(default=3, description="Distinct workers per task.")
    pay_per_task: MoneyModel
    lease_seconds: StrictInt | None = Field(
        default=None, description="How long a worker holds a task (default: platform setting)."
    )
    floor_hourly: MoneyModel | None = Field(
        default=None, description="Your own hourly floor, if higher than the platform's.")
    commitment: CommitmentModel = Field(default_factory=CommitmentModel)
    quality: QualityModel = Field(default_factory=QualityModel)


class Progress(BaseModel):
    tasks: int
    answers: int
    answers_wanted: int


class ProjectPublic(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: int
    requester_id: int = Field(description="Its requester's public record: "
                                          "/api/v1/public/requesters/{requester_id}.")
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
    pay: PayPublic | None = None
    commitment: CommitmentModel
    ending_at: datetime | None = Field(default=None, description="Ends with notice at.")
    ended_at: datetime | None = None
    end_reason: str | None = None
    continuation_of: int | None = Field(
        default=None, description="The earlier project this one continues (charter rule 5).")
    quality: QualityModel

    @classmethod
    def of(cls, view: ProjectView) -> ProjectPublic:
        p, terms = view.project, view.project.terms
        return cls(
            id=p.id, requester_id=p.requester_id, name=terms.name,
            instructions=terms.instructions,
            label_schema=terms.schema.to_dict(), redundancy=terms.redundancy,
            pay_per_task=MoneyModel.of(terms.pay_per_task), lease_seconds=terms.lease_seconds,
            status=p.status.value, created_at=p.created_at, launched_at=p.launched_at,
            progress=Progress(tasks=view.counts.tasks, answers=view.counts.answers,
                              answers_wanted=view.counts.answers_wanted),
            your_answers=view.own_answers,
            pay=PayPublic.of(view.pay) if view.pay else None,
            commitment=CommitmentModel(ends_on=terms.commitment.ends_on,
                                       notice_days=terms.commitment.notice_days),
            ending_at=p.ending_at, ended_at=p.ended_at, end_reason=p.end_reason,
            continuation_of=p.continuation_of,
            quality=QualityModel.of(terms.quality),
        )


class ImportResult(BaseModel):
    imported: int
    rows_read: int = Field(description="Rows read from the body (CSV: after the header).")
    columns: list[str] = Field(description="The data fields the rows hold: a CSV's header "
                               "(without `_gold`), or the fields of JSON tasks' data in the "
                               "order first seen (at most 100).")
    delimiter: str | None = Field(default=None, description="CSV: the delimiter detected "
                                  "(`,`, `;` or a tab).")


class TaskPublic(BaseModel):
    id: int
    data: dict[str, Any]


class LeasePublic(BaseModel):
    assignment_id: int
    task: TaskPublic
    lease_expires_at: datetime
    qualification: bool | None = Field(
        default=None, description="Present (true) on an item of the project's qualification "
        "test; gold tasks mixed into ordinary work carry no mark.")


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


class DepositCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    requester: str = Field(description="The requester's e-mail.")
    amount: MoneyModel


class DepositPublic(BaseModel):
    requester: str
    funds: MoneyModel


class FundBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: MoneyModel


class EscrowPublic(BaseModel):
    escrow: MoneyModel


class PriceBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pay_per_task: MoneyModel
    reason: str = Field(default="", max_length=2000, description="Shown to the workers.")


class PriceChangePublic(BaseModel):
    kind: str = Field(description="raise, cut, or floor (raised to meet the pay floor)")
    old: MoneyModel
    new: MoneyModel
    reason: str
    announced_at: datetime
    effective_at: datetime
    applied: bool


def price_change_public(change: ScheduledPrice) -> PriceChangePublic:
    return PriceChangePublic(
        kind=change.kind, old=MoneyModel(amount_minor=change.old_minor,
                                         currency=change.currency),
        new=MoneyModel(amount_minor=change.new_minor, currency=change.currency),
        reason=change.reason, announced_at=change.announced_at,
        effective_at=change.effective_at, applied=change.applied_at is not None)


class PayPublic(BaseModel):
    per_task: MoneyModel
    median_seconds: float | None = Field(description="Median measured working time.")
    measured_answers: int
    effective_hourly: MoneyModel | None = Field(
        description="Price ÷ median time, per hour; null until answers_for_rate are measured.")
    answers_for_rate: int = Field(description="Answers measured before the rate counts.")
    floor_hourly: MoneyModel
    escrow: MoneyModel = Field(description="Free escrow: funds not yet set aside.")
    reserved: MoneyModel = Field(description="Set aside for open leases and possible top-ups.")
    pending_changes: list[PriceChangePublic]

    @classmethod
    def of(cls, pay: ProjectPay) -> PayPublic:
        optional = MoneyModel.of(pay.effective_hourly) if pay.effective_hourly else None
        return cls(per_task=MoneyModel.of(pay.per_task), median_seconds=pay.median_seconds,
                   measured_answers=pay.measured_answers, effective_hourly=optional,
                   answers_for_rate=pay.answers_for_rate,
                   floor_hourly=MoneyModel.of(pay.floor_hourly),
                   escrow=MoneyModel.of(pay.escrow), reserved=MoneyModel.of(pay.reserved),
                   pending_changes=[price_change_public(c) for c in pay.pending_changes])


class Approved(BaseModel):
    assignment_id: int
    approved: bool = True


class BalancesPublic(BaseModel):
    pending: list[MoneyModel]
    available: list[MoneyModel]
    payout: list[MoneyModel]
    paid: list[MoneyModel]


class ProjectEarningsPublic(BaseModel):
    project_id: int
    name: str
    answers: int
    own_hourly: MoneyModel | None
    project_hourly: MoneyModel | None


class EntryPublic(BaseModel):
    account: str
    seq: int
    tx_id: str
    kind: str
    amount: MoneyModel
    memo: dict[str, Any]
    created_at: datetime
    hash: str


class EarningsPublic(BaseModel):
    balances: BalancesPublic
    projects: list[ProjectEarningsPublic]
    entries: list[EntryPublic]


class InboxMessagePublic(BaseModel):
    id: int
    project_id: int | None
    subject: str
    body: str
    created_at: datetime
    read: bool


class PayoutDetailsBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=140)
    iban: str = Field(min_length=15, max_length=42)
    bic: str | None = Field(default=None, max_length=11)
    country: str | None = Field(default=None, min_length=2, max_length=2)
