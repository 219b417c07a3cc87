"""Escrow first with holds: a lease holds its price and allowance in the project's escrow
without a ledger entry; the submission posts the money and moves the answers' hold; skips
and expiries post nothing. On SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from fairlabel.adapters.container import Container
from fairlabel.domain import ledger
from fairlabel.domain.accounts import Role, User
from fairlabel.domain.commitments import EndMode
from fairlabel.domain.money import Money
from fairlabel.services import assignment, ending, jobs, pay, projects, review
from fairlabel.services.assignment import EscrowExhausted
from fairlabel.services.steps import holds
from fairlabel.services.steps.ledger import post
from fairlabel.services.steps.pay_view import project_pay
from tests.conftest import Accounts
from tests.integration.test_ending import make_project as make_rating_project
from tests.integration.test_fair_pay import all_entries, assert_ledger_sound, make_project
from tests.support.clock import FakeClock
from tests.support.funding import fund

# 120 s leases at 15.00 USD/h: a lease of a 5-cent task holds its price and the most its
# answer can add to the answers' hold, 2 × 50 + 1 − 5 = 96: 101 cents in all.
HOLD = 101
# A 30-second answer at 5 cents adds 2 × 12.5 + 1 − 5 = 21 to the answers' hold.
ANSWER_HOLD = 21


@pytest.fixture
def requester(people: Accounts) -> User:
    return people.make(Role.REQUESTER)[0]


def lease(container: Container, worker: User, pid: int) -> assignment.Lease:
    got = assignment.request_next(container.db, worker, pid, now=container.clock(),
                                  policy=container.charter)
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
    with pytest.raises(EscrowExhausted, match="add funds"):
        lease(container, three, pid)
    with container.db.read() as tx:
        project = tx.projects.get(pid)
        assert project is not None
        shown = project_pay(tx, project, container.charter)
    assert (shown.escrow.amount_minor, shown.reserved.amount_minor) == (20, 2 * HOLD)

    assignment.release(container.db, one, first.assignment_id, now=clock())
    assert len(all_entries(container)) == before and free(container, pid) == HOLD + 20
    third = lease(container, three, pid)

    clock.advance(seconds=30)
    assignment.submit_answer(container.db, two, second.assignment_id, "a",
                             idempotency_key=None, now=clock(), policy=container.charter)
    earned = all_entries(container)[before:]
    assert {(e.kind, e.account, e.amount_minor) for e in earned} == {
        ("earn", ledger.project_escrow(pid), -5 - ANSWER_HOLD),
        ("earn", ledger.worker_pending(two.id), 5),
        ("earn", ledger.project_reserved(pid), ANSWER_HOLD)}
    assert len({e.tx_id for e in earned}) == 1
    # The rest of the lease's hold is free again: only what the answer can still be owed
    # stays held.
    assert free(container, pid) == 20 + HOLD - 5 - ANSWER_HOLD

    clock.advance(seconds=200)  # the third lease expires: its hold ends, nothing is posted
    assert jobs.run_due_work(container.db, container.charter, now=clock()).expired == 1
    assert len(all_entries(container)) == before + 3
    assert free(container, pid) == 20 + 2 * HOLD - 5 - ANSWER_HOLD
    with pytest.raises(Exception, match="expired"):
        assignment.submit_answer(container.db, three, third.assignment_id, "a",
                                 idempotency_key=None, now=clock(), policy=container.charter)
    assert_ledger_sound(container)


def race_for_leases(container: Container, workers: list[User], pid: int) -> list[Any]:
    """Each worker asks for a lease at the same moment, in a thread of their own: what each
    got, a lease or the refusal of an exhausted escrow."""
    barrier = threading.Barrier(len(workers))
    got: list[Any] = []

    def race(worker: User) -> None:
        barrier.wait()
        try:
            got.append(assignment.request_next(container.db, worker, pid,
                                               now=container.clock(), policy=container.charter))
        except EscrowExhausted as error:
            got.append(error)

    threads = [threading.Thread(target=race, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return got


def test_workers_racing_for_the_last_funded_leases_never_overdraw_the_escrow(
        container: Container, people: Accounts, requester: User) -> None:
    pid = make_project(container, requester, tasks=20, price=5, funding=3 * HOLD + 49)
    workers = [people.make(Role.WORKER)[0] for _ in range(8)]
    got = race_for_leases(container, workers, pid)
    leases = [g for g in got if isinstance(g, assignment.Lease)]
    assert len(got) == len(workers)
    assert len(leases) == 3 and free(container, pid) == 49
    assert all(isinstance(g, EscrowExhausted) for g in got if g not in leases)


def test_notice_pay_cannot_take_what_a_live_lease_holds(
        container: Container, people: Accounts, requester: User, clock: FakeClock) -> None:
    # 100 per task; a 10-minute lease at 15.00/h holds 100 + (2 × 250 + 1 − 100) = 501.
    lease_hold = 501
    pid = make_rating_project(container, requester, funding=6 * 100 + lease_hold + 200)
    busy, holding = (people.make(Role.WORKER)[0] for _ in range(2))
    for _ in range(6):
        done = lease(container, busy, pid)
        clock.advance(seconds=30)
        assignment.submit_answer(container.db, busy, done.assignment_id, 3,
                                 idempotency_key=None, now=clock(), policy=container.charter)
    lease(container, holding, pid)
    with container.db.read() as tx:  # 30-second answers at 1.00 hold nothing for top-ups
        assert tx.ledger.balance(ledger.project_reserved(pid), "USD") == 0
        assert tx.ledger.balance(ledger.project_escrow(pid), "USD") == lease_hold + 200
    # 300 of notice pay is owed to the busy worker; the escrow holds 701, but 501 of it is
    # held by the live lease, whose answer must still be paid: 200 is free, 100 short.
    assert free(container, pid) == 200
    with pytest.raises(ending.NoticePayNotCovered, match=r"add 1\.00 USD"):
        ending.end_project(container.db, requester, pid, reason="The study has ended.",
                           mode=EndMode.IMMEDIATE, policy=container.charter, now=clock())
    fund(container, requester, pid, 100)
    paid = ending.end_project(container.db, requester, pid, reason="The study has ended.",
                              mode=EndMode.IMMEDIATE, policy=container.charter, now=clock())
    assert paid.notice_pay == {busy.id: Money(300, "USD")}
    assert free(container, pid) == 0
    assert_ledger_sound(container)


def test_a_top_up_from_escrow_cannot_take_what_a_live_lease_holds(
        container: Container, people: Accounts, requester: User, clock: FakeClock) -> None:
    pid = make_project(container, requester, tasks=10, price=5,
                       funding=5 + ANSWER_HOLD + HOLD + 10)
    one, two = (people.make(Role.WORKER)[0] for _ in range(2))
    answered = lease(container, one, pid)
    clock.advance(seconds=30)
    assignment.submit_answer(container.db, one, answered.assignment_id, "a",
                             idempotency_key=None, now=clock(), policy=container.charter)
    review.approve_answer(container.db, requester, answered.assignment_id,
                          policy=container.charter, now=clock())
    lease(container, two, pid)
    assert free(container, pid) == 10

    def top_up(amount: int) -> int:
        with container.db.write() as tx:
            tx.escrow.lock(pid)
            project, answer = tx.projects.get(pid), tx.assignments.get(answered.assignment_id)
            assert project is not None and answer is not None
            paid, _ = holds.pay_topups(tx, project, [answer], {answer.id: (amount, 1500)},
                                       figures={}, now=clock())
            tx.commit()
        return paid

    # The answers' hold pays first (21); beyond it, only what is free.
    assert top_up(ANSWER_HOLD + 11) == 0  # owed, paid once the free escrow covers it
    assert free(container, pid) == 10
    assert top_up(ANSWER_HOLD + 10) == ANSWER_HOLD + 10
    assert free(container, pid) == 0
    assert_ledger_sound(container)


def test_a_price_cut_takes_effect_once_the_escrow_holds_what_it_adds_to_the_holds(
        container: Container, people: Accounts, requester: User, clock: FakeClock) -> None:
    # 10 cents a task, 120 s leases: a 30-second answer holds 2 × 12.5 + 1 − 10 = 16.
    pid = make_project(container, requester, tasks=10, price=10, funding=3 * 10 + 48 + 400)
    one, two = (people.make(Role.WORKER)[0] for _ in range(2))
    for _ in range(3):
        got = lease(container, one, pid)
        clock.advance(seconds=30)
        assignment.submit_answer(container.db, one, got.assignment_id, "a",
                                 idempotency_key=None, now=clock(), policy=container.charter)
    with container.db.read() as tx:
        assert tx.ledger.balance(ledger.project_reserved(pid), "USD") == 3 * 16
    pay.change_price(container.db, requester, pid, Money(2, "USD"), reason="Cheaper now.",
                     policy=container.charter, now=clock())
    clock.advance(days=14, seconds=1)
    live = lease(container, two, pid)  # 10 + (2 × 50 + 1 − 10) = 101 held
    with container.db.write() as tx:  # spend the rest elsewhere, as other work would
        tx.escrow.lock(pid)
        left = tx.escrow.free(pid, "USD")
        post(tx, ledger.withdraw(requester.id, pid, Money(left, "USD")), now=clock())
        tx.commit()
    # At 2 cents, every answer may owe 8 cents more at some median: 3 × 8 for the answers,
    # 8 more for the live lease. The escrow holds none of it: the cut waits.
    assert jobs.apply_due_prices(container.db, container.charter, now=clock()) == 0
    assert projects.get_project(container.db, requester, pid).project.terms.pay_per_task == \
        Money(10, "USD")
    fund(container, requester, pid, 3 * 8 + 8)
    assert jobs.apply_due_prices(container.db, container.charter, now=clock()) == 1
    with container.db.read() as tx:
        assert tx.ledger.balance(ledger.project_reserved(pid), "USD") == 3 * 24
        assert tx.holds.totals(pid).lowest_paid_minor == 2
        widened = tx.assignments.get(live.assignment_id)
        assert widened is not None and widened.allowance_minor == 91 + 8
    assert free(container, pid) == 0
    clock.advance(seconds=100)  # the slowest answer the lease allows
    assignment.submit_answer(container.db, two, live.assignment_id, "a",
                             idempotency_key=None, now=clock(), policy=container.charter)
    assert free(container, pid) >= 0
    assert_ledger_sound(container)


def test_a_cut_that_comes_due_after_the_project_ended_leaves_its_settlement_alone(
        container: Container, people: Accounts, requester: User, clock: FakeClock) -> None:
    # Found by the money-flow machine: end with notice, announce a cut, a fortnight later
    # the project is settled first and the cut then applied; it must not hold money again.
    pid = make_project(container, requester, tasks=10, price=5, funding=500)
    worker = people.make(Role.WORKER)[0]
    got = lease(container, worker, pid)
    clock.advance(seconds=2)
    assignment.submit_answer(container.db, worker, got.assignment_id, "a",
                             idempotency_key=None, now=clock(), policy=container.charter)
    ending.end_project(container.db, requester, pid, reason="The study is complete.",
                       mode=EndMode.NOTICE, policy=container.charter, now=clock())
    pay.change_price(container.db, requester, pid, Money(1, "USD"), reason="Cheaper.",
                     policy=container.charter, now=clock())
    clock.advance(days=15)
    report = jobs.run_due_work(container.db, container.charter, now=clock())
    assert report.projects_settled == 1 and report.prices_applied == 1
    with container.db.read() as tx:
        assert tx.holds.settled_at(pid) is not None
        assert tx.ledger.balance(ledger.project_reserved(pid), "USD") == 0
    assert free(container, pid) == 500 - 5
    assert_ledger_sound(container)
