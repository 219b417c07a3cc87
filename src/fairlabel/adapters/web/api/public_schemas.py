"""Bodies of /api/v1/public: the requesters' records and the registry of automated systems.

Nothing here carries a worker identifier: ratings are aggregates, testimonies are anonymous.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from fairlabel.adapters.web.api.schemas import MoneyModel
from fairlabel.domain.algorithms import AutomatedSystem
from fairlabel.domain.voice import MIN_RATERS_SHOWN, MIN_TESTIFIERS, RatingSummary
from fairlabel.services.ports.voice import RequesterEntry
from fairlabel.services.record import RequesterRecord, ReviewRecord


class RequesterListed(BaseModel):
    id: int
    name: str = Field(description="The requester's public name.")
    projects: int = Field(description="Launched projects.")

    @classmethod
    def of(cls, entry: RequesterEntry) -> RequesterListed:
        return cls(id=entry.id, name=entry.name, projects=entry.projects)


class ProjectPayPublic(BaseModel):
    project_id: int
    name: str
    status: str
    per_task: MoneyModel
    median_seconds: float | None = Field(description="Median measured working time.")
    measured_answers: int
    effective_hourly: MoneyModel | None = Field(
        description="Price per task ÷ median time, per hour (once measured).")
    floor_hourly: MoneyModel
    meets_floor: bool | None


class PriceChangeRecordPublic(BaseModel):
    project_id: int
    kind: str = Field(description="raise, cut, or floor (raised to meet the pay floor)")
    old: MoneyModel
    new: MoneyModel
    announced_at: datetime
    effective_at: datetime
    notice_days: float
    notice_kept: bool


class ProjectEndingPublic(BaseModel):
    project_id: int
    name: str
    mode: str = Field(description="notice, or immediate (with notice pay)")
    reason: str
    ends_at: datetime | None
    notice_days: int
    notice_pay: MoneyModel = Field(description="Notice pay paid to workers, in all.")


class ContinuationPublic(BaseModel):
    project_id: int
    name: str
    continues_project_id: int
    continues_name: str


class AppealCounts(BaseModel):
    open: int = 0
    upheld: int = 0
    overturned: int = 0
    overturned_by_deadline: int = 0


class ReviewsPublic(BaseModel):
    answers: int
    approved: int = Field(description="Approved by the requester.")
    auto_approved: int = Field(description="Approved when the review window ended.")
    rejected: int = Field(description="Every rejection, including those withheld or "
                                      "overturned since.")
    withheld: int = Field(description="Rejections whose pay is withheld now, on evidence.")
    overturned: int = Field(description="Rejections overturned on appeal.")
    rejection_rate: float | None = Field(description="rejected ÷ answers.")
    auto_approval_share: float | None = Field(description="auto_approved ÷ approvals.")
    appeals: AppealCounts

    @classmethod
    def of(cls, r: ReviewRecord) -> ReviewsPublic:
        return cls(answers=r.answers, approved=r.approved, auto_approved=r.auto_approved,
                   rejected=r.rejected, withheld=r.withheld, overturned=r.overturned,
                   rejection_rate=r.rejection_rate, auto_approval_share=r.auto_approval_share,
                   appeals=AppealCounts(**r.appeals))


class RatingsPublic(BaseModel):
    raters: int
    pay: float
    communication: float
    fairness: float
    promptness: float
    comments: list[str]

    @classmethod
    def of(cls, summary: RatingSummary) -> RatingsPublic:
        return cls(raters=summary.raters, comments=summary.comments, **summary.averages)


class PublishedTestimonyPublic(BaseModel):
    project_id: int
    project_name: str
    text: str
    reply: str | None = Field(description="The requester's public reply.")


class RequesterRecordPublic(BaseModel):
    id: int
    name: str
    projects: list[ProjectPayPublic]
    price_changes: list[PriceChangeRecordPublic]
    endings: list[ProjectEndingPublic]
    continuations: list[ContinuationPublic]
    reviews: ReviewsPublic
    ratings: RatingsPublic | None = Field(
        description=f"Averages 1–5, shown once at least {MIN_RATERS_SHOWN} workers rated.")
    testimonies: list[PublishedTestimonyPublic] = Field(
        description=f"Published once at least {MIN_TESTIFIERS} workers testified about a "
                    "project, after moderation; no worker identifier.")

    @classmethod
    def of(cls, r: RequesterRecord) -> RequesterRecordPublic:
        return cls(
            id=r.id, name=r.name,
            projects=[ProjectPayPublic(
                project_id=p.project_id, name=p.name, status=p.status,
                per_task=MoneyModel.of(p.per_task), median_seconds=p.median_seconds,
                measured_answers=p.measured_answers,
                effective_hourly=MoneyModel.of(p.effective_hourly) if p.effective_hourly
                else None, floor_hourly=MoneyModel.of(p.floor_hourly),
                meets_floor=p.meets_floor) for p in r.projects],
            price_changes=[PriceChangeRecordPublic(
                project_id=c.project_id, kind=c.kind, old=MoneyModel.of(c.old),
                new=MoneyModel.of(c.new), announced_at=c.announced_at,
                effective_at=c.effective_at, notice_days=c.notice_days,
                notice_kept=c.notice_kept) for c in r.price_changes],
            endings=[ProjectEndingPublic(project_id=e.project_id, name=e.name, mode=e.mode,
                                  reason=e.reason, ends_at=e.ends_at,
                                  notice_days=e.notice_days,
                                  notice_pay=MoneyModel.of(e.notice_pay)) for e in r.endings],
            continuations=[ContinuationPublic(
                project_id=c.project_id, name=c.name,
                continues_project_id=c.continues_project_id,
                continues_name=c.continues_name) for c in r.continuations],
            reviews=ReviewsPublic.of(r.reviews),
            ratings=RatingsPublic.of(r.ratings) if r.ratings else None,
            testimonies=[PublishedTestimonyPublic(project_id=t.project_id,
                                                  project_name=t.project_name, text=t.text,
                                                  reply=t.reply) for t in r.testimonies])


class ParameterPublic(BaseModel):
    name: str
    value: str
    weight: str


class AlgorithmPublic(BaseModel):
    rule: str = Field(description="name@version, as recorded on its decisions.")
    name: str
    version: int
    decides: str
    reads: list[str]
    parameters: list[ParameterPublic]
    contest: str = Field(description="How to contest what it did.")
    proposes_only: bool = Field(description="True: it only proposes; a moderator decides.")

    @classmethod
    def of(cls, s: AutomatedSystem) -> AlgorithmPublic:
        return cls(rule=s.rule, name=s.name, version=s.version, decides=str(s.decides),
                   reads=[str(r) for r in s.reads],
                   parameters=[ParameterPublic(name=str(p.name), value=str(p.value),
                                               weight=str(p.weight)) for p in s.parameters],
                   contest=str(s.contest), proposes_only=s.proposes_only)
