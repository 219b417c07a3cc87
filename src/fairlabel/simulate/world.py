"""What the engine and every requester's desk share during a run: the database, the charter,
the simulated clock, the log and the run's ground truth (which message means what, which
project holds which data, which account belongs to which person)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from itertools import count

from fairlabel.domain.accounts import Role, User
from fairlabel.domain.charter import CharterPolicy
from fairlabel.domain.money import Money
from fairlabel.services import accounts, pay
from fairlabel.services.ports.transaction import Database, Transaction
from fairlabel.simulate.log import RunLog
from fairlabel.simulate.tasks import TaskBatch

PASSWORD = "simulated-year-password"
EMAIL_DOMAIN = "sim.fairlabel.org"


@dataclass(frozen=True, slots=True)
class Rejection:
    """A decision against a worker (a requester's rejection, a confirmed block), for the
    worker to consider appealing. ``good_faith``: for a block, whether the worker works in
    good faith; None for a rejection (then the answer's rightness decides)."""

    decision_id: int
    assignment_id: int
    worker_id: int
    at: datetime
    good_faith: bool | None = None


@dataclass(frozen=True, slots=True)
class Work:
    """What a project was made of, kept by the run (the platform keeps its own copy)."""

    batch: TaskBatch
    choices: tuple[str, ...]
    instructions: str
    requester_id: int


@dataclass
class World:
    db: Database[Transaction]
    policy: CharterPolicy
    log: RunLog
    operator: User
    now: datetime
    day: int = 0
    truth: dict[str, int] = field(default_factory=dict)  # message text → truth index
    work: dict[int, Work] = field(default_factory=dict)  # project id → its data
    users: dict[int, User] = field(default_factory=dict)
    person: dict[int, int] = field(default_factory=dict)  # requester id → first account's id
    rejections: list[Rejection] = field(default_factory=list)
    answers: dict[int, bool] = field(default_factory=dict)  # assignment id → right or not
    changed: bool = False  # a requester changed what is open: the engine looks again
    _numbers: count[int] = field(default_factory=lambda: count(1))

    @property
    def currency(self) -> str:
        return self.log.currency

    def add_account(self, role: Role, *, at: datetime | None = None) -> User:
        """A new account (an e-mail address of the simulation's own domain)."""
        name = {Role.WORKER: "worker", Role.REQUESTER: "requester",
                Role.MODERATOR: "moderator", Role.ADMIN: "operator"}[role]
        user = accounts.add_user(self.db, email=f"{name}{next(self._numbers)}@{EMAIL_DOMAIN}",
                                 password=PASSWORD, role=role, now=at or self.now)
        self.users[user.id] = user
        return user

    def deposit(self, requester: User, amount_minor: int) -> int:
        """The operator records money a requester paid in; returns their funds."""
        held = pay.deposit(self.db, self.operator, requester_email=requester.email,
                           amount=Money(amount_minor, self.currency), policy=self.policy,
                           now=self.now)
        return held.amount_minor

    def remember(self, project_id: int, work: Work) -> None:
        self.work[project_id] = work
        for item in (*work.batch.items, *work.batch.gold):
            self.truth[item.text] = item.truth
