"""The public record (charter rule 9): each requester's fairness record, computed from the
platform's own rows, and the registry of automated systems. No login; no worker identifier."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Protocol

from fairlabel.domain import ledger
from fairlabel.domain.algorithms import AutomatedSystem, registry
from fairlabel.domain.charter import CharterPolicy
from fairlabel.domain.errors import NotFound
from fairlabel.domain.money import Money
from fairlabel.domain.pay import PriceChangeKind, effective_hourly, rate_median
from fairlabel.domain.projects import Project
from fairlabel.domain.voice import RatingSummary, anonymous_order, summarize
from fairlabel.services.ports.decisions import HasAppeals
from fairlabel.services.ports.money import HasPrices
from fairlabel.services.ports.transaction import Database
from fairlabel.services.ports.voice import HasRecord, HasVoice, RequesterEntry
from fairlabel.services.ports.work import HasProjects
from fairlabel.services.steps.voice import published


class NameTx(HasProjects, Protocol):
    """The transaction of ``_name``."""


class PricesTx(HasPrices, Protocol):
    """The transaction of ``_prices``."""


class RequesterRecordTx(HasProjects, HasPrices, HasAppeals, HasVoice, HasRecord, Protocol):
    """The transaction of ``requester_record``."""


class RequestersTx(HasRecord, Protocol):
    """The transaction of ``requesters``, ``_ending``."""


class ReviewsTx(HasAppeals, HasRecord, Protocol):
    """The transaction of ``_reviews``."""


@dataclass(frozen=True, slots=True)
class ProjectPayRecord:
    project_id: int
    name: str
    status: str
    per_task: Money
    median_seconds: float | None
    measured_answers: int
    effective_hourly: Money | None
    floor_hourly: Money
    meets_floor: bool | None  # None until measured


@dataclass(frozen=True, slots=True)
class PriceChangeRecord:
    project_id: int
    kind: PriceChangeKind
    old: Money
    new: Money
    announced_at: datetime
    effective_at: datetime
    notice_days: float
    notice_kept: bool


@dataclass(frozen=True, slots=True)
class EndingRecord:
    project_id: int
    name: str
    mode: str  # notice | immediate
    reason: str
    ends_at: datetime | None
    notice_days: int
    notice_pay: Money


@dataclass(frozen=True, slots=True)
class ContinuationRecord:
    project_id: int
    name: str
    continues_project_id: int
    continues_name: str


@dataclass(frozen=True, slots=True)
class ReviewRecord:
    answers: int
    approved: int
    auto_approved: int
    rejected: int  # every rejection, including those withheld and overturned since
    withheld: int  # rejections whose pay is withheld now
    overturned: int
    rejection_rate: float | None
    auto_approval_share: float | None
    appeals: dict[str, int]


@dataclass(frozen=True, slots=True)
class PublishedTestimony:
    project_id: int
    project_name: str
    text: str
    reply: str | None


@dataclass(frozen=True, slots=True)
class RequesterRecord:
    id: int
    name: str
    projects: list[ProjectPayRecord]
    price_changes: list[PriceChangeRecord]
    endings: list[EndingRecord]
    continuations: list[ContinuationRecord]
    reviews: ReviewRecord
    ratings: RatingSummary | None
    testimonies: list[PublishedTestimony]


PAGE = 100
"""Requesters listed per page of the public record."""


def requesters(db: Database[RequestersTx], *, after: int = 0,
               limit: int = PAGE) -> list[RequesterEntry]:
    """Requesters with a launched project, by id: a page of at most ``limit`` after the
    requester ``after`` (the next page starts after the last id of this one)."""
    with db.read() as tx:
        return tx.record.requesters(after=after, limit=limit)


def algorithms(policy: CharterPolicy) -> list[AutomatedSystem]:
    return registry(policy)


def requester_record(db: Database[RequesterRecordTx], requester_id: int,
                     policy: CharterPolicy) -> RequesterRecord:
    with db.read() as tx:
        entry = tx.record.requester(requester_id)
        if entry is None:
            raise NotFound("no requester {requester_id} with a launched project",
                           requester_id=str(requester_id))
        shown = [p for p in tx.projects.find(requester_id=requester_id)
                 if p.launched_at is not None]
        shown.sort(key=lambda p: p.id)
        names = {p.id: p.terms.name for p in shown}
        ratings = tx.voice.ratings_of_requester(requester_id)
        testimonies = sorted(published(tx, requester_id), key=lambda t: anonymous_order(t.text))
        return RequesterRecord(
            id=entry.id, name=entry.name,
            projects=[_pay(p, policy) for p in shown],
            price_changes=[c for p in shown for c in _prices(tx, p, policy)],
            endings=[_ending(tx, p) for p in shown if p.end_mode is not None],
            continuations=[ContinuationRecord(p.id, p.terms.name, p.continuation_of,
                                              _name(tx, names, p.continuation_of))
                           for p in shown if p.continuation_of is not None],
            reviews=_reviews(tx, [p.id for p in shown]),
            ratings=summarize([(r.worker_id, r.scores, r.comment) for r in ratings]),
            testimonies=[PublishedTestimony(t.project_id, names.get(t.project_id, ""), t.text,
                                            t.reply) for t in testimonies])


def _name(tx: NameTx, names: dict[int, str], project_id: int) -> str:
    if project_id not in names:
        project = tx.projects.get(project_id)
        names[project_id] = project.terms.name if project else ""
    return names[project_id]


def _pay(project: Project, policy: CharterPolicy) -> ProjectPayRecord:
    price = project.terms.pay_per_task
    floor = Money(policy.floors.hourly(price.currency,
                                       project_floor=project.terms.own_floor_hourly),
                  price.currency)
    median = project.measured_median_ms
    counted = rate_median(median, project.measured_answers, policy.min_answers_for_rate)
    hourly = (Money(effective_hourly(price.amount_minor, Fraction(counted)), price.currency)
              if counted else None)
    return ProjectPayRecord(
        project.id, project.terms.name, project.status.value, price,
        median / 1000 if median is not None else None, project.measured_answers, hourly, floor,
        hourly.amount_minor >= floor.amount_minor if hourly is not None else None)


def _prices(tx: PricesTx, project: Project, policy: CharterPolicy) -> list[PriceChangeRecord]:
    found = []
    for change in tx.prices.history(project.id):
        notice = change.effective_at - change.announced_at
        kept = change.kind is not PriceChangeKind.CUT or notice >= policy.price_cut_notice
        found.append(PriceChangeRecord(
            project.id, change.kind, Money(change.old_minor, change.currency),
            Money(change.new_minor, change.currency), change.announced_at, change.effective_at,
            round(notice.total_seconds() / 86400, 2), kept))
    return found


def _ending(tx: RequestersTx, project: Project) -> EndingRecord:
    currency = project.terms.pay_per_task.currency
    # Notice pay leaves the escrow: its entries there are negative.
    paid = -tx.record.kind_total(ledger.project_escrow(project.id), "notice_pay")
    return EndingRecord(project.id, project.terms.name, project.end_mode or "",
                        project.end_reason or "", project.ended_at or project.ending_at,
                        project.terms.commitment.notice_days, Money(paid, currency))


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _reviews(tx: ReviewsTx, project_ids: list[int]) -> ReviewRecord:
    counts = tx.record.reviews(project_ids)
    answers = sum(counts.values())
    withheld, overturned = counts.get("withheld", 0), counts.get("overturned", 0)
    rejected = counts.get("rejected", 0) + withheld + overturned
    approved, auto = counts.get("approved", 0), counts.get("auto_approved", 0)
    return ReviewRecord(answers, approved, auto, rejected, withheld, overturned,
                        _share(rejected, answers), _share(auto, approved + auto),
                        tx.appeals.outcomes(project_ids))
