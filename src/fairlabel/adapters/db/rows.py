"""Turning database rows into domain objects."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from fairlabel.domain.accounts import Role, User
from fairlabel.domain.assignment import Assignment, AssignmentStatus, Purpose, Review
from fairlabel.domain.commitments import Commitment
from fairlabel.domain.label_schema import parse_schema
from fairlabel.domain.messages import Msg
from fairlabel.domain.money import Money
from fairlabel.domain.projects import Project, ProjectStatus, ProjectTerms
from fairlabel.domain.quality import Qualification, QualityTerms


def stored_msg(kept: Any, english: str) -> Msg:
    """A kept message: its template and values when they were kept, else (rows written before
    messages had templates) the English text as it is."""
    if isinstance(kept, dict) and "t" in kept:
        return Msg.from_json(kept)
    return Msg.text(english)


def to_user(row: Any) -> User:
    return User(
        id=row.id,
        email=row.email,
        role=Role(row.role),
        pseudonym=row.pseudonym,
        created_at=row.created_at,
        country=row.country,
        language=row.language,
        time_zone=row.time_zone,
        display_name=row.display_name,
    )


@dataclass(frozen=True, slots=True)
class FixedProject:
    """What never changes about a project once created: cached per process, so that reading
    a project on the hot path loads only the columns that can change."""

    requester_id: int
    created_at: datetime
    terms: ProjectTerms  # at the price it had when cached; the price itself can change


def to_project(row: Any) -> Project:
    return with_state(fixed_project(row), row)


def fixed_project(row: Any) -> FixedProject:
    terms = ProjectTerms(
        name=row.name,
        instructions=row.instructions,
        schema=parse_schema(row.label_schema),
        redundancy=row.redundancy,
        pay_per_task=Money(row.pay_amount_minor, row.pay_currency),
        lease_seconds=row.lease_seconds,
        own_floor_hourly=row.floor_hourly_minor,
        commitment=Commitment(notice_days=row.notice_days, ends_on=row.ends_on),
        quality=to_quality(row),
    )
    return FixedProject(row.requester_id, row.created_at, terms)


def with_state(fixed: FixedProject, row: Any) -> Project:
    """A project from its fixed part and a row holding at least the columns that change."""
    terms = fixed.terms
    if terms.pay_per_task.amount_minor != row.pay_amount_minor:
        terms = replace(terms, pay_per_task=Money(row.pay_amount_minor,
                                                  terms.pay_per_task.currency))
    return Project(
        id=row.id,
        requester_id=fixed.requester_id,
        terms=terms,
        status=ProjectStatus(row.status),
        created_at=fixed.created_at,
        launched_at=row.launched_at,
        measured_median_ms=row.measured_median_ms,
        measured_answers=row.measured_answers,
        ending_at=row.ending_at,
        end_mode=row.end_mode,
        end_reason=row.end_reason,
        ended_at=row.ended_at,
        paused_at=row.paused_at,
        notice_liability_minor=row.notice_liability_minor,
        continuation_of=row.continuation_of,
        first_access_until=row.first_access_until,
    )


def to_quality(row: Any) -> QualityTerms:
    qualification = (Qualification(row.qualification_size, row.qualification_pass_mark,
                                   row.qualification_retry_hours)
                     if row.qualification_size is not None else None)
    return QualityTerms(
        gold_rate=row.gold_rate,
        gold_min_accuracy=row.gold_min_accuracy,
        gold_min_items=row.gold_min_items,
        qualification=qualification,
        consensus_method=row.consensus_method,
        confidence_target=row.confidence_target,
        min_answers=row.min_answers,
    )


def quality_columns(quality: QualityTerms) -> dict[str, Any]:
    qualification = quality.qualification
    return {
        "gold_rate": quality.gold_rate,
        "gold_min_accuracy": quality.gold_min_accuracy,
        "gold_min_items": quality.gold_min_items,
        "qualification_size": qualification.size if qualification else None,
        "qualification_pass_mark": qualification.pass_mark if qualification else None,
        "qualification_retry_hours": (qualification.retry_after_hours
                                      if qualification else None),
        "consensus_method": quality.consensus_method,
        "confidence_target": quality.confidence_target,
        "min_answers": quality.min_answers,
    }


def to_assignment(row: Any) -> Assignment:
    return Assignment(
        id=row.id,
        task_id=row.task_id,
        project_id=row.project_id,
        worker_id=row.worker_id,
        status=AssignmentStatus(row.status),
        leased_at=row.leased_at,
        lease_expires_at=row.lease_expires_at,
        submitted_at=row.submitted_at,
        answer=row.answer,
        idempotency_key=row.idempotency_key,
        price_minor=row.price_minor,
        allowance_minor=row.allowance_minor,
        topped_up_minor=row.topped_up_minor,
        approved_at=row.approved_at,
        review=Review(row.review) if row.review else None,
        purpose=Purpose(row.purpose),
        attempt_id=row.attempt_id,
        correct=row.correct,
    )


def decoded_json(texts: Iterable[str | None]) -> list[Any]:
    """JSON columns read as text (None: SQL NULL), decoded as one array: one call for a batch
    of rows costs a fraction of the column type's decoding, one call per value."""
    decoded: list[Any] = json.loads(
        "[" + ",".join("null" if t is None else t for t in texts) + "]")
    return decoded
