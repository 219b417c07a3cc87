"""The app server's large refits run whole in a worker process (``ProcessRefit``): the worker
reads, fits and writes on a connection of its own, on SQLite and PostgreSQL, and must write
exactly what the refit in process writes; its errors, and its death, reach the caller."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from fairlabel.adapters.compute import DatabaseAddress, ProcessRefit
from fairlabel.adapters.container import Container
from fairlabel.adapters.db.tables import tasks
from fairlabel.domain.accounts import Role
from fairlabel.domain.consensus_upkeep import Upkeep, UpkeepPolicy
from fairlabel.services import quality
from tests.conftest import Accounts
from tests.integration.test_consensus_columns import CASES, build, expected_refit
from tests.support.compute import DIE_MARKER, die_once


def worker(container: Container, **options: object) -> ProcessRefit:
    """A runner that sends every refit (``from_answers=0``) to its worker process."""
    return ProcessRefit(DatabaseAddress(container.settings.database_url), from_answers=0,
                        **options)  # type: ignore[arg-type]


def project(container: Container, people: Accounts, case: int) -> int:
    kind, method, target, redundancy = CASES[case]
    requester = people.make(Role.REQUESTER)[0]
    workers = [people.make(Role.WORKER)[0] for _ in range(7)]
    return build(container, requester, workers, kind=kind, method=method, target=target,
                 redundancy=redundancy, seed=case)


def stored(container: Container, project_id: int) -> dict[int, tuple[object, ...]]:
    with container.engine.connect() as conn:
        return {r.id: (r.consensus, r.confidence, r.settled_at is not None) for r in
                conn.execute(select(tasks.c.id, tasks.c.consensus, tasks.c.confidence,
                                    tasks.c.settled_at).where(tasks.c.project_id == project_id)
                             .order_by(tasks.c.id))}


@pytest.mark.parametrize("case", [0, 2, 5])
def test_the_worker_process_writes_what_the_refit_in_process_writes(
        container: Container, people: Accounts, case: int) -> None:
    pid = project(container, people, case)
    want = expected_refit(container, pid, case)  # what the refit in process computes
    now = container.clock() + timedelta(minutes=1)
    runner = worker(container)
    try:
        [refit] = quality.refresh_consensus(container.db, now=now, project_id=pid, seed=case,
                                            refit=runner)
        assert runner._pool is not None  # it did go to the worker
    finally:
        runner.close()

    assert refit == quality.Refit(pid, len(want["rows"]), len(want["settle"]),
                                  len(want["unsettle"]), len(want["changed"]))
    assert_written(container, pid, want)


def assert_written(container: Container, pid: int, want: dict[str, Any]) -> None:
    """The database holds what ``expected_refit`` says the refit writes, and the refit
    recorded the answers it covered."""
    written = {row.task_id: row for row in want["changed"]}
    for task_id, (consensus, confidence, settled) in stored(container, pid).items():
        if task_id in written:
            assert (consensus, confidence) == written[task_id][1:], task_id
        else:
            assert (consensus, confidence) == want["stored"].get(task_id, (None, None))
        assert settled == ((task_id in want["was_settled"] or task_id in want["settle"])
                           and task_id not in want["unsettle"]), task_id
    with container.db.read() as tx:
        assert tx.consensus.skills(pid) == want["skills"]
        assert tx.consensus.stale_projects(pid) == []  # the covered answers were recorded


def test_a_worker_refit_and_one_in_process_leave_the_same_database(
        container: Container, people: Accounts) -> None:
    first, second = project(container, people, 1), project(container, people, 1)
    now = container.clock() + timedelta(minutes=1)
    runner = worker(container)
    try:
        remote = runner(container.db, first, now=now, seed=1)
    finally:
        runner.close()
    here = quality.refit_consensus(container.db, second, now=now, seed=1)
    assert (remote.tasks, remote.settled, remote.unsettled, remote.written) == (
        here.tasks, here.settled, here.unsettled, here.written)
    assert list(stored(container, first).values()) == list(stored(container, second).values())
    with container.db.read() as tx:
        skills = [[(s.accuracy, s.agreed, s.answers) for s in tx.consensus.skills(p)]
                  for p in (first, second)]  # the same workers' order, other workers
    assert skills[0] == skills[1] and skills[0]


def test_a_small_refit_stays_in_the_calling_process(container: Container,
                                                     people: Accounts) -> None:
    pid = project(container, people, 0)
    runner = ProcessRefit(DatabaseAddress(container.settings.database_url))
    try:
        [refit] = quality.refresh_consensus(container.db, now=container.clock(),
                                            project_id=pid, refit=runner)
        assert refit.written > 0 and runner._pool is None
    finally:
        runner.close()


def test_a_large_project_with_few_new_answers_is_updated_in_the_calling_process(
        container: Container, people: Accounts) -> None:
    from tests.integration.test_consensus_upkeep import answer, make_project

    requester = people.make(Role.REQUESTER)[0]
    team = [people.make(Role.WORKER)[0] for _ in range(3)]
    pid = make_project(container, requester, method="ds")
    answer(container, team, pid, 6)  # 18 answers: "large" for a runner of from_answers=10
    policy = UpkeepPolicy(update_from=1, refit_growth=0.2)
    runner = ProcessRefit(DatabaseAddress(container.settings.database_url), from_answers=10,
                          policy=policy)
    later = container.clock() + timedelta(minutes=1)
    try:
        quality.refit_consensus(container.db, pid, now=later, seed=0, policy=policy)
        answer(container, team, pid, 1, at=later)  # 3 new answers: fewer than 10, +17 %
        update = runner(container.db, pid, now=later + timedelta(minutes=1), seed=0)
        assert (update.kind, update.tasks) == (Upkeep.UPDATE, 1) and runner._pool is None
        # Grown by a fifth since the refit: refit whole, in the worker.
        answer(container, team, pid, 1, at=later + timedelta(minutes=1))
        refit = runner(container.db, pid, now=later + timedelta(minutes=2), seed=0)
        assert (refit.kind, refit.tasks) == (Upkeep.REFIT, 8) and runner._pool is not None
    finally:
        runner.close()


def test_an_error_in_the_worker_reaches_the_caller_and_the_worker_serves_on(
        container: Container, people: Accounts, tmp_path: Path) -> None:
    pid = project(container, people, 0)
    runner = ProcessRefit(DatabaseAddress(f"sqlite:///{tmp_path}/missing/nothing.db"),
                          from_answers=0)
    try:
        with pytest.raises(OperationalError, match="unable to open database file"):
            runner(container.db, pid, now=container.clock(), seed=0)
        runner.database = DatabaseAddress(container.settings.database_url)
        assert runner(container.db, pid, now=container.clock(), seed=0).written > 0
    finally:
        runner.close()


def test_a_worker_that_dies_is_reported_and_replaced(
        container: Container, people: Accounts, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from concurrent.futures.process import BrokenProcessPool

    pid = project(container, people, 0)
    marker = tmp_path / "die"
    marker.touch()
    monkeypatch.setenv(DIE_MARKER, str(marker))  # the worker inherits it
    runner = worker(container, work=die_once)
    try:
        with pytest.raises(BrokenProcessPool):
            runner(container.db, pid, now=container.clock(), seed=0)
        assert not marker.exists()
        assert runner(container.db, pid, now=container.clock(), seed=0).written > 0
    finally:
        runner.close()
