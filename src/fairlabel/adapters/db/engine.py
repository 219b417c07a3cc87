"""Engines for SQLite (the default, WAL mode) and PostgreSQL (psycopg 3).

Nothing is created at import time: ``make_engine(url)`` is called by the composition root.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

SQLITE_BUSY_TIMEOUT_MS = 30_000


def normalize_url(url: str) -> str:
    """Accept plain ``postgresql://`` URLs and use the psycopg 3 driver for them."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str, *, pool_size: int = 20, sqlite_autocheckpoint: bool = True) -> Engine:
    """An engine for the URL. ``sqlite_autocheckpoint=False``: SQLite's connections leave
    copying the write-ahead log into the database file to a ``WalCheckpointer``."""
    url = normalize_url(url)
    if url.startswith("sqlite"):
        return _sqlite_engine(url, autocheckpoint=sqlite_autocheckpoint)
    # No pre-ping: it cost a round trip per transaction (two per next + submit cycle). A
    # connection that died in the pool fails its first statement instead; SQLAlchemy then
    # discards every connection the pool held, and the request (``web/retries.py``) or the
    # job (``SqlDatabase.retrying``) runs once more on fresh ones.
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size)


def _sqlite_engine(url: str, *, autocheckpoint: bool) -> Engine:
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        pool_size=20,
        max_overflow=20,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        if not autocheckpoint:
            cursor.execute("PRAGMA wal_autocheckpoint=0")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A write transaction takes SQLite's write lock up front (BEGIN IMMEDIATE) so that it
        # waits its turn instead of failing half-way with "database is locked"; reads stay
        # deferred and run beside writers thanks to WAL.
        write = conn.get_execution_options().get("fairlabel_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine
