"""The consensus upkeep on a real database (SQLite and PostgreSQL): between refits of the whole
project, an update recomputes only the tasks answered since the watermark; growth, and an
answer that turns up behind the watermark, bring a refit (``domain/consensus_upkeep.py``)."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Any

import pytest
from sqlalchemy import select

from fairlabel.adapters.container import Container
from fairlabel.adapters.db.tables import tasks
from fairlabel.aggregation.online import DEFAULT_WORKER_ACCURACY, task_posterior
from fairlabel.domain.accounts import Role, User
from fairlabel.domain.consensus_upkeep import Upkeep, UpkeepPolicy
from fairlabel.domain.label_schema import parse_schema
from fairlabel.domain.money import Money
from fairlabel.domain.projects import ProjectTerms
from fairlabel.domain.quality import QualityTerms
from fairlabel.services import assignment, projects, quality
from fairlabel.services.quality import Refit
from tests.conftest import Accounts
from tests.support.clock import FakeClock
from tests.support.funding import fund

POLICY = UpkeepPolicy(update_from=1, refit_growth=0.5)
MINUTE = timedelta(minutes=1)


def make_project(container: Container, requester: User, *, method: str, work: int = 8,
                 redundancy: int = 3) -> int:
    now = container.clock()
    project = projects.create_project(container.db, requester, ProjectTerms(
        "Kept", "Choose.", parse_schema({"type": "single_choice", "choices": ["a", "b"]}),
        redundancy, Money(5, "USD"), 600, quality=QualityTerms(consensus_method=method)),
        policy=container.charter, now=now)
    projects.import_tasks(container.db, requester, project.id,
                          [{"data": {"i": i}} for i in range(work)], max_rows=100, now=now)
    fund(container, requester, project.id, 10_000_000)
    projects.launch_project(container.db, requester, project.id, now=now,
                            policy=container.charter)
    return project.id


def answer(container: Container, team: list[User], pid: int, tasks_: int, *,
           labels: str = "aab", at: Any = None) -> None:
    """Each worker of the team answers ``tasks_`` tasks (the next ones served), the i-th
    worker with ``labels[i]``."""
    for _ in range(tasks_):
        for worker, label in zip(team, labels, strict=True):
            now = at or container.clock()
            lease = assignment.request_next(container.db, worker, pid, now=now,
                                            policy=container.charter)
            assert lease is not None
            assignment.submit_answer(container.db, worker, lease.assignment_id, label,
                                     idempotency_key=None, now=now, policy=container.charter)


def upkeep(container: Container, pid: int) -> Refit:
    return quality.refit_consensus(container.db, pid, now=container.clock(), seed=0,
                                   policy=POLICY)


def refit_project(container: Container, people: Accounts, clock: FakeClock, team: list[User],
                  *, method: str, tasks_: int) -> int:
    """A project whose ``tasks_`` first tasks the team answered a minute ago, then refit."""
    pid = make_project(container, people.make(Role.REQUESTER)[0], method=method)
    answer(container, team, pid, tasks_)
    clock.advance(seconds=60)
    assert upkeep(container, pid).kind is Upkeep.REFIT
    return pid


def then(container: Container, clock: FakeClock, team: list[User], pid: int, **how: Any
         ) -> Refit:
    """The upkeep a minute after the team answered one more task."""
    answer(container, team, pid, 1, **how)
    clock.advance(seconds=60)
    return upkeep(container, pid)


def stored(container: Container, pid: int) -> dict[int, tuple[Any, float | None]]:
    with container.engine.connect() as conn:
        return {r.id: (r.consensus, r.confidence) for r in conn.execute(
            select(tasks.c.id, tasks.c.consensus, tasks.c.confidence)
            .where(tasks.c.project_id == pid))}


@pytest.fixture
def team(people: Accounts) -> list[User]:
    return [people.make(Role.WORKER)[0] for _ in range(3)]


def test_an_update_recomputes_only_the_tasks_answered_since_the_watermark(
        container: Container, people: Accounts, clock: FakeClock, team: list[User]) -> None:
    pid = refit_project(container, people, clock, team, method="ds", tasks_=4)
    before = stored(container, pid)
    # 3 more answers: 25 % growth, under 50 %
    second = then(container, clock, team, pid, labels="bba")
    assert (second.kind, second.tasks, second.written) == (Upkeep.UPDATE, 1, 1)
    after = stored(container, pid)
    [new] = [t for t in after if after[t] != before[t]]
    assert before[new] == (None, None)
    # The one-coin posterior with the accuracies of the last refit.
    with container.db.read() as tx:
        accuracy = {s.worker_id: s.accuracy for s in tx.consensus.skills(pid)}
    posterior = task_posterior(list("bba"), [accuracy.get(w.id, DEFAULT_WORKER_ACCURACY)
                                             for w in team], ["a", "b"])
    assert after[new] == ("b", pytest.approx(posterior["b"]))
    refresh = partial(quality.refit_consensus, policy=POLICY)
    assert quality.refresh_consensus(container.db, now=clock(), refit=refresh) == []


def test_growth_past_the_share_brings_a_refit_of_the_whole_project(
        container: Container, people: Accounts, clock: FakeClock, team: list[User]) -> None:
    pid = refit_project(container, people, clock, team, method="ds", tasks_=2)
    again = then(container, clock, team, pid)  # 50 % more than at the refit
    assert (again.kind, again.tasks) == (Upkeep.REFIT, 3)
    # 33 % more than at the last refit, not the first
    assert then(container, clock, team, pid).kind is Upkeep.UPDATE


def test_an_answer_stamped_behind_the_watermark_brings_a_refit(
        container: Container, people: Accounts, clock: FakeClock, team: list[User]) -> None:
    stamped = clock()
    pid = refit_project(container, people, clock, team, method="mv", tasks_=2)
    # A submission that began before the watermark and committed after the refit read.
    late = then(container, clock, team, pid, at=stamped - timedelta(seconds=1))
    assert (late.kind, late.tasks) == (Upkeep.REFIT, 3)
    assert then(container, clock, team, pid).kind is Upkeep.UPDATE


def test_answers_within_the_lag_are_read_again_until_it_has_passed(
        container: Container, people: Accounts, clock: FakeClock, team: list[User]) -> None:
    pid = refit_project(container, people, clock, team, method="ds", tasks_=4)
    refresh = partial(quality.refit_consensus, policy=POLICY)
    answer(container, team, pid, 1)
    clock.advance(seconds=5)  # the newest answer is 5 s old: within the lag
    [first] = quality.refresh_consensus(container.db, now=clock(), refit=refresh)
    assert (first.kind, first.tasks) == (Upkeep.UPDATE, 1)
    [again] = quality.refresh_consensus(container.db, now=clock(), refit=refresh)
    assert (again.kind, again.tasks, again.written) == (Upkeep.UPDATE, 1, 0)
    clock.advance(seconds=30)
    [last] = quality.refresh_consensus(container.db, now=clock(), refit=refresh)
    assert (last.kind, last.tasks, last.written) == (Upkeep.UPDATE, 1, 0)
    assert quality.refresh_consensus(container.db, now=clock(), refit=refresh) == []


def test_a_majority_vote_update_gives_what_a_refit_gives(
        container: Container, people: Accounts, clock: FakeClock, team: list[User]) -> None:
    pid = refit_project(container, people, clock, team, method="mv", tasks_=3)
    assert then(container, clock, team, pid, labels="bba").kind is Upkeep.UPDATE
    updated = stored(container, pid)
    whole = quality.refit_consensus(container.db, pid, now=clock(), seed=0,
                                    policy=UpkeepPolicy(update_from=10**9))
    assert (whole.kind, whole.tasks, whole.written) == (Upkeep.REFIT, 4, 0)
    assert stored(container, pid) == updated
