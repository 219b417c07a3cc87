"""Tables of workers' voice (charter rule 8): ratings and testimonies; and the tally of a
project's reviews that the public record shows."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
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
from fairlabel.adapters.db.types import UTCDateTime

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

# How many of a project's submitted answers were reviewed each way (``Review``), kept by every
# review as its transaction commits (``AssignmentRepository.write_review_counts``): the
# public record shows them without counting a requester's answers on each view. Answers not
# yet reviewed are the rest of ``project_holds.answers``.
project_reviews = Table(
    "project_reviews",
    metadata,
    Column("project_id", Integer, ForeignKey("projects.id"), primary_key=True),
    *(Column(name, BigInteger, nullable=False, server_default=text("0"))
      for name in ("approved", "auto_approved", "rejected", "withheld", "overturned")),
)
