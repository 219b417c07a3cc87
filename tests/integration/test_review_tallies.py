"""A project's tally of reviews (what the public record shows) is kept by every review as its
transaction commits, on SQLite and PostgreSQL: it is always what counting the project's
submitted answers by review gives, through every kind of review and its reversal on appeal,
and a review rolled back counts nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from fairlabel.adapters.container import Container
from fairlabel.adapters.db.tables import assignments
from fairlabel.domain.accounts import Role
from fairlabel.domain.assignment import Review
from fairlabel.services import assignment
from tests.conftest import Accounts
from tests.support.work import launched_project


def counted(container: Container, project_id: int) -> dict[str, int]:
    with container.engine.connect() as conn:
        rows = conn.execute(select(assignments.c.review, func.count())
                            .where(assignments.c.project_id == project_id,
                                   assignments.c.status == "submitted")
                            .group_by(assignments.c.review)).all()
    return {(review or "unreviewed"): int(count) for review, count in rows}


def tallied(container: Container, project_id: int) -> dict[str, int]:
    with container.db.read() as tx:
        return tx.record.reviews([project_id])


def test_the_tally_of_reviews_is_the_count_of_answers_by_review(
        container: Container, people: Accounts) -> None:
    requester = people.make(Role.REQUESTER)[0]
    workers = [people.make(Role.WORKER)[0] for _ in range(2)]
    pid = launched_project(container, requester, tasks=8, redundancy=2)
    other = launched_project(container, requester, tasks=2, redundancy=1, name="Other")
    now = container.clock()
    done = []
    for project_id, count in ((pid, 6), (other, 1)):
        for n in range(count):
            worker = workers[n % 2]
            lease = assignment.request_next(container.db, worker, project_id, now=now,
                                            policy=container.charter)
            assert lease is not None
            assignment.submit_answer(container.db, worker, lease.assignment_id, "a",
                                     idempotency_key=None, now=now, policy=container.charter)
            done.append(lease.assignment_id)
    assert tallied(container, pid) == counted(container, pid) == {"unreviewed": 6}
    steps = [(done[0], Review.APPROVED, True), (done[1], Review.REJECTED, False),
             (done[2], Review.WITHHELD, False), (done[3], Review.AUTO_APPROVED, True),
             (done[2], Review.OVERTURNED, True),  # the withheld pay stands on appeal
             (done[6], Review.APPROVED, True)]  # the other project's answer
    for assignment_id, review, approves in steps:
        with container.db.write() as tx:
            if approves:
                tx.assignments.mark_approved(assignment_id, now=now, review=review.value)
            else:
                tx.assignments.mark_reviewed(assignment_id, review=review.value)
            tx.commit()
        for project_id in (pid, other):
            assert tallied(container, project_id) == counted(container, project_id), review
    with container.db.write() as tx:  # not committed: counts nothing
        tx.assignments.mark_approved(done[4], now=now, review=Review.APPROVED.value)
    assert tallied(container, pid) == counted(container, pid) == {
        "approved": 1, "rejected": 1, "overturned": 1, "auto_approved": 1, "unreviewed": 2}
    assert tallied(container, other) == {"approved": 1}
