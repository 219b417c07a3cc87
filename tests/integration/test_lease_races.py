"""Leases of one project run side by side on PostgreSQL: a lease takes its project's escrow
lock — shared beside the project's other leases, or exclusive — before it touches any task,
then reads what it must know (``services.assignment._lease``). What that must keep: a
worker's racing requests get one lease, a lease whose terms changed before it took the lock
holds what the new terms need, and a lease never waits in a circle with a request that
returns expired leases under the project's lock. (The escrow never overdrawn by racing
workers: ``test_escrow_holds.py``.)"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import event, func, select

from fairlabel.adapters.container import Container
from fairlabel.adapters.db.tables import assignments
from fairlabel.domain.accounts import Role, User
from fairlabel.domain.money import Money
from fairlabel.domain.pay import lease_reserve
from fairlabel.services import assignment, jobs, pay
from fairlabel.services.assignment import EscrowExhausted
from tests.conftest import Accounts
from tests.integration.test_escrow_holds import race_for_leases
from tests.integration.test_fair_pay import assert_ledger_sound, make_project
from tests.support.clock import FakeClock


def _live_leases(container: Container, worker: User, pid: int) -> int:
    with container.engine.connect() as conn:
        return int(conn.execute(
            select(func.count()).select_from(assignments).where(
                assignments.c.worker_id == worker.id, assignments.c.project_id == pid,
                assignments.c.status == "leased")).scalar_one())


def _lease_with_meanwhile(container: Container, worker: User, pid: int, now: datetime,
                          meanwhile: Callable[[], None], *, wait: float | None = None,
                          ) -> tuple[assignment.Lease | None, threading.Thread | None]:
    """The worker's lease, with ``meanwhile`` run in another thread right before the lease
    takes its project's lock (exclusive, or shared beside other leases), waited for
    ``wait`` seconds at most (None: until it ends): the lease and that thread."""
    lease_thread = threading.current_thread()
    runners: list[threading.Thread] = []

    def before_the_lock(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if (threading.current_thread() is lease_thread and not runners
                and ("FOR NO KEY UPDATE" in statement or "FOR SHARE" in statement)):
            runners.append(threading.Thread(target=meanwhile))
            runners[0].start()
            runners[0].join(timeout=wait)

    event.listen(container.engine, "before_cursor_execute", before_the_lock)
    try:
        lease = assignment.request_next(container.db, worker, pid, now=now,
                                        policy=container.charter)
    finally:
        event.remove(container.engine, "before_cursor_execute", before_the_lock)
    return lease, (runners[0] if runners else None)


def test_a_workers_racing_requests_get_one_lease(container: Container, people: Accounts) -> None:
    requester = people.make(Role.REQUESTER)[0]
    pid = make_project(container, requester, tasks=200, price=5)
    for _round in range(6):
        worker = people.make(Role.WORKER)[0]
        barrier = threading.Barrier(4)
        got: list[Any] = []

        def race(worker: User = worker, barrier: threading.Barrier = barrier,
                 got: list[Any] = got) -> None:
            barrier.wait()
            got.append(assignment.request_next(container.db, worker, pid,
                                               now=container.clock(),
                                               policy=container.charter))

        threads = [threading.Thread(target=race) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(got) == 4 and all(isinstance(g, assignment.Lease) for g in got)
        assert len({g.assignment_id for g in got}) == 1, got
        assert _live_leases(container, worker, pid) == 1


def test_a_price_cut_applied_while_a_lease_is_taken_is_held_in_full(
        container: Container, people: Accounts, clock: FakeClock) -> None:
    """The cut takes effect between the lease's first read and its lock: the lease must hold
    the new price and the allowance the new price needs (a lower price can owe more top-up),
    as the cut widened only the leases it could see."""
    if container.engine.dialect.name == "sqlite":
        pytest.skip("SQLite runs one writer at a time: nothing happens inside a lease")
    requester = people.make(Role.REQUESTER)[0]
    worker = people.make(Role.WORKER)[0]
    pid = make_project(container, requester, tasks=20, price=50, funding=100_000)
    pay.change_price(container.db, requester, pid, Money(20, "USD"), reason="budget",
                     policy=container.charter, now=clock())
    clock.advance(days=15)  # past the cut's notice: the next sweep applies it
    applied: list[int] = []
    lease, _ = _lease_with_meanwhile(container, worker, pid, clock(), lambda: applied.append(
        jobs.apply_due_prices(container.db, container.charter, now=clock())))
    assert applied == [1] and lease is not None
    with container.db.read() as tx:
        project = tx.projects.get(pid)
        held = tx.assignments.get(lease.assignment_id)
        totals = tx.holds.totals(pid)
    assert project is not None and held is not None
    assert project.terms.pay_per_task.amount_minor == 20
    assert (held.price_minor, held.allowance_minor) == lease_reserve(
        project, container.charter, lowest_paid_minor=totals.lowest_paid_minor,
        pivot_ms=totals.pivot_ms)
    assert held.price_minor == 20
    clock.advance(seconds=30)
    assignment.submit_answer(container.db, worker, lease.assignment_id, "a",
                             idempotency_key=None, now=clock(), policy=container.charter)
    assert_ledger_sound(container)


# 120 s leases at 15.00 USD/h: a lease of a 5-cent task holds 101 cents (price and
# allowance, test_escrow_holds.HOLD); the most any lease of it can hold is 5 + 2 × 50 + 1.
HOLD, BOUND = 101, 106


def test_leases_beside_each_other_then_one_at_a_time_never_overdraw_the_escrow(
        container: Container, people: Accounts) -> None:
    """Sixteen workers race for a project funded for twelve leases: while the free escrow
    leaves room for every lease that may be in flight (7 others at 106 cents, with 8 lease
    slots), leases go beside each other; the last ones go under the lock. Exactly twelve get
    a lease, and the escrow keeps the rest."""
    if container.engine.dialect.name == "sqlite":
        pytest.skip("SQLite runs one writer at a time: no lease goes beside another")
    slots = container.settings.lease_slots
    assert slots == 8
    requester = people.make(Role.REQUESTER)[0]
    funding = (slots - 1) * BOUND + 5 * HOLD + 30  # 12 leases (1,277 // 101), 65 left
    pid = make_project(container, requester, tasks=40, price=5, funding=funding)
    workers = [people.make(Role.WORKER)[0] for _ in range(16)]
    locks: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "FOR SHARE" in statement:
            locks.append("shared")
        elif "FOR NO KEY UPDATE" in statement:
            locks.append("exclusive")

    event.listen(container.engine, "before_cursor_execute", seen)
    try:
        got = race_for_leases(container, workers, pid)
    finally:
        event.remove(container.engine, "before_cursor_execute", seen)
    leases = [g for g in got if isinstance(g, assignment.Lease)]
    assert len(got) == len(workers) and len(leases) == funding // HOLD == 12
    assert all(isinstance(g, EscrowExhausted) for g in got if g not in leases)
    with container.db.read() as tx:
        assert tx.escrow.free(pid, "USD") == funding - 12 * HOLD == 65
    assert "shared" in locks and "exclusive" in locks, locks
    assert_ledger_sound(container)


def test_a_lease_and_a_request_returning_expired_leases_never_deadlock(
        container: Container, people: Accounts, clock: FakeClock) -> None:
    """A request that finds no task returns the project's expired leases under the project's
    lock, freeing their tasks' slots. Were a lease to claim a task first and take the lock
    after, the two would wait on each other — the lease for the lock, the other for the
    task the lease claimed — until PostgreSQL aborted one (a server error for a worker)."""
    if container.engine.dialect.name == "sqlite":
        pytest.skip("SQLite runs one writer at a time: nothing happens inside a lease")
    requester = people.make(Role.REQUESTER)[0]
    first, racer, other = (people.make(Role.WORKER)[0] for _ in range(3))
    pid = make_project(container, requester, tasks=1, redundancy=2)
    assert assignment.request_next(container.db, first, pid, now=clock(),
                                   policy=container.charter) is not None
    clock.advance(seconds=600)  # the first lease has expired, and still counts on its task
    raced: list[Any] = []

    def race() -> None:
        try:
            raced.append(assignment.request_next(container.db, other, pid, now=clock(),
                                                 policy=container.charter))
        except Exception as error:  # the test's verdict, below
            raced.append(error)

    # Blocked on the lease's task, the other request would wait for ever: the lease goes on.
    lease, runner = _lease_with_meanwhile(container, racer, pid, clock(), race, wait=3)
    assert runner is not None
    runner.join(timeout=30)
    assert raced and not isinstance(raced[0], Exception), raced
    leases = [g for g in (lease, raced[0]) if isinstance(g, assignment.Lease)]
    assert len(leases) == 2  # the expired lease's slot went to one of them
    assert _live_leases(container, first, pid) == 0
    assert_ledger_sound(container)
