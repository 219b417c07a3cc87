"""The projects a worker was served (their earnings, their pages, their payouts read them),
found one index probe per project on SQLite and PostgreSQL: each project once, in order,
whatever became of the leases, and none of another worker's."""

from __future__ import annotations

from fairlabel.adapters.container import Container
from fairlabel.domain.accounts import Role
from fairlabel.services import assignment
from tests.conftest import Accounts
from tests.support.work import launched_project


def test_a_workers_projects_are_each_project_they_were_served_once_in_order(
        container: Container, people: Accounts) -> None:
    requester = people.make(Role.REQUESTER)[0]
    worker, other = people.make(Role.WORKER)[0], people.make(Role.WORKER)[0]
    made = [launched_project(container, requester, tasks=4, redundancy=1, name=f"P{i}")
            for i in range(5)]
    now = container.clock()
    for project_id, answers in zip(made, (3, 0, 1, 0, 2), strict=True):
        for n in range(answers):
            lease = assignment.request_next(container.db, worker, project_id, now=now,
                                            policy=container.charter)
            assert lease is not None
            if n == 1:  # a skipped task still counts: they were served in that project
                assignment.release(container.db, worker, lease.assignment_id, now=now)
                continue
            assignment.submit_answer(container.db, worker, lease.assignment_id, "a",
                                     idempotency_key=None, now=now, policy=container.charter)
    assert assignment.request_next(container.db, other, made[1], now=now,
                                   policy=container.charter) is not None
    with container.db.read() as tx:
        assert tx.assignments.worker_projects(worker.id) == [made[0], made[2], made[4]]
        assert tx.assignments.worker_projects(other.id) == [made[1]]
        assert tx.assignments.worker_projects(10 ** 6) == []
