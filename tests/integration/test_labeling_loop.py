"""The worker loop through the services, on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select

from fairlabel.adapters.container import Container
from fairlabel.adapters.db.tables import assignments, tasks
from fairlabel.domain.accounts import Role, User
from fairlabel.domain.assignment import AlreadySubmitted, LeaseExpired
from fairlabel.domain.errors import ImportRejected, NotFound, PermissionDenied
from fairlabel.domain.label_schema import InvalidAnswer, parse_schema
from fairlabel.domain.money import Money
from fairlabel.domain.projects import ProjectNotOpen, ProjectStatus, ProjectTerms
from fairlabel.services import assignment, exports, projects
from tests.conftest import Accounts
from tests.support.clock import FakeClock
from tests.support.funding import fund


def make_project(container: Container, requester: User, *, n_tasks: int = 3,
                 redundancy: int = 2, launch: bool = True, lease_seconds: int = 60) -> int:
    terms = ProjectTerms("Sentiment", "Choose.", parse_schema(
        {"type": "single_choice", "choices": ["pos", "neg"]}), redundancy, Money(5, "USD"),
        lease_seconds)
    now = container.clock()
    project = projects.create_project(container.db, requester, terms,
                                      policy=container.charter, now=now)
    if n_tasks:
        projects.import_tasks(container.db, requester, project.id,
                              [{"data": {"text": f"t{i}"}} for i in range(n_tasks)],
                              max_rows=1000, now=now)
    fund(container, requester, project.id, 1_000_000)
    if launch:
        projects.launch_project(container.db, requester, project.id, now=now,
                                policy=container.charter)
    return project.id


def next_task(container: Container, worker: User, project_id: int, *,
              now: datetime) -> assignment.Lease | None:
    return assignment.request_next(container.db, worker, project_id, now=now,
                                   policy=container.charter)


def rows(container: Container, table: Any) -> list[Any]:
    with container.engine.connect() as conn:
        return list(conn.execute(select(table)))


@pytest.fixture
def requester(people: Accounts) -> User:
    return people.make(Role.REQUESTER)[0]


def test_a_worker_never_gets_the_same_task_twice(container: Container, people: Accounts,
                                                 requester: User) -> None:
    pid = make_project(container, requester, n_tasks=3)
    worker = people.make(Role.WORKER)[0]
    seen = []
    now = container.clock()
    while (lease := next_task(container, worker, pid, now=now)) is not None:
        seen.append(lease.task_id)
        assignment.submit_answer(container.db, worker, lease.assignment_id, "pos",
                                 idempotency_key=None, now=now, policy=container.charter)
    assert sorted(seen) == sorted(set(seen)) and len(seen) == 3


def test_a_task_never_collects_more_answers_than_its_redundancy(
        container: Container, people: Accounts, requester: User) -> None:
    pid = make_project(container, requester, n_tasks=2, redundancy=2)
    now = container.clock()
    served = 0
    for _ in range(5):
        worker = people.make(Role.WORKER)[0]
        while (lease := next_task(container, worker, pid, now=now)):
            assignment.submit_answer(container.db, worker, lease.assignment_id, "neg",
                                     idempotency_key=None, now=now, policy=container.charter)
            served += 1
    assert served == 4
    assert all(t.answered == 2 and t.taken == 2 for t in rows(container, tasks))


def test_a_reload_returns_the_lease_already_held(container: Container, people: Accounts,
                                                 requester: User) -> None:
    pid = make_project(container, requester)
    worker = people.make(Role.WORKER)[0]
    first = next_task(container, worker, pid, now=container.clock())
    again = next_task(container, worker, pid, now=container.clock())
    assert first is not None and again is not None
    assert again.assignment_id == first.assignment_id


def test_an_expired_lease_returns_the_task_to_the_pool(
        container: Container, people: Accounts, requester: User, clock: FakeClock) -> None:
    pid = make_project(container, requester, n_tasks=1, redundancy=1, lease_seconds=60)
    slow, other = people.make(Role.WORKER)[0], people.make(Role.WORKER)[0]
    lease = next_task(container, slow, pid, now=clock())
    assert lease is not None
    assert next_task(container, other, pid, now=clock()) is None
    clock.advance(seconds=61)
    with pytest.raises(LeaseExpired):
        assignment.submit_answer(container.db, slow, lease.assignment_id, "pos",
                                 idempotency_key=None, now=clock(), policy=container.charter)
    second = next_task(container, other, pid, now=clock())
    assert second is not None and second.task_id == lease.task_id
    assert [r.status for r in rows(container, assignments)] == ["expired", "leased"]


def test_the_sweep_returns_every_expired_lease_once(
        container: Container, people: Accounts, requester: User, clock: FakeClock) -> None:
    pid = make_project(container, requester, n_tasks=3, redundancy=1)
    for _ in range(3):
        assert next_task(container, people.make(Role.WORKER)[0], pid, now=clock()) is not None
    clock.advance(minutes=2)
    assert assignment.expire_leases(container.db, now=clock()) == 3
    assert assignment.expire_leases(container.db, now=clock()) == 0
    assert all(t.taken == 0 for t in rows(container, tasks))


def test_skipping_frees_the_slot_for_others_only(container: Container, people: Accounts,
                                                 requester: User) -> None:
    pid = make_project(container, requester, n_tasks=1, redundancy=1)
    skipper, other = people.make(Role.WORKER)[0], people.make(Role.WORKER)[0]
    now = container.clock()
    lease = next_task(container, skipper, pid, now=now)
    assert lease is not None
    assignment.release(container.db, skipper, lease.assignment_id, now=now)
    assert next_task(container, skipper, pid, now=now) is None
    assert next_task(container, other, pid, now=now) is not None


def test_submissions_are_validated_idempotent_and_final(container: Container,
                                                        people: Accounts,
                                                        requester: User) -> None:
    pid = make_project(container, requester)
    worker = people.make(Role.WORKER)[0]
    now = container.clock()
    lease = next_task(container, worker, pid, now=now)
    assert lease is not None
    with pytest.raises(InvalidAnswer):
        assignment.submit_answer(container.db, worker, lease.assignment_id, "maybe",
                                 idempotency_key="k", now=now, policy=container.charter)
    first = assignment.submit_answer(container.db, worker, lease.assignment_id, "pos",
                                     idempotency_key="k", now=now, policy=container.charter)
    retry = assignment.submit_answer(container.db, worker, lease.assignment_id, "pos",
                                     idempotency_key="k", now=now, policy=container.charter)
    assert not first.replayed and retry.replayed and retry.answer == "pos"
    with pytest.raises(AlreadySubmitted):
        assignment.submit_answer(container.db, worker, lease.assignment_id, "neg",
                                 idempotency_key="other", now=now, policy=container.charter)
    assert sum(t.answered for t in rows(container, tasks)) == 1


def test_someone_elses_assignment_is_not_found(container: Container, people: Accounts,
                                               requester: User) -> None:
    pid = make_project(container, requester)
    owner, intruder = people.make(Role.WORKER)[0], people.make(Role.WORKER)[0]
    lease = next_task(container, owner, pid, now=container.clock())
    assert lease is not None
    with pytest.raises(NotFound):
        assignment.submit_answer(container.db, intruder, lease.assignment_id, "pos",
                                 idempotency_key=None, now=container.clock(),
                                     policy=container.charter)


def test_drafts_serve_no_work_and_requesters_cannot_take_tasks(
        container: Container, people: Accounts, requester: User) -> None:
    pid = make_project(container, requester, launch=False)
    with pytest.raises(ProjectNotOpen, match="draft"):
        next_task(container, people.make(Role.WORKER)[0], pid,
                                now=container.clock())
    with pytest.raises(PermissionDenied):
        next_task(container, requester, pid, now=container.clock())


def test_an_import_with_one_bad_row_imports_nothing(container: Container, people: Accounts,
                                                    requester: User) -> None:
    pid = make_project(container, requester, n_tasks=0, launch=False)
    schema_pairwise = [{"data": {"text": "fine"}}, {"data": {}}, {"data": {"text": "x"}}]
    with pytest.raises(ImportRejected, match="row 2") as caught:
        projects.import_tasks(container.db, requester, pid, schema_pairwise, max_rows=10,
                              now=container.clock())
    assert caught.value.row == 2
    assert rows(container, tasks) == []


def test_export_has_every_answer_under_a_pseudonym_and_the_majority(
        container: Container, people: Accounts, requester: User) -> None:
    pid = make_project(container, requester, n_tasks=1, redundancy=3)
    now = container.clock()
    for answer in ("pos", "neg", "pos"):
        worker = people.make(Role.WORKER)[0]
        lease = next_task(container, worker, pid, now=now)
        assert lease is not None
        assignment.submit_answer(container.db, worker, lease.assignment_id, answer,
                                 idempotency_key=None, now=now, policy=container.charter)
    [record] = list(exports.export_records(container.db, requester, pid))
    assert record["majority"] == "pos"
    assert [a["answer"] for a in record["answers"]] == ["pos", "neg", "pos"]
    assert all(a["worker"].startswith("w_") and "@" not in a["worker"]
               for a in record["answers"])


def test_two_workers_racing_for_the_last_slot_exactly_one_wins(
        container: Container, people: Accounts, requester: User) -> None:
    pid = make_project(container, requester, n_tasks=1, redundancy=1)
    racers = [people.make(Role.WORKER)[0] for _ in range(2)]
    barrier = threading.Barrier(2)
    results: list[object] = []

    def race(worker: User) -> None:
        barrier.wait()
        try:
            results.append(next_task(container, worker, pid,
                                                   now=container.clock()))
        except Exception as error:  # collected and asserted on below
            results.append(error)

    threads = [threading.Thread(target=race, args=(w,)) for w in racers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [r for r in results if r is not None and not isinstance(r, Exception)]
    assert len(winners) == 1, results
    assert results.count(None) == 1
    assert [t.taken for t in rows(container, tasks)] == [1]


def test_a_project_read_again_shows_what_changed_since_it_was_cached(
        container: Container, people: Accounts) -> None:
    requester, _ = people.make(Role.REQUESTER)
    pid = make_project(container, requester)
    with container.db.read() as tx:
        first = tx.projects.get(pid)  # the fixed part is cached from here on
    with container.db.write() as tx:
        tx.projects.set_price(pid, 9)
        tx.projects.set_ending(pid, status=ProjectStatus.PAUSED.value,
                               paused_at=container.clock())
        tx.commit()
    with container.db.read() as tx:
        again = tx.projects.get(pid)
        assert tx.projects.get(pid + 1000) is None
    assert first is not None and again is not None
    assert again.terms.pay_per_task == Money(9, "USD") and again.status is ProjectStatus.PAUSED
    assert again.paused_at == container.clock()
    assert again.terms.schema == first.terms.schema and again.terms.name == first.terms.name
    assert first.terms.pay_per_task == Money(5, "USD")
