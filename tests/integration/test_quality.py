"""Quality control through the services on a real database (SQLite and PostgreSQL): the
qualification race, the periodic consensus refit, and adaptive redundancy's settle/unsettle."""

from __future__ import annotations

import random
import threading
from typing import Any

import pytest
from sqlalchemy import select, update

from fairlabel.adapters.container import Container
from fairlabel.adapters.db.tables import assignments, qualification_attempts, tasks
from fairlabel.adapters.db.tables import projects as project_rows
from fairlabel.domain.accounts import Role, User
from fairlabel.domain.errors import Conflict
from fairlabel.domain.label_schema import parse_schema
from fairlabel.domain.money import Money
from fairlabel.domain.projects import ProjectTerms
from fairlabel.domain.quality import Qualification, QualityTerms
from fairlabel.services import assignment, projects, quality
from fairlabel.services.ports.quality import WorkerSkill
from tests.conftest import Accounts
from tests.support.funding import fund


def make_project(container: Container, requester: User, *, work: int, gold: int,
                 terms: QualityTerms, redundancy: int = 3) -> int:
    now = container.clock()
    project = projects.create_project(container.db, requester, ProjectTerms(
        "Checked", "Choose.", parse_schema({"type": "single_choice", "choices": ["a", "b"]}),
        redundancy, Money(5, "USD"), 600, quality=terms), policy=container.charter, now=now)
    rows: list[Any] = [{"data": {"i": i}} for i in range(work)]
    rows += [{"data": {"g": i}, "gold": "a"} for i in range(gold)]
    projects.import_tasks(container.db, requester, project.id, rows, max_rows=10_000, now=now)
    fund(container, requester, project.id, 10_000_000)
    projects.launch_project(container.db, requester, project.id, now=now, policy=container.charter)
    return project.id


@pytest.fixture
def requester(people: Accounts) -> User:
    return people.make(Role.REQUESTER)[0]


def test_two_requests_racing_to_start_the_qualification_open_one_attempt(
        container: Container, people: Accounts, requester: User) -> None:
    pid = make_project(container, requester, work=2, gold=6, terms=QualityTerms(
        qualification=Qualification(3, 1.0)))
    worker = people.make(Role.WORKER)[0]
    barrier = threading.Barrier(2)
    got: list[Any] = []

    def race() -> None:
        barrier.wait()
        try:
            got.append(assignment.request_next(container.db, worker, pid,
                                               now=container.clock(), policy=container.charter))
        except Conflict as error:
            got.append(error.code)

    threads = [threading.Thread(target=race) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with container.engine.connect() as conn:
        attempts = conn.execute(select(qualification_attempts)).all()
    assert len(attempts) == 1
    leases = [g for g in got if isinstance(g, assignment.Lease)]
    assert leases and all(lease.qualification for lease in leases)
    assert len({lease.assignment_id for lease in leases}) == 1
    assert all(g == "concurrent_request" for g in got if not isinstance(g, assignment.Lease))


def simulate(container: Container, pid: int, workers: list[tuple[User, float]],
             truth: dict[int, str], rng: random.Random) -> None:
    """Workers of known accuracy answer until nothing is left for anyone."""
    active = list(workers)
    while active:
        for worker, accuracy in list(active):
            lease = assignment.request_next(container.db, worker, pid, now=container.clock(),
                                            policy=container.charter, rng=rng)
            if lease is None:
                active.remove((worker, accuracy))
                continue
            right = truth[lease.data["i"]] if "i" in lease.data else "a"
            wrong = "b" if right == "a" else "a"
            assignment.submit_answer(container.db, worker, lease.assignment_id,
                                     right if rng.random() < accuracy else wrong,
                                     idempotency_key=None, now=container.clock(),
                                     policy=container.charter)


def test_the_refit_recovers_the_truth_and_ranks_workers_by_accuracy(
        container: Container, people: Accounts, requester: User) -> None:
    rng = random.Random(3)
    pid = make_project(container, requester, work=60, gold=10, redundancy=5,
                       terms=QualityTerms(gold_rate=0.1, consensus_method="ds"))
    truth = {i: rng.choice("ab") for i in range(60)}
    accuracies = [0.95, 0.9, 0.85, 0.6, 0.55]
    team = [(people.make(Role.WORKER)[0], a) for a in accuracies]
    simulate(container, pid, team, truth, rng)
    [refit] = quality.refresh_consensus(container.db, now=container.clock())
    assert refit.project_id == pid and refit.tasks == 60
    assert quality.refresh_consensus(container.db, now=container.clock()) == []  # not stale
    with container.engine.connect() as conn:
        found = {r.data["i"]: (r.consensus, r.confidence) for r in conn.execute(
            select(tasks.c.data, tasks.c.consensus, tasks.c.confidence)
            .where(tasks.c.project_id == pid, tasks.c.is_gold.is_(False)))}
    right = sum(found[i][0] == truth[i] for i in truth)
    assert right >= 57
    assert all(0.5 <= c <= 1 for _, c in found.values())
    view = quality.project_quality(container.db, requester, pid, now=container.clock())
    by_name = {row.worker: row.skill.accuracy for row in view.workers if row.skill}
    names = {w.pseudonym: a for w, a in team}
    ranked = sorted(by_name, key=lambda n: by_name[n], reverse=True)
    assert names[ranked[0]] >= 0.85 and names[ranked[-1]] <= 0.6
    assert sum(row.gold.total for row in view.workers) > 0


def test_adaptive_redundancy_settles_then_reopens_when_a_refit_lowers_confidence(
        container: Container, people: Accounts, requester: User) -> None:
    pid = make_project(container, requester, work=1, gold=0, redundancy=5, terms=QualityTerms(
        consensus_method="mv", confidence_target=0.9, min_answers=2))
    first, second, third = (people.make(Role.WORKER)[0] for _ in range(3))
    for worker in (first, second):
        lease = assignment.request_next(container.db, worker, pid, now=container.clock(),
                                        policy=container.charter)
        assert lease is not None
        assignment.submit_answer(container.db, worker, lease.assignment_id, "a",
                                 idempotency_key=None, now=container.clock(),
                                     policy=container.charter)
    # Two of two agree: vote share 1.0 ≥ 0.9 → settled, not served to a third worker.
    assert assignment.request_next(container.db, third, pid, now=container.clock(),
                                   policy=container.charter) is None
    summary = quality.project_quality(container.db, requester, pid,
                                      now=container.clock()).summary
    assert (summary.settled, summary.answers_saved) == (1, 3)
    # A refit that finds the task below target (here: its stored answers changed) reopens it.
    with container.engine.begin() as conn:
        conn.execute(update(tasks).where(tasks.c.project_id == pid)
                     .values(settled_at=container.clock()))
        conn.execute(update(assignments).where(assignments.c.worker_id == second.id)
                     .values(answer="b"))
        conn.execute(update(project_rows).where(project_rows.c.id == pid)
                     .values(consensus_until=None))
    [refit] = quality.refresh_consensus(container.db, now=container.clock())
    assert refit.unsettled == 1
    assert assignment.request_next(container.db, third, pid, now=container.clock(),
                                   policy=container.charter) is not None


def test_the_sweep_refits_a_project_at_most_once_per_interval_and_writes_what_changed(
        container: Container, people: Accounts, requester: User) -> None:
    from datetime import timedelta

    from tests.support.clock import FakeClock

    clock = container.clock
    assert isinstance(clock, FakeClock)
    pid = make_project(container, requester, work=4, gold=0, redundancy=3,
                       terms=QualityTerms(consensus_method="mv"))
    team = [people.make(Role.WORKER)[0] for _ in range(3)]

    def one_round() -> None:
        for worker in team:
            lease = assignment.request_next(container.db, worker, pid, now=clock(),
                                            policy=container.charter)
            assert lease is not None
            assignment.submit_answer(container.db, worker, lease.assignment_id, "a",
                                     idempotency_key=None, now=clock(), policy=container.charter)
        clock.advance(seconds=1)

    one_round()
    minute = timedelta(seconds=60)
    [first] = quality.refresh_consensus(container.db, now=clock(), min_interval=minute)
    assert (first.tasks, first.written) == (1, 1)
    one_round()
    assert quality.refresh_consensus(container.db, now=clock(), min_interval=minute) == []
    clock.advance(seconds=60)
    [second] = quality.refresh_consensus(container.db, now=clock(), min_interval=minute)
    assert (second.tasks, second.written) == (2, 1)  # the first task's consensus is unchanged


def test_two_refits_saving_worker_skills_at_once_never_collide(
        container: Container, people: Accounts, requester: User) -> None:
    pid = make_project(container, requester, work=2, gold=0, terms=QualityTerms())
    workers = [people.make(Role.WORKER)[0] for _ in range(3)]
    skills = [WorkerSkill(w.id, 0.9, 9, 10) for w in workers]
    errors: list[Exception] = []
    for _ in range(5):  # each round: two sweepers write the same new rows at one instant
        barrier = threading.Barrier(2)

        def save(barrier: threading.Barrier = barrier) -> None:
            barrier.wait()
            try:
                with container.db.write() as tx:
                    tx.consensus.save_skills(pid, skills, now=container.clock())
                    tx.commit()
            except Exception as error:  # reported below
                errors.append(error)

        threads = [threading.Thread(target=save) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        with container.db.write() as tx:  # the next round inserts new rows again
            tx.consensus.save_skills(pid, [], now=container.clock())
            tx.commit()
    assert errors == []
