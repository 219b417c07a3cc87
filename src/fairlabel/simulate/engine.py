"""The event loop: one simulated clock, moved forward only, driving the platform's use cases.

Events, in time order (ties in the order they were scheduled):

- every simulated hour, the periodic jobs (``services.jobs.run_due_work``, as a server's
  sweep runs them, measurement included; consensus refits at most once a simulated day);
- every morning at 07:00: the escrow is sampled, the moderator works through the queues,
  workers may appeal the rejections and blocks of the day before, each requester's strategy
  reviews its new answers and acts, and each worker who works that day gets a session later
  in the day;
- a worker's session: lease a task of an open project (preferring better pay), work on it for
  their time on a task, submit (or now and then skip), and again until the session ends or
  no work is left for them.
"""

from __future__ import annotations

import heapq
import random
from collections import defaultdict
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from fairlabel.domain.accounts import User
from fairlabel.domain.errors import DomainError
from fairlabel.services import appeals, assignment, jobs, operator, projects
from fairlabel.services.quality import RefitConsensus
from fairlabel.simulate.desk import AnswerToReview, Desk, Refused
from fairlabel.simulate.log import AnswerEvent, EscrowSample
from fairlabel.simulate.moderator import Moderator
from fairlabel.simulate.strategy import Strategy
from fairlabel.simulate.workers import Profile
from fairlabel.simulate.world import World

JOBS_EVERY = timedelta(hours=1)
MORNING = timedelta(hours=7)
QUIET_EVERY = 6
TRIES = 3  # projects a worker tries before giving up on a session

JOBS, MORNING_EVENT, SESSION, SUBMIT, RELEASE, DEADLINE = range(6)


@dataclass
class SimWorker:
    user: User
    profile: Profile
    rng: random.Random
    until: datetime | None = None  # the end of today's session
    tried: set[int] = field(default_factory=set)


@dataclass
class Requester:
    desk: Desk
    strategy: Strategy
    started: bool = False


@dataclass(frozen=True, slots=True)
class OpenProject:
    id: int
    requester_id: int
    price_minor: int


@dataclass(frozen=True, slots=True)
class Held:
    """A lease a worker is working on."""

    assignment_id: int
    project: OpenProject
    leased_at: datetime
    answer: str
    correct: bool
    seconds: float


class Engine:
    def __init__(self, world: World, moderator: Moderator, workers: list[SimWorker],
                 requesters: list[Requester], *, days: int, refit: RefitConsensus | None,
                 progress: Callable[[int], None] | None) -> None:
        self.world = world
        self.moderator = moderator
        self.workers = workers
        self.by_id = {w.user.id: w for w in workers}
        self.requesters = requesters
        self.days = days
        self.refit = refit
        self.progress = progress
        self.heap: list[tuple[datetime, int, int, int, Held | None]] = []
        self.seq = 0
        self.open: list[OpenProject] = []
        self.pending: dict[int, list[AnswerToReview]] = defaultdict(list)
        self.active = True  # something happened since the jobs last ran
        self.reviewers = {r.desk.user_id for r in requesters}

    def push(self, at: datetime, kind: int, ref: int = 0, held: Held | None = None) -> None:
        self.seq += 1
        heapq.heappush(self.heap, (at, self.seq, kind, ref, held))

    def run(self) -> None:
        start = self.world.log.started
        end = self.world.log.ended
        at = start
        while at < end:
            self.push(at, JOBS)
            at += JOBS_EVERY
        for day in range(self.days):
            self.push(start + timedelta(days=day) + MORNING, MORNING_EVENT, day)
        while self.heap:
            at, _, kind, ref, held = heapq.heappop(self.heap)
            if at >= end:
                break
            self.world.now = at
            if kind != JOBS:
                self.active = True
            if kind == JOBS:
                self.jobs(at)
            elif kind == DEADLINE:
                self.jobs(at, due=True)
            elif kind == MORNING_EVENT:
                self.morning(ref)
            elif kind == SESSION:
                self.lease(self.by_id[ref])
            elif kind == SUBMIT and held is not None:
                self.submit(self.by_id[ref], held)
            elif kind == RELEASE and held is not None:
                self.release(self.by_id[ref], held)
        self.world.now = end
        jobs.run_due_work(self.world.db, self.world.policy, now=end, refit=self.refit)

    def jobs(self, at: datetime, *, due: bool = False) -> None:
        """The periodic jobs: every hour after activity, else every ``QUIET_EVERY`` hours (an
        idle platform's sweep has only time-driven work: approvals, deadlines, endings); and,
        ``due``, at an appeal's deadline, which a server's sweep (every minute) meets within a
        minute: the hourly grid would decide it up to an hour late."""
        hour = int((at - self.world.log.started) / JOBS_EVERY)
        if not due and not self.active and hour % QUIET_EVERY:
            return
        self.active = False
        done = jobs.run_due_work(self.world.db, self.world.policy, now=at, refit=self.refit,
                                 consensus_interval=timedelta(days=1))
        if done.prices_applied or done.projects_closed or done.expired or self.world.changed:
            self.refresh()

    # Mornings ---------------------------------------------------------------------------

    def morning(self, day: int) -> None:
        world = self.world
        world.day = day
        self.sample_escrow()
        self.moderator.morning()
        self.appeal_rejections()
        for requester in self.requesters:
            desk, strategy = requester.desk, requester.strategy
            try:
                if not requester.started:
                    requester.started = True
                    strategy.start(desk)
                answers = self.pending.pop(desk.user_id, [])
                strategy.review(desk, answers)
                strategy.day(desk)
            except Refused:
                continue  # logged by the desk; the strategy did not handle it
        self.refresh()
        self.plan_sessions(day)
        if self.progress is not None:
            self.progress(day + 1)

    def sample_escrow(self) -> None:
        world = self.world
        for money in operator.requesters_money(world.db, world.operator):
            held = sum(m.amount_minor for m in money.in_projects if m.currency == world.currency)
            world.log.escrow.append(EscrowSample(world.now, money.id, held, world.currency))

    def appeal_rejections(self) -> None:
        world = self.world
        made, world.rejections = world.rejections, []
        for rejection in made:
            worker = self.by_id.get(rejection.worker_id)
            if worker is None:
                continue
            right = (world.answers.get(rejection.assignment_id, False)
                     if rejection.good_faith is None else rejection.good_faith)
            if not worker.profile.appeals(right, worker.rng):
                continue
            try:
                filed = appeals.appeal(world.db, worker.user, rejection.decision_id,
                                       message="My answer was right: please look at it again.",
                                       policy=world.policy, now=world.now)
            except DomainError:
                continue
            self.push(filed.deadline_at, DEADLINE)

    def plan_sessions(self, day: int) -> None:
        world = self.world
        midnight = world.log.started + timedelta(days=day)
        weekday = midnight.weekday()
        for worker in self.workers:
            profile = worker.profile
            if weekday not in profile.weekdays or worker.rng.random() >= profile.show_up:
                continue
            start = midnight + timedelta(hours=profile.start_hour + worker.rng.uniform(-0.5, 0.5))
            start = max(start, world.now)
            worker.until = start + timedelta(hours=profile.hours)
            worker.tried = set()
            self.push(start, SESSION, worker.user.id)

    def refresh(self) -> None:
        """What is open and has work left, with its price now (as a worker's list shows it)."""
        world = self.world
        if not self.workers:
            return
        world.changed = False
        views = projects.list_projects(world.db, self.workers[0].user)
        self.open = [OpenProject(v.project.id, v.project.requester_id,
                                 v.project.terms.pay_per_task.amount_minor)
                     for v in views if v.counts.answers < v.counts.answers_wanted]

    # Workers ----------------------------------------------------------------------------

    def lease(self, worker: SimWorker, prefer: OpenProject | None = None) -> None:
        world = self.world
        now = world.now
        if worker.until is None or now >= worker.until:
            return
        for _ in range(TRIES):
            choices = [p for p in self.open if p.id not in worker.tried]
            if prefer is not None and prefer.id not in worker.tried:
                project = prefer
            elif not choices:
                return
            else:
                weights = [p.price_minor ** 2 for p in choices]
                project = worker.rng.choices(choices, weights=weights)[0]
            prefer = None
            try:
                lease = assignment.request_next(world.db, worker.user, project.id, now=now,
                                                policy=world.policy, rng=worker.rng)
            except DomainError:
                lease = None
            if lease is None:  # nothing left here (for this worker at least): until the
                worker.tried.add(project.id)  # next look at what is open, others skip it too
                self.open = [p for p in self.open if p.id != project.id]
                continue
            text = str(lease.data.get("text", ""))
            truth = world.truth.get(text, 0)
            choice = worker.profile.label(truth, worker.rng)
            seconds = worker.profile.task_seconds(worker.rng)
            labels = world.work[project.id].choices
            held = Held(lease.assignment_id, project, now, labels[choice], choice == truth,
                        seconds)
            if worker.rng.random() < worker.profile.skip_rate:
                self.push(now + timedelta(seconds=seconds / 3), RELEASE, worker.user.id, held)
            else:
                self.push(now + timedelta(seconds=seconds), SUBMIT, worker.user.id, held)
            return

    def submit(self, worker: SimWorker, held: Held) -> None:
        world = self.world
        try:
            assignment.submit_answer(world.db, worker.user, held.assignment_id, held.answer,
                                     idempotency_key=None, now=world.now, policy=world.policy)
        except DomainError:
            self.lease(worker)
            return
        project = held.project
        world.answers[held.assignment_id] = held.correct
        world.log.answers.append(AnswerEvent(
            held.assignment_id, worker.user.id, project.id, project.requester_id,
            held.leased_at, world.now, project.price_minor, world.currency, held.correct))
        world.log.answers_per_project[project.id] = (
            world.log.answers_per_project.get(project.id, 0) + 1)
        if project.requester_id in self.reviewers:  # (no strategy reviews a second account)
            self.pending[project.requester_id].append(AnswerToReview(
                held.assignment_id, project.id, worker.user.id,
                (world.now - held.leased_at).total_seconds(), held.correct))
        self.lease(worker, prefer=project)

    def release(self, worker: SimWorker, held: Held) -> None:
        with suppress(DomainError):  # the lease ran out meanwhile: nothing to give back
            assignment.release(self.world.db, worker.user, held.assignment_id,
                               now=self.world.now)
        self.lease(worker, prefer=held.project)
