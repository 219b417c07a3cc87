"""What most built-in strategies share: one project at a time, fed a batch of messages every
few days and funded for them, ended after a while and followed by a new one."""

from __future__ import annotations

from typing import ClassVar

from fairlabel.simulate.desk import AnswerToReview, Desk, ProjectState, Refused
from fairlabel.simulate.strategy import BaseStrategy


class ProjectCycle(BaseStrategy):
    """Runs one project at a time. Every ``EVERY`` days it adds ``BATCH`` messages (and
    ``GOLD`` gold ones on the first batch) and funds what finishing them needs
    (:meth:`funding`); after ``LIFE`` days of running it ends the project (:meth:`finish`)
    and starts a new one ``REST`` days later. Reviews reject clear spam (wrong and under
    8 s) withholding pay, which the platform allows only on its own evidence."""

    label: ClassVar[str] = "cycle"
    BATCH: ClassVar[int] = 8
    GOLD: ClassVar[int] = 8
    EVERY: ClassVar[int] = 7
    LIFE: ClassVar[int] = 90
    REST: ClassVar[int] = 10
    DEPOSIT: ClassVar[int] = 2_000_00
    SECONDS: ClassVar[float] = 40.0  # the time a task is priced for
    GOLD_THRESHOLD: ClassVar[float] = 0.6  # the gold accuracy the project states

    def __init__(self) -> None:
        self.current: int | None = None
        self.started_day = 0
        self.next_start = 0
        self.fed_day = -1
        self.projects_made = 0

    def start(self, desk: Desk) -> None:
        desk.deposit(self.DEPOSIT)
        self.next_start = desk.rng.randrange(0, 7)

    def price(self, desk: Desk) -> int:
        """The price per task of a new project."""
        return desk.fair_price_minor(self.SECONDS)

    def funding(self, desk: Desk, project: ProjectState, added: int) -> int:
        """How much to move into the escrow after adding ``added`` messages."""
        return desk.needed_to_finish(project.id)

    def finish(self, desk: Desk, project: ProjectState) -> None:
        """End the project: with notice."""
        desk.end(project.id, reason="This batch of work is complete.")

    def running(self, desk: Desk, project: ProjectState) -> None:
        """Called on the days the project is fed (every ``EVERY`` days), after feeding it."""

    def day(self, desk: Desk) -> None:
        if self.current is None:
            if desk.day >= self.next_start:
                self._open(desk)
            return
        due = desk.day - self.fed_day >= self.EVERY
        if not due and desk.day - self.started_day < self.LIFE:
            return  # nothing to do today: no need to look
        project = desk.project(self.current)
        if project.status in ("ended", "ending"):
            self.current = None
            self.next_start = desk.day + self.REST
            return
        if project.status != "open":
            return
        if desk.day - self.started_day >= self.LIFE:
            try:
                self.finish(desk, project)
            except Refused:
                return
            self.current = None
            self.next_start = desk.day + self.REST
            return
        self._feed(desk, project)
        self.running(desk, desk.project(project.id))

    def _open(self, desk: Desk) -> None:
        self.projects_made += 1
        batch = desk.make_batch(self.BATCH, gold=self.GOLD)
        try:
            project_id = desk.new_project(f"{self.label} work {self.projects_made}", batch,
                                          price_minor=self.price(desk),
                                          gold_min_accuracy=self.GOLD_THRESHOLD)
            state = desk.project(project_id)
            self._fund(desk, state, self.BATCH)
            desk.launch(project_id)
        except Refused:
            self.next_start = desk.day + self.REST
            return
        self.current = project_id
        self.started_day = self.fed_day = desk.day

    def _feed(self, desk: Desk, project: ProjectState) -> None:
        self.fed_day = desk.day
        try:
            desk.add_tasks(project.id, desk.make_batch(self.BATCH, like=project.id))
            self._fund(desk, desk.project(project.id), self.BATCH)
        except Refused:
            return

    def _fund(self, desk: Desk, project: ProjectState, added: int) -> None:
        amount = self.funding(desk, project, added)
        if amount > 0:
            if desk.balance() < amount:
                desk.deposit(max(amount, self.DEPOSIT))
            desk.fund(project.id, amount)

    def review(self, desk: Desk, answers: list[AnswerToReview]) -> None:
        for answer in answers:
            if not answer.right and answer.seconds < 8:
                try:
                    desk.reject(answer.assignment_id, withhold=True,
                                reason="Answered faster than the text can be read, and wrong.")
                except Refused:
                    continue
