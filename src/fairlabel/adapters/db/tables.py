"""The schema, as SQLAlchemy Core tables. Migrations under ``migrations/`` create it."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from fairlabel.adapters.db.types import BigId, UTCDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
    }
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(320), nullable=False, unique=True),
    Column("password_hash", String(200), nullable=False),
    Column("role", String(20), nullable=False),
    Column("pseudonym", String(32), nullable=False, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("country", String(2), nullable=True),
    Column("payout_name", String(140), nullable=True),
    Column("iban", String(34), nullable=True),
    Column("bic", String(11), nullable=True),
    # What the address looks like (domain.accounts.email_skeleton): a new account whose
    # skeleton is an existing one's is refused as a look-alike.
    Column("email_skeleton", String(320), nullable=True, index=True),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("name", String(100), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=True),
    Column("last_used_at", UTCDateTime, nullable=True),
    Column("revoked_at", UTCDateTime, nullable=True),
)

# Browser sessions: the signed cookie carries a random id; only its SHA-256 is kept here, so
# that signing out (or an operator) can end a session before its cookie expires.
sessions = Table(
    "sessions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime, nullable=True),
)

instance_settings = Table(
    "instance_settings",
    metadata,
    Column("key", String(100), primary_key=True),
    Column("value", Text, nullable=False),
)

projects = Table(
    "projects",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("requester_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("instructions", Text, nullable=False),
    Column("label_schema", JSON, nullable=False),
    Column("redundancy", Integer, nullable=False),
    Column("pay_amount_minor", BigInteger, nullable=False),
    Column("pay_currency", String(3), nullable=False),
    Column("lease_seconds", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("launched_at", UTCDateTime, nullable=True),
    Column("floor_hourly_minor", BigInteger, nullable=True),
    # The last measurement of working time (median over submitted answers), by the sweep.
    Column("measured_median_ms", BigInteger, nullable=True),
    Column("measured_answers", Integer, nullable=False, server_default=text("0")),
    # Commitment and ending (charter rule 4).
    Column("notice_days", Integer, nullable=False, server_default=text("7")),
    Column("ends_on", Date, nullable=True),
    Column("ending_at", UTCDateTime, nullable=True),
    Column("end_mode", String(20), nullable=True),
    Column("end_reason", Text, nullable=True),
    Column("ended_at", UTCDateTime, nullable=True),
    Column("paused_at", UTCDateTime, nullable=True),
    # What ending now would owe in notice pay, kept up to date by the sweep (escrow first).
    Column("notice_liability_minor", BigInteger, nullable=False, server_default=text("0")),
    # The continuation guard (charter rule 5).
    Column("continuation_of", Integer, ForeignKey("projects.id"), nullable=True),
    Column("first_access_until", UTCDateTime, nullable=True),
    # Quality control (fixed at creation): gold tasks, qualification, consensus.
    Column("gold_rate", Float, nullable=False, server_default=text("0")),
    Column("gold_min_accuracy", Float, nullable=True),
    Column("gold_min_items", Integer, nullable=False, server_default=text("5")),
    Column("qualification_size", Integer, nullable=True),
    Column("qualification_pass_mark", Float, nullable=True),
    Column("qualification_retry_hours", Integer, nullable=True),
    Column("consensus_method", String(10), nullable=False, server_default=text("'ds'")),
    Column("confidence_target", Float, nullable=True),
    Column("min_answers", Integer, nullable=False, server_default=text("2")),
    # The last answer taken into the consensus by the periodic refit.
    Column("consensus_until", UTCDateTime, nullable=True),
)

# What the answers' hold needs to know of a project's submitted answers (domain/holds.py),
# kept up to date by each submission; and when the project was settled after it ended.
project_holds = Table(
    "project_holds",
    metadata,
    Column("project_id", Integer, ForeignKey("projects.id"), primary_key=True),
    Column("answers", BigInteger, nullable=False, server_default=text("0")),
    Column("bound_ms", BigInteger, nullable=False, server_default=text("0")),
    Column("lowest_paid_minor", BigInteger, nullable=False),
    Column("pivot_ms", BigInteger, nullable=False, server_default=text("0")),
    Column("settled_at", UTCDateTime, nullable=True),
)

# What the continuation guard compares: MinHash signatures and shingles, taken at launch.
project_fingerprints = Table(
    "project_fingerprints",
    metadata,
    Column("project_id", Integer, ForeignKey("projects.id"), primary_key=True),
    Column("fingerprint", LargeBinary, nullable=False),
    Column("taken_at", UTCDateTime, nullable=False),
)

tasks = Table(
    "tasks",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("project_id", Integer, ForeignKey("projects.id"), nullable=False),
    Column("data", JSON, nullable=False),
    # How many distinct workers may answer; `taken` counts live leases plus answers, and the
    # CHECK below makes over-assignment impossible whatever the application does.
    Column("max_answers", Integer, nullable=False),
    Column("taken", Integer, nullable=False, server_default=text("0")),
    Column("answered", Integer, nullable=False, server_default=text("0")),
    Column("created_at", UTCDateTime, nullable=False),
    # A gold (control) task carries its expected answer; it is served apart from the rest.
    Column("is_gold", Boolean, nullable=False, server_default=text("false")),
    Column("gold_answer", JSON(none_as_null=True), nullable=True),
    # The consensus and its posterior probability; settled_at once adaptive redundancy
    # stopped serving the task.
    Column("consensus", JSON(none_as_null=True), nullable=True),
    Column("confidence", Float, nullable=True),
    Column("settled_at", UTCDateTime, nullable=True),
    CheckConstraint("taken >= 0 AND taken <= max_answers", name="taken_within_redundancy"),
    CheckConstraint("answered >= 0 AND answered <= taken", name="answered_within_taken"),
)
# SQLite stores booleans as 0/1 and SQLAlchemy compares them so: each dialect's predicate is
# written the way its queries render, so that the planner can use the partial index.
OPEN_TASK = "taken < max_answers AND is_gold = {false} AND settled_at IS NULL"
Index(
    "ix_tasks_open",
    tasks.c.project_id,
    tasks.c.id,
    sqlite_where=text(OPEN_TASK.format(false=0)),
    postgresql_where=text(OPEN_TASK.format(false="false")),
)
GOLD_TASK = "is_gold = {true}"
Index(
    "ix_tasks_gold",
    tasks.c.project_id,
    tasks.c.id,
    sqlite_where=text(GOLD_TASK.format(true=1)),
    postgresql_where=text(GOLD_TASK.format(true="true")),
)
Index("ix_tasks_project", tasks.c.project_id, tasks.c.id)

assignments = Table(
    "assignments",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("task_id", BigInteger, ForeignKey("tasks.id"), nullable=False),
    Column("project_id", Integer, ForeignKey("projects.id"), nullable=False),
    Column("worker_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("status", String(20), nullable=False),
    Column("leased_at", UTCDateTime, nullable=False),
    Column("lease_expires_at", UTCDateTime, nullable=False),
    Column("submitted_at", UTCDateTime, nullable=True),
    Column("released_at", UTCDateTime, nullable=True),
    Column("answer", JSON, nullable=True),
    Column("idempotency_key", String(200), nullable=True),
    # Pay: the price agreed when the task was served, what the lease reserved beside it for
    # possible top-ups, top-ups paid so far, and when the answer was approved.
    Column("price_minor", BigInteger, nullable=False, server_default=text("0")),
    Column("allowance_minor", BigInteger, nullable=False, server_default=text("0")),
    Column("topped_up_minor", BigInteger, nullable=False, server_default=text("0")),
    Column("approved_at", UTCDateTime, nullable=True),
    # work | gold | qualification; for gold and qualification, whether the answer was right.
    Column("purpose", String(14), nullable=False, server_default=text("'work'")),
    Column("attempt_id", Integer, nullable=True),
    Column("correct", Boolean, nullable=True),
    # The review: approved, auto_approved, rejected (paid), withheld, overturned (on appeal).
    Column("review", String(20), nullable=True),
    UniqueConstraint("task_id", "worker_id", name="uq_assignments_task_worker"),
)
Index("ix_assignments_worker", assignments.c.worker_id, assignments.c.project_id,
      assignments.c.status)
Index("ix_assignments_worker_task", assignments.c.worker_id, assignments.c.project_id,
      assignments.c.task_id)
Index("ix_assignments_lease", assignments.c.status, assignments.c.lease_expires_at)
Index("ix_assignments_project", assignments.c.project_id, assignments.c.status)
Index("ix_assignments_unapproved", assignments.c.status, assignments.c.approved_at,
      assignments.c.submitted_at)

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

inbox_messages = Table(
    "inbox_messages",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("project_id", Integer, ForeignKey("projects.id"), nullable=True),
    Column("subject", String(200), nullable=False),
    Column("body", Text, nullable=False),
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

qualification_attempts = Table(
    "qualification_attempts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("project_id", Integer, ForeignKey("projects.id"), nullable=False),
    Column("worker_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("answered", Integer, nullable=False, server_default=text("0")),
    Column("correct", Integer, nullable=False, server_default=text("0")),
    Column("finished_at", UTCDateTime, nullable=True),
    Column("passed", Boolean, nullable=True),
    # Set when a moderator revokes a pass (the worker may take the test again).
    Column("revoked_at", UTCDateTime, nullable=True),
)
Index("ix_qualification_attempts_worker", qualification_attempts.c.project_id,
      qualification_attempts.c.worker_id, qualification_attempts.c.id)
# At most one attempt in progress per worker and project, whatever requests race.
Index("uq_qualification_attempts_open", qualification_attempts.c.project_id,
      qualification_attempts.c.worker_id, unique=True,
      sqlite_where=text("finished_at IS NULL"), postgresql_where=text("finished_at IS NULL"))

# Each worker's accuracy on a project as the last consensus refit estimated it (agreement
# with the consensus and gold answers, smoothed by the gold prior).
worker_skills = Table(
    "worker_skills",
    metadata,
    Column("project_id", Integer, ForeignKey("projects.id"), primary_key=True),
    Column("worker_id", Integer, ForeignKey("users.id"), primary_key=True),
    Column("accuracy", Float, nullable=False),
    Column("agreed", Integer, nullable=False),
    Column("answers", Integer, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

# Decisions that affect a worker (charter rule 6): append-only, like the ledger.
decisions = Table(
    "decisions",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("worker_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("project_id", Integer, ForeignKey("projects.id"), nullable=True),
    Column("assignment_id", BigInteger, ForeignKey("assignments.id"), nullable=True),
    Column("kind", String(40), nullable=False),
    Column("rule", String(80), nullable=True),  # name@version; NULL: a person decided
    Column("decided_by", Integer, ForeignKey("users.id"), nullable=True),
    Column("inputs", JSON, nullable=False),
    Column("outcome", String(200), nullable=False),
    Column("explanation", Text, nullable=False),
    Column("status", String(20), nullable=False),  # final | proposed | declined
    # A moderator's decision on a proposal follows it; one decision per proposal.
    Column("follows_id", BigInteger, ForeignKey("decisions.id"), nullable=True, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
)
Index("ix_decisions_worker", decisions.c.worker_id, decisions.c.id)
Index("ix_decisions_project", decisions.c.project_id, decisions.c.kind)
Index("ix_decisions_status", decisions.c.status, decisions.c.id)

appeals = Table(
    "appeals",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("decision_id", BigInteger, ForeignKey("decisions.id"), nullable=False, unique=True),
    Column("worker_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    Column("message", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("deadline_at", UTCDateTime, nullable=False),
    Column("status", String(20), nullable=False),  # open | upheld | overturned
    Column("resolved_by", Integer, ForeignKey("users.id"), nullable=True),
    Column("reason", Text, nullable=True),
    Column("resolved_at", UTCDateTime, nullable=True),
)
Index("ix_appeals_queue", appeals.c.status, appeals.c.created_at, appeals.c.id)
Index("ix_appeals_deadline", appeals.c.status, appeals.c.deadline_at)

# Workers a confirmed decision keeps from a project's work, until an appeal lifts it.
access_blocks = Table(
    "access_blocks",
    metadata,
    Column("project_id", Integer, ForeignKey("projects.id"), primary_key=True),
    Column("worker_id", Integer, ForeignKey("users.id"), primary_key=True),
    Column("decision_id", BigInteger, ForeignKey("decisions.id"), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

ratings = Table(
    "ratings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("project_id", Integer, ForeignKey("projects.id"), nullable=False),
    Column("requester_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    Column("worker_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    Column("pay", Integer, nullable=False),
    Column("communication", Integer, nullable=False),
    Column("fairness", Integer, nullable=False),
    Column("promptness", Integer, nullable=False),
    Column("comment", Text, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("project_id", "worker_id", name="uq_ratings_project_worker"),
    CheckConstraint("pay BETWEEN 1 AND 5 AND communication BETWEEN 1 AND 5 AND "
                    "fairness BETWEEN 1 AND 5 AND promptness BETWEEN 1 AND 5",
                    name="scores_1_to_5"),
)

testimonies = Table(
    "testimonies",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("project_id", Integer, ForeignKey("projects.id"), nullable=False),
    Column("requester_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    Column("worker_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    Column("text", Text, nullable=False),
    Column("status", String(20), nullable=False),  # pending | approved | rejected
    Column("created_at", UTCDateTime, nullable=False),
    Column("moderated_by", Integer, ForeignKey("users.id"), nullable=True),
    Column("moderated_at", UTCDateTime, nullable=True),
    Column("moderation_reason", Text, nullable=True),
    Column("reply", Text, nullable=True),  # the requester's public reply
    Column("replied_at", UTCDateTime, nullable=True),
)
Index("ix_testimonies_status", testimonies.c.status, testimonies.c.id)
