"""The media table: a project's images. Their bytes are kept outside the database, once per
content, by SHA-256 (``adapters/media/store.py``)."""

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
    UniqueConstraint,
)

from fairlabel.adapters.db.tables.base import metadata
from fairlabel.adapters.db.types import UTCDateTime

media = Table(
    "media",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("project_id", Integer, ForeignKey("projects.id"), nullable=False),
    # The name it was uploaded under (a zip member's path inside the zip), one per project:
    # task data may refer to the image by it.
    Column("name", String(255), nullable=False),
    # Of the bytes kept (re-encoded without metadata), which the store files them by.
    Column("sha256", String(64), nullable=False),
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
    Column("content_type", String(40), nullable=False),
    Column("bytes", BigInteger, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("project_id", "name", name="uq_media_project_name"),
    CheckConstraint("width > 0 AND height > 0 AND bytes > 0", name="positive_sizes"),
)
Index("ix_media_sha256", media.c.sha256)
