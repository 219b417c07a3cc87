"""Tables of money: the ledger (entries, chain heads, balances), what workers earned by hour,
price changes, the inbox that announces them, and payouts."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from fairlabel.adapters.db.tables.base import metadata
from fairlabel.adapters.db.types import BigId, UTCDateTime

# The ledger: append-only entries, each chained to the previous entry of its account.
ledger_entries = Table(
    "ledger_entries",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("account", String(100), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("tx_id", String(64), nullable=False, index=True),
    Column("kind", String(20), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("memo", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    UniqueConstraint("account", "seq", name="uq_ledger_entries_account_seq"),
)

# The head of each account's chain, locked to append: derived from the entries.
ledger_accounts = Table(
    "ledger_accounts",
    metadata,
    Column("account", String(100), primary_key=True),
    Column("seq", Integer, nullable=False),
    Column("head_hash", String(64), nullable=False),
)

# Each account's balance per currency: derived from the entries, kept for fast reads.
ledger_balances = Table(
    "ledger_balances",
    metadata,
    Column("account", String(100), primary_key=True),
    Column("currency", String(3), primary_key=True),
    Column("balance_minor", BigInteger, nullable=False),
)

# What each worker's paid answers on each project add up to, by hour of submission (hours since
# the Unix epoch, UTC): how many, what they earned, the time they took. Notice pay and a
# worker's totals are summed from these (adapters/db/earnings.py). Derived from the answers,
# like the balances from the entries: no foreign keys, whose checks would lock the project's
# and the worker's rows on every submission.
hourly_earnings = Table(
    "hourly_earnings",
    metadata,
    Column("project_id", Integer, primary_key=True, autoincrement=False),
    Column("hour", BigInteger, primary_key=True, autoincrement=False),
    Column("worker_id", Integer, primary_key=True, autoincrement=False),
    Column("answers", BigInteger, nullable=False),
    Column("earned_minor", BigInteger, nullable=False),
    Column("worked_ms", BigInteger, nullable=False),
)
Index("ix_hourly_earnings_worker", hourly_earnings.c.worker_id, hourly_earnings.c.project_id)

price_changes = Table(
    "price_changes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("project_id", Integer, ForeignKey("projects.id"), nullable=False, index=True),
    Column("kind", String(20), nullable=False),  # raise | cut | floor
    Column("old_minor", BigInteger, nullable=False),
    Column("new_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("reason", Text, nullable=False),
    Column("announced_at", UTCDateTime, nullable=False),
    Column("effective_at", UTCDateTime, nullable=False),
    Column("applied_at", UTCDateTime, nullable=True),
)
# Changes still to take effect: the sweep reads only those.
Index("ix_price_changes_pending", price_changes.c.effective_at,
      sqlite_where=text("applied_at IS NULL"), postgresql_where=text("applied_at IS NULL"))

inbox_messages = Table(
    "inbox_messages",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("project_id", Integer, ForeignKey("projects.id"), nullable=True),
    Column("subject", String(200), nullable=False),
    Column("body", Text, nullable=False),
    # Subject and body as message templates and values (domain.messages.Msg), shown in the
    # reader's language; NULL for messages kept before templates.
    Column("subject_msg", JSON, nullable=True),
    Column("body_msg", JSON, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("read_at", UTCDateTime, nullable=True),
)
Index("ix_inbox_user", inbox_messages.c.user_id, inbox_messages.c.id)

payouts = Table(
    "payouts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("worker_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    Column("amount_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("status", String(20), nullable=False),  # batched | sent | returned
    Column("created_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime, nullable=True),
)
