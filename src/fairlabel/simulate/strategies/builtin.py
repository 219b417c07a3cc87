"""The built-in requester strategies: one honest requester and six that try to get around
the charter (docs/simulate.md, "The built-in strategies")."""

from __future__ import annotations

from typing import ClassVar

from fairlabel.simulate.desk import AnswerToReview, Desk, ProjectState, Refused
from fairlabel.simulate.strategies.base import ProjectCycle


class Honest(ProjectCycle):
    """Prices a task for 40 s at the floor (above it for most workers), funds all the work,
    ends with notice, approves some right answers at once and rejects clear spam with the
    platform's evidence."""

    label: ClassVar[str] = "honest"

    def review(self, desk: Desk, answers: list[AnswerToReview]) -> None:
        super().review(desk, answers)
        for answer in answers:
            if answer.right and desk.rng.random() < 0.1:
                try:
                    desk.approve(answer.assignment_id)
                except Refused:
                    continue


class Underpricer(ProjectCycle):
    """Prices a task at a fifth of what the floor needs at 30 s a task: it hopes workers
    take less than the floor. It funds what the platform says finishing the work needs."""

    label: ClassVar[str] = "underpricer"

    def price(self, desk: Desk) -> int:
        return max(1, desk.fair_price_minor(30.0) // 5)


class SilentCutter(ProjectCycle):
    """Runs a fair project and, once workers depend on it (60 answers), cuts the price by
    40 %, and again every 20 days: it hopes nobody notices."""

    label: ClassVar[str] = "silent_cutter"
    LIFE: ClassVar[int] = 120

    def __init__(self) -> None:
        super().__init__()
        self.last_cut = -1000

    def running(self, desk: Desk, project: ProjectState) -> None:
        if project.answers < 60 or desk.day - self.last_cut < 20:
            return
        self.last_cut = desk.day
        try:
            desk.change_price(project.id, max(1, project.price_minor * 6 // 10),
                              reason="Budget review.")
        except Refused:
            return


class AbruptEnder(ProjectCycle):
    """Ends its projects at once, without notice, 10 to 40 days after opening them (with
    notice only when the platform refuses the immediate end)."""

    label: ClassVar[str] = "abrupt_ender"

    def __init__(self) -> None:
        super().__init__()
        self.life = 0

    def _open(self, desk: Desk) -> None:
        super()._open(desk)
        self.life = desk.rng.randint(10, 40)

    def running(self, desk: Desk, project: ProjectState) -> None:
        if desk.day - self.started_day < self.life:
            return
        try:
            desk.end(project.id, at_once=True, reason="The client cancelled.")
        except Refused:
            desk.end(project.id, reason="The client cancelled.")
        self.current = None
        self.next_start = desk.day + self.REST


class Rejecter(ProjectCycle):
    """Rejects a third of the right answers, asking to withhold their pay with a vague
    reason; when the platform refuses to withhold, it rejects and pays (the decision stands
    for appeal). Its projects state a strict gold accuracy threshold (90 %), so that more
    workers fall below it: the platform's gold evidence then withholds only an answer shown
    wrong (against the gold answer or an established consensus), never a right one."""

    label: ClassVar[str] = "rejecter"
    GOLD_THRESHOLD: ClassVar[float] = 0.9

    def review(self, desk: Desk, answers: list[AnswerToReview]) -> None:
        for answer in answers:
            if not answer.right or desk.rng.random() >= 1 / 3:
                continue
            try:
                desk.reject(answer.assignment_id, withhold=True, reason="Low quality.")
            except Refused:
                try:
                    desk.reject(answer.assignment_id, reason="Low quality.")
                except Refused:
                    continue


class Underfunder(ProjectCycle):
    """Moves a third of what finishing the work needs into the escrow, and no more: it hopes
    workers finish the rest on credit."""

    label: ClassVar[str] = "underfunder"

    def funding(self, desk: Desk, project: ProjectState, added: int) -> int:
        return max(0, desk.needed_to_finish(project.id) // 3)
