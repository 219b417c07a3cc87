"""Use cases for projects: create, launch, list, look at (a worker's list with the ended and
paused projects they worked on), import tasks."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sized
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice
from typing import Any, Protocol

from fairlabel.domain import ledger
from fairlabel.domain.accounts import Role, User, require_role
from fairlabel.domain.charter import CharterPolicy
from fairlabel.domain.commitments import NOTICE_PAY_WINDOW, notice_pay
from fairlabel.domain.errors import (
    Conflict,
    ImportRejected,
    InvalidInput,
    NotFound,
    TooLarge,
)
from fairlabel.domain.label_schema import LabelSchema
from fairlabel.domain.messages import Msg
from fairlabel.domain.money import Money
from fairlabel.domain.projects import (
    Project,
    ProjectStatus,
    ProjectTerms,
    check_can_launch,
)
from fairlabel.domain.quality import answer_from_text
from fairlabel.services.ports.accounts import HasUsers
from fairlabel.services.ports.decisions import HasContinuationCases, HasDecisions
from fairlabel.services.ports.media import HasMedia
from fairlabel.services.ports.money import HasEscrow, HasHolds, HasLedger, HasPrices
from fairlabel.services.ports.quality import HasConsensus, HasGold
from fairlabel.services.ports.transaction import Commits, Database
from fairlabel.services.ports.voice import HasInbox
from fairlabel.services.ports.work import (
    HasAssignments,
    HasProjects,
    HasTasks,
    NewTask,
    ProjectCounts,
)
from fairlabel.services.steps.access import own_project, visible_project
from fairlabel.services.steps.back_pay import pay_owed_back_pay
from fairlabel.services.steps.guard import guard_launch
from fairlabel.services.steps.media import project_media, resolve_row
from fairlabel.services.steps.pay_view import ProjectPay, project_pay


class CreateProjectTx(HasProjects, Commits, Protocol):
    """The transaction of ``create_project``."""


class ImportTasksTx(HasProjects, HasTasks, HasMedia, Commits, Protocol):
    """The transaction of ``import_tasks``."""


class LaunchProjectTx(HasProjects, HasTasks, HasAssignments, HasGold, HasInbox, HasLedger,
                      HasEscrow, HasHolds, HasDecisions, HasContinuationCases, Commits,
                      Protocol):
    """The transaction of ``launch_project``."""


class ListProjectsTx(HasProjects, HasAssignments, HasLedger, HasEscrow, HasHolds, HasPrices,
                     Protocol):
    """The transaction of ``list_projects``, ``get_project``."""


class RecentAnswersTx(HasUsers, HasProjects, HasAssignments, HasConsensus, Protocol):
    """The transaction of ``recent_answers``."""


@dataclass(frozen=True, slots=True)
class ProjectView:
    project: Project
    counts: ProjectCounts
    own_answers: int | None = None  # for a worker: how many of this project's tasks they did
    pay: ProjectPay | None = None


def create_project(db: Database[CreateProjectTx], user: User, terms: ProjectTerms, *,
                   policy: CharterPolicy, now: datetime) -> Project:
    """Create a draft project; refused in a currency the platform has no floor for."""
    require_role(user, Role.REQUESTER, Role.ADMIN)
    policy.floors.require(terms.pay_per_task.currency)
    terms.commitment.check(min_notice_days=policy.min_notice_days, today=now.date())
    with db.write() as tx:
        project = tx.projects.add(requester_id=user.id, terms=terms, now=now)
        tx.commit()
    return project


def launch_project(db: Database[LaunchProjectTx], user: User, project_id: int, *, now: datetime,
                   policy: CharterPolicy) -> Project:
    """Open a project to workers. On its first launch the continuation guard compares it with
    the requester's recently ended, paused or cut projects (charter rule 5)."""
    require_role(user, Role.REQUESTER, Role.ADMIN)
    with db.write() as tx:
        project = own_project(tx, user, project_id, for_update=True)
        counts = tx.projects.counts([project_id])[project_id]
        check_can_launch(project.status, counts.tasks, gold_count=tx.gold.count(project_id),
                         quality=project.terms.quality)
        if project.launched_at is None:
            guard_launch(tx, project, threshold=policy.continuation_threshold, now=now)
        else:  # a continuation paused for back pay serves again once it is paid
            pay_owed_back_pay(tx, project, policy, decided_by=user.id, now=now)
        tx.projects.set_status(project_id, ProjectStatus.OPEN,
                               launched_at=project.launched_at or now)
        if project.paused_at is not None:
            tx.projects.set_ending(project_id, paused_at=None)
        tx.commit()
    return Project(project.id, project.requester_id, project.terms, ProjectStatus.OPEN,
                   project.created_at, project.launched_at or now)


def list_projects(db: Database[ListProjectsTx], user: User,
                  policy: CharterPolicy | None = None) -> list[ProjectView]:
    """Workers: open projects; requesters: their own; admins and moderators: all."""
    with db.read() as tx:
        if user.role is Role.WORKER:
            projects = tx.projects.find(status=ProjectStatus.OPEN)
        elif user.role is Role.REQUESTER:
            projects = tx.projects.find(requester_id=user.id)
        else:
            projects = tx.projects.find()
        counts = tx.projects.counts([p.id for p in projects])
        own = ({p.id: tx.assignments.count_submitted(worker_id=user.id, project_id=p.id)
                for p in projects} if user.role is Role.WORKER else {})
        pays = {p.id: project_pay(tx, p, policy) for p in projects} if policy else {}
    return [ProjectView(p, counts[p.id], own.get(p.id), pays.get(p.id)) for p in projects]


def get_project(db: Database[ListProjectsTx], user: User, project_id: int,
                policy: CharterPolicy | None = None) -> ProjectView:
    with db.read() as tx:
        project = visible_project(tx, user, project_id)
        counts = tx.projects.counts([project_id])[project_id]
        own = (tx.assignments.count_submitted(worker_id=user.id, project_id=project_id)
               if user.role is Role.WORKER else None)
        pay = project_pay(tx, project, policy) if policy else None
    return ProjectView(project, counts, own, pay)


@dataclass(frozen=True, slots=True)
class ProjectRef:
    """A project by its name, for a page that links to it."""

    id: int
    name: str


WORKER_STATES = ("open", "ending", "paused", "ended")
"""Where a project stands for a worker, in the order their list shows them."""


@dataclass(frozen=True, slots=True)
class WorkerProject:
    """A project as a worker sees it in their list and on its page: where it stands and what
    that means for their pay (charter rule 4)."""

    view: ProjectView
    state: str  # one of WORKER_STATES
    ends_at: datetime | None  # ending: when its notice ends; ended: when it ended
    continues: ProjectRef | None  # the earlier project this one continues
    notice_paid: Money | None  # ended at once: the notice pay this worker received
    pause_ends_at: datetime | None  # paused: when the pause counts as an ending
    notice_pay_due: Money | None  # paused: this worker's notice pay then, by today's count


def worker_projects(db: Database[ListProjectsTx], worker: User, policy: CharterPolicy, *,
                    now: datetime) -> list[WorkerProject]:
    """A worker's list: every open project, and the paused and ended ones they answered on;
    open ones first, then those ending, paused, and ended (the latest first)."""
    require_role(worker, Role.WORKER)
    with db.read() as tx:
        shown = tx.projects.find(status=ProjectStatus.OPEN)
        for project_id in tx.assignments.worker_projects(worker.id):
            project = tx.projects.get(project_id)
            if (project is not None and project.status in (ProjectStatus.PAUSED,
                                                           ProjectStatus.ENDED)
                    and tx.assignments.count_submitted(worker_id=worker.id,
                                                       project_id=project_id)):
                shown.append(project)
        counts = tx.projects.counts([p.id for p in shown])
        received = _notice_pay_received(tx, worker)
        found = [_worker_project(tx, worker, p, counts[p.id], policy, now=now,
                                 received=received) for p in shown]
    return sorted(found, key=lambda w: (WORKER_STATES.index(w.state), -(
        w.ends_at.timestamp() if w.state == "ended" and w.ends_at else 0)))


def worker_project(db: Database[ListProjectsTx], worker: User, project_id: int,
                   policy: CharterPolicy, *, now: datetime) -> WorkerProject:
    """One project as a worker sees it (see :func:`worker_projects`)."""
    require_role(worker, Role.WORKER)
    with db.read() as tx:
        project = visible_project(tx, worker, project_id)
        counts = tx.projects.counts([project_id])[project_id]
        return _worker_project(tx, worker, project, counts, policy, now=now,
                               received=_notice_pay_received(tx, worker))


def _worker_project(tx: ListProjectsTx, worker: User, project: Project, counts: ProjectCounts,
                    policy: CharterPolicy, *, now: datetime,
                    received: dict[int, int]) -> WorkerProject:
    view = ProjectView(project, counts,
                       tx.assignments.count_submitted(worker_id=worker.id, project_id=project.id),
                       project_pay(tx, project, policy))
    currency = project.terms.pay_per_task.currency
    earlier = (tx.projects.get(project.continuation_of)
               if project.continuation_of is not None else None)
    continues = (ProjectRef(earlier.id, earlier.terms.name)
                 if earlier is not None and earlier.status is not ProjectStatus.DRAFT else None)
    state, ends_at = _worker_state(project, now)
    pause_ends_at = due = None
    if state == "paused" and project.paused_at is not None:
        notice_days = project.terms.commitment.notice_days
        pause_ends_at = project.paused_at + timedelta(days=notice_days)
        # As close_due will count it once the pause becomes an ending: the days before it.
        owed = notice_pay(tx.assignments.earnings_since(
            project.id, since=project.paused_at - NOTICE_PAY_WINDOW), notice_days)
        due = Money(owed.get(worker.id, 0), currency)
    paid = received.get(project.id)
    return WorkerProject(view, state, ends_at, continues,
                         Money(paid, currency) if paid else None, pause_ends_at, due)


def _worker_state(project: Project, now: datetime) -> tuple[str, datetime | None]:
    if project.ended_at is not None or project.status is ProjectStatus.ENDED:
        return "ended", project.ended_at or project.ending_at
    if project.ending_at is not None and project.ending_at <= now:
        return "ended", project.ending_at  # its notice is over; the job closes it soon
    if project.status is ProjectStatus.PAUSED:
        return "paused", None
    return ("ending", project.ending_at) if project.ending_at is not None else ("open", None)


def _notice_pay_received(tx: ListProjectsTx, worker: User) -> dict[int, int]:
    """Per project, the notice pay the worker received (minor units)."""
    received: dict[int, int] = {}
    for entry in tx.ledger.entries([ledger.worker_account(worker.id, "available")]):
        project_id = entry.memo.get("project_id")
        if entry.kind == "notice_pay" and isinstance(project_id, int):
            received[project_id] = received.get(project_id, 0) + entry.amount_minor
    return received


class ProjectNamesTx(HasProjects, Protocol):
    """The transaction of ``project_names``."""


def project_names(db: Database[ProjectNamesTx], user: User,
                  project_ids: Collection[int]) -> dict[int, str]:
    """The names of those projects the user may see (an inbox links to them)."""
    names: dict[int, str] = {}
    with db.read() as tx:
        for project_id in sorted(set(project_ids)):
            try:
                names[project_id] = visible_project(tx, user, project_id).terms.name
            except NotFound:
                continue
    return names


def recent_answers(db: Database[RecentAnswersTx], user: User, project_id: int, *,
                   limit: int = 50) -> list[Any]:
    with db.read() as tx:
        own_project(tx, user, project_id)
        rows = tx.assignments.recent_answers(project_id, limit=limit)
        names = tx.users.pseudonyms(r.worker_id for r in rows)
        consensus = tx.consensus.of_tasks([r.task_id for r in rows])
    return [{"assignment_id": r.id, "task_id": r.task_id, "worker": names[r.worker_id],
             "answer": r.answer, "submitted_at": r.submitted_at,
             "consensus": consensus[r.task_id].consensus,
             "confidence": consensus[r.task_id].confidence,
             "seconds": (r.submitted_at - r.leased_at).total_seconds(),
             "review": r.review or ("approved" if r.approved_at else None)} for r in rows]


def _new_task(schema: LabelSchema, row: Any) -> NewTask:
    if isinstance(row, dict) and "data" in row and set(row) <= {"data", "gold", "gold_text"}:
        data = schema.validate_task_data(row["data"])
        if "gold" not in row and "gold_text" not in row:
            return NewTask(data)
        gold = row["gold"] if "gold" in row else answer_from_text(schema, row["gold_text"])
        try:
            expected = schema.validate_answer(gold, data)
        except InvalidInput as error:
            raise InvalidInput("gold answer: {reason}", reason=error.msg) from None
        return NewTask(data, expected, is_gold=True)
    return NewTask(schema.validate_task_data(row))


IMPORT_BATCH = 5000
"""Rows validated and inserted at a time: an import holds one batch in memory, not the file."""


def import_tasks(db: Database[ImportTasksTx], user: User, project_id: int, rows: Iterable[Any],
                 *, max_rows: int, now: datetime,
                 image_hosts: Collection[str] | None = None) -> int:
    """Validate the rows against the project's schema and store all of them or none.

    ``rows`` may be a stream (``task_files.TaskStream``): it is read, validated and inserted
    a batch at a time inside one write transaction, and the first bad row (or one row past
    ``max_rows``) rolls all of it back. Rows are either ``{"data": {...}}``,
    ``{"data": {...}, "gold": answer}`` for a gold (control) task, or a bare data object.
    Row numbers in errors count from 1 in the order given. An ``image`` names a media item of
    the project (``media:<id>``, or the name it was uploaded under, stored as its
    ``media:<id>``) or an address on one of ``image_hosts`` (None: addresses are not checked).
    """
    require_role(user, Role.REQUESTER, Role.ADMIN)
    if isinstance(rows, Sized):
        if len(rows) > max_rows:
            raise TooLarge("{count} tasks in one import; the limit is {limit}. Split the file.",
                           count=len(rows), limit=max_rows)
        if not rows:
            raise ImportRejected(1, Msg("the file holds no tasks"))
    with db.write() as tx:
        project = own_project(tx, user, project_id, for_update=True)
        if project.status is ProjectStatus.ENDED or project.ended_at is not None:
            raise Conflict("the project has ended: it takes no more tasks",
                           code="project_ended")
        count = 0
        source = iter(rows)
        while batch := list(islice(source, IMPORT_BATCH)):
            if count + len(batch) > max_rows:
                raise TooLarge("the file holds more than {limit} tasks, the most one import "
                               "takes. Split the file.", limit=max_rows)
            new_tasks = _new_tasks(tx, project, batch, first=count + 1, image_hosts=image_hosts)
            count += tx.tasks.add_many(project_id=project_id, new_tasks=new_tasks,
                                       max_answers=project.terms.redundancy, now=now)
        if not count:
            raise ImportRejected(1, Msg("the file holds no tasks"))
        tx.commit()
    return count


def _new_tasks(tx: ImportTasksTx, project: Project, batch: list[Any], *, first: int,
               image_hosts: Collection[str] | None) -> list[NewTask]:
    """One batch of rows as tasks, their image references resolved (one lookup per batch);
    ``first``: the first row's number."""
    media = project_media(tx, project.id, batch, image_hosts)
    new_tasks = []
    for number, row in enumerate(batch, start=first):
        try:
            new_tasks.append(_new_task(project.terms.schema, resolve_row(media, row)))
        except InvalidInput as error:
            raise ImportRejected(number, error.msg) from None
    return new_tasks
