"""Tables of people and the instance: users, API tokens, browser sessions, settings."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from fairlabel.adapters.db.tables.base import metadata
from fairlabel.adapters.db.types import UTCDateTime

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
    # What the user chose on the account page (None: follow the browser).
    Column("language", String(8), nullable=True),
    Column("time_zone", String(64), nullable=True),
    # A requester's public name (None: the pseudonym is shown); unique.
    Column("display_name", String(60), nullable=True),
)
Index("ix_users_display_name", users.c.display_name, unique=True)

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
