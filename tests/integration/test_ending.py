"""Charter rule 4 through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest

from fairlabel.adapters.container import Container
from fairlabel.domain import ledger
from fairlabel.domain.accounts import Role, User
from fairlabel.domain.commitments import Commitment, EndMode
from fairlabel.domain.errors import InvalidInput
from fairlabel.domain.label_schema import parse_schema
from fairlabel.domain.money import Money
from fairlabel.domain.projects import ProjectNotOpen, ProjectStatus, ProjectTerms
from fairlabel.services import assignment, ending, funding, jobs, pay, projects
from fairlabel.services.assignment import EscrowExhausted
from tests.conftest import Accounts
from tests.support.clock import FakeClock
from tests.support.funding import fund


def make_project(container: Container, requester: User, *, notice_days: int = 7,
                 funding: int = 1_000_000) -> int:
    now = container.clock()
    project = projects.create_project(container.db, requester, ProjectTerms(
        "Musen", "Rate it.", parse_schema({"type": "rating", "min": 1, "max": 5}), 1,
        Money(100, "USD"), 600, commitment=Commitment(notice_days, date(2026, 12, 31))),
        policy=container.charter, now=now)
    projects.import_tasks(container.db, requester, project.id,
                          [{"text": str(i)} for i in range(40)], max_rows=100, now=now)
    fund(container, requester, project.id, funding)
    projects.launch_project(container.db, requester, project.id, now=now, policy=container.charter)
    return project.id


def work(container: Container, clock: FakeClock, worker: User, pid: int, answers: int) -> None:
    for _ in range(answers):
        lease = assignment.request_next(container.db, worker, pid, now=clock(),
                                        policy=container.charter)
        assert lease is not None
        clock.advance(seconds=30)
        assignment.submit_answer(container.db, worker, lease.assignment_id, 3,
                                 idempotency_key=None, now=clock(), policy=container.charter)


@pytest.fixture
def requester(people: Accounts) -> User:
    return people.make(Role.REQUESTER)[0]


def test_a_notice_below_the_minimum_is_refused_at_creation(
        container: Container, requester: User) -> None:
    with pytest.raises(InvalidInput, match="at least 7 days"):
        make_project(container, requester, notice_days=3)


def test_ending_needs_a_reason(container: Container, requester: User) -> None:
    pid = make_project(container, requester)
    with pytest.raises(InvalidInput, match="reason"):
        ending.end_project(container.db, requester, pid, reason=" ", mode=EndMode.NOTICE,
                           policy=container.charter, now=container.clock())


def test_with_notice_work_stays_available_until_the_notice_ends(
        container: Container, people: Accounts, requester: User, clock: FakeClock) -> None:
    pid = make_project(container, requester)
    worker = people.make(Role.WORKER)[0]
    work(container, clock, worker, pid, 2)
    done = ending.end_project(container.db, requester, pid, reason="The client's study ended.",
                              mode=EndMode.NOTICE, policy=container.charter, now=clock())
    assert (done.ends_at - clock()).days == 7
    assert "same terms" in str(pay.inbox(container.db, worker)[0].body)
    clock.advance(days=6, hours=23)
    work(container, clock, worker, pid, 1)  # still served on the same terms
    clock.advance(hours=2)
    with pytest.raises(ProjectNotOpen, match="notice period is over"):
        assignment.request_next(container.db, worker, pid, now=clock(), policy=container.charter)
    jobs.run_due_work(container.db, container.charter, now=clock())
    view = projects.get_project(container.db, requester, pid)
    assert view.project.status is ProjectStatus.ENDED


def test_ending_at_once_pays_notice_pay_exactly(
        container: Container, people: Accounts, requester: User, clock: FakeClock) -> None:
    pid = make_project(container, requester)
    busy, light = people.make(Role.WORKER)[0], people.make(Role.WORKER)[0]
    work(container, clock, busy, pid, 14)   # 14.00 USD over the last 14 days
    work(container, clock, light, pid, 1)   # 1.00 USD
    done = ending.end_project(container.db, requester, pid, reason="Budget withdrawn by client.",
                              mode=EndMode.IMMEDIATE, policy=container.charter, now=clock())
    # Average daily earnings × 7 notice days, rounded up: 7.00 and 0.50 USD.
    assert done.notice_pay == {busy.id: Money(700, "USD"), light.id: Money(50, "USD")}
    with container.db.read() as tx:
        entries = tx.ledger.all_entries()
    paid = [e for e in entries if e.kind == "notice_pay" and e.amount_minor > 0]
    assert sorted(e.amount_minor for e in paid) == [50, 700]
    assert all(e.account.endswith(":available") for e in paid)
    ledger.check_invariants(entries)
    assert projects.get_project(container.db, requester, pid).project.status is \
        ProjectStatus.ENDED
    with pytest.raises(ProjectNotOpen):
        assignment.request_next(container.db, busy, pid, now=clock(), policy=container.charter)


def test_escrow_first_keeps_the_notice_pay_back(
        container: Container, people: Accounts, requester: User, clock: FakeClock) -> None:
    # 100 per task; a 10-minute lease at 15.00/h holds 100 + (2 × 250 + 1 − 100) = 501.
    # After six answers 600 is free: enough for a lease, not for a lease and notice pay.
    pid = make_project(container, requester, funding=1_200)
    worker = people.make(Role.WORKER)[0]
    work(container, clock, worker, pid, 6)
    jobs.run_due_work(container.db, container.charter, now=clock())
    view = projects.get_project(container.db, requester, pid, container.charter)
    assert view.project.notice_liability_minor == 300  # 6.00 / 14 days × 7, rounded up
    with pytest.raises(EscrowExhausted, match="add funds"):
        work(container, clock, worker, pid, 1)
    need = funding.project_funding(container.db, requester, pid, policy=container.charter,
                                   now=clock())
    assert need.notice_liability == Money(300, "USD")
    assert need.free_escrow == Money(600, "USD") and need.withdrawable == Money(300, "USD")


def test_a_pause_longer_than_the_notice_ends_the_project_with_notice_pay(
        container: Container, people: Accounts, requester: User, clock: FakeClock) -> None:
    pid = make_project(container, requester)
    worker = people.make(Role.WORKER)[0]
    work(container, clock, worker, pid, 2)
    ending.pause_project(container.db, requester, pid, now=clock())
    clock.advance(days=7)
    jobs.run_due_work(container.db, container.charter, now=clock())
    assert projects.get_project(container.db, requester, pid).project.status is \
        ProjectStatus.PAUSED
    clock.advance(hours=1)
    jobs.run_due_work(container.db, container.charter, now=clock())
    view = projects.get_project(container.db, requester, pid)
    assert view.project.status is ProjectStatus.ENDED
    assert view.project.end_reason == "paused longer than its notice period"
    notice = [e for e in pay.statement(container.db, worker) if e.kind == "notice_pay"]
    assert [e.amount_minor for e in notice] == [100]  # 2.00 / 14 × 7


def test_a_long_pause_pays_the_notice_earned_before_the_pause_however_long_the_notice(
        container: Container, people: Accounts, requester: User, clock: FakeClock) -> None:
    """Notice pay counts the earnings of the 14 days before work stopped: a pause that turns
    into an ending after a 14-day notice (or longer) must not find those days empty."""
    pid = make_project(container, requester, notice_days=14)
    worker = people.make(Role.WORKER)[0]
    work(container, clock, worker, pid, 2)
    ending.pause_project(container.db, requester, pid, now=clock())
    clock.advance(days=14, hours=1)
    jobs.run_due_work(container.db, container.charter, now=clock())
    assert projects.get_project(container.db, requester, pid).project.status is \
        ProjectStatus.ENDED
    notice = [e for e in pay.statement(container.db, worker) if e.kind == "notice_pay"]
    assert [e.amount_minor for e in notice] == [200]  # 2.00 / 14 × 14
    told = [m for m in pay.inbox(container.db, worker) if "Ended" in str(m.subject)]
    assert told and "2.00" in str(told[0].body)


def test_a_pause_keeps_the_notice_pay_back_until_it_ends(
        container: Container, people: Accounts, requester: User, clock: FakeClock) -> None:
    """During a pause the notice pay owed at the pause stays held: waiting out the 14 days
    of the window (here past the notice, before the job that ends the project ran) does not
    make it withdrawable."""
    pid = make_project(container, requester, notice_days=14, funding=10_000)
    worker = people.make(Role.WORKER)[0]
    work(container, clock, worker, pid, 2)
    ending.pause_project(container.db, requester, pid, now=clock())
    clock.advance(days=15)
    need = funding.project_funding(container.db, requester, pid, policy=container.charter,
                                   now=clock())
    assert need.notice_liability == Money(200, "USD")  # 2.00 / 14 × 14
    assert need.withdrawable.amount_minor <= need.free_escrow.amount_minor - 200
