"""What each worker's paid answers on a project add up to by hour (``hourly_earnings``: how
many, what they earned, the time they took; notice pay and a worker's totals are computed
from these) is kept by every change of an answer's pay as its transaction commits, on SQLite
and PostgreSQL: the earnings since any moment, and each worker's totals, are always what
summing the answers gives, through submissions across hours, top-ups, pay withheld and given
back on appeal, in several projects, and a change rolled back counts nothing."""

from __future__ import annotations

import random
import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, or_, select

from fairlabel.adapters.container import Container
from fairlabel.adapters.db.tables import assignments, hourly_earnings
from fairlabel.domain.accounts import Role, User
from fairlabel.domain.assignment import Review
from tests.conftest import Accounts
from tests.support.work import launched_project, submit_next


def summed(container: Container, project_id: int, since: datetime) -> dict[int, int]:
    """What the answers earned since ``since``, per worker, read from the answers."""
    with container.engine.connect() as conn:
        rows = conn.execute(
            select(assignments.c.worker_id,
                   func.sum(assignments.c.price_minor + assignments.c.topped_up_minor))
            .where(assignments.c.project_id == project_id,
                   assignments.c.status == "submitted", assignments.c.submitted_at >= since,
                   or_(assignments.c.review.is_(None),
                       assignments.c.review != Review.WITHHELD.value))
            .group_by(assignments.c.worker_id)).all()
    return {int(w): int(a) for w, a in rows if a}


def totals_summed(container: Container, project_id: int,
                  worker_id: int) -> tuple[int, int, int]:
    """A worker's paid answers on the project, their pay and working time, from the answers."""
    with container.engine.connect() as conn:
        row = conn.execute(
            select(func.count(),
                   func.coalesce(func.sum(assignments.c.price_minor
                                          + assignments.c.topped_up_minor), 0),
                   func.coalesce(func.sum(assignments.c.worked_ms), 0))
            .where(assignments.c.project_id == project_id,
                   assignments.c.worker_id == worker_id, assignments.c.status == "submitted",
                   or_(assignments.c.review.is_(None),
                       assignments.c.review != Review.WITHHELD.value))).one()
    return int(row[0]), int(row[1]), int(row[2])


def totals_kept(container: Container, project_id: int, worker_id: int) -> tuple[int, int, int]:
    with container.db.read() as tx:
        return tuple(tx.assignments.worker_totals(worker_id=worker_id,  # type: ignore[return-value]
                                                  project_id=project_id))


def kept(container: Container, project_id: int, since: datetime) -> dict[int, int]:
    with container.db.read() as tx:
        return tx.assignments.earnings_since(project_id, since=since)


def test_the_earnings_kept_by_hour_are_the_sums_of_the_answers_from_any_moment(
        container: Container, people: Accounts) -> None:
    requester = people.make(Role.REQUESTER)[0]
    workers = [people.make(Role.WORKER)[0] for _ in range(3)]
    projects = [launched_project(container, requester, tasks=12, redundancy=2),
                launched_project(container, requester, tasks=6, redundancy=1, name="Other")]
    rng = random.Random(11)
    start = container.clock()
    done: list[int] = []
    for step in range(30):
        container.clock.advance(minutes=rng.choice([1, 7, 25, 59, 61, 130]))
        submitted = submit_next(container, rng.choice(workers), rng.choice(projects))
        if submitted is None:
            continue
        done.append(submitted)
        if step % 3 == 0:  # a top-up, pay withheld, or given back, of an earlier answer
            chosen = rng.choice(done)
            with container.db.write() as tx:
                answer = tx.assignments.get(chosen, for_update=True)
                assert answer is not None
                if answer.review is Review.WITHHELD:
                    tx.assignments.mark_reviewed(chosen, review=Review.OVERTURNED.value)
                elif rng.random() < 0.5:
                    tx.assignments.add_topup(answer, rng.randint(1, 9))
                else:
                    tx.assignments.mark_reviewed(chosen, review=Review.WITHHELD.value)
                tx.commit()
    assert len(done) > 15
    now = container.clock()
    moments = [start - timedelta(days=1), start, now + timedelta(hours=1)]
    moments += [start + (now - start) * rng.random() for _ in range(25)]
    for project_id in projects:
        for since in moments:
            assert kept(container, project_id, since) == summed(container, project_id, since)
        for worker in workers:
            assert (totals_kept(container, project_id, worker.id)
                    == totals_summed(container, project_id, worker.id))
    assert kept(container, projects[0], start) != {}


def test_a_change_rolled_back_counts_nothing(container: Container, people: Accounts) -> None:
    requester = people.make(Role.REQUESTER)[0]
    worker = people.make(Role.WORKER)[0]
    pid = launched_project(container, requester, tasks=2, redundancy=1)
    submitted = submit_next(container, worker, pid)
    assert submitted is not None
    before = container.clock() - timedelta(hours=2)
    earned = summed(container, pid, before)
    with pytest.raises(RuntimeError), container.db.write() as tx:
        answer = tx.assignments.get(submitted, for_update=True)
        assert answer is not None
        tx.assignments.add_topup(answer, 5)
        tx.assignments.mark_reviewed(submitted, review=Review.WITHHELD.value)
        # Within the transaction its own changes count already.
        assert tx.assignments.earnings_since(pid, since=before) == {}
        assert tuple(tx.assignments.worker_totals(worker_id=worker.id, project_id=pid)) == (
            0, 0, 0)
        raise RuntimeError("the use case fails before it commits")
    assert kept(container, pid, before) == summed(container, pid, before) == earned
    with container.engine.connect() as conn:
        rows = conn.execute(select(func.count()).select_from(hourly_earnings)
                            .where(hourly_earnings.c.project_id == pid)).scalar_one()
    assert rows == 1



def test_submissions_racing_top_ups_and_withholdings_lose_no_earning(
        container: Container, people: Accounts) -> None:
    # Three workers submit while another transaction tops up, withholds and gives back pay of
    # their answers, all in one hour: the rows they share (one per worker and hour) lose no
    # change, and no transaction waits on another in a circle.
    requester = people.make(Role.REQUESTER)[0]
    workers = [people.make(Role.WORKER)[0] for _ in range(3)]
    pid = launched_project(container, requester, tasks=30, redundancy=3)
    start = threading.Barrier(len(workers) + 1)
    failures: list[BaseException] = []

    def work(worker: User) -> None:
        try:
            start.wait()
            for _ in range(8):
                assert submit_next(container, worker, pid) is not None
        except BaseException as error:
            failures.append(error)

    def review() -> None:
        rng = random.Random(3)
        try:
            start.wait()
            for _ in range(40):
                with container.db.read() as tx:
                    done = [a.id for w in workers for a in tx.assignments.of_worker(w.id)
                            if a.submitted_at is not None]
                if not done:
                    continue
                with container.db.write() as tx:
                    answer = tx.assignments.get(rng.choice(done), for_update=True)
                    assert answer is not None
                    if answer.review is Review.WITHHELD:
                        tx.assignments.mark_reviewed(answer.id, review=Review.OVERTURNED.value)
                    elif rng.random() < 0.6:
                        tx.assignments.add_topup(answer, rng.randint(1, 9))
                    else:
                        tx.assignments.mark_reviewed(answer.id, review=Review.WITHHELD.value)
                    tx.commit()
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=work, args=(w,)) for w in workers]
    threads.append(threading.Thread(target=review))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures
    since = container.clock() - timedelta(days=1)
    assert kept(container, pid, since) == summed(container, pid, since)
    for worker in workers:
        assert totals_kept(container, pid, worker.id) == totals_summed(container, pid,
                                                                       worker.id)
    assert sum(totals_summed(container, pid, w.id)[0] for w in workers) <= 24
