"""Charter rules 1–3 and 7 through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from fairlabel.adapters.container import Container
from fairlabel.adapters.db.tables import ledger_balances
from fairlabel.domain import ledger
from fairlabel.domain.accounts import Role, User
from fairlabel.domain.errors import InvalidInput, NotFound
from fairlabel.domain.label_schema import parse_schema
from fairlabel.domain.money import Money
from fairlabel.domain.projects import ProjectTerms
from fairlabel.services import assignment, jobs, pay, projects
from fairlabel.services.assignment import EscrowExhausted
from tests.conftest import Accounts
from tests.support.clock import FakeClock
from tests.support.funding import fund, operator


def make_project(container: Container, requester: User, *, tasks: int, price: int = 5,
                 redundancy: int = 1, lease_seconds: int = 120, funding: int = 100_000) -> int:
    now = container.clock()
    project = projects.create_project(container.db, requester, ProjectTerms(
        "Sentiment", "", parse_schema({"type": "single_choice", "choices": ["a", "b"]}),
        redundancy, Money(price, "USD"), lease_seconds), policy=container.charter, now=now)
    projects.import_tasks(container.db, requester, project.id,
                          [{"text": str(i)} for i in range(tasks)], max_rows=10_000, now=now)
    if funding:
        fund(container, requester, project.id, funding)
    projects.launch_project(container.db, requester, project.id, now=now, policy=container.charter)
    return project.id


def work(container: Container, clock: FakeClock, worker: User, project_id: int, *,
         seconds: float, answers: int) -> int:
    done = 0
    for _ in range(answers):
        lease = assignment.request_next(container.db, worker, project_id, now=clock(),
                                        policy=container.charter)
        if lease is None:
            break
        clock.advance(seconds=seconds)
        assignment.submit_answer(container.db, worker, lease.assignment_id, "a",
                                 idempotency_key=None, now=clock(), policy=container.charter)
        done += 1
    return done


def balances(container: Container) -> dict[tuple[str, str], int]:
    with container.engine.connect() as conn:
        return {(r.account, r.currency): r.balance_minor
                for r in conn.execute(select(ledger_balances))}


def all_entries(container: Container) -> list[ledger.Entry]:
    with container.db.read() as tx:
        return tx.ledger.all_entries()


def assert_ledger_sound(container: Container) -> None:
    entries = all_entries(container)
    ledger.check_invariants(entries)
    assert ledger.verify(entries).ok
    derived = ledger.balances(entries)
    cached = balances(container)
    assert {(a, c): m.amount_minor for a, by in derived.items() for c, m in by.items()} == {
        k: v for k, v in cached.items() if v or k[0] in derived}


@pytest.fixture
def requester(people: Accounts) -> User:
    return people.make(Role.REQUESTER)[0]


def test_five_cents_at_thirty_seconds_is_topped_up_to_the_floor_and_the_price_rises(
        container: Container, people: Accounts, requester: User, clock: FakeClock) -> None:
    pid = make_project(container, requester, tasks=30, price=5)
    workers = [people.make(Role.WORKER)[0] for _ in range(4)]
    for worker in workers:
        work(container, clock, worker, pid, seconds=30, answers=5)
    report = jobs.run_due_work(container.db, container.charter, now=clock())
    # 15.00 USD/h for 30 s is 12.5 cents, rounded up in the worker's favour: 13 cents.
    assert report.topups == 20 and report.topup_minor == {"USD": 20 * 8}
    assert jobs.run_due_work(container.db, container.charter, now=clock()).topups == 0
    view = projects.get_project(container.db, requester, pid, container.charter)
    assert view.project.terms.pay_per_task == Money(13, "USD")
    assert view.pay is not None and view.pay.median_seconds == 30.0
    assert view.pay.effective_hourly == Money(1560, "USD")
    earned = pay.earnings(container.db, workers[0], container.charter)
    topups = [e for e in earned.entries if e.kind == "topup"]
    assert sum(e.amount_minor for e in topups) == 5 * 8
    assert topups[0].memo["median_ms"] == 30_000 and topups[0].memo["fair_price_minor"] == 13
    assert earned.balances["pending"]["USD"] == Money(5 * 13, "USD")
    assert_ledger_sound(container)


def test_approval_after_the_review_window_makes_pay_available_and_frees_the_reserve(
        container: Container, people: Accounts, requester: User, clock: FakeClock) -> None:
    pid = make_project(container, requester, tasks=3, price=50)
    worker = people.make(Role.WORKER)[0]
    work(container, clock, worker, pid, seconds=10, answers=3)
    clock.advance(hours=71)
    assert jobs.run_due_work(container.db, container.charter, now=clock()).approved == 0
    clock.advance(hours=2)
    assert jobs.run_due_work(container.db, container.charter, now=clock()).approved == 3
    earned = pay.earnings(container.db, worker, container.charter)
    assert earned.balances["available"]["USD"] == Money(150, "USD")
    assert balances(container).get((ledger.project_reserved(pid), "USD"), 0) == 0
    assert_ledger_sound(container)


def test_a_price_cut_waits_for_its_notice_and_a_raise_applies_at_once(
        container: Container, people: Accounts, requester: User, clock: FakeClock) -> None:
    pid = make_project(container, requester, tasks=10, price=50, lease_seconds=4 * 3600)
    worker = people.make(Role.WORKER)[0]
    work(container, clock, worker, pid, seconds=10, answers=1)
    cut = pay.change_price(container.db, requester, pid, Money(40, "USD"), reason="budget",
                           policy=container.charter, now=clock())
    assert cut.effective_at == clock() + timedelta(days=14) and cut.applied_at is None
    assert "50.00 USD".replace("50.00", "0.50") in str(pay.inbox(container.db, worker)[0].body)
    clock.advance(days=13, hours=23)
    jobs.run_due_work(container.db, container.charter, now=clock())
    price = projects.get_project(container.db, requester, pid).project.terms.pay_per_task
    assert price == Money(50, "USD")
    lease = assignment.request_next(container.db, worker, pid, now=clock(),
                                    policy=container.charter)
    assert lease is not None
    clock.advance(hours=2)
    jobs.run_due_work(container.db, container.charter, now=clock())
    assert projects.get_project(container.db, requester, pid).project.terms.pay_per_task == \
        Money(40, "USD")
    # The task leased before the cut keeps its price: nothing changes backward.
    done = assignment.submit_answer(container.db, worker, lease.assignment_id, "a",
                                    idempotency_key=None, now=clock(), policy=container.charter)
    assert not done.replayed
    earn = [e for e in pay.statement(container.db, worker) if e.kind == "earn"]
    assert [e.amount_minor for e in earn] == [50, 50]
    raised = pay.change_price(container.db, requester, pid, Money(60, "USD"), reason="",
                              policy=container.charter, now=clock())
    assert raised.applied_at == clock()
    assert projects.get_project(container.db, requester, pid).project.terms.pay_per_task == \
        Money(60, "USD")


def test_when_escrow_runs_out_work_stops_and_nothing_done_goes_unpaid(
        container: Container, people: Accounts, requester: User, clock: FakeClock) -> None:
    # 120 s leases at 15.00/h: each lease holds 101 cents (price 5 + 2 × 50 + 1 − 5); each
    # 20-second answer keeps 13 of it for top-ups it can still be owed (2 × 8.3 + 1 − 5).
    pid = make_project(container, requester, tasks=10, price=5, funding=120)
    worker = people.make(Role.WORKER)[0]
    assert work(container, clock, worker, pid, seconds=20, answers=2) == 2
    with pytest.raises(EscrowExhausted, match="waiting for its requester to add funds"):
        assignment.request_next(container.db, worker, pid, now=clock(), policy=container.charter)
    clock.advance(hours=73)
    jobs.run_due_work(container.db, container.charter, now=clock())
    earned = pay.earnings(container.db, worker, container.charter).balances
    assert earned["available"]["USD"].amount_minor >= 2 * 5
    assert_ledger_sound(container)


def test_bad_money_is_refused_and_changes_nothing(
        container: Container, people: Accounts, requester: User) -> None:
    pid = make_project(container, requester, tasks=1, funding=1000)
    other = people.make(Role.REQUESTER)[0]
    before = all_entries(container)
    admin = operator(container)
    for bad in (lambda: Money(1.5, "USD"),  # type: ignore[arg-type]
                lambda: Money(5, "usd")):
        with pytest.raises(InvalidInput):
            bad()
    with pytest.raises(InvalidInput):
        pay.deposit(container.db, admin, requester_email=requester.email,
                    amount=Money(-1, "USD"), policy=container.charter,
                    now=container.clock())
    with pytest.raises(InvalidInput, match="fund it in USD"):
        pay.fund_project(container.db, requester, pid, Money(5, "EUR"), now=container.clock())
    with pytest.raises(NotFound):
        pay.fund_project(container.db, other, pid, Money(5, "USD"), now=container.clock())
    with pytest.raises(pay.InsufficientFunds):
        pay.fund_project(container.db, requester, pid, Money(10**9, "USD"),
                         now=container.clock())
    with pytest.raises(InvalidInput, match="must be in USD"):
        pay.change_price(container.db, requester, pid, Money(7, "EUR"), reason="",
                         policy=container.charter, now=container.clock())
    assert all_entries(container) == before


def test_every_entry_is_append_only_on_postgresql(container: Container, requester: User) -> None:
    if container.engine.dialect.name != "postgresql":
        pytest.skip("the trigger is PostgreSQL's; SQLite relies on the application")
    make_project(container, requester, tasks=1, funding=100)
    from sqlalchemy.exc import DBAPIError

    for statement in ("UPDATE ledger_entries SET amount_minor = 0",
                      "DELETE FROM ledger_entries"):
        with pytest.raises(DBAPIError, match="append-only"), container.engine.begin() as conn:
            conn.execute(text(statement))


def test_statement_of_a_worker_verifies_alone(
        container: Container, people: Accounts, requester: User, clock: FakeClock) -> None:
    pid = make_project(container, requester, tasks=4, redundancy=2, price=20)
    first, second = people.make(Role.WORKER)[0], people.make(Role.WORKER)[0]
    work(container, clock, first, pid, seconds=5, answers=4)
    work(container, clock, second, pid, seconds=5, answers=4)
    lines = [ledger.entry_to_json(e) for e in pay.statement(container.db, first)]
    result = ledger.verify_statement_lines(lines)
    assert result.ok and result.checked == 4
    assert Counter(ledger.owner_of(ledger.entry_from_json(line).account)[1]
                   for line in lines) == {str(first.id): 4}
    forged = [*lines]
    forged[2] = forged[2].replace('"amount_minor":20', '"amount_minor":2000')
    assert ledger.verify_statement_lines(forged).line == 3
