"""Fresh databases for tests: a SQLite file, or a new PostgreSQL database per run."""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

from fairlabel.adapters.db.engine import make_engine, normalize_url
from fairlabel.adapters.db.migrate import upgrade

POSTGRES_ENV = "FAIRLABEL_TEST_POSTGRES_URL"


def postgres_admin_url() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


@contextmanager
def fresh_postgres_database(*, migrate: bool = True) -> Iterator[str]:
    """Create a database no other run sees, yield its URL, drop it afterwards."""
    admin = postgres_admin_url()
    assert admin, f"{POSTGRES_ENV} is not set"
    name = f"fairlabel_test_{os.getpid()}_{secrets.token_hex(4)}"
    admin_engine = create_engine(normalize_url(admin), isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(normalize_url(admin)).set(database=name).render_as_string(hide_password=False)
    try:
        if migrate:
            engine = make_engine(url)
            upgrade(engine)
            engine.dispose()
        yield url
    finally:
        with admin_engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin_engine.dispose()


def migrated_sqlite_template(directory: Path) -> Path:
    path = directory / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


def sqlite_copy(template: Path, directory: Path) -> str:
    """A migrated SQLite database of its own, copied from the template in a millisecond."""
    path = directory / f"db-{secrets.token_hex(4)}.db"
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"
