"""The ledger in the database: append entries to per-account chains, read balances.

Entries are only ever inserted; nothing here updates or deletes one (and on PostgreSQL a
trigger refuses it). Appending locks the heads of the accounts involved, in name order, so
two transactions touching the same accounts queue instead of forking a chain.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, String, and_, any_, bindparam, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from fairlabel.adapters.db import statements as sql
from fairlabel.adapters.db.pipeline import direct, pipelined
from fairlabel.adapters.db.project_repository import ProjectRepository
from fairlabel.adapters.db.rows import with_state
from fairlabel.adapters.db.tables import (
    ledger_accounts,
    ledger_balances,
    ledger_entries,
    projects,
)
from fairlabel.domain import ledger
from fairlabel.domain.ledger import Entry, LedgerTransaction
from fairlabel.domain.projects import Project
from fairlabel.services.ports.money import LeaseGate, WorkerCurrency

_heads_for_update = (select(ledger_accounts)
                     .where(ledger_accounts.c.account.in_(bindparam("accounts", expanding=True)))
                     .order_by(ledger_accounts.c.account).with_for_update())
# The heads to append to, locked, each with its balance in the transaction's currency if it
# has one yet (one statement instead of a lookup per account).
_heads_and_balances = (
    select(ledger_accounts.c.account, ledger_accounts.c.seq, ledger_accounts.c.head_hash,
           ledger_balances.c.currency, ledger_balances.c.balance_minor)
    .select_from(ledger_accounts.outerjoin(
        ledger_balances, and_(ledger_balances.c.account == ledger_accounts.c.account,
                              ledger_balances.c.currency == bindparam("currency"))))
    .order_by(ledger_accounts.c.account).with_for_update(of=ledger_accounts))
_heads_and_balances_for_update = _heads_and_balances.where(
    ledger_accounts.c.account.in_(bindparam("accounts", expanding=True)))
# The same for PostgreSQL's pipeline (``lock_after``): the accounts as one array parameter.
_heads_and_balances_any = _heads_and_balances.where(
    ledger_accounts.c.account == any_(bindparam("accounts", type_=ARRAY(String))))
_move_head = (update(ledger_accounts).where(ledger_accounts.c.account == bindparam("name"))
              .values(seq=bindparam("seq"), head_hash=bindparam("head")))
_add_to_balance = (update(ledger_balances)
                   .where(ledger_balances.c.account == bindparam("name"),
                          ledger_balances.c.currency == bindparam("cur"))
                   .values(balance_minor=ledger_balances.c.balance_minor + bindparam("delta")))

# FOR NO KEY UPDATE: exclusive among those who spend the escrow, yet rows that merely
# reference the project (tasks, assignments) can still be inserted beside it.
_project_for_spending = (select(projects.c.id).where(projects.c.id == bindparam("project_id"))
                         .with_for_update(key_share=True))


# PostgreSQL: a posting's entries, new chain heads and balances in one statement (data-
# modifying CTEs over one JSON document), one round trip instead of three. The text never
# changes, so the driver prepares it once per connection.
_PG_WRITE_POSTING = text("""
WITH posting AS (SELECT CAST(:posting AS json) AS doc), new_entries AS (
    INSERT INTO ledger_entries (account, seq, tx_id, kind, amount_minor, currency, memo,
                                created_at, prev_hash, hash)
    SELECT e.account, e.seq, :tx_id, e.kind, e.amount_minor, :currency, e.memo,
           :created_at, e.prev_hash, e.hash
    FROM posting, json_to_recordset(posting.doc -> 'entries')
         AS e(account varchar, seq integer, kind varchar, amount_minor bigint, memo json,
              prev_hash varchar, hash varchar)
), moved_heads AS (
    UPDATE ledger_accounts SET seq = h.seq, head_hash = h.head
    FROM posting, json_to_recordset(posting.doc -> 'heads')
         AS h(account varchar, seq integer, head varchar)
    WHERE ledger_accounts.account = h.account
)
UPDATE ledger_balances SET balance_minor = ledger_balances.balance_minor + d.delta
FROM posting, json_to_recordset(posting.doc -> 'deltas') AS d(account varchar, delta bigint)
WHERE ledger_balances.account = d.account AND ledger_balances.currency = :currency
""")


def _row_to_entry(row: Any) -> Entry:
    return Entry(account=row.account, seq=row.seq, tx_id=row.tx_id, kind=row.kind,
                 amount_minor=row.amount_minor, currency=row.currency, memo=row.memo,
                 created_at=row.created_at, prev_hash=row.prev_hash, hash=row.hash)


def _heads_and_balances_of(rows: Sequence[Any],
                           ) -> tuple[dict[str, tuple[int, str]], dict[str, int]]:
    """Rows of ``_heads_and_balances``: each account's head, and its balance if it has one."""
    return ({r.account: (r.seq, r.head_hash) for r in rows},
            {r.account: int(r.balance_minor) for r in rows if r.currency is not None})


class LedgerRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._postgres = conn.dialect.name == "postgresql"
        self._insert = pg_insert if self._postgres else sqlite_insert
        # Heads locked in this transaction by ``lock(accounts, currency)``, with their
        # balances in that currency (None: no balance row yet): while the locks last, a
        # balance or a posting on them needs no second read.
        self._held: dict[str, tuple[int, str]] = {}
        self._held_balances: dict[str, int | None] = {}
        self._held_currency: str | None = None

    def _ensure(self, table: Any, rows: Sequence[dict[str, Any]]) -> None:
        """Create missing rows, leaving existing ones alone (safe under concurrency)."""
        self._conn.execute(self._insert(table).on_conflict_do_nothing(), rows)

    def post(self, tx: LedgerTransaction, *, tx_id: str, now: datetime) -> list[Entry]:
        """Append one balanced transaction; return its entries."""
        names = sorted(set(tx.accounts))
        currency = tx.postings[0].amount.currency  # one currency per transaction
        if currency == self._held_currency and all(n in self._held for n in names):
            heads = {n: self._held[n] for n in names}
            with_balance = {n: b for n in names
                            if (b := self._held_balances.get(n)) is not None}
        else:
            heads, with_balance = self._lock_heads(names, currency)
        ledger.balances_after(with_balance, tx)  # refuses a sum past the maximum, unwritten
        if len(with_balance) < len(names):
            # A currency new to an account (its head is locked: no one else adds it).
            self._ensure(ledger_balances, [{"account": n, "currency": currency,
                                            "balance_minor": 0}
                                           for n in names if n not in with_balance])
        entries = ledger.append(heads, tx, tx_id, now)
        self._remember_posting(entries, currency)
        if self._postgres:
            self._write_posting_postgres(entries, tx_id=tx_id, currency=currency, now=now)
            return entries
        self._conn.execute(sql.new_entries, [
            {"account": e.account, "seq": e.seq, "tx_id": e.tx_id, "kind": e.kind,
             "amount_minor": e.amount_minor, "currency": e.currency, "memo": e.memo,
             "created_at": e.created_at, "prev_hash": e.prev_hash, "hash": e.hash}
            for e in entries])
        self._conn.execute(_move_head, [{"name": n, "seq": s, "head": h}
                                        for n, (s, h) in ledger.heads_of(entries).items()])
        deltas: dict[str, int] = defaultdict(int)
        for e in entries:
            deltas[e.account] += e.amount_minor
        self._conn.execute(_add_to_balance, [{"name": account, "cur": currency, "delta": delta}
                                             for account, delta in sorted(deltas.items())])
        return entries

    def _lock_heads(self, names: list[str], currency: str,
                    ) -> tuple[dict[str, tuple[int, str]], dict[str, int]]:
        """Lock the heads (creating those missing), each with its balance in ``currency``."""
        heads, with_balance = self._locked_heads_with_balances(names, currency)
        if len(heads) < len(names):  # first entry of an account: create its head, then lock
            self._ensure(ledger_accounts, [{"account": n, "seq": 0,
                                            "head_hash": ledger.ZERO_HASH} for n in names])
            heads, with_balance = self._locked_heads_with_balances(names, currency)
        return heads, with_balance

    def _remember_posting(self, entries: list[Entry], currency: str) -> None:
        """Keep the remembered heads and balances true after a posting."""
        for name, head in ledger.heads_of(entries).items():
            if name in self._held:
                self._held[name] = head
        if currency != self._held_currency:
            return
        for e in entries:
            if e.account in self._held:
                self._held_balances[e.account] = ((self._held_balances.get(e.account) or 0)
                                                  + e.amount_minor)

    def _write_posting_postgres(self, entries: list[Entry], *, tx_id: str, currency: str,
                                now: datetime) -> None:
        heads = ledger.heads_of(entries)
        deltas: dict[str, int] = defaultdict(int)
        for e in entries:
            deltas[e.account] += e.amount_minor
        # The posting as one JSON document: one parameter for the driver to convert, where
        # thirteen arrays cost it more Python than the rest of the statement.
        posting = {
            "entries": [{"account": e.account, "seq": e.seq, "kind": e.kind,
                         "amount_minor": e.amount_minor, "memo": e.memo,
                         "prev_hash": e.prev_hash, "hash": e.hash} for e in entries],
            "heads": [{"account": a, "seq": s, "head": h} for a, (s, h) in heads.items()],
            "deltas": [{"account": a, "delta": deltas[a]} for a in sorted(deltas)]}
        direct(self._conn, _PG_WRITE_POSTING, {
            "posting": json.dumps(posting), "tx_id": tx_id, "currency": currency,
            "created_at": now.astimezone(UTC)})

    def _locked_heads_with_balances(self, names: list[str], currency: str,
                                    ) -> tuple[dict[str, tuple[int, str]], dict[str, int]]:
        return _heads_and_balances_of(self._conn.execute(
            _heads_and_balances_for_update, {"accounts": names, "currency": currency}).all())


    def lock(self, accounts: Iterable[str], currency: str | None = None) -> None:
        """Hold these accounts (in name order) until the transaction ends. With a
        ``currency``, their balances in it are read in the same statement, and a ``balance``
        or a ``post`` in that currency on these accounts reads nothing more."""
        names = sorted(set(accounts))
        if not names:
            return
        if currency is not None:
            self._hold(names, currency, *self._lock_heads(names, currency))
            return
        self._ensure(ledger_accounts,
                     [{"account": n, "seq": 0, "head_hash": ledger.ZERO_HASH} for n in names])
        self._conn.execute(_heads_for_update, {"accounts": names}).all()

    def lock_after(self, statement: Any, params: dict[str, Any], accounts: Iterable[str],
                   currency: str, *,
                   then: Sequence[tuple[Any, dict[str, Any]]] = ()) -> list[Any]:
        """Run ``statement`` (an adapter's own), then ``lock(accounts, currency)``, then the
        statements ``then`` (with their parameters), in one round trip on PostgreSQL
        (``pipeline.py``; the locks in the same order as separate statements would take
        them); the first statement's rows."""
        names = sorted(set(accounts))
        if not self._postgres:
            rows = list(self._conn.execute(statement, params).all())
            self.lock(names, currency)
            for after in then:
                self._conn.execute(*after)
            return rows
        found = pipelined(self._conn, [
            (statement, params),
            (_heads_and_balances_any, {"accounts": names, "currency": currency}), *then])
        heads, with_balance = _heads_and_balances_of(found[1])
        if len(heads) < len(names):
            # An account's first entry: create its head, then lock. ``then`` went before
            # it: only a transaction creating the same head at the same moment could be
            # waited for out of order (a worker's first pay, not reviewed yet).
            self.lock(names, currency)
        else:
            self._hold(names, currency, heads, with_balance)
        return found[0]

    def _hold(self, names: list[str], currency: str, heads: dict[str, tuple[int, str]],
              with_balance: dict[str, int]) -> None:
        """Remember locked heads and their balances (``lock``)."""
        self._held.update(heads)
        if currency != self._held_currency:
            self._held_balances = {}
            self._held_currency = currency
        self._held_balances.update({n: with_balance.get(n) for n in names})

    def worker_balances(self, bucket: str, *, at_least: int = 1) -> list[WorkerCurrency]:
        """(worker id, currency) of every worker account of a bucket holding at least
        ``at_least`` (and more than nothing)."""
        rows = self._conn.execute(
            select(ledger_balances.c.account, ledger_balances.c.currency)
            .where(ledger_balances.c.account.like(f"worker:%:{bucket}"),
                   ledger_balances.c.balance_minor >= max(1, at_least))
            .order_by(ledger_balances.c.account, ledger_balances.c.currency))
        return [WorkerCurrency(int(ledger.owner_of(r.account)[1]), r.currency) for r in rows]

    def balance(self, account: str, currency: str) -> int:
        if currency == self._held_currency and account in self._held:
            return self._held_balances.get(account) or 0
        value = self._conn.execute(sql.account_balance,
                                   {"account": account, "currency": currency}).scalar()
        return int(value or 0)

    def balances(self, accounts: Iterable[str]) -> dict[str, dict[str, int]]:
        """Balances per account and currency (accounts without entries are absent)."""
        result: dict[str, dict[str, int]] = defaultdict(dict)
        names = list(accounts)
        if not names:
            return {}
        for row in self._conn.execute(select(ledger_balances)
                                      .where(ledger_balances.c.account.in_(names))):
            result[row.account][row.currency] = int(row.balance_minor)
        return dict(result)

    def entries(self, accounts: Iterable[str]) -> list[Entry]:
        """Every entry of these accounts, each account's chain in order."""
        names = list(accounts)
        rows = self._conn.execute(select(ledger_entries)
                                  .where(ledger_entries.c.account.in_(names))
                                  .order_by(ledger_entries.c.account, ledger_entries.c.seq))
        return [_row_to_entry(r) for r in rows]

    def all_entries(self) -> list[Entry]:
        rows = self._conn.execute(select(ledger_entries).order_by(ledger_entries.c.id))
        return [_row_to_entry(r) for r in rows]


class EscrowRepository:
    """A project's escrow as leases see it.

    A lease holds its price and top-up allowance in the escrow while it is live, without a
    ledger entry; submitting the answer posts the movement (``ledger.earn_held``), and a
    skip or an expiry simply ends the hold. What is free for more leases, top-ups, notice
    pay or appeal pay is the escrow's ledger balance less those holds.

    ``lock`` serialises everything that reads the free escrow and then spends it — leases,
    top-ups, notice pay, appeal pay: on PostgreSQL it locks the project's row; on SQLite the
    write transaction already holds the database's only write lock. A submission needs no
    such lock: it lowers the balance and ends its hold at once, so the free escrow stays the
    same. Whoever takes it takes it before any ledger chain head (postings lock those), so
    that no two transactions wait on each other in a circle. A lease takes it first, before
    it claims a task, and then sees every lease committed before it (``lock_and_gate``).
    """

    def __init__(self, conn: Connection, projects: ProjectRepository, *,
                 lease_slots: int = 8) -> None:
        self._conn = conn
        self._postgres = conn.dialect.name == "postgresql"
        self._projects = projects
        self._lease_slots = lease_slots

    def lock(self, project_id: int) -> None:
        if self._postgres:
            self._conn.execute(_project_for_spending, {"project_id": project_id}).all()

    def free(self, project_id: int, currency: str) -> int:
        return int(self._conn.execute(sql.free_escrow, {
            "account": ledger.project_escrow(project_id), "currency": currency,
            "project_id": project_id}).scalar_one())

    def held(self, project_id: int) -> int:
        return int(self._conn.execute(sql.held_by_leases, {"project_id": project_id})
                   .scalar_one())

    def lock_and_gate(self, project_id: int, *, worker_id: int, now: datetime,
                      shared: bool) -> tuple[Project, LeaseGate] | None:
        """The project as it stands and what a lease of this worker must know first
        (``LeaseGate``), once the lease holds the project's escrow lock.

        PostgreSQL, in one round trip (``pipeline.py``): the lock first — exclusive, or
        ``shared``: the worker's turn on the project (their racing requests go one at a
        time), one of its ``lease_slots`` if one is free (advisory locks tried without
        waiting), and its state read with a shared lock, so that leases of one project go
        side by side while whatever spends the escrow or changes the project waits for them —
        then the gate, in a statement of its own that sees every lease committed before the
        lock was taken. The lock comes before the lease touches any task: whatever takes it
        first and then tasks (returning expired leases) never waits on a lease that waits on
        it. SQLite runs one writer at a time: no lock, one statement."""
        fixed = self._projects.fixed(project_id)
        if fixed is None:
            return None
        params = {"project_id": project_id, "worker_id": worker_id, "now": now,
                  "account": ledger.project_escrow(project_id),
                  "currency": fixed.terms.pay_per_task.currency, "slots": self._lease_slots}
        slots = 0
        if not self._postgres:
            state = row = self._conn.execute(sql.project_for_lease, params).first()
        elif shared:
            _, slot, states, gates = pipelined(self._conn, [
                (sql.worker_turn, params), (sql.lease_slot, params),
                (sql.project_state_shared, params), (sql.lease_gate, params)])
            slots = self._lease_slots if slot else 0
            state, row = (states[0] if states else None), gates[0]
        else:
            states, gates = pipelined(self._conn, [(sql.project_state_for_spending, params),
                                                   (sql.lease_gate, params)])
            state, row = (states[0] if states else None), gates[0]
        if state is None or row is None:
            return None
        return with_state(fixed, state), LeaseGate(row.held_id, row.blocking, int(row.free),
                                                   int(row.lowest_paid), int(row.pivot), slots)

    @property
    def serialised(self) -> bool:
        return not self._postgres
