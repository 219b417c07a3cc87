"""Projects: terms a worker sees before starting, and the life cycle of a project."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from fairlabel.domain.commitments import Commitment
from fairlabel.domain.errors import Conflict, InvalidInput
from fairlabel.domain.label_schema import LabelSchema
from fairlabel.domain.messages import N_, Msg
from fairlabel.domain.money import Money, check_amount
from fairlabel.domain.quality import QualityTerms, default_method

MAX_NAME = 200
MAX_INSTRUCTIONS = 100_000
MAX_REDUNDANCY = 100
MIN_LEASE_SECONDS = 10
MAX_LEASE_SECONDS = 24 * 3600


class ProjectStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    PAUSED = "paused"
    ENDED = "ended"


class ProjectNotOpen(Conflict):
    code = "project_not_open"


@dataclass(frozen=True, slots=True)
class ProjectTerms:
    """What a requester states when creating a project (validated on construction)."""

    name: str
    instructions: str
    schema: LabelSchema
    redundancy: int
    pay_per_task: Money
    lease_seconds: int
    own_floor_hourly: int | None = None  # a floor the requester states above the platform's
    commitment: Commitment = field(default_factory=lambda: Commitment(notice_days=7))
    quality: QualityTerms = field(default_factory=QualityTerms)

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise InvalidInput("the project needs a name")
        if len(self.name) > MAX_NAME:
            raise InvalidInput("the name is longer than {limit} characters", limit=MAX_NAME)
        if len(self.instructions) > MAX_INSTRUCTIONS:
            raise InvalidInput("the instructions are longer than {limit} characters",
                               limit=MAX_INSTRUCTIONS)
        if not 1 <= self.redundancy <= MAX_REDUNDANCY:
            raise InvalidInput("redundancy must be between 1 and {limit}", limit=MAX_REDUNDANCY)
        if self.pay_per_task.amount_minor <= 0:
            raise InvalidInput("pay per task must be more than zero")
        if self.own_floor_hourly is not None and self.own_floor_hourly <= 0:
            raise InvalidInput("a project's own hourly floor must be more than zero")
        if self.own_floor_hourly is not None:
            check_amount(self.own_floor_hourly, self.pay_per_task.currency)
        if not MIN_LEASE_SECONDS <= self.lease_seconds <= MAX_LEASE_SECONDS:
            raise InvalidInput("the lease must last between {low} s and {high} s",
                               low=MIN_LEASE_SECONDS, high=MAX_LEASE_SECONDS)
        self.quality.check_against(self.redundancy)
        self.quality.check_schema(self.schema)
        if not self.quality.consensus_method:  # none named: the task type's default
            object.__setattr__(self, "quality", replace(
                self.quality, consensus_method=default_method(self.schema)))


@dataclass(frozen=True, slots=True)
class Project:
    id: int
    requester_id: int
    terms: ProjectTerms
    status: ProjectStatus
    created_at: datetime
    launched_at: datetime | None
    measured_median_ms: int | None = None  # median working time, once measured
    measured_answers: int = 0
    ending_at: datetime | None = None  # set when ended with notice: serves until then
    end_mode: str | None = None
    end_reason: str | None = None
    ended_at: datetime | None = None
    paused_at: datetime | None = None
    notice_liability_minor: int = 0  # notice pay owed if the project ended now
    continuation_of: int | None = None  # the earlier project this one continues (rule 5)
    first_access_until: datetime | None = None  # the earlier project's workers go first


def check_can_launch(status: ProjectStatus, task_count: int, *, gold_count: int = 0,
                     quality: QualityTerms | None = None) -> None:
    """A draft (or paused project) may be opened once it has work to serve, and the gold
    tasks its quality terms call for."""
    if status is ProjectStatus.OPEN:
        raise Conflict("the project is already open", code="already_open")
    if status is ProjectStatus.ENDED:
        raise Conflict("an ended project cannot be launched again; create a new project",
                       code="project_ended")
    if task_count == 0:
        raise Conflict("import tasks before launching: the project has none", code="no_tasks")
    if quality is None:
        return
    if quality.qualification is not None and gold_count < quality.qualification.size:
        raise Conflict("the qualification test has {size} items but the project has {gold} gold "
                       'tasks: import at least that many tasks with a "gold" answer before '
                       "launching", code="not_enough_gold", size=quality.qualification.size,
                       gold=gold_count)
    if quality.gold_rate > 0 and gold_count == 0:
        raise Conflict("the project mixes in gold tasks but has none: import tasks with a "
                       '"gold" answer, or set the gold rate to 0', code="not_enough_gold")


def check_serving(status: ProjectStatus, *, ending_at: datetime | None = None,
                  now: datetime | None = None) -> None:
    """Raise ProjectNotOpen with the reason when a project does not serve work."""
    if ending_at is not None and now is not None and now >= ending_at:
        raise ProjectNotOpen("the project has ended: its notice period is over")
    reasons = {
        ProjectStatus.DRAFT: N_("the project is a draft: its requester has not launched it yet"),
        ProjectStatus.PAUSED: N_("the project is paused: no new work is served until it resumes"),
        ProjectStatus.ENDED: N_("the project has ended: it serves no more work"),
    }
    if status is not ProjectStatus.OPEN:
        raise ProjectNotOpen(reasons[status])


def check_not_ended(project: Project, action: str) -> None:
    """An ended project takes no more money, prices or tasks (charter rule 4); ``action`` is
    what it can no longer do, marked for the catalogs (``N_("be funded")``)."""
    if project.ended_at is not None or project.status.value == "ended":
        raise Conflict("the project has ended: it can no longer {action}. Withdraw what is "
                       "left in its escrow once it is settled", code="project_ended",
                       action=Msg(action))
