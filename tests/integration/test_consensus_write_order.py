"""Two writes of the same tasks' consensus at once (a refit and an upkeep of one project, or
two servers' sweeps) wait for each other in turn, on PostgreSQL: each chunk locks its rows in
id order before it updates them. Written in opposite orders, the chunks' updates alone
deadlocked (found by tests/e2e/test_server_concurrency.py)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from fairlabel.adapters.container import Container
from fairlabel.adapters.db.consensus_writes import save_consensus
from fairlabel.adapters.db.quality_totals import QualityTotals
from fairlabel.adapters.db.tables import tasks
from fairlabel.domain.accounts import Role
from tests.conftest import Accounts
from tests.support.work import launched_project


def test_chunks_writing_the_same_tasks_in_opposite_orders_never_deadlock(
        container: Container, people: Accounts) -> None:
    if container.engine.dialect.name != "postgresql":
        pytest.skip("SQLite runs one writer at a time: two writes never interleave")
    requester = people.make(Role.REQUESTER)[0]
    pid = launched_project(container, requester, tasks=400, redundancy=1)
    with container.engine.connect() as conn:
        ids = list(conn.execute(select(tasks.c.id).where(tasks.c.project_id == pid)
                                .order_by(tasks.c.id)).scalars())
    rounds, failures = 15, []
    start = threading.Barrier(2)

    def write(order: list[int], label: str) -> None:
        try:
            for number in range(rounds):
                start.wait(timeout=30)
                with container.engine.begin() as conn:
                    quality = QualityTotals(conn)
                    save_consensus(conn, [(task, label, (number + 1) / rounds)
                                          for task in order], quality)
                    quality.write()
        except Exception as error:  # reported by the test
            failures.append(error)
            start.abort()

    threads = [threading.Thread(target=write, args=(ids, "a")),
               threading.Thread(target=write, args=(ids[::-1], "b"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures
    with container.engine.connect() as conn:  # every task has one writer's last value
        written, total = conn.execute(select(func.count(), func.sum(tasks.c.confidence)).where(
            tasks.c.project_id == pid, tasks.c.consensus.is_not(None))).one()
        # Each write took away what the task held as it locked it: the tally is the tasks'.
        tally = QualityTotals(conn).of_project(pid)
    assert written == len(ids)
    assert (tally.with_consensus, tally.confidences) == (len(ids), len(ids))
    assert tally.confidence_sum == pytest.approx(total, abs=1e-9)
