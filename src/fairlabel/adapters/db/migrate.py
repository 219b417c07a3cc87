"""Schema upgrades with Alembic, from Python (``fairlabel db upgrade``, ``fairlabel serve``)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


# Any constant, the same in every process: servers starting together upgrade one at a time.
_UPGRADE_LOCK = 0x6661697266  # "fairf"


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision``; a no-op when it is already there. On PostgreSQL,
    servers started at the same moment take turns (a transaction-level advisory lock): the
    first upgrades, the others then find the schema current. On SQLite the upgrade is a
    write transaction from its start (``BEGIN IMMEDIATE``), which does the same for a file."""
    config = alembic_config()
    with engine.connect() as conn:
        conn.execution_options(fairlabel_write=True)
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_UPGRADE_LOCK})")
            config.attributes["connection"] = conn
            command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str) -> None:
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()
