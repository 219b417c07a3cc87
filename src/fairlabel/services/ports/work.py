"""The work capability: projects, their tasks, and the assignments (leases and answers) of
workers."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, Protocol

from fairlabel.domain.assignment import Assignment
from fairlabel.domain.label_schema import LabelSchema
from fairlabel.domain.projects import Project, ProjectStatus, ProjectTerms
from fairlabel.domain.quality import QualityTerms
from fairlabel.services.ports.quality import ConsensusUpdate


@dataclass(frozen=True, slots=True)
class ClaimedTask:
    id: int
    data: dict[str, Any]
    assignment_id: int | None = None  # the lease made with the claim (``Tasks.claim_next``)


@dataclass(frozen=True, slots=True)
class NewLease:
    """A lease of ordinary work for the task a claim takes (``Tasks.claim_next``)."""

    leased_at: datetime
    expires: datetime
    price_minor: int
    allowance_minor: int


@dataclass(frozen=True, slots=True)
class ExportRow:
    task_id: int
    data: dict[str, Any]
    answers: list[tuple[int, Any]]  # (worker id, answer), in submission order
    gold_answer: Any = None  # the expected answer of a gold task
    is_gold: bool = False
    consensus: Any = None
    confidence: float | None = None
    settled: bool = False


@dataclass(frozen=True, slots=True)
class NewTask:
    data: dict[str, Any]
    gold_answer: Any = None  # set for a gold (control) task
    is_gold: bool = False


@dataclass(frozen=True, slots=True)
class ProjectFacts:
    """What never changes about a project once created."""

    schema: LabelSchema
    currency: str
    redundancy: int
    quality: QualityTerms
    own_floor_hourly: int | None = None  # the requester's stated floor, if any
    lease_seconds: int = 0


@dataclass(frozen=True, slots=True)
class ProjectCounts:
    tasks: int
    answers_wanted: int
    answers: int


class GuardCandidate(NamedTuple):
    """An earlier project the continuation guard compares a new one with, and its stored
    fingerprint."""

    project_id: int
    fingerprint: bytes


class WorkerTotals(NamedTuple):
    """A worker's paid answers on a project, what they received for them, and the time they
    took."""

    answers: int
    paid_minor: int
    worked_ms: int


class Earned(NamedTuple):
    """What a submitted answer earned its worker on a project (its price)."""

    project_id: int
    worker_id: int
    amount_minor: int


class Projects(Protocol):
    def add(self, *, requester_id: int, terms: ProjectTerms, now: datetime) -> Project: ...
    def get(self, project_id: int, *, for_update: bool = False,
            for_spending: bool = False) -> Project | None: ...
    def facts(self, project_id: int) -> ProjectFacts: ...
    def currency(self, project_id: int) -> str: ...
    def find(self, *, requester_id: int | None = None,
             status: ProjectStatus | None = None) -> list[Project]: ...
    def set_status(self, project_id: int, status: ProjectStatus,
                   *, launched_at: datetime | None = None) -> None: ...
    def set_price(self, project_id: int, amount_minor: int) -> None: ...
    def set_ending(self, project_id: int, **values: Any) -> None: ...
    def set_notice_liability(self, project_id: int, amount_minor: int, *,
                             answers: int | None = None,
                             due_at: datetime | None = None) -> None: ...
    def save_fingerprint(self, project_id: int, fingerprint: bytes, *, now: datetime,
                         bands: Sequence[int] = ()) -> None: ...
    def guard_candidates(self, *, requester_id: int, since: datetime,
                         exclude: int) -> list[GuardCandidate]: ...
    def other_candidates(self, *, requester_id: int, since: datetime, exclude: int,
                         bands: Sequence[int]) -> list[GuardCandidate]: ...
    def set_continuation(self, project_id: int, *, continuation_of: int,
                         first_access_until: datetime) -> None: ...
    def due_endings(self, *, now: datetime) -> list[int]: ...
    def set_measurement(self, project_id: int, *, median_ms: int, answers: int) -> None: ...
    def to_measure(self) -> list[int]: ...
    def recheck_pay(self, project_id: int, *, measure: bool = True) -> None: ...
    def notice_due(self, *, now: datetime) -> list[int]: ...
    def proposals_due(self, *, now: datetime) -> list[int]: ...
    def set_proposals_checked(self, project_id: int, *, answers: int,
                              due_at: datetime | None) -> None: ...
    def counts(self, project_ids: Sequence[int]) -> dict[int, ProjectCounts]: ...


class Tasks(Protocol):
    def add_many(self, *, project_id: int, new_tasks: Sequence[NewTask], max_answers: int,
                 now: datetime) -> int: ...
    def claim_next(self, *, project_id: int, worker_id: int,
                   lease: NewLease | None = None) -> ClaimedTask | None: ...
    def claim(self, task_id: int) -> ClaimedTask: ...
    def sample_data(self, project_id: int, limit: int) -> list[dict[str, Any]]: ...
    def data(self, task_id: int) -> dict[str, Any]: ...
    def free_slots(self, task_counts: Counter[int]) -> None: ...
    def record_answer(self, task_id: int, update: ConsensusUpdate | None = None) -> None: ...
    def export_rows(self, project_id: int, *, batch: int = 2000) -> Iterator[ExportRow]: ...


class Assignments(Protocol):
    def add(self, *, task_id: int, project_id: int, worker_id: int, now: datetime,
            expires: datetime, price_minor: int, allowance_minor: int,
            purpose: str = "work", attempt_id: int | None = None) -> int: ...
    def get(self, assignment_id: int, *, for_update: bool = False) -> Assignment | None: ...
    def mark_submitted(self, assignment_id: int, *, answer: Any, idempotency_key: str | None,
                       now: datetime, worked_ms: int, earned: Earned,
                       correct: bool | None = None, count_on_task: int | None = None) -> None: ...
    def mark_released(self, assignment_id: int, *, now: datetime) -> None: ...
    def expire_due(self, *, now: datetime,
                   project_id: int | None = None) -> list[Assignment]: ...
    def add_topup(self, answer: Assignment, amount_minor: int) -> None: ...
    def mark_approved(self, assignment_id: int, *, now: datetime, review: str) -> None: ...
    def mark_reviewed(self, assignment_id: int, *, review: str) -> None: ...
    def of_worker(self, worker_id: int) -> list[Assignment]: ...
    def recent_durations(self, project_id: int, *, since: datetime) -> dict[int, list[int]]: ...
    def durations_ms(self, project_id: int, *, worker_id: int | None = None) -> list[int]: ...
    def middle_durations(self, project_id: int) -> tuple[int, int, int] | None: ...
    def due_for_approval(self, *, submitted_before: datetime,
                         limit: int) -> list[Assignment]: ...
    def below_price(self, project_id: int, *, fair_minor: int, limit: int | None,
                    skip_locked: bool = True) -> list[Assignment]: ...
    def count_below_price(self, project_id: int, *, fair_minor: int) -> int: ...
    def active_workers(self, project_id: int, *, since: datetime) -> list[int]: ...
    def worked_on(self, *, worker_id: int, project_id: int) -> bool: ...
    def earnings_since(self, project_id: int, *, since: datetime) -> dict[int, int]: ...
    def first_submitted_since(self, project_id: int, *, since: datetime,
                              paid: bool = False) -> datetime | None: ...
    def worker_totals(self, *, worker_id: int, project_id: int) -> WorkerTotals: ...
    def worker_projects(self, worker_id: int) -> list[int]: ...
    def count_submitted(self, *, worker_id: int, project_id: int) -> int: ...
    def recent_answers(self, project_id: int, *, limit: int) -> list[Any]: ...


class HasProjects(Protocol):
    """A transaction that reaches ``projects``."""

    @property
    def projects(self) -> Projects: ...


class HasTasks(Protocol):
    """A transaction that reaches ``tasks``."""

    @property
    def tasks(self) -> Tasks: ...


class HasAssignments(Protocol):
    """A transaction that reaches ``assignments``."""

    @property
    def assignments(self) -> Assignments: ...
