"""/api/v1 continuation cases (charter rule 5 across requester accounts): the moderators'
list, confirm, dismiss."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from fairlabel.adapters.web.api.schemas import MoneyModel
from fairlabel.adapters.web.deps import ContainerDep, CurrentUser, NowDep
from fairlabel.adapters.web.paths import Id
from fairlabel.domain.continuation import ContinuationCase
from fairlabel.services import continuation
from fairlabel.services.continuation import CaseProject, CaseView, ConfirmedContinuation

router = APIRouter(tags=["decisions"])


class DismissBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=4000,
                        description="Why the two projects are not one work; kept on the case.")


class CaseProjectPublic(BaseModel):
    id: int
    name: str
    status: str
    requester: str = Field(description="The requester's pseudonym.")
    requester_id: int
    price: MoneyModel = Field(description="Its price per task now.")
    measured_median_ms: int | None

    @classmethod
    def of(cls, side: CaseProject) -> CaseProjectPublic:
        return cls(id=side.id, name=side.name, status=side.status, requester=side.requester,
                   requester_id=side.requester_id, price=MoneyModel.of(side.price),
                   measured_median_ms=side.measured_median_ms)


class CasePublic(BaseModel):
    id: int
    status: Literal["open", "confirmed", "dismissed"]
    project_id: int
    earlier_id: int
    found_at: datetime
    price: MoneyModel = Field(description="The new project's price per task when found.")
    earlier_price: MoneyModel = Field(description="The earlier project's, when found.")
    earlier_median_ms: int | None = Field(description="The earlier project's measured median "
                                                      "time per task when found.")
    score_instructions: float
    score_schema: float
    score_data: float
    score: float = Field(description="The combined score (0.25 × instructions + 0.10 × "
                                     "schema + 0.65 × data); a case opens from 0.40.")
    decided_at: datetime | None
    reason: str | None
    back_paid: MoneyModel
    back_pay_owed: MoneyModel

    @classmethod
    def of(cls, case: ContinuationCase) -> CasePublic:
        currency = case.price.currency
        return cls(id=case.id, status=case.status.value, project_id=case.project_id,
                   earlier_id=case.earlier_id, found_at=case.found_at,
                   price=MoneyModel.of(case.price),
                   earlier_price=MoneyModel.of(case.earlier_price),
                   earlier_median_ms=case.earlier_median_ms,
                   score_instructions=case.scores.instructions,
                   score_schema=case.scores.schema, score_data=case.scores.data,
                   score=case.scores.combined, decided_at=case.decided_at, reason=case.reason,
                   back_paid=MoneyModel(amount_minor=case.back_paid_minor, currency=currency),
                   back_pay_owed=MoneyModel(amount_minor=case.back_pay_owed_minor,
                                            currency=currency))


class CaseWithEvidence(BaseModel):
    case: CasePublic
    project: CaseProjectPublic = Field(description="The project launched, as it is now.")
    earlier: CaseProjectPublic = Field(description="The earlier project it looks like.")

    @classmethod
    def of(cls, view: CaseView) -> CaseWithEvidence:
        return cls(case=CasePublic.of(view.case), project=CaseProjectPublic.of(view.project),
                   earlier=CaseProjectPublic.of(view.earlier))


class ConfirmedPublic(BaseModel):
    case: CasePublic
    raised_from: MoneyModel | None = Field(description="The price before the raise, or null "
                                                       "when it already paid enough.")
    price: MoneyModel
    back_paid: MoneyModel
    answers_back_paid: int
    back_pay_owed: MoneyModel = Field(description="What the escrow could not cover: the "
                                                  "project is paused until it is paid.")
    invited: int = Field(description="Workers of the earlier project invited, served first.")
    paused: bool

    @classmethod
    def of(cls, done: ConfirmedContinuation) -> ConfirmedPublic:
        return cls(case=CasePublic.of(done.case),
                   raised_from=MoneyModel.of(done.raised_from) if done.raised_from else None,
                   price=MoneyModel.of(done.price), back_paid=MoneyModel.of(done.back_paid),
                   answers_back_paid=done.answers_back_paid,
                   back_pay_owed=MoneyModel.of(done.back_pay_owed), invited=done.invited,
                   paused=done.paused)


@router.get("/moderation/continuations", response_model=list[CaseWithEvidence])
def continuation_cases(user: CurrentUser, container: ContainerDep,
                       now: NowDep) -> list[CaseWithEvidence]:
    """Moderators: open continuation cases, oldest first — a project launched under one
    requester account that looks like an earlier project of another — with the evidence:
    both projects, their requesters and prices, the earlier measured median, the scores."""
    return [CaseWithEvidence.of(v)
            for v in continuation.continuation_cases(container.db, user, now=now)]


@router.post("/moderation/continuations/{case_id}/confirm", response_model=ConfirmedPublic)
def confirm_continuation(case_id: Id, user: CurrentUser, container: ContainerDep,
                         now: NowDep) -> ConfirmedPublic:
    """Moderators: confirm the link and apply charter rule 5 — the link is published, the
    earlier workers are invited and served first, a lower price is raised to the earlier one
    at once and the answers already given are paid the difference from the escrow (what it
    cannot cover pauses the project until funded)."""
    return ConfirmedPublic.of(continuation.confirm_continuation(
        container.db, user, case_id, now=now, policy=container.charter))


@router.post("/moderation/continuations/{case_id}/dismiss", response_model=CasePublic)
def dismiss_continuation(case_id: Id, body: DismissBody, user: CurrentUser,
                         container: ContainerDep, now: NowDep) -> CasePublic:
    """Moderators: close the case with the reason the two projects are not one work."""
    return CasePublic.of(continuation.dismiss_continuation(container.db, user, case_id,
                                                           reason=body.reason, now=now))
