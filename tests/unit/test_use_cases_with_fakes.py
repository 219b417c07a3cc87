"""Use cases run against small in-memory fakes of just the ports they use (no database).

Each use case types its transaction with only what it reaches (``DepositTx``: users, ledger;
``AppealTx``: decisions, appeals; ``ReleaseTx``: tasks, assignments), so a fake needs only
those repositories, and only the methods the use case calls. The fake database copies its
state into each transaction and keeps the copy only on ``commit()``, as a real one rolls
back: a failure leaves nothing half-written. The same use cases run on SQLite and
PostgreSQL in tests/integration and tests/e2e.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

import pytest

from fairlabel.domain import ledger
from fairlabel.domain.accounts import Role, User
from fairlabel.domain.assignment import Assignment, AssignmentStatus
from fairlabel.domain.charter import CharterPolicy, FloorTable
from fairlabel.domain.decisions import (
    AlreadyAppealed,
    Appeal,
    AppealStatus,
    Decision,
    DecisionKind,
    DecisionStatus,
    NotAppealable,
)
from fairlabel.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from fairlabel.domain.ledger import Entry, LedgerTransaction
from fairlabel.domain.money import Money
from fairlabel.services import appeals, assignment, pay

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
POLICY = CharterPolicy(FloorTable({"EUR": 1300}, {}), appeal_deadline=timedelta(days=5))
ADMIN = User(1, "op@example.org", Role.ADMIN, "op", NOW)
REQUESTER = User(2, "req@example.org", Role.REQUESTER, "r_req", NOW)
WORKER = User(3, "ada@example.org", Role.WORKER, "w_ada", NOW)
OTHER_WORKER = User(4, "grace@example.org", Role.WORKER, "w_grace", NOW)


@dataclass
class State:
    """Everything the fakes hold; a transaction works on a copy of it."""

    users: dict[str, User] = field(default_factory=dict)
    balances: Counter[tuple[str, str]] = field(default_factory=Counter)
    movements: list[str] = field(default_factory=list)
    decisions: dict[int, Decision] = field(default_factory=dict)
    appeals: dict[int, Appeal] = field(default_factory=dict)
    assignments: dict[int, Assignment] = field(default_factory=dict)
    taken: Counter[int] = field(default_factory=Counter)  # task id -> live leases + answers


class FakeUsers:
    def __init__(self, state: State) -> None:
        self.state = state

    def with_password_hash(self, email: str) -> tuple[User, str] | None:
        user = self.state.users.get(email)
        return (user, "argon2-hash") if user else None


class FakeLedger:
    def __init__(self, state: State) -> None:
        self.state = state

    def post(self, tx: LedgerTransaction, *, tx_id: str, now: datetime) -> list[Entry]:
        for posting in tx.postings:
            money = posting.amount
            self.state.balances[posting.account, money.currency] += money.amount_minor
        self.state.movements.append(tx.kind)
        return []

    def balance(self, account: str, currency: str) -> int:
        return self.state.balances[account, currency]


class FakeDecisions:
    def __init__(self, state: State) -> None:
        self.state = state

    def get(self, decision_id: int) -> Decision | None:
        return self.state.decisions.get(decision_id)


class FakeAppeals:
    def __init__(self, state: State) -> None:
        self.state = state

    def of_decisions(self, decision_ids: Sequence[int]) -> dict[int, Appeal]:
        return {a.decision_id: a for a in self.state.appeals.values()
                if a.decision_id in decision_ids}

    def add(self, *, decision_id: int, worker_id: int, message: str, now: datetime,
            deadline: datetime) -> Appeal:
        appeal = Appeal(len(self.state.appeals) + 1, decision_id, worker_id, message, now,
                        deadline, AppealStatus.OPEN, None, None, None)
        self.state.appeals[appeal.id] = appeal
        return appeal


class FakeAssignments:
    def __init__(self, state: State) -> None:
        self.state = state

    def get(self, assignment_id: int, *, for_update: bool = False) -> Assignment | None:
        return self.state.assignments.get(assignment_id)

    def mark_released(self, assignment_id: int, *, now: datetime) -> None:
        found = self.state.assignments[assignment_id]
        self.state.assignments[assignment_id] = replace(found, status=AssignmentStatus.RELEASED)


class FakeTasks:
    def __init__(self, state: State) -> None:
        self.state = state

    def free_slots(self, task_counts: Counter[int]) -> None:
        self.state.taken.subtract(task_counts)


class FakeTransaction:
    """Reaches only the repositories the use cases under test use."""

    def __init__(self, state: State) -> None:
        self.state = state
        self.committed = False
        self.users = FakeUsers(state)
        self.ledger = FakeLedger(state)
        self.decisions = FakeDecisions(state)
        self.appeals = FakeAppeals(state)
        self.assignments = FakeAssignments(state)
        self.tasks = FakeTasks(state)

    def commit(self) -> None:
        self.committed = True


class FakeDatabase:
    def __init__(self, state: State) -> None:
        self.state = state
        self.commits = 0

    @contextmanager
    def write(self) -> Iterator[FakeTransaction]:
        tx = FakeTransaction(copy.deepcopy(self.state))
        yield tx
        if tx.committed:  # otherwise the copy is dropped: a rollback
            self.state = tx.state
            self.commits += 1

    read = write


# deposit: the users and the ledger -------------------------------------------------------

def _bank() -> FakeDatabase:
    return FakeDatabase(State(users={REQUESTER.email: REQUESTER, WORKER.email: WORKER}))


def test_a_deposit_credits_the_requesters_funds_from_the_world() -> None:
    db = _bank()
    balance = pay.deposit(db, ADMIN, requester_email=" REQ@example.org ",
                          amount=Money(50_00, "EUR"), policy=POLICY, now=NOW)
    assert balance == Money(50_00, "EUR")
    funds = ledger.requester_funds(REQUESTER.id)
    assert db.state.balances[funds, "EUR"] == 50_00
    assert db.state.balances[ledger.WORLD, "EUR"] == -50_00
    assert db.state.movements == ["deposit"] and db.commits == 1


@pytest.mark.parametrize(("who", "email", "amount", "error"), [
    (REQUESTER, "req@example.org", Money(10_00, "EUR"), PermissionDenied),  # not an operator
    (ADMIN, "ada@example.org", Money(10_00, "EUR"), NotFound),  # a worker is not a requester
    (ADMIN, "nobody@example.org", Money(10_00, "EUR"), NotFound),
    (ADMIN, "req@example.org", Money(10_00, "USD"), InvalidInput),  # no floor in USD
    (ADMIN, "req@example.org", Money(0, "EUR"), InvalidInput),
])
def test_a_refused_deposit_moves_nothing(who: User, email: str, amount: Money,
                                         error: type[Exception]) -> None:
    db = _bank()
    with pytest.raises(error):
        pay.deposit(db, who, requester_email=email, amount=amount, policy=POLICY, now=NOW)
    assert not db.state.balances and not db.state.movements and db.commits == 0


# appeal: the decisions and their appeals ----------------------------------------------

def _decision(decision_id: int, *, worker: User = WORKER,
              status: DecisionStatus = DecisionStatus.FINAL) -> Decision:
    return Decision(decision_id, worker.id, 7, 70, DecisionKind.ANSWER_REJECTED, None,
                    REQUESTER.id, {}, "rejected: pay withheld", "The answer was wrong.",
                    status, None, NOW - timedelta(hours=1))


def _court() -> FakeDatabase:
    return FakeDatabase(State(decisions={
        1: _decision(1), 2: _decision(2, worker=OTHER_WORKER),
        3: _decision(3, status=DecisionStatus.PROPOSED)}))


def test_an_appeal_is_due_within_the_charters_deadline() -> None:
    db = _court()
    filed = appeals.appeal(db, WORKER, 1, message="  I followed the instructions. ",
                           policy=POLICY, now=NOW)
    assert filed.deadline_at == NOW + timedelta(days=5)
    assert filed.status is AppealStatus.OPEN and filed.worker_id == WORKER.id
    assert db.state.appeals == {filed.id: filed} and db.commits == 1


def test_a_decision_is_appealed_once_by_its_worker_and_never_while_a_proposal() -> None:
    db = _court()
    appeals.appeal(db, WORKER, 1, message="first", policy=POLICY, now=NOW)
    with pytest.raises(AlreadyAppealed):
        appeals.appeal(db, WORKER, 1, message="again", policy=POLICY, now=NOW)
    with pytest.raises(NotFound):  # another worker's decision is not theirs to appeal
        appeals.appeal(db, WORKER, 2, message="mine?", policy=POLICY, now=NOW)
    with pytest.raises(NotAppealable):
        appeals.appeal(db, WORKER, 3, message="a proposal", policy=POLICY, now=NOW)
    with pytest.raises(InvalidInput):
        appeals.appeal(db, OTHER_WORKER, 2, message="", policy=POLICY, now=NOW)
    assert len(db.state.appeals) == 1 and db.commits == 1


# release: the assignments and the tasks' slots ------------------------------------------

def _lease(assignment_id: int, *, worker: User = WORKER,
           status: AssignmentStatus = AssignmentStatus.LEASED) -> Assignment:
    return Assignment(assignment_id, 40 + assignment_id, 7, worker.id, status,
                      NOW - timedelta(minutes=2), NOW + timedelta(minutes=13), None, None,
                      None, price_minor=25)


def _pool() -> FakeDatabase:
    leases = {1: _lease(1), 2: _lease(2, worker=OTHER_WORKER),
              3: _lease(3, status=AssignmentStatus.SUBMITTED)}
    return FakeDatabase(State(assignments=leases, taken=Counter({41: 1, 42: 1, 43: 1})))


def test_skipping_a_task_gives_its_slot_back_to_the_pool() -> None:
    db = _pool()
    assignment.release(db, WORKER, 1, now=NOW)
    assert db.state.assignments[1].status is AssignmentStatus.RELEASED
    assert db.state.taken == Counter({41: 0, 42: 1, 43: 1}) and db.commits == 1


@pytest.mark.parametrize(("who", "assignment_id", "error"), [
    (WORKER, 2, NotFound),  # another worker's lease
    (WORKER, 9, NotFound),
    (WORKER, 3, Conflict),  # already answered: nothing to skip
    (REQUESTER, 1, PermissionDenied),
])
def test_a_refused_skip_changes_nothing(who: User, assignment_id: int,
                                        error: type[Exception]) -> None:
    db = _pool()
    before = copy.deepcopy(db.state)
    with pytest.raises(error):
        assignment.release(db, who, assignment_id, now=NOW)
    assert db.state == before and db.commits == 0
