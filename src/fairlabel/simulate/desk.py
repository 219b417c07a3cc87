"""A requester's desk: the strategy's only window onto the platform.

Every action calls the same use case the API calls, at the simulated time. When the platform
refuses (a domain error: not enough escrow, a continuation that pays less, a rejection that
may not withhold pay…), the desk logs the refusal with the platform's own message and raises
:class:`Refused`, which a strategy may catch. Nothing here reaches the database another way.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import TypeVar

from fairlabel.domain.accounts import Role, User
from fairlabel.domain.commitments import Commitment, EndMode
from fairlabel.domain.errors import DomainError
from fairlabel.domain.label_schema import parse_schema
from fairlabel.domain.money import Money
from fairlabel.domain.pay import fair_price
from fairlabel.domain.projects import ProjectStatus, ProjectTerms
from fairlabel.domain.quality import QualityTerms
from fairlabel.services import ending, funding, pay, projects, review
from fairlabel.simulate.log import ProjectEvent, Relaunch, RequesterInfo, ReviewEvent
from fairlabel.simulate.tasks import CHOICES, RENAMED, TaskBatch, disguise, reword
from fairlabel.simulate.tasks import make_batch as _make_batch
from fairlabel.simulate.world import Rejection, Work, World

T = TypeVar("T")

VARIANTS = ("reworded", "renamed_labels", "paraphrased", "shuffled")
"""What :meth:`Desk.relaunch` can change to hide a relaunch; ``pause_instead_of_end`` and
``second_account`` are added by the desk when they apply."""


class Refused(Exception):
    """The platform refused an action: ``message`` is its explanation, ``code`` its code."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True, slots=True)
class ProjectState:
    """One of the requester's projects as its page shows it."""

    id: int
    name: str
    status: str  # draft, open, ending (notice given), paused, ended
    price_minor: int
    tasks: int
    answers_wanted: int
    answers: int
    median_seconds: float | None  # the measured median time on a task, once measured
    escrow_minor: int  # the free escrow (less what live leases hold)
    notice_days: int
    launched_at: datetime | None
    continuation_of: int | None

    @property
    def remaining(self) -> int:
        return max(0, self.answers_wanted - self.answers)


@dataclass(frozen=True, slots=True)
class AnswerToReview:
    """An answer submitted on one of the requester's projects since their last review.
    ``right`` says whether it is the message's true label (as a requester who checked it
    would know); ``seconds`` the worker's measured time."""

    assignment_id: int
    project_id: int
    worker_id: int
    seconds: float
    right: bool


class Desk:
    """A requester account's window onto the platform (see docs/simulate.md)."""

    def __init__(self, world: World, user: User, *, label: str, rng: random.Random) -> None:
        self._world = world
        self.user = user
        self.label = label
        self.rng = rng

    # What the requester sees -------------------------------------------------------------

    @property
    def now(self) -> datetime:
        return self._world.now

    @property
    def day(self) -> int:
        """Days since the run started (0 on the first)."""
        return self._world.day

    @property
    def user_id(self) -> int:
        return self.user.id

    @property
    def currency(self) -> str:
        return self._world.currency

    @property
    def floor_hourly_minor(self) -> int:
        return self._world.log.floor_hourly_minor

    def fair_price_minor(self, seconds: float = 30.0) -> int:
        """The price per task that pays the floor at ``seconds`` a task (rounded up)."""
        return fair_price(self.floor_hourly_minor, Fraction(seconds) * 1000)

    def balance(self) -> int:
        """The requester's funds outside any project, in minor units."""
        held = pay.requester_funds(self._world.db, self.user)
        return sum(m.amount_minor for m in held if m.currency == self.currency)

    def projects(self) -> list[ProjectState]:
        views = projects.list_projects(self._world.db, self.user, self._world.policy)
        return [_state(v) for v in views]

    def project(self, project_id: int) -> ProjectState:
        return _state(projects.get_project(self._world.db, self.user, project_id,
                                           self._world.policy))

    def needed_to_finish(self, project_id: int) -> int:
        """What to add to the escrow so that every remaining task can be served."""
        found = funding.project_funding(self._world.db, self.user, project_id,
                                        policy=self._world.policy, now=self.now)
        return found.needed_to_finish.amount_minor

    def withdrawable(self, project_id: int) -> int:
        found = funding.project_funding(self._world.db, self.user, project_id,
                                        policy=self._world.policy, now=self.now)
        return found.withdrawable.amount_minor

    def make_batch(self, count: int, *, gold: int = 0, like: int | None = None) -> TaskBatch:
        """``count`` new messages to label (and ``gold`` gold ones), with instructions of
        their own, or more messages for project ``like`` (its instructions)."""
        same = self._world.work[like].batch if like is not None else None
        return _make_batch(self.rng, count, gold=gold, like=same)

    # What the requester does --------------------------------------------------------------

    def deposit(self, amount_minor: int) -> int:
        """Pay money in (the operator records the deposit); returns the funds."""
        return self._world.deposit(self.user, amount_minor)

    def new_project(self, name: str, batch: TaskBatch, *, price_minor: int,
                    redundancy: int = 2, notice_days: int = 7,
                    instructions: str | None = None,
                    choices: tuple[str, ...] = CHOICES, gold_min_accuracy: float = 0.6) -> int:
        """Create a draft project with ``batch``'s messages; gold tasks, if any, are served
        as 10 % of the work with ``gold_min_accuracy`` as the stated threshold."""
        told = batch.instructions if instructions is None else instructions
        quality = (QualityTerms(gold_rate=0.1, gold_min_accuracy=gold_min_accuracy)
                   if batch.gold else QualityTerms())

        def create() -> int:
            terms = ProjectTerms(name, told,
                                 parse_schema({"type": "single_choice",
                                               "choices": list(choices)}),
                                 redundancy, Money(price_minor, self.currency), 600,
                                 commitment=Commitment(notice_days=notice_days), quality=quality)
            made = projects.create_project(self._world.db, self.user, terms,
                                           policy=self._world.policy, now=self.now)
            rows = batch.rows(choices)
            projects.import_tasks(self._world.db, self.user, made.id, rows,
                                  max_rows=len(rows), now=self.now)
            return made.id

        project_id = self._try(None, "create_refused", create)
        self._world.remember(project_id, Work(batch, choices, told, self.user.id))
        self._event(project_id, "created", name, amount_minor=price_minor)
        return project_id

    def add_tasks(self, project_id: int, batch: TaskBatch) -> None:
        """Import more messages into a project (draft, open or paused)."""
        world = self._world
        work = world.work[project_id]
        rows = batch.rows(work.choices)
        self._try(project_id, "import_refused", lambda: projects.import_tasks(
            world.db, self.user, project_id, rows, max_rows=len(rows), now=self.now))
        merged = TaskBatch(work.batch.items + batch.items, work.batch.gold + batch.gold,
                           work.batch.instructions)
        world.remember(project_id, Work(merged, work.choices, work.instructions,
                                        work.requester_id))
        self._event(project_id, "tasks_added", amount_minor=len(rows))
        world.changed = True

    def fund(self, project_id: int, amount_minor: int) -> None:
        self._try(project_id, "fund_refused", lambda: pay.fund_project(
            self._world.db, self.user, project_id, Money(amount_minor, self.currency),
            now=self.now))
        self._event(project_id, "funded", amount_minor=amount_minor)

    def launch(self, project_id: int) -> None:
        self._try(project_id, "launch_refused", lambda: projects.launch_project(
            self._world.db, self.user, project_id, now=self.now, policy=self._world.policy))
        self._event(project_id, "launched")
        self._world.changed = True

    def change_price(self, project_id: int, price_minor: int, *, reason: str) -> None:
        """Raise at once, or announce a cut (it takes effect after the charter's notice)."""
        self._try(project_id, "price_refused", lambda: pay.change_price(
            self._world.db, self.user, project_id, Money(price_minor, self.currency),
            reason=reason, policy=self._world.policy, now=self.now))
        self._event(project_id, "price_changed", reason, amount_minor=price_minor)
        self._world.changed = True

    def pause(self, project_id: int) -> None:
        self._try(project_id, "pause_refused", lambda: ending.pause_project(
            self._world.db, self.user, project_id, now=self.now))
        self._event(project_id, "paused")
        self._world.changed = True

    def end(self, project_id: int, *, at_once: bool = False,
            reason: str = "The work is no longer needed.") -> None:
        """End with the project's notice, or ``at_once`` (paying notice pay)."""
        mode = EndMode.IMMEDIATE if at_once else EndMode.NOTICE
        notice = self.project(project_id).notice_days
        self._try(project_id, "end_refused", lambda: ending.end_project(
            self._world.db, self.user, project_id, reason=reason, mode=mode,
            policy=self._world.policy, now=self.now))
        self._event(project_id, "ended", mode.value, notice_days=notice)
        self._world.changed = True

    def withdraw(self, project_id: int, amount_minor: int) -> None:
        self._try(project_id, "withdraw_refused", lambda: funding.withdraw(
            self._world.db, self.user, project_id, Money(amount_minor, self.currency),
            policy=self._world.policy, now=self.now))
        self._event(project_id, "withdrawn", amount_minor=amount_minor)

    def approve(self, assignment_id: int) -> None:
        try:
            review.approve_answer(self._world.db, self.user, assignment_id,
                                  policy=self._world.policy, now=self.now)
        except DomainError as error:
            self._review(assignment_id, "approved", refused=True, detail=error.message)
            raise Refused(error.message, error.code) from None
        self._review(assignment_id, "approved")

    def reject(self, assignment_id: int, *, reason: str, withhold: bool = False) -> None:
        """Reject an answer: it is paid unless ``withhold`` and the platform finds evidence
        of bad faith (then the pay is withheld). A refusal raises :class:`Refused`."""
        try:
            decision = review.review_answer(self._world.db, self.user, assignment_id,
                                            approve=False, reason=reason, withhold_pay=withhold,
                                            policy=self._world.policy, now=self.now)
        except DomainError as error:
            self._review(assignment_id, "rejected", withheld=withhold, refused=True,
                         detail=error.message)
            raise Refused(error.message, error.code) from None
        self._review(assignment_id, "rejected", withheld=withhold, decision_id=decision.id)
        self._world.rejections.append(Rejection(decision.id, assignment_id, decision.worker_id,
                                                self.now))

    def second_account(self, deposit_minor: int) -> Desk:
        """Open another requester account for the same person, with a deposit."""
        world = self._world
        user = world.add_account(Role.REQUESTER)
        person = world.person.get(self.user.id, self.user.id)
        world.person[user.id] = person
        world.log.requesters.append(RequesterInfo(user.id, self.label, person))
        if deposit_minor:
            world.deposit(user, deposit_minor)
        return Desk(world, user, label=self.label, rng=self.rng)

    def relaunch(self, old_project_id: int, *, variants: tuple[str, ...], price_minor: int,
                 fund_minor: int, name: str) -> int | None:
        """Launch ``old_project_id``'s work again on this account, disguised by ``variants``
        (any of :data:`VARIANTS`), at ``price_minor``, funded with ``fund_minor``. Returns
        the new project's id, or None when the platform refused the launch (then the draft
        stays, and the refusal is logged)."""
        world = self._world
        old = world.work[old_project_id]
        owner = world.users[old.requester_id]
        old_view = projects.get_project(world.db, owner, old_project_id, world.policy)
        done = tuple(v for v in variants if v in VARIANTS)
        if old_view.project.status is ProjectStatus.PAUSED:
            done += ("pause_instead_of_end",)
        if old.requester_id != self.user.id:
            done += ("second_account",)
        choices = (RENAMED[self.rng.randrange(len(RENAMED))] if "renamed_labels" in done
                   else old.choices)
        batch = disguise(old.batch, self.rng, paraphrased="paraphrased" in done,
                         shuffled="shuffled" in done)
        instructions = reword(old.instructions) if "reworded" in done else old.instructions
        notice = old_view.project.terms.commitment.notice_days
        project_id = self.new_project(name, batch, price_minor=price_minor,
                                      notice_days=notice, instructions=instructions,
                                      choices=choices,
                                      redundancy=old_view.project.terms.redundancy)
        refused = False
        try:
            self.fund(project_id, fund_minor)
            self.launch(project_id)
        except Refused:
            refused = True
        world.log.relaunches.append(Relaunch(
            self.user.id, old_project_id, None if refused else project_id, done, self.now,
            price_minor, old_view.project.terms.pay_per_task.amount_minor, refused))
        return None if refused else project_id

    # Recording ----------------------------------------------------------------------------

    def _try(self, project_id: int | None, refused_as: str, action: Callable[[], T]) -> T:
        try:
            return action()
        except DomainError as error:
            self._event(project_id or 0, refused_as, error.message)
            raise Refused(error.message, error.code) from None

    def _event(self, project_id: int, what: str, detail: str = "", *,
               amount_minor: int | None = None, notice_days: int | None = None) -> None:
        self._world.log.projects.append(ProjectEvent(project_id, self.user.id, self.now, what,
                                                     detail, amount_minor, notice_days))

    def _review(self, assignment_id: int, outcome: str, *, withheld: bool = False,
                refused: bool = False, detail: str = "", decision_id: int | None = None
                ) -> None:
        self._world.log.reviews.append(ReviewEvent(assignment_id, self.user.id, self.now,
                                                   outcome, withheld, refused, detail,
                                                   decision_id))


def _state(view: projects.ProjectView) -> ProjectState:
    p = view.project
    status = p.status.value
    if p.status is ProjectStatus.OPEN and p.ending_at is not None:
        status = "ending"
    pay_view = view.pay
    return ProjectState(
        id=p.id, name=p.terms.name, status=status, price_minor=p.terms.pay_per_task.amount_minor,
        tasks=view.counts.tasks, answers_wanted=view.counts.answers_wanted,
        answers=view.counts.answers,
        median_seconds=pay_view.median_seconds if pay_view else None,
        escrow_minor=pay_view.escrow.amount_minor if pay_view else 0,
        notice_days=p.terms.commitment.notice_days, launched_at=p.launched_at,
        continuation_of=p.continuation_of)
