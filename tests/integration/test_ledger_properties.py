"""Random sequences of every money flow on a real database keep the ledger sound and every
worker's pay held.

Deposits, funding, leases, submissions at any time, skips, expiries, approvals, rejections,
top-ups, price changes, endings (with notice or at once), settlements, withdrawals and payouts
in any order: every transaction balances, every currency sums to zero, no account but
`world` goes negative, live leases never hold more than the escrow has, the reserved account
holds the answers' hold (so every top-up that any median can still owe is there), an ended
project once settled owes nothing more, the cached balances equal the entries, every chain
verifies, and a changed byte in a worker's statement is caught at its line.
"""

from __future__ import annotations

import random
import tempfile
from collections.abc import Callable
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from sqlalchemy import select

from fairlabel.adapters.db.tables import ledger_balances
from fairlabel.bootstrap import bootstrap
from fairlabel.config import Settings
from fairlabel.domain import ledger
from fairlabel.domain.accounts import Role, User
from fairlabel.domain.commitments import NOTICE_PAY_WINDOW, EndMode
from fairlabel.domain.errors import DomainError
from fairlabel.domain.holds import bound_ms
from fairlabel.domain.label_schema import parse_schema
from fairlabel.domain.money import Money
from fairlabel.domain.pay import fair_price, measured_median
from fairlabel.domain.projects import ProjectTerms
from fairlabel.services import (
    accounts,
    assignment,
    ending,
    funding,
    jobs,
    pay,
    payouts,
    projects,
    review,
)
from fairlabel.services.steps import holds
from tests.integration.test_hourly_earnings import summed as summed_earnings
from tests.support.clock import FakeClock
from tests.support.databases import migrated_sqlite_template, sqlite_copy

_TEMPLATE_DIR = Path(tempfile.mkdtemp(prefix="fairlabel-props-"))
_TEMPLATE = migrated_sqlite_template(_TEMPLATE_DIR)


class MoneyFlows(RuleBasedStateMachine):
    @initialize()
    def start(self) -> None:
        self.clock = FakeClock(datetime(2026, 11, 2, 9, tzinfo=UTC))
        self.container = bootstrap(Settings(
            database_url=sqlite_copy(_TEMPLATE, _TEMPLATE_DIR), sweep_seconds=0,
            min_answers_for_rate=3, review_window_hours=1, payout_thresholds={"USD": 1}),
            clock=self.clock)
        db, now = self.container.db, self.clock()
        self.admin = accounts.add_user(db, email="op@x.org", password="password-1",
                                       role=Role.ADMIN, now=now)
        self.requester = accounts.add_user(db, email="r@x.org", password="password-1",
                                           role=Role.REQUESTER, now=now)
        self.workers: list[User] = [
            accounts.add_user(db, email=f"w{i}@x.org", password="password-1",
                              role=Role.WORKER, now=now) for i in range(3)]
        project = projects.create_project(db, self.requester, ProjectTerms(
            "p", "", parse_schema({"type": "single_choice", "choices": ["a", "b"]}), 2,
            Money(5, "USD"), 60), policy=self.container.charter, now=now)
        projects.import_tasks(db, self.requester, project.id,
                              [{"t": i} for i in range(12)], max_rows=20, now=now)
        pay.deposit(db, self.admin, requester_email="r@x.org", amount=Money(400, "USD"),
                    policy=self.container.charter, now=now)
        pay.fund_project(db, self.requester, project.id, Money(300, "USD"), now=now)
        projects.launch_project(db, self.requester, project.id, now=now,
                                policy=self.container.charter)
        self.pid = project.id
        self.leases: dict[int, int] = {}  # worker index → assignment id

    def teardown(self) -> None:
        if hasattr(self, "container"):
            with self.container.db.read() as tx:
                for kind in sorted({e.kind for e in tx.ledger.all_entries()}):
                    event(f"ledger kind seen: {kind}")
            self.container.close()

    def _try(self, action: Callable[[], object]) -> None:
        # A refused action must change nothing: the invariants check it after every step.
        with suppress(DomainError):
            action()

    @rule(amount=st.integers(min_value=1, max_value=5_000))
    def deposit(self, amount: int) -> None:
        pay.deposit(self.container.db, self.admin, requester_email="r@x.org",
                    amount=Money(amount, "USD"), policy=self.container.charter,
                    now=self.clock())

    @rule(amount=st.integers(min_value=1, max_value=5_000))
    def fund(self, amount: int) -> None:
        self._try(lambda: pay.fund_project(self.container.db, self.requester, self.pid,
                                           Money(amount, "USD"), now=self.clock()))

    @rule(worker=st.integers(min_value=0, max_value=2), rng=st.randoms(use_true_random=False))
    def lease(self, worker: int, rng: random.Random) -> None:
        def take() -> None:
            got = assignment.request_next(self.container.db, self.workers[worker], self.pid,
                                          now=self.clock(), policy=self.container.charter,
                                          rng=rng)
            if got is not None:
                self.leases[worker] = got.assignment_id
        self._try(take)

    @rule(worker=st.integers(min_value=0, max_value=2), submit=st.booleans())
    def finish(self, worker: int, submit: bool) -> None:
        lease = self.leases.pop(worker, None)
        if lease is None:
            return
        user = self.workers[worker]
        if submit:
            self._try(lambda: assignment.submit_answer(self.container.db, user, lease, "a",
                                                       idempotency_key=None, now=self.clock(),
                                                       policy=self.container.charter))
        else:
            self._try(lambda: assignment.release(self.container.db, user, lease,
                                                 now=self.clock()))

    @rule(worker=st.integers(min_value=0, max_value=2),
          seconds=st.sampled_from([2, 10, 30, 50]), rng=st.randoms(use_true_random=False))
    def answer(self, worker: int, seconds: int, rng: random.Random) -> None:
        def work() -> None:
            got = assignment.request_next(self.container.db, self.workers[worker], self.pid,
                                          now=self.clock(), policy=self.container.charter,
                                          rng=rng)
            if got is None:
                return
            self.clock.advance(seconds=seconds)
            assignment.submit_answer(self.container.db, self.workers[worker],
                                     got.assignment_id, "a", idempotency_key=None,
                                     now=self.clock(), policy=self.container.charter)
        self._try(work)

    @rule(worker=st.integers(min_value=0, max_value=2), approve=st.booleans(),
          withhold=st.booleans())
    def review_an_answer(self, worker: int, approve: bool, withhold: bool) -> None:
        with self.container.db.read() as tx:
            mine = [a for a in tx.assignments.of_worker(self.workers[worker].id)
                    if a.submitted_at is not None and a.review is None]
        if mine:
            self._try(lambda: review.review_answer(
                self.container.db, self.requester, mine[0].id, approve=approve,
                reason="" if approve else "Not what the instructions ask.",
                withhold_pay=withhold and not approve,
                policy=self.container.charter, now=self.clock()))

    @rule(immediate=st.booleans())
    def end(self, immediate: bool) -> None:
        self._try(lambda: ending.end_project(
            self.container.db, self.requester, self.pid, reason="The study is complete.",
            mode=EndMode.IMMEDIATE if immediate else EndMode.NOTICE,
            policy=self.container.charter, now=self.clock()))

    @rule(share=st.sampled_from([1, 2, 3]))
    def withdraw(self, share: int) -> None:
        """Take back a share of what can be withdrawn (all of it at 1), or one more cent."""
        found = funding.project_funding(self.container.db, self.requester, self.pid,
                                        policy=self.container.charter, now=self.clock())
        amount = found.withdrawable.amount_minor // share
        self._try(lambda: funding.withdraw(
            self.container.db, self.requester, self.pid, Money(max(1, amount), "USD"),
            policy=self.container.charter, now=self.clock()))
        if amount and share == 1:  # nothing more than that can go
            with self.container.db.read() as tx:
                before = tx.ledger.balance(ledger.project_escrow(self.pid), "USD")
            self._try(lambda: funding.withdraw(
                self.container.db, self.requester, self.pid, Money(1, "USD"),
                policy=self.container.charter, now=self.clock()))
            with self.container.db.read() as tx:
                assert tx.ledger.balance(ledger.project_escrow(self.pid), "USD") == before

    @rule()
    def later_sweep(self) -> None:
        self.clock.advance(hours=2)
        jobs.run_due_work(self.container.db, self.container.charter, now=self.clock())

    @rule()
    def a_fortnight_later(self) -> None:
        """Announced cuts take effect (or wait for funds), endings with notice close."""
        self.clock.advance(days=15)
        jobs.run_due_work(self.container.db, self.container.charter, now=self.clock())

    @rule(seconds=st.sampled_from([1, 5, 20, 45, 90, 4_000]))
    def wait(self, seconds: int) -> None:
        self.clock.advance(seconds=seconds)

    @rule()
    def sweep(self) -> None:
        jobs.run_due_work(self.container.db, self.container.charter, now=self.clock())

    @rule(price=st.integers(min_value=1, max_value=40))
    def reprice(self, price: int) -> None:
        self._try(lambda: pay.change_price(self.container.db, self.requester, self.pid,
                                           Money(price, "USD"), reason="",
                                           policy=self.container.charter, now=self.clock()))

    @rule(sent=st.booleans())
    def settle_a_payout(self, sent: bool) -> None:
        lines = payouts.payout_lines(self.container.db, self.admin)
        if lines:
            payouts.mark(self.container.db, self.admin, lines[0].payout_id,
                         status="sent" if sent else "returned", now=self.clock())

    @invariant()
    def ledger_is_sound(self) -> None:
        if not hasattr(self, "container"):
            return
        with self.container.db.read() as tx:
            entries = tx.ledger.all_entries()
        ledger.check_invariants(entries)  # balanced, zero-sum, nothing but world negative
        assert ledger.verify(entries).ok
        derived = {(a, c): m.amount_minor
                   for a, by in ledger.balances(entries).items() for c, m in by.items()}
        with self.container.engine.connect() as conn:
            cached = {(r.account, r.currency): r.balance_minor
                      for r in conn.execute(select(ledger_balances))}
        assert {k: v for k, v in cached.items() if v} == {k: v for k, v in derived.items() if v}

    @invariant()
    def escrow_covers_what_leases_hold(self) -> None:
        if not hasattr(self, "container"):
            return
        with self.container.db.read() as tx:
            assert tx.escrow.free(self.pid, "USD") >= 0

    @invariant()
    def every_top_up_that_can_be_owed_is_held(self) -> None:
        """The reserved account holds the answers' hold, which covers what top-ups at the
        current median owe; once settled, nothing is owed and nothing is reserved."""
        if not hasattr(self, "container"):
            return
        policy = self.container.charter
        with self.container.db.read() as tx:
            project = tx.projects.get(self.pid)
            assert project is not None
            reserved = tx.ledger.balance(ledger.project_reserved(self.pid), "USD")
            totals = tx.holds.totals(self.pid)
            durations = tx.assignments.durations_ms(self.pid)
            assert (totals.answers, totals.bound_ms) == (
                len(durations), bound_ms(durations, totals.pivot_ms))
            # The deficit kept covers every answer paid less than the bound's lowest pay.
            assert totals.deficit_minor >= tx.holds.deficit_at(self.pid,
                                                               totals.lowest_paid_minor)
            settled = tx.holds.settled_at(self.pid) is not None
            owed = 0
            if durations:
                fair = fair_price(holds.hold_floor(project, policy),
                                  measured_median(durations))
                owed = sum(max(0, fair - a.price_minor - a.topped_up_minor)
                           for a in tx.assignments.below_price(self.pid, fair_minor=fair,
                                                               limit=None))
            target = holds.hold_for(project, totals, policy)
        if settled:
            assert reserved == 0 and owed == 0
        else:
            assert reserved >= target, (reserved, target)
            assert owed <= reserved

    @invariant()
    def the_earnings_notice_pay_counts_are_the_answers(self) -> None:
        """What workers earned since any moment, as the notice pay reads it (by hour), is
        what their answers earned."""
        if not hasattr(self, "container"):
            return
        now = self.clock()
        for since in (now - NOTICE_PAY_WINDOW, now - timedelta(minutes=90), now):
            assert (self._kept_earnings(since)
                    == summed_earnings(self.container, self.pid, since))

    def _kept_earnings(self, since: datetime) -> dict[int, int]:
        with self.container.db.read() as tx:
            return tx.assignments.earnings_since(self.pid, since=since)

    @invariant()
    def statements_catch_any_changed_byte(self) -> None:
        if not hasattr(self, "container"):
            return
        lines = [ledger.entry_to_json(e)
                 for e in pay.statement(self.container.db, self.workers[0])]
        if not lines:
            return
        index = len(lines) // 2
        position = len(lines[index]) // 3
        changed = chr(ord(lines[index][position]) ^ 1)
        forged = [*lines]
        forged[index] = lines[index][:position] + changed + lines[index][position + 1:]
        result = ledger.verify_statement_lines(forged)
        assert not result.ok and result.line == index + 1


MoneyFlows.TestCase.settings = settings(
    max_examples=60, stateful_step_count=40, deadline=None,
    suppress_health_check=[HealthCheck.too_slow])
TestMoneyFlows = MoneyFlows.TestCase
