"""Escrow first that requesters can afford: the cases that stalled before answers held what
they can still be owed, run through the use cases on SQLite and PostgreSQL.

Workers are simulated on the project's clock: each asks for a task, answers it a few
seconds later, and asks again; a worker told that the project waits for funds asks again a
second later. Their leases overlap, as eight people working at once do.
"""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from fractions import Fraction

import pytest

from fairlabel.adapters.container import Container
from fairlabel.domain import ledger
from fairlabel.domain.accounts import Role, User
from fairlabel.domain.commitments import EndMode
from fairlabel.domain.label_schema import parse_schema
from fairlabel.domain.money import Money
from fairlabel.domain.pay import fair_price, measured_median
from fairlabel.domain.projects import ProjectTerms
from fairlabel.services import assignment, ending, funding, jobs, projects
from fairlabel.services.assignment import EscrowExhausted
from tests.conftest import Accounts
from tests.integration.test_fair_pay import all_entries, assert_ledger_sound
from tests.support.clock import FakeClock
from tests.support.funding import fund


def make_project(container: Container, requester: User, *, tasks: int, price: int,
                 redundancy: int, lease_seconds: int, funding_minor: int) -> int:
    now = container.clock()
    project = projects.create_project(container.db, requester, ProjectTerms(
        "Sentiment", "Choose.", parse_schema({"type": "single_choice", "choices": ["a", "b"]}),
        redundancy, Money(price, "USD"), lease_seconds), policy=container.charter, now=now)
    projects.import_tasks(container.db, requester, project.id,
                          [{"text": str(i)} for i in range(tasks)], max_rows=10_000, now=now)
    fund(container, requester, project.id, funding_minor)
    projects.launch_project(container.db, requester, project.id, now=now, policy=container.charter)
    return project.id


@dataclass
class Run:
    answers: int = 0
    waited: int = 0  # requests answered "waiting for funds"
    times_ms: list[int] = field(default_factory=list)


def crowd(container: Container, clock: FakeClock, workers: list[User], pid: int, *,
          seconds: tuple[float, float], seed: int = 7) -> Run:
    """Eight (or however many) workers at once until the project has nothing left."""
    rng = random.Random(seed)
    start = clock()
    queue: list[tuple[datetime, int, str, int]] = [
        (start + timedelta(milliseconds=137 * i), i, "next", 0) for i in range(len(workers))]
    run = Run()
    while queue:
        when, index, step, lease_id = heapq.heappop(queue)
        clock.now = max(clock(), when)
        worker = workers[index]
        if step == "next":
            try:
                lease = assignment.request_next(container.db, worker, pid, now=clock(),
                                                policy=container.charter)
            except EscrowExhausted:
                run.waited += 1
                heapq.heappush(queue, (clock() + timedelta(seconds=1), index, "next", 0))
                if run.waited > 10_000:
                    raise AssertionError("the project stalled for want of funds") from None
                continue
            if lease is None:
                continue  # nothing left for this worker
            took = rng.uniform(*seconds)
            run.times_ms.append(round(took * 1000))
            heapq.heappush(queue, (clock() + timedelta(seconds=took), index, "submit",
                                   lease.assignment_id))
        else:
            assignment.submit_answer(container.db, worker, lease_id, "a", idempotency_key=None,
                                     now=clock(), policy=container.charter)
            run.answers += 1
            if run.answers % 10 == 0:
                jobs.run_due_work(container.db, container.charter, now=clock())
            heapq.heappush(queue, (clock(), index, "next", 0))
    return run


def paid_per_answer(container: Container, pid: int) -> list[int]:
    with container.db.read() as tx:
        rows = [a for w in range(1, 100) for a in tx.assignments.of_worker(w)
                if a.project_id == pid and a.submitted_at is not None]
    return [a.price_minor + a.topped_up_minor for a in rows]


def balance(container: Container, account: str) -> int:
    with container.db.read() as tx:
        return tx.ledger.balance(account, "USD")


@pytest.fixture
def requester(people: Accounts) -> User:
    return people.make(Role.REQUESTER)[0]


def test_a_cent_a_task_project_funded_with_five_dollars_finishes_and_pays_the_floor(
        container: Container, people: Accounts, requester: User, clock: FakeClock) -> None:
    # 48 tasks at 0.01 USD, redundancy 1, 60 s leases; before, it stopped after 13 answers
    # with 3.74 USD "set aside for possible top-ups" and stayed stopped for 72 hours.
    pid = make_project(container, requester, tasks=48, price=1, redundancy=1,
                       lease_seconds=60, funding_minor=500)
    workers = [people.make(Role.WORKER)[0] for _ in range(8)]
    run = crowd(container, clock, workers, pid, seconds=(2.0, 4.0))
    assert run.answers == 48
    jobs.run_due_work(container.db, container.charter, now=clock())
    # Every answer is topped up to the floor at the measured median.
    durations = sorted(run.times_ms)
    fair = fair_price(1500, Fraction(measured_median(durations)))
    assert fair == 2 and sorted(paid_per_answer(container, pid)) == [fair] * 48
    # The figures of the worked example in docs/pay.md.
    shown = funding.project_funding(container.db, requester, pid, policy=container.charter,
                                    now=clock())
    assert balance(container, ledger.project_reserved(pid)) == 18
    notice = shown.notice_liability.amount_minor
    assert 48 <= notice <= 52  # 0.96 earned × 7 / 14, rounded up per worker
    assert shown.free_escrow == Money(500 - 96 - 18, "USD")
    assert shown.withdrawable == Money(500 - 96 - 18 - notice, "USD")
    print(f"48 answers, {run.waited} requests told to wait, notice pay {notice}")
    ending.end_project(container.db, requester, pid, reason="All the tasks are answered.",
                       mode=EndMode.IMMEDIATE, policy=container.charter, now=clock())
    settled = funding.project_funding(container.db, requester, pid, policy=container.charter,
                                      now=clock())
    assert settled.settled and settled.withdrawable == Money(500 - 96 - notice, "USD")
    assert_ledger_sound(container)


def test_below_the_measurement_threshold_eight_workers_never_wait(
        container: Container, people: Accounts, requester: User, clock: FakeClock) -> None:
    pid = make_project(container, requester, tasks=20, price=1, redundancy=1,
                       lease_seconds=60, funding_minor=500)
    workers = [people.make(Role.WORKER)[0] for _ in range(8)]
    run = crowd(container, clock, workers, pid, seconds=(2.0, 4.0))
    assert (run.answers, run.waited) == (20, 0)


def test_forty_tasks_three_times_at_five_cents_need_dollars_not_hundreds(
        container: Container, people: Accounts, requester: User, clock: FakeClock) -> None:
    # 6.00 USD of work; before, it needed more than 300 USD of escrow.
    pid = make_project(container, requester, tasks=40, price=5, redundancy=3,
                       lease_seconds=60, funding_minor=15_00)
    before = funding.project_funding(container.db, requester, pid, policy=container.charter,
                                     now=clock())
    # Unmeasured, the estimate is the worst case: every answer taking the whole lease and
    # topped up to 0.25 USD. It says so.
    assert before.remaining_answers == 120
    assert "before the project is measured" in str(before.explanation)
    workers = [people.make(Role.WORKER)[0] for _ in range(8)]
    run = crowd(container, clock, workers, pid, seconds=(3.0, 8.0))
    assert run.answers == 120 and run.waited == 0
    measured = funding.project_funding(container.db, requester, pid, policy=container.charter,
                                       now=clock())
    assert measured.remaining_answers == 0 and measured.needed_to_finish == Money(0, "USD")
    assert_ledger_sound(container)


def test_a_project_ends_at_once_pays_notice_pay_and_its_requester_withdraws_the_rest(
        container: Container, people: Accounts, requester: User, clock: FakeClock) -> None:
    # 0.30 USD a task funded with 60.00 USD: before, ending it at once after 53 answers was
    # refused (7.95 USD of notice pay owed, 1.25 free) while 183 USD sat in "reserved".
    pid = make_project(container, requester, tasks=53, price=30, redundancy=1,
                       lease_seconds=600, funding_minor=60_00)
    workers = [people.make(Role.WORKER)[0] for _ in range(4)]
    run = crowd(container, clock, workers, pid, seconds=(20.0, 90.0))
    assert run.answers == 53
    jobs.run_due_work(container.db, container.charter, now=clock())
    done = ending.end_project(container.db, requester, pid, reason="The study is complete.",
                              mode=EndMode.IMMEDIATE, policy=container.charter, now=clock())
    owed = sum(m.amount_minor for m in done.notice_pay.values())
    assert owed == sum(-(-earned * 7 // 14) for earned in _earned_per_worker(container, pid))
    after = funding.project_funding(container.db, requester, pid, policy=container.charter,
                                    now=clock())
    assert after.settled and after.held == Money(0, "USD")
    assert balance(container, ledger.project_reserved(pid)) == 0
    # Every answer got the fair price at the final median; everything else comes back.
    median = measured_median(sorted(run.times_ms))
    fair = max(30, fair_price(1500, Fraction(median)))
    assert sorted(paid_per_answer(container, pid)) == [fair] * 53
    left = balance(container, ledger.project_escrow(pid))
    assert left == 60_00 - 53 * fair - owed
    assert after.withdrawable == Money(left, "USD")
    with pytest.raises(funding.NotWithdrawable, match="can be withdrawn now"):
        funding.withdraw(container.db, requester, pid, Money(left + 1, "USD"),
                         policy=container.charter, now=clock())
    took = funding.withdraw(container.db, requester, pid, Money(left, "USD"),
                            policy=container.charter, now=clock())
    assert took.free_escrow == Money(0, "USD") and took.funds == Money(left, "USD")
    assert_ledger_sound(container)
    kinds = {e.kind for e in all_entries(container)}
    assert {"notice_pay", "withdraw"} <= kinds


def _earned_per_worker(container: Container, pid: int) -> list[int]:
    with container.db.read() as tx:
        return list(tx.assignments.earnings_since(pid, since=container.clock()
                                                  - timedelta(days=14)).values())
