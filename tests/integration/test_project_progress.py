"""A project's progress (its ordinary tasks, the answers they want and were given) is kept by
each import and each submission (``project_holds``), on SQLite and PostgreSQL: it is always
what summing the project's tasks gives, through gold and qualification answers, skips,
rejected imports and imports racing submissions."""

from __future__ import annotations

import random
import threading
from typing import Any

import pytest
from sqlalchemy import false, func, select

from fairlabel.adapters.container import Container
from fairlabel.adapters.db.tables import tasks
from fairlabel.domain.accounts import Role, User
from fairlabel.domain.errors import DomainError
from fairlabel.domain.quality import Qualification, QualityTerms
from fairlabel.services import assignment, projects
from fairlabel.services.ports.work import ProjectCounts
from tests.conftest import Accounts
from tests.integration.test_quality import make_project


def summed(container: Container, project_id: int) -> ProjectCounts:
    """The progress as the sum over the project's ordinary tasks."""
    with container.engine.connect() as conn:
        row = conn.execute(select(func.count(), func.coalesce(func.sum(tasks.c.max_answers), 0),
                                  func.coalesce(func.sum(tasks.c.answered), 0))
                           .where(tasks.c.project_id == project_id,
                                  tasks.c.is_gold == false())).one()
    return ProjectCounts(int(row[0]), int(row[1]), int(row[2]))


def kept(container: Container, project_id: int) -> ProjectCounts:
    with container.db.read() as tx:
        return tx.projects.counts([project_id])[project_id]


@pytest.fixture
def requester(people: Accounts) -> User:
    return people.make(Role.REQUESTER)[0]


def test_the_progress_kept_is_the_sum_of_the_tasks_after_each_step(
        container: Container, people: Accounts, requester: User) -> None:
    pid = make_project(container, requester, work=12, gold=8, redundancy=2,
                       terms=QualityTerms(gold_rate=0.3, qualification=Qualification(2, 0.5)))
    assert kept(container, pid) == summed(container, pid) == ProjectCounts(12, 24, 0)
    workers = [people.make(Role.WORKER)[0] for _ in range(4)]
    rng = random.Random(5)
    now = container.clock()
    steps = 0
    for round_ in range(12):
        if round_ == 4:  # more tasks, some of them gold, while the project runs
            projects.import_tasks(container.db, requester, pid,
                                  [{"data": {"more": i}} for i in range(5)]
                                  + [{"data": {"gold": i}, "gold": "b"} for i in range(2)],
                                  max_rows=100, now=now)
        if round_ == 6:  # an import with a bad row stores nothing, and counts nothing
            with pytest.raises(DomainError):
                projects.import_tasks(container.db, requester, pid,
                                      [{"data": {"fine": 1}}, "not an object"],
                                      max_rows=100, now=now)
        for worker in workers:
            try:
                lease = assignment.request_next(container.db, worker, pid, now=now,
                                                policy=container.charter)
            except DomainError:
                continue  # a failed qualification: this worker is done
            if lease is None:
                continue
            if rng.random() < 0.2:
                assignment.release(container.db, worker, lease.assignment_id, now=now)
            else:
                assignment.submit_answer(container.db, worker, lease.assignment_id,
                                         rng.choice(["a", "b"]), idempotency_key=None,
                                         now=now, policy=container.charter)
            steps += 1
            assert kept(container, pid) == summed(container, pid), steps
    final = kept(container, pid)
    assert final.tasks == 17 and final.answers_wanted == 34 and 10 < final.answers <= 34


def test_imports_racing_submissions_count_every_task_and_answer(
        container: Container, people: Accounts, requester: User) -> None:
    # The import counts its tasks when it commits, in the row each submission updates: the
    # two kinds of transaction, racing, lose no count (and no import waits on a submission
    # for longer than that update).
    pid = make_project(container, requester, work=30, gold=0, redundancy=3,
                       terms=QualityTerms())
    workers = [people.make(Role.WORKER)[0] for _ in range(3)]
    now = container.clock()
    start = threading.Barrier(len(workers) + 2)
    failures: list[BaseException] = []

    def work(worker: User) -> None:
        try:
            start.wait()
            for _ in range(6):
                lease = assignment.request_next(container.db, worker, pid, now=now,
                                                policy=container.charter)
                assert lease is not None
                assignment.submit_answer(container.db, worker, lease.assignment_id, "a",
                                         idempotency_key=None, now=now,
                                         policy=container.charter)
        except BaseException as error:
            failures.append(error)

    def load(first: int) -> None:
        rows: list[Any] = [{"data": {"batch": first, "i": i}} for i in range(40)]
        try:
            start.wait()
            projects.import_tasks(container.db, requester, pid, rows, max_rows=100, now=now)
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=work, args=(w,)) for w in workers]
    threads += [threading.Thread(target=load, args=(k,)) for k in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures
    assert kept(container, pid) == summed(container, pid) == ProjectCounts(110, 330, 18)
