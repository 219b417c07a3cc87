"""The schema, as SQLAlchemy Core tables. Migrations under ``migrations/`` create it.

All tables share the one ``metadata`` (``base``) and are declared by concern in
``accounts``, ``work``, ``money``, ``quality``, ``moderation``, ``voice``, ``media`` and
``schedule``.
Importing this package declares every one of them (Alembic compares ``metadata`` with the
database) and re-exports each.
"""

from __future__ import annotations

from fairlabel.adapters.db.tables.accounts import api_tokens, instance_settings, sessions, users
from fairlabel.adapters.db.tables.base import metadata
from fairlabel.adapters.db.tables.media import media
from fairlabel.adapters.db.tables.moderation import (
    access_blocks,
    appeals,
    continuation_cases,
    decisions,
)
from fairlabel.adapters.db.tables.money import (
    hourly_earnings,
    inbox_messages,
    ledger_accounts,
    ledger_balances,
    ledger_entries,
    payouts,
    price_changes,
)
from fairlabel.adapters.db.tables.quality import (
    project_quality,
    qualification_attempts,
    worker_skills,
)
from fairlabel.adapters.db.tables.schedule import job_runs
from fairlabel.adapters.db.tables.voice import project_reviews, ratings, testimonies
from fairlabel.adapters.db.tables.work import (
    GOLD_TASK,
    OPEN_TASK,
    assignments,
    fingerprint_bands,
    project_fingerprints,
    project_holds,
    projects,
    tasks,
)

__all__ = [
    "GOLD_TASK",
    "OPEN_TASK",
    "access_blocks",
    "api_tokens",
    "appeals",
    "assignments",
    "continuation_cases",
    "decisions",
    "fingerprint_bands",
    "hourly_earnings",
    "inbox_messages",
    "instance_settings",
    "job_runs",
    "ledger_accounts",
    "ledger_balances",
    "ledger_entries",
    "media",
    "metadata",
    "payouts",
    "price_changes",
    "project_fingerprints",
    "project_holds",
    "project_quality",
    "project_reviews",
    "projects",
    "qualification_attempts",
    "ratings",
    "sessions",
    "tasks",
    "testimonies",
    "users",
    "worker_skills",
]
