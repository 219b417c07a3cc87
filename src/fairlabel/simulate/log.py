"""What a simulated year leaves behind: the run's log, read by the report.

The engine (:mod:`fairlabel.simulate.engine`) fills a :class:`RunLog` while it drives the
platform's use cases on the simulated clock, and reads the workers' ledger statements and the
recorded decisions at the end. The report (:mod:`fairlabel.simulate.report`) computes every
figure from this log alone, so that figures can be checked on hand-made logs in unit tests.

Money is integer minor units of ``currency``; every time is timezone-aware UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from fairlabel.domain.ledger import Entry


@dataclass(frozen=True, slots=True)
class RequesterInfo:
    """One simulated requester account.

    ``strategy`` is the strategy's report label (e.g. ``"honest"``); ``person`` is the
    user id of the first account of the same simulated person (its own id for a first account;
    a second account opened to hide a relaunch names the first one)."""

    user_id: int
    strategy: str
    person: int


@dataclass(frozen=True, slots=True)
class WorkerInfo:
    """One simulated worker: ``kind`` is ``"regular"``, ``"spammer"`` or ``"appealer"``;
    ``seconds_per_task`` their mean time on a task, ``accuracy`` their chance of the right label."""

    user_id: int
    kind: str
    seconds_per_task: float
    accuracy: float


@dataclass(frozen=True, slots=True)
class AnswerEvent:
    """A submitted answer. ``nominal_minor`` is the project's price per task when it was leased
    (what a platform without the charter would have paid, before any rejection); ``correct``
    whether the label matches the task's truth."""

    assignment_id: int
    worker_id: int
    project_id: int
    requester_id: int
    leased_at: datetime
    submitted_at: datetime
    nominal_minor: int
    currency: str
    correct: bool

    @property
    def measured_seconds(self) -> float:
        return (self.submitted_at - self.leased_at).total_seconds()


@dataclass(frozen=True, slots=True)
class ProjectEvent:
    """Something a requester did or tried with a project. ``what`` is one of ``created``,
    ``launched``, ``launch_refused``, ``funded``, ``price_changed``, ``price_refused``,
    ``paused``, ``ended``, ``end_refused``, ``withdrawn``, ``withdraw_refused``; ``detail``
    the platform's message (for refusals) or a short description; ``amount_minor`` a price or
    an amount where there is one; for ``ended``, ``notice_days`` is the project's promised
    notice and ``detail`` the end's mode (``immediate`` or ``notice``)."""

    project_id: int
    requester_id: int
    at: datetime
    what: str
    detail: str = ""
    amount_minor: int | None = None
    notice_days: int | None = None


@dataclass(frozen=True, slots=True)
class Relaunch:
    """A relaunch a strategy attempted: the same work as ``old_project_id`` again, hidden by
    ``variants`` (e.g. ``("reworded", "renamed_labels", "paraphrased", "second_account")``).
    ``new_project_id`` is None if the platform refused the launch; ``linked`` (filled at the end
    of the run) whether the platform linked it to the old project, on its own or through a
    moderator's confirmed case; ``price_minor`` the price per task it was launched at and
    ``old_price_minor`` the old project's."""

    requester_id: int
    old_project_id: int
    new_project_id: int | None
    variants: tuple[str, ...]
    at: datetime
    price_minor: int
    old_price_minor: int
    refused: bool
    linked: bool = False


@dataclass(frozen=True, slots=True)
class ReviewEvent:
    """A requester's review of an answer: ``approved`` or ``rejected``; ``withheld`` whether
    the rejection kept the pay (rather than rejecting and paying); ``refused`` when the
    platform refused the rejection (e.g. no evidence) and why in ``detail``."""

    assignment_id: int
    requester_id: int
    at: datetime
    outcome: str
    withheld: bool
    refused: bool = False
    detail: str = ""
    decision_id: int | None = None


@dataclass(frozen=True, slots=True)
class DecisionRecord:
    """A decision about a worker as recorded by the platform, read at the end of the run."""

    decision_id: int
    worker_id: int
    project_id: int | None
    kind: str
    at: datetime
    explained: bool
    appealed_at: datetime | None = None
    appeal_deadline: datetime | None = None
    appeal_decided_at: datetime | None = None
    appeal_outcome: str | None = None


@dataclass(frozen=True, slots=True)
class EscrowSample:
    """Money a requester had locked in projects at one moment (sampled once a simulated day):
    escrow, reserves and holds of all their projects, in ``currency``."""

    at: datetime
    requester_id: int
    held_minor: int
    currency: str


@dataclass(slots=True)
class RunLog:
    """Everything one simulated run leaves for the report."""

    seed: int
    started: datetime
    ended: datetime
    currency: str
    floor_hourly_minor: int
    requesters: list[RequesterInfo] = field(default_factory=list)
    workers: list[WorkerInfo] = field(default_factory=list)
    answers: list[AnswerEvent] = field(default_factory=list)
    projects: list[ProjectEvent] = field(default_factory=list)
    relaunches: list[Relaunch] = field(default_factory=list)
    reviews: list[ReviewEvent] = field(default_factory=list)
    decisions: list[DecisionRecord] = field(default_factory=list)
    escrow: list[EscrowSample] = field(default_factory=list)
    statements: dict[int, list[Entry]] = field(default_factory=dict)
    """Each worker's ledger entries at the end (all their accounts), by worker id; the memos
    name ``assignment_id`` and ``project_id`` where a movement is about one."""
    ledger_verified: bool = False
    answers_per_project: dict[int, int] = field(default_factory=dict)
    wall_seconds: float = 0.0
