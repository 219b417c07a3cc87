"""The periodic jobs visit only what changed since they last ran (services/jobs.py), and
never skip what they must do: a project that got answers is measured again, an old answer
becoming due is approved, a liability whose answers leave its window falls, a fast worker's
new answers are looked at, a worker's new floor tops up their past answers. On SQLite and
PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest
from sqlalchemy import select

from fairlabel.adapters.container import Container
from fairlabel.adapters.db.tables import assignments, projects
from fairlabel.domain.accounts import Role, User
from fairlabel.domain.charter import CharterPolicy, FloorTable
from fairlabel.domain.label_schema import parse_schema
from fairlabel.domain.money import Money
from fairlabel.domain.projects import ProjectTerms
from fairlabel.services import assignment, decisions, jobs, payouts
from fairlabel.services import projects as project_service
from tests.conftest import Accounts
from tests.support.clock import FakeClock
from tests.support.funding import fund


@pytest.fixture
def requester(people: Accounts) -> User:
    return people.make(Role.REQUESTER)[0]


def make_project(container: Container, requester: User, policy: CharterPolicy, *,
                 price: int = 50, tasks: int = 60) -> int:
    now = container.clock()
    project = project_service.create_project(container.db, requester, ProjectTerms(
        "Sentiment", "", parse_schema({"type": "single_choice", "choices": ["a", "b"]}),
        1, Money(price, "USD"), 600), policy=policy, now=now)
    project_service.import_tasks(container.db, requester, project.id,
                                 [{"text": str(i)} for i in range(tasks)], max_rows=10_000,
                                 now=now)
    fund(container, requester, project.id, 200_000)
    project_service.launch_project(container.db, requester, project.id, now=now, policy=policy)
    return project.id


def work(container: Container, clock: FakeClock, worker: User, project_id: int, *,
         seconds: float, answers: int, policy: CharterPolicy | None = None) -> list[int]:
    policy = policy or container.charter
    done = []
    for _ in range(answers):
        lease = assignment.request_next(container.db, worker, project_id, now=clock(),
                                        policy=policy)
        assert lease is not None
        clock.advance(seconds=seconds)
        assignment.submit_answer(container.db, worker, lease.assignment_id, "a",
                                 idempotency_key=None, now=clock(), policy=policy)
        done.append(lease.assignment_id)
    return done


def due(container: Container, now: datetime) -> dict[str, list[int]]:
    """Which projects each job would visit now."""
    with container.db.read() as tx:
        return {"measure": tx.projects.to_measure(), "notice": tx.projects.notice_due(now=now),
                "proposals": tx.projects.proposals_due(now=now),
                "consensus": tx.consensus.stale_projects()}


NOTHING: dict[str, list[int]] = {"measure": [], "notice": [], "proposals": [], "consensus": []}


def project_row(container: Container, project_id: int) -> dict[str, object]:
    with container.engine.connect() as conn:
        row = conn.execute(select(projects).where(projects.c.id == project_id)).one()
        return dict(row._mapping)


def test_a_project_that_got_answers_since_the_last_sweep_is_visited_and_no_other(
        container: Container, people: Accounts, requester: User, clock: FakeClock) -> None:
    quiet, busy = (make_project(container, requester, container.charter) for _ in range(2))
    worker = people.make(Role.WORKER)[0]
    for pid in (quiet, busy):
        work(container, clock, worker, pid, seconds=30, answers=20)
    jobs.run_due_work(container.db, container.charter, now=clock())
    assert due(container, clock()) == NOTHING
    liability = project_row(container, busy)["notice_liability_minor"]
    assert isinstance(liability, int) and liability > 0

    work(container, clock, people.make(Role.WORKER)[0], busy, seconds=120, answers=5)
    found = due(container, clock())
    assert found == {"measure": [busy], "notice": [busy], "proposals": [],
                     "consensus": [busy]}
    report = jobs.run_due_work(container.db, container.charter, now=clock())
    assert report.consensus_refits == 1
    measured = project_row(container, busy)
    assert measured["measured_answers"] == 25 and measured["proposals_answers"] == 25
    assert measured["notice_liability_minor"] > liability  # the new answers' pay counts
    assert project_row(container, quiet)["measured_answers"] == 20
    assert due(container, clock()) == NOTHING


def test_an_old_answer_becoming_due_is_approved_and_a_newer_one_waits(
        container: Container, people: Accounts, requester: User, clock: FakeClock) -> None:
    pid = make_project(container, requester, container.charter)
    worker = people.make(Role.WORKER)[0]
    [older] = work(container, clock, worker, pid, seconds=30, answers=1)
    clock.advance(hours=10)
    [newer] = work(container, clock, worker, pid, seconds=30, answers=1)
    jobs.run_due_work(container.db, container.charter, now=clock())  # nothing due yet
    clock.advance(hours=62, minutes=1)
    assert jobs.run_due_work(container.db, container.charter, now=clock()).approved == 1
    with container.engine.connect() as conn:
        approved = dict(conn.execute(select(assignments.c.id, assignments.c.approved_at)
                                     .where(assignments.c.project_id == pid)).all())
    assert approved[older] is not None and approved[newer] is None
    clock.advance(hours=10)
    assert jobs.run_due_work(container.db, container.charter, now=clock()).approved == 1


def test_the_notice_liability_falls_when_its_answers_leave_the_window_with_no_new_answer(
        container: Container, people: Accounts, requester: User, clock: FakeClock) -> None:
    pid = make_project(container, requester, container.charter)
    work(container, clock, people.make(Role.WORKER)[0], pid, seconds=30, answers=20)
    jobs.run_due_work(container.db, container.charter, now=clock())
    assert project_row(container, pid)["notice_liability_minor"] > 0
    clock.advance(days=13, hours=23)
    assert due(container, clock())["notice"] == []
    clock.advance(hours=1, minutes=1)
    assert due(container, clock())["notice"] == [pid]
    jobs.run_due_work(container.db, container.charter, now=clock())
    assert project_row(container, pid)["notice_liability_minor"] == 0
    assert due(container, clock())["notice"] == []  # nothing left to leave the window


def test_new_fast_answers_are_looked_at_and_the_rule_looks_again_when_its_window_moves(
        container: Container, people: Accounts, requester: User, clock: FakeClock) -> None:
    pid = make_project(container, requester, container.charter)
    work(container, clock, people.make(Role.WORKER)[0], pid, seconds=60, answers=20)
    assert jobs.run_due_work(container.db, container.charter, now=clock()).proposals == 0
    assert due(container, clock())["proposals"] == []
    fast = people.make(Role.WORKER)[0]
    work(container, clock, fast, pid, seconds=1, answers=10)
    # Measured first (the new answers changed the measurement), then the rules look.
    assert jobs.run_due_work(container.db, container.charter, now=clock()).proposals == 1
    assert [d.decision.rule for d in decisions.my_decisions(container.db, fast)] == [
        "fast_answers@1"]
    assert due(container, clock())["proposals"] == []
    # The rule may propose again once a window has passed: the job looks again then.
    clock.advance(days=7, seconds=1)
    assert due(container, clock())["proposals"] == [pid]
    assert jobs.run_due_work(container.db, container.charter, now=clock()).proposals == 0
    assert due(container, clock())["proposals"] == []


def test_a_worker_whose_floor_rises_with_their_country_is_topped_up_with_no_new_answer(
        container: Container, people: Accounts, requester: User, clock: FakeClock) -> None:
    floors = container.charter.floors
    policy = replace(container.charter, floors=FloorTable(
        floors.by_currency, {**floors.by_country, "CH": {"USD": 3000}}))
    # 13 cents for 30 s pays 15.60 USD/h: above the USD floor, below the Swiss one.
    pid = make_project(container, requester, policy, price=13)
    worker = people.make(Role.WORKER)[0]
    work(container, clock, worker, pid, seconds=30, answers=20, policy=policy)
    assert jobs.run_due_work(container.db, policy, now=clock()).topups == 0
    assert due(container, clock())["measure"] == []
    payouts.set_details(container.db, worker, name="Ada Worker", iban="DE89370400440532013000",
                        bic=None, country="CH")
    assert due(container, clock())["measure"] == [pid]
    report = jobs.run_due_work(container.db, policy, now=clock())
    # 30.00 USD/h for 30 s is 25 cents: 12 more per answer.
    assert report.topups == 20 and report.topup_minor == {"USD": 20 * 12}
    assert due(container, clock()) == NOTHING


def test_a_sweep_reads_no_project_whose_answers_did_not_change(
        container: Container, people: Accounts, requester: User, clock: FakeClock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    pid = make_project(container, requester, container.charter)
    work(container, clock, people.make(Role.WORKER)[0], pid, seconds=30, answers=20)
    jobs.run_due_work(container.db, container.charter, now=clock())
    visited: list[int] = []
    measure = jobs.measure_and_top_up

    def counted(db: object, project_id: int, *args: object, **kwargs: object) -> object:
        visited.append(project_id)
        return measure(db, project_id, *args, **kwargs)  # type: ignore[arg-type]
    monkeypatch.setattr(jobs, "measure_and_top_up", counted)
    clock.advance(minutes=1)
    jobs.run_due_work(container.db, container.charter, now=clock())
    assert visited == []
    work(container, clock, people.make(Role.WORKER)[0], pid, seconds=30, answers=1)
    jobs.run_due_work(container.db, container.charter, now=clock())
    assert visited == [pid]


def test_an_answer_locked_elsewhere_during_top_ups_is_topped_up_at_the_next_sweep(
        container: Container, people: Accounts, requester: User, clock: FakeClock) -> None:
    """Top-ups pass answers another transaction holds (SKIP LOCKED: a review, an appeal);
    the project is then measured again at the next sweep, with no new answer."""
    if container.engine.dialect.name == "sqlite":
        pytest.skip("SQLite has no row locks to skip")
    pid = make_project(container, requester, container.charter, price=1)
    worker = people.make(Role.WORKER)[0]
    done = work(container, clock, worker, pid, seconds=60, answers=25)
    held = done[3]
    with container.engine.connect() as other:
        other.execute(select(assignments.c.id).where(assignments.c.id == held)
                      .with_for_update())
        jobs.run_due_work(container.db, container.charter, now=clock())
        other.rollback()
    with container.engine.connect() as conn:
        paid = dict(conn.execute(select(assignments.c.id, assignments.c.topped_up_minor)
                                 .where(assignments.c.project_id == pid)).all())
    assert paid[held] == 0 and all(paid[a] > 0 for a in done if a != held)
    assert project_row(container, pid)["pay_recheck"]
    assert pid in due(container, clock())["measure"]
    clock.advance(seconds=60)
    jobs.run_due_work(container.db, container.charter, now=clock())
    with container.engine.connect() as conn:
        topped = conn.execute(select(assignments.c.topped_up_minor)
                              .where(assignments.c.id == held)).scalar_one()
    assert topped == paid[done[0]]
    assert pid not in due(container, clock())["measure"]
