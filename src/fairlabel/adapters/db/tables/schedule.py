"""The periodic jobs' schedule, shared by every process on the database."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, String, Table, Text

from fairlabel.adapters.db.tables.base import metadata
from fairlabel.adapters.db.types import UTCDateTime

# One row per job (domain.schedule): the first claim inserts it, each later claim moves
# ``due_at`` to the next period in the same statement that checks it has come.
job_runs = Table(
    "job_runs",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("due_at", UTCDateTime, nullable=False),
    Column("claimed_by", String(200), nullable=True),
    Column("claimed_at", UTCDateTime, nullable=True),
    Column("finished_at", UTCDateTime, nullable=True),
    Column("runs", BigInteger, nullable=False, server_default="0"),
    Column("report", Text, nullable=True),
)
