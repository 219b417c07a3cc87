"""Two upkeeps of one project's consensus at once (an export in one server process, the sweep
in another), on a real database (SQLite and PostgreSQL): each reads, computes outside any
transaction, then writes, so their writes can interleave. Whatever the order, the stored
consensus ends up taking in every answer, at the latest after the next upkeep."""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import pytest

from fairlabel.adapters.container import Container
from fairlabel.adapters.db.unit_of_work import SqlDatabase, SqlTransaction
from fairlabel.domain.accounts import Role, User
from fairlabel.domain.consensus_upkeep import UpkeepPolicy
from fairlabel.services import assignment, quality
from tests.conftest import Accounts
from tests.integration.test_consensus_upkeep import make_project, stored
from tests.support.clock import FakeClock

WAIT = 30  # seconds a thread waits for the other before the test fails


class PausedWrites:
    """The real database as one upkeep sees it, with a step run before a chosen write
    transaction of the upkeep begins (counted from 1): it only puts the two upkeeps' steps
    in a chosen order."""

    def __init__(self, db: SqlDatabase, before: dict[int, Callable[[], None]]) -> None:
        self._db = db
        self._before = before
        self._writes = 0

    def read(self) -> AbstractContextManager[SqlTransaction]:
        return self._db.read()

    def write(self) -> AbstractContextManager[SqlTransaction]:
        self._writes += 1
        if (step := self._before.get(self._writes)) is not None:
            step()
        return self._db.write()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._db, name)


def waited(event: threading.Event) -> Callable[[], None]:
    def wait() -> None:
        assert event.wait(WAIT), "the other upkeep did not reach its step"
    return wait


def submit(container: Container, worker: User, pid: int, label: str, now: datetime) -> None:
    lease = assignment.request_next(container.db, worker, pid, now=now,
                                    policy=container.charter)
    assert lease is not None
    assignment.submit_answer(container.db, worker, lease.assignment_id, label,
                             idempotency_key=None, now=now, policy=container.charter)


@pytest.mark.parametrize("policy", [UpkeepPolicy(update_from=10**9),
                                    UpkeepPolicy(update_from=1, refit_growth=1.0)],
                         ids=["refits", "update-then-refit"])
def test_an_older_upkeep_that_writes_last_does_not_leave_an_answer_out(
        container: Container, people: Accounts, clock: FakeClock,
        policy: UpkeepPolicy) -> None:
    workers = [people.make(Role.WORKER)[0] for _ in range(7)]
    pid = make_project(container, people.make(Role.REQUESTER)[0], method="mv", work=1,
                       redundancy=7)
    start = clock()
    for worker in workers[:3]:
        submit(container, worker, pid, "a", start)
    quality.refit_consensus(container.db, pid, now=start + timedelta(minutes=1), seed=0,
                            policy=policy)
    submit(container, workers[3], pid, "b", start + timedelta(minutes=1))

    # Upkeep A reads the four answers ("a" 3 to 1), then waits before writing. Three more
    # "b" come; B reads all seven ("b" 4 to 3) and writes its consensus; A writes its own
    # (older), and records what it covered, before B records.
    a_read, b_wrote, a_done = threading.Event(), threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def upkeep(db: PausedWrites, now: datetime, done: threading.Event | None) -> None:
        try:
            quality.refit_consensus(db, pid, now=now, seed=0, policy=policy)  # type: ignore[arg-type]
        except BaseException as error:  # reported by the test below
            errors.append(error)
            raise
        finally:
            if done is not None:
                done.set()

    a = threading.Thread(target=upkeep, args=(PausedWrites(container.db, {
        1: lambda: (a_read.set(), waited(b_wrote)())}), start + timedelta(minutes=2), a_done))
    a.start()
    assert a_read.wait(WAIT)
    later = start + timedelta(minutes=3)
    for worker in workers[4:]:
        submit(container, worker, pid, "b", later)
    b = threading.Thread(target=upkeep, args=(PausedWrites(container.db, {
        2: lambda: (b_wrote.set(), waited(a_done)())}), later + timedelta(minutes=1), None))
    b.start()
    for thread in (a, b):
        thread.join(WAIT)
    assert not errors
    # B recorded second: it found A's record, put the project's back and ran again.
    assert list(stored(container, pid).values()) == [("b", pytest.approx(4 / 7))]

    clock.advance(minutes=10)  # the next upkeep (the sweep's) finds it as it should be
    quality.refresh_consensus(container.db, now=clock(),
                              refit=partial(quality.refit_consensus, policy=policy))
    assert list(stored(container, pid).values()) == [("b", pytest.approx(4 / 7))]
