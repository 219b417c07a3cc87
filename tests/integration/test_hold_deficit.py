"""Top-ups paid while a lease served at the older, lower price is still live (charter rules 1
and 2), on SQLite and PostgreSQL.

The answers' hold counted every answer at the least any answer or live lease had received, so
such a lease kept that least down: after the top-ups the hold of the other answers stayed as
if none had been paid, the reserved account fell below it once the requester had withdrawn
what was free, and the lease's answer then took more from the escrow than its lease held
(the escrow went to −1 cent). The bound now counts that answer's shortfall below the lowest
pay on its own (``deficit_minor``), and the lowest pay rises with the top-ups.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from fairlabel.adapters.container import Container
from fairlabel.bootstrap import bootstrap
from fairlabel.config import Settings
from fairlabel.domain import ledger
from fairlabel.domain.accounts import Role
from fairlabel.domain.label_schema import parse_schema
from fairlabel.domain.money import Money
from fairlabel.domain.projects import ProjectTerms
from fairlabel.services import accounts, assignment, funding, jobs, pay, projects
from fairlabel.services.steps import holds
from tests.conftest import _truncate_postgres
from tests.support.clock import FakeClock


@pytest.fixture
def measured_soon(database_url: str, clock: FakeClock, tmp_path: Path) -> Iterator[Container]:
    """A platform that measures a project's median from its third answer."""
    built = bootstrap(Settings(database_url=database_url, sweep_seconds=0,
                               consensus_process=False, min_answers_for_rate=3,
                               media_dir=str(tmp_path / "media")), clock=clock)
    if built.engine.dialect.name == "postgresql":
        _truncate_postgres(built)
    yield built
    built.close()


class Project:
    """A 5-cent project of 12 tasks, 60-second leases, funded with 3.00 USD, and 3 workers."""

    def __init__(self, container: Container) -> None:
        self.container = container
        db, now = container.db, container.clock()
        self.admin = accounts.add_user(db, email="op@x.org", password="password-1",
                                       role=Role.ADMIN, now=now)
        self.requester = accounts.add_user(db, email="r@x.org", password="password-1",
                                           role=Role.REQUESTER, now=now)
        self.workers = [accounts.add_user(db, email=f"w{i}@x.org", password="password-1",
                                          role=Role.WORKER, now=now) for i in range(3)]
        project = projects.create_project(db, self.requester, ProjectTerms(
            "p", "", parse_schema({"type": "single_choice", "choices": ["a", "b"]}), 2,
            Money(5, "USD"), 60), policy=container.charter, now=now)
        projects.import_tasks(db, self.requester, project.id, [{"t": i} for i in range(12)],
                              max_rows=20, now=now)
        pay.deposit(db, self.admin, requester_email="r@x.org", amount=Money(400, "USD"),
                    policy=container.charter, now=now)
        pay.fund_project(db, self.requester, project.id, Money(300, "USD"), now=now)
        projects.launch_project(db, self.requester, project.id, now=now,
                                policy=container.charter)
        self.id = project.id

    def lease(self, worker: int) -> int:
        got = assignment.request_next(self.container.db, self.workers[worker], self.id,
                                      now=self.container.clock(),
                                      policy=self.container.charter)
        assert got is not None
        return got.assignment_id

    def submit(self, worker: int, lease: int) -> None:
        assignment.submit_answer(self.container.db, self.workers[worker], lease, "a",
                                 idempotency_key=None, now=self.container.clock(),
                                 policy=self.container.charter)

    def answer(self, worker: int, seconds: int) -> None:
        lease = self.lease(worker)
        self.container.clock.advance(seconds=seconds)
        self.submit(worker, lease)

    def withdraw_all_free(self) -> None:
        found = funding.project_funding(self.container.db, self.requester, self.id,
                                        policy=self.container.charter,
                                        now=self.container.clock())
        funding.withdraw(self.container.db, self.requester, self.id, found.withdrawable,
                         policy=self.container.charter, now=self.container.clock())

    def sweep(self) -> None:
        jobs.run_due_work(self.container.db, self.container.charter,
                          now=self.container.clock())

    def balances(self) -> tuple[int, int, int]:
        """(escrow, reserved, the answers' hold); checks the deficit kept covers the
        answers' and the whole ledger's rules."""
        with self.container.db.read() as tx:
            project = tx.projects.get(self.id)
            assert project is not None
            totals = tx.holds.totals(self.id)
            assert totals.deficit_minor >= tx.holds.deficit_at(self.id,
                                                               totals.lowest_paid_minor)
            ledger.check_invariants(tx.ledger.all_entries())
            return (tx.ledger.balance(ledger.project_escrow(self.id), "USD"),
                    tx.ledger.balance(ledger.project_reserved(self.id), "USD"),
                    holds.hold_for(project, totals, self.container.charter))


def test_top_ups_beside_a_live_lease_at_the_old_price_keep_the_hold_whole(
        measured_soon: Container) -> None:
    p = Project(measured_soon)
    for worker in range(3):
        p.answer(worker, 50)  # 50 s at 15.00 USD/h is worth 21 cents: each is owed 16
    live = p.lease(0)  # served at 5 cents, before the median is measured
    p.withdraw_all_free()
    p.sweep()  # measures 50 s: the price rises to 21 cents, each answer is topped up by 16
    escrow, reserved, hold = p.balances()
    assert reserved >= hold
    with measured_soon.db.read() as tx:
        totals = tx.holds.totals(p.id)
        project = tx.projects.get(p.id)
    assert project is not None and project.terms.pay_per_task == Money(21, "USD")
    # The lowest pay rose with the top-ups although the lease was served at 5 cents.
    assert (totals.lowest_paid_minor, totals.deficit_minor) == (21, 0)
    measured_soon.clock.advance(seconds=20)
    p.submit(0, live)  # its 16-cent shortfall below 21 cents comes out of its lease's hold
    escrow, reserved, hold = p.balances()
    assert escrow >= 0 and reserved >= hold
    with measured_soon.db.read() as tx:
        assert tx.holds.totals(p.id).deficit_minor == 16
        assert tx.escrow.free(p.id, "USD") >= 0
    p.sweep()  # the late answer is topped up too: its deficit is gone
    escrow, reserved, hold = p.balances()
    assert escrow >= 0 and reserved >= hold
    with measured_soon.db.read() as tx:
        assert tx.holds.totals(p.id).deficit_minor == 0

