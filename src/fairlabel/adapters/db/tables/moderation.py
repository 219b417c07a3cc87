"""Tables of the decisions that affect a worker (charter rule 6), appeals, access blocks."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from fairlabel.adapters.db.tables.base import metadata
from fairlabel.adapters.db.types import BigId, UTCDateTime

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
    # The explanation as a message template and its values (domain.messages.Msg), so that
    # it is shown in the worker's language; NULL for decisions kept before templates.
    Column("explanation_msg", JSON, nullable=True),
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

# A relaunch under another requester account that looks like an earlier project (charter
# rule 5): the guard opens a case with its evidence; a moderator confirms or dismisses it.
continuation_cases = Table(
    "continuation_cases",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("project_id", Integer, ForeignKey("projects.id"), nullable=False),
    Column("earlier_id", Integer, ForeignKey("projects.id"), nullable=False),
    Column("requester_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("earlier_requester_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("price_minor", BigInteger, nullable=False),  # the new project's, when found
    Column("earlier_price_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("earlier_median_ms", BigInteger, nullable=True),
    Column("score_instructions", Float, nullable=False),
    Column("score_schema", Float, nullable=False),
    Column("score_data", Float, nullable=False),
    Column("score", Float, nullable=False),
    Column("found_at", UTCDateTime, nullable=False),
    Column("status", String(20), nullable=False),  # open | confirmed | dismissed
    Column("decided_by", Integer, ForeignKey("users.id"), nullable=True),
    Column("decided_at", UTCDateTime, nullable=True),
    Column("reason", Text, nullable=True),
    Column("back_paid_minor", BigInteger, nullable=False, server_default="0"),
    Column("back_pay_owed_minor", BigInteger, nullable=False, server_default="0"),
    UniqueConstraint("project_id", "earlier_id"),
)
Index("ix_continuation_cases_status", continuation_cases.c.status, continuation_cases.c.id)
