"""A project's quality summary is read from the tally its task writes keep
(``adapters/db/quality_totals.py``), never from its tasks, and equals the sums over them after
any sequence of leases, answers, consensus refits and updates, settling and unsettling."""

from __future__ import annotations

import random
import re
import threading
from contextlib import suppress
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import case, false, func, select

from fairlabel.adapters.container import Container
from fairlabel.adapters.db.consensus_writes import save_consensus
from fairlabel.adapters.db.quality_totals import QualityTotals
from fairlabel.adapters.db.tables import assignments, tasks
from fairlabel.domain.accounts import Role, User
from fairlabel.domain.assignment import LeaseExpired
from fairlabel.domain.label_schema import parse_schema
from fairlabel.domain.money import Money
from fairlabel.domain.projects import ProjectTerms
from fairlabel.domain.quality import QualityTerms
from fairlabel.services import assignment, projects, quality
from fairlabel.services.ports.quality import ConsensusSummary
from tests.conftest import Accounts
from tests.support.funding import fund
from tests.support.statements import statements

CHOICE = {"type": "single_choice", "choices": ["a", "b"]}
RANKING = {"type": "ranking"}


def scanned(container: Container, project_id: int) -> ConsensusSummary:
    """The summary summed over every ordinary task of the project, as it once was read."""
    settled = tasks.c.settled_at.is_not(None)
    with container.engine.connect() as conn:
        row = conn.execute(
            select(func.count(), func.count(tasks.c.consensus), func.count(tasks.c.settled_at),
                   func.coalesce(func.sum(tasks.c.answered), 0),
                   func.coalesce(func.sum(case((settled, tasks.c.max_answers - tasks.c.answered),
                                               else_=0)), 0),
                   func.avg(tasks.c.confidence))
            .where(tasks.c.project_id == project_id, tasks.c.is_gold == false())).one()
    return ConsensusSummary(int(row[0]), int(row[1]), int(row[2]), int(row[3]), int(row[4]),
                            None if row[5] is None else float(row[5]))


def kept(container: Container, project_id: int) -> ConsensusSummary:
    with container.db.read() as tx:
        return tx.consensus.summary(project_id)


def assert_same(container: Container, project_id: int, step: str) -> None:
    found, expected = kept(container, project_id), scanned(container, project_id)
    assert found.mean_confidence == pytest.approx(expected.mean_confidence, abs=1e-9), step
    assert replace(found, mean_confidence=None) == replace(expected, mean_confidence=None), step


def make_project(container: Container, requester: User, schema: dict[str, Any], *,
                 terms: QualityTerms, work: int, gold: int = 0, redundancy: int = 3) -> int:
    now = container.clock()
    project = projects.create_project(container.db, requester, ProjectTerms(
        "Checked", "Choose.", parse_schema(schema), redundancy, Money(5, "USD"), 600,
        quality=terms), policy=container.charter, now=now)
    data: Any = ((lambda i: {"prompt": f"item {i}", "responses": ["x", "y"]})
                 if schema is RANKING else (lambda i: {"text": f"item {i}"}))
    rows: list[Any] = [{"data": data(i)} for i in range(work)]
    rows += [{"data": data(-i - 1), "gold": "a"} for i in range(gold)]
    projects.import_tasks(container.db, requester, project.id, rows, max_rows=10_000, now=now)
    fund(container, requester, project.id, 10_000_000)
    projects.launch_project(container.db, requester, project.id, now=now,
                            policy=container.charter)
    return project.id


def test_the_summary_reads_no_task(container: Container, people: Accounts) -> None:
    requester = people.make(Role.REQUESTER)[0]
    pid = make_project(container, requester, CHOICE, work=5, terms=QualityTerms(
        consensus_method="mv", confidence_target=0.9, min_answers=2))
    with statements(container) as seen:
        summary = kept(container, pid)
    assert summary.tasks == 5
    assert seen and not [s for s in seen if re.search(r"\b(FROM|JOIN)\s+tasks\b", s)], seen


def answer_for(schema: dict[str, Any], rng: random.Random) -> Any:
    if schema is RANKING:
        return {"order": rng.choice([[0, 1], [1, 0]])}
    return rng.choice("aab")


@pytest.mark.parametrize("seed", [1, 2])
def test_the_kept_summary_is_the_tasks_after_every_step(
        container: Container, people: Accounts, seed: int) -> None:
    rng = random.Random(seed)
    requester = people.make(Role.REQUESTER)[0]
    # Answers follow each task's consensus (settling it) in the first two; the ranking's
    # consensus comes from refits alone. The last has no target: its tasks are settled and
    # unsettled here directly, so that answers are counted alone on settled tasks too.
    projects_of = [
        (make_project(container, requester, CHOICE, work=12, redundancy=4, terms=QualityTerms(
            consensus_method="mv", confidence_target=0.7, min_answers=2)), CHOICE),
        (make_project(container, requester, CHOICE, work=10, gold=2, terms=QualityTerms(
            consensus_method="ds", confidence_target=0.6, min_answers=2)), CHOICE),
        (make_project(container, requester, RANKING, work=8, terms=QualityTerms(
            consensus_method="pl")), RANKING),
        (make_project(container, requester, CHOICE, work=6, terms=QualityTerms(
            consensus_method="mv")), CHOICE),
    ]
    workers = [people.make(Role.WORKER)[0] for _ in range(6)]
    live: list[tuple[User, int, int, dict[str, Any]]] = []  # worker, lease, project, schema
    on_settled = 0  # answers given to a task already settled
    for step in range(150):
        move = rng.random()
        pid, schema = rng.choice(projects_of)
        now = container.clock()
        if move < 0.3:  # every worker takes a task of the project, often the same one
            for worker in workers:
                lease = assignment.request_next(container.db, worker, pid, now=now,
                                                policy=container.charter)
                if lease is not None and all(held != lease.assignment_id
                                             for _, held, _, _ in live):
                    live.append((worker, lease.assignment_id, pid, schema))
        elif move < 0.85 and live:
            worker, held, pid, schema = live.pop(rng.randrange(len(live)))
            with container.engine.connect() as conn:
                settled = conn.execute(
                    select(func.count()).select_from(tasks).join(
                        assignments, assignments.c.task_id == tasks.c.id)
                    .where(assignments.c.id == held, tasks.c.settled_at.is_not(None))
                ).scalar_one()
            with suppress(LeaseExpired):
                assignment.submit_answer(container.db, worker, held, answer_for(schema, rng),
                                         idempotency_key=None, now=now,
                                         policy=container.charter)
                on_settled += settled
        elif move < 0.92:
            quality.refit_consensus(container.db, pid, now=now, seed=step)
        elif move < 0.96:
            quality.update_consensus(container.db, pid, now=now)
        else:
            plain = projects_of[-1][0]
            with container.engine.connect() as conn:
                some = rng.sample(list(conn.execute(select(tasks.c.id).where(
                    tasks.c.project_id == plain)).scalars()), 3)
            with container.db.write() as tx:
                tx.consensus.settle(some[:2], now=now)
                tx.consensus.unsettle(some[2:])
                tx.commit()
        container.clock.advance(seconds=rng.choice([1, 10, 60]))
        for checked, _ in projects_of:
            assert_same(container, checked, f"step {step}")
    summaries = [scanned(container, pid) for pid, _ in projects_of]
    assert any(s.settled for s in summaries) and any(s.with_consensus for s in summaries)
    assert on_settled > 0


def test_answers_racing_refits_keep_the_tally_exact(container: Container,
                                                     people: Accounts) -> None:
    """Workers answering (each answer's consensus written with its task's row locked) while
    refits rewrite, settle and unsettle the same tasks: whatever the interleaving, every
    change was counted from what its task held as it was locked."""
    requester = people.make(Role.REQUESTER)[0]
    pid = make_project(container, requester, CHOICE, work=30, redundancy=6, terms=QualityTerms(
        consensus_method="mv", confidence_target=0.8, min_answers=3))
    workers = [people.make(Role.WORKER)[0] for _ in range(4)]
    start, failures = threading.Barrier(len(workers) + 1), []

    def answer(worker: User, seed: int) -> None:
        rng = random.Random(seed)
        try:
            start.wait(timeout=30)
            while (lease := assignment.request_next(container.db, worker, pid,
                                                    now=container.clock(),
                                                    policy=container.charter)) is not None:
                assignment.submit_answer(container.db, worker, lease.assignment_id,
                                         rng.choice("aab"), idempotency_key=None,
                                         now=container.clock(), policy=container.charter)
        except Exception as error:  # reported by the test
            failures.append(error)

    def refit() -> None:
        try:
            start.wait(timeout=30)
            for seed in range(8):
                quality.refit_consensus(container.db, pid, now=container.clock(), seed=seed,
                                        writers=2)
        except Exception as error:  # reported by the test
            failures.append(error)

    threads = [threading.Thread(target=answer, args=(w, i)) for i, w in enumerate(workers)]
    threads.append(threading.Thread(target=refit))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures
    summary = scanned(container, pid)
    assert summary.answers > 0 and summary.with_consensus > 0
    assert_same(container, pid, "after the race")


def test_a_write_of_several_projects_tasks_counts_each_project(
        container: Container, people: Accounts) -> None:
    """A chunk mixing two projects' tasks, a gold task (in no summary) and one task twice
    (one of its values is stored) changes each project's tally by what its own tasks
    changed."""
    requester = people.make(Role.REQUESTER)[0]
    terms = QualityTerms(consensus_method="mv")
    pids = [make_project(container, requester, CHOICE, work=3, gold=1, terms=terms)
            for _ in range(2)]
    with container.engine.connect() as conn:
        ids = [list(conn.execute(select(tasks.c.id).where(tasks.c.project_id == pid)
                                 .order_by(tasks.c.id)).scalars()) for pid in pids]
    first, second = ids
    writes: list[list[tuple[int, Any, float | None]]] = [
        [(first[0], "a", 0.75), (second[0], "b", 0.5), (first[3], "a", 1.0)],
        [(first[0], None, 0.25), (second[1], "a", None), (second[0], "a", 0.5),
         (second[1], "b", 0.625), (first[1], "b", 0.875)],
    ]
    for rows in writes:
        with container.engine.begin() as conn:
            tally = QualityTotals(conn)
            save_consensus(conn, rows, tally)
            tally.write()
        for pid in pids:
            assert_same(container, pid, f"after {rows}")
    assert kept(container, pids[1]).with_consensus == 2
