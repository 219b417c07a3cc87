"""Tables of quality control: qualification attempts and workers' estimated accuracy."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    Table,
    text,
)

from fairlabel.adapters.db.tables.base import metadata
from fairlabel.adapters.db.types import UTCDateTime

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

# What a project's quality summary shows, kept as its ordinary tasks change
# (``adapters/db/quality_totals.py``): tasks with a consensus, settled tasks, the answers
# their redundancy wanted that settling saved, and the confidences there are with their sum.
# No foreign key, like the earnings by hour: a check would lock the project's row.
project_quality = Table(
    "project_quality",
    metadata,
    Column("project_id", Integer, primary_key=True, autoincrement=False),
    Column("with_consensus", BigInteger, nullable=False),
    Column("settled", BigInteger, nullable=False),
    Column("answers_saved", BigInteger, nullable=False),
    Column("confidences", BigInteger, nullable=False),
    Column("confidence_sum", Float, nullable=False),
)
