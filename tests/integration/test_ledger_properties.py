"""Random sequences of every money flow on a real database keep the ledger sound.

Deposits, funding, leases (also leases as made before they held escrow), submissions, skips,
expiries, approvals, top-ups, price changes and payouts in any order: every transaction
balances, every currency sums to zero, no account but `world` goes negative, live leases never
hold more than the escrow has, the cached balances equal the entries, every chain verifies,
and a changed byte in a worker's statement is caught at its line.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from contextlib import suppress
from datetime import UTC, datetime
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
from fairlabel.domain.errors import DomainError
from fairlabel.domain.label_schema import parse_schema
from fairlabel.domain.money import Money
from fairlabel.domain.projects import ProjectTerms
from fairlabel.services import accounts, assignment, jobs, pay, payouts, projects
from tests.support.clock import FakeClock
from tests.support.databases import migrated_sqlite_template, sqlite_copy
from tests.support.legacy import make_legacy

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
            Money(5, "USD"), 60), now=now)
        projects.import_tasks(db, self.requester, project.id,
                              [{"t": i} for i in range(12)], max_rows=20, now=now)
        pay.deposit(db, self.admin, requester_email="r@x.org", amount=Money(400, "USD"),
                    now=now)
        pay.fund_project(db, self.requester, project.id, Money(300, "USD"), now=now)
        projects.launch_project(db, self.requester, project.id, now=now)
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
                    amount=Money(amount, "USD"), now=self.clock())

    @rule(amount=st.integers(min_value=1, max_value=5_000))
    def fund(self, amount: int) -> None:
        self._try(lambda: pay.fund_project(self.container.db, self.requester, self.pid,
                                           Money(amount, "USD"), now=self.clock()))

    @rule(worker=st.integers(min_value=0, max_value=2))
    def lease(self, worker: int) -> None:
        def take() -> None:
            got = assignment.request_next(self.container.db, self.workers[worker], self.pid,
                                          now=self.clock(), policy=self.container.pay)
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
                                                       idempotency_key=None, now=self.clock()))
        else:
            self._try(lambda: assignment.release(self.container.db, user, lease,
                                                 now=self.clock()))

    @rule(worker=st.integers(min_value=0, max_value=2),
          seconds=st.sampled_from([2, 10, 30, 50]))
    def answer(self, worker: int, seconds: int) -> None:
        def work() -> None:
            got = assignment.request_next(self.container.db, self.workers[worker], self.pid,
                                          now=self.clock(), policy=self.container.pay)
            if got is None:
                return
            self.clock.advance(seconds=seconds)
            assignment.submit_answer(self.container.db, self.workers[worker],
                                     got.assignment_id, "a", idempotency_key=None,
                                     now=self.clock())
        self._try(work)

    @rule(worker=st.integers(min_value=0, max_value=2))
    def lease_from_before_holds(self, worker: int) -> None:
        """A lease made before leases held escrow: its reservation was posted when served."""
        def take() -> None:
            got = assignment.request_next(self.container.db, self.workers[worker], self.pid,
                                          now=self.clock(), policy=self.container.pay)
            if got is not None:
                make_legacy(self.container, got.assignment_id)
                self.leases[worker] = got.assignment_id
        self._try(take)

    @rule()
    def later_sweep(self) -> None:
        self.clock.advance(hours=2)
        jobs.run_due_work(self.container.db, self.container.pay, now=self.clock())

    @rule(seconds=st.sampled_from([1, 5, 20, 45, 90, 4_000]))
    def wait(self, seconds: int) -> None:
        self.clock.advance(seconds=seconds)

    @rule()
    def sweep(self) -> None:
        jobs.run_due_work(self.container.db, self.container.pay, now=self.clock())

    @rule(price=st.integers(min_value=1, max_value=40))
    def reprice(self, price: int) -> None:
        self._try(lambda: pay.change_price(self.container.db, self.requester, self.pid,
                                           Money(price, "USD"), reason="",
                                           policy=self.container.pay, now=self.clock()))

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
