"""The schema, as SQLAlchemy Core tables. Migrations under ``migrations/`` create it."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
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
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("name", String(100), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
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
    CheckConstraint("taken >= 0 AND taken <= max_answers", name="taken_within_redundancy"),
    CheckConstraint("answered >= 0 AND answered <= taken", name="answered_within_taken"),
)
Index(
    "ix_tasks_open",
    tasks.c.project_id,
    tasks.c.id,
    sqlite_where=text("taken < max_answers"),
    postgresql_where=text("taken < max_answers"),
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
    UniqueConstraint("task_id", "worker_id", name="uq_assignments_task_worker"),
)
Index("ix_assignments_worker", assignments.c.worker_id, assignments.c.project_id,
      assignments.c.status)
Index("ix_assignments_worker_task", assignments.c.worker_id, assignments.c.project_id,
      assignments.c.task_id)
Index("ix_assignments_lease", assignments.c.status, assignments.c.lease_expires_at)
Index("ix_assignments_project", assignments.c.project_id, assignments.c.status)
