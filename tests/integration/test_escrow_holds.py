"""Escrow first with holds: a lease holds its price and allowance in the project's escrow
without a ledger entry; the submission posts the money; skips and expiries post nothing.
On SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from fairlabel.bootstrap import Container
from fairlabel.domain import ledger
from fairlabel.domain.accounts import Role, User
from fairlabel.domain.commitments import EndMode
from fairlabel.domain.money import Money
from fairlabel.services import assignment, ending, jobs, review
from fairlabel.services.assignment import EscrowExhausted
from fairlabel.services.pay_view import project_pay
from tests.conftest import Accounts
from tests.integration.test_ending import make_project as make_rating_project
from tests.integration.test_fair_pay import all_entries, assert_ledger_sound, make_project
from tests.support.clock import FakeClock
from tests.support.funding import fund
from tests.support.legacy import make_legacy

# 120 s leases at 15.00 USD/h: a lease of a 5-cent task holds 50 cents (5 + 45 allowance).
HOLD = 50


@pytest.fixture
def requester(people: Accounts) -> User:
    return people.make(Role.REQUESTER)[0]


def lease(container: Container, worker: User, pid: int) -> assignment.Lease:
    got = assignment.request_next(container.db, worker, pid, now=container.clock(),
                                  policy=container.pay)
    assert got is not None
    return got


def free(container: Container, pid: int) -> int:
    with container.db.read() as tx:
        return tx.escrow.free(pid, "USD")


def test_leases_hold_escrow_without_entries_and_a_submission_posts_one_earn(
        container: Container, people: Accounts, requester: User, clock: FakeClock) -> None:
    pid = make_project(container, requester, tasks=10, price=5, funding=2 * HOLD + 20)
    one, two, three = (people.make(Role.WORKER)[0] for _ in range(3))
    before = len(all_entries(container))
    first, second = lease(container, one, pid), lease(container, two, pid)
    assert len(all_entries(container)) == before  # a hold is not a movement of money
    assert free(container, pid) == 20
    with pytest.raises(EscrowExhausted, match="adds funds"):
        lease(container, three, pid)
    with container.db.read() as tx:
        project = tx.projects.get(pid)
        assert project is not None
        shown = project_pay(tx, project, container.pay)
    assert (shown.escrow.amount_minor, shown.reserved.amount_minor) == (20, 2 * HOLD)

    assignment.release(container.db, one, first.assignment_id, now=clock())
    assert len(all_entries(container)) == before and free(container, pid) == HOLD + 20
    third = lease(container, three, pid)

    clock.advance(seconds=30)
    assignment.submit_answer(container.db, two, second.assignment_id, "a",
                             idempotency_key=None, now=clock())
    earned = all_entries(container)[before:]
    assert {(e.kind, e.account, e.amount_minor) for e in earned} == {
        ("earn", ledger.project_escrow(pid), -HOLD), ("earn", ledger.worker_pending(two.id), 5),
        ("earn", ledger.project_reserved(pid), HOLD - 5)}
    assert len({e.tx_id for e in earned}) == 1

    clock.advance(seconds=200)  # the third lease expires: its hold ends, nothing is posted
    assert jobs.run_due_work(container.db, container.pay, now=clock()).expired == 1
    assert len(all_entries(container)) == before + 3
    assert free(container, pid) == 2 * HOLD + 20 - HOLD
    with pytest.raises(Exception, match="expired"):
        assignment.submit_answer(container.db, three, third.assignment_id, "a",
                                 idempotency_key=None, now=clock())
    assert_ledger_sound(container)


def test_a_lease_made_before_holds_keeps_its_accounting(
        container: Container, people: Accounts, requester: User, clock: FakeClock) -> None:
    pid = make_project(container, requester, tasks=10, price=5, funding=10 * HOLD)
    one, two = (people.make(Role.WORKER)[0] for _ in range(2))
    first, second = lease(container, one, pid), lease(container, two, pid)
    make_legacy(container, first.assignment_id)
    make_legacy(container, second.assignment_id)
    # Moved to the reserved account, no longer held: the free escrow is the same either way.
    assert free(container, pid) == 8 * HOLD
    before = len(all_entries(container))
    clock.advance(seconds=30)
    assignment.submit_answer(container.db, one, first.assignment_id, "a",
                             idempotency_key=None, now=clock())
    assignment.release(container.db, two, second.assignment_id, now=clock())
    moved = {(e.kind, e.account, e.amount_minor) for e in all_entries(container)[before:]}
    assert moved == {("earn", ledger.project_reserved(pid), -5),
                     ("earn", ledger.worker_pending(one.id), 5),
                     ("release", ledger.project_reserved(pid), -HOLD),
                     ("release", ledger.project_escrow(pid), HOLD)}
    assert free(container, pid) == 9 * HOLD
    assert_ledger_sound(container)


def test_workers_racing_for_the_last_funded_leases_never_overdraw_the_escrow(
        container: Container, people: Accounts, requester: User) -> None:
    pid = make_project(container, requester, tasks=20, price=5, funding=3 * HOLD + 49)
    workers = [people.make(Role.WORKER)[0] for _ in range(8)]
    barrier = threading.Barrier(len(workers))
    got: list[Any] = []

    def race(worker: User) -> None:
        barrier.wait()
        try:
            got.append(assignment.request_next(container.db, worker, pid,
                                               now=container.clock(), policy=container.pay))
        except EscrowExhausted as error:
            got.append(error)

    threads = [threading.Thread(target=race, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    leases = [g for g in got if isinstance(g, assignment.Lease)]
    assert len(got) == len(workers)
    assert len(leases) == 3 and free(container, pid) == 49
    assert all(isinstance(g, EscrowExhausted) for g in got if g not in leases)


def test_notice_pay_cannot_take_what_a_live_lease_holds(
        container: Container, people: Accounts, requester: User, clock: FakeClock) -> None:
    # 100 per task; a 10-minute lease at 15.00/h holds 250 until the project is measured.
    pid = make_rating_project(container, requester, funding=6 * 250 + 250 + 200)
    busy, holding = (people.make(Role.WORKER)[0] for _ in range(2))
    for _ in range(6):
        done = lease(container, busy, pid)
        clock.advance(seconds=30)
        assignment.submit_answer(container.db, busy, done.assignment_id, 3,
                                 idempotency_key=None, now=clock())
    lease(container, holding, pid)
    with container.db.read() as tx:
        assert tx.ledger.balance(ledger.project_escrow(pid), "USD") == 450
    # 300 of notice pay is owed to the busy worker; the escrow's balance holds 450, but 250
    # of it is held by the live lease, whose answer must still be paid.
    with pytest.raises(ending.NoticePayNotCovered, match=r"has 2\.00 USD free"):
        ending.end_project(container.db, requester, pid, reason="The study has ended.",
                           mode=EndMode.IMMEDIATE, now=clock())
    fund(container, requester, pid, 100)
    paid = ending.end_project(container.db, requester, pid, reason="The study has ended.",
                              mode=EndMode.IMMEDIATE, now=clock())
    assert paid.notice_pay == {busy.id: Money(300, "USD")}
    assert free(container, pid) == 0
    assert_ledger_sound(container)


def test_a_top_up_from_escrow_cannot_take_what_a_live_lease_holds(
        container: Container, people: Accounts, requester: User, clock: FakeClock) -> None:
    pid = make_project(container, requester, tasks=10, price=5, funding=HOLD + 10)
    one, two = (people.make(Role.WORKER)[0] for _ in range(2))
    answered = lease(container, one, pid)
    clock.advance(seconds=30)
    assignment.submit_answer(container.db, one, answered.assignment_id, "a",
                             idempotency_key=None, now=clock())
    # Approved: its unused allowance goes back, so a later top-up comes from the escrow.
    review.approve_answer(container.db, requester, answered.assignment_id,
                          policy=container.pay, now=clock())
    lease(container, two, pid)  # holds 50 of the escrow's 55
    assert free(container, pid) == 5

    def top_up(amount: int) -> bool:
        with container.db.write() as tx:
            project, answer = tx.projects.get(pid), tx.assignments.get(answered.assignment_id)
            assert project is not None and answer is not None
            paid = jobs._top_up(tx, project, answer, amount, figures={}, now=clock())
            tx.commit()
        return paid

    assert top_up(6) is False  # owed, paid once the free escrow covers it
    assert free(container, pid) == 5
    assert top_up(5) is True
    assert free(container, pid) == 0
    assert_ledger_sound(container)
