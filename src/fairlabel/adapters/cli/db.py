"""`fairlabel db upgrade`."""

from __future__ import annotations

import click

from fairlabel.adapters.db.engine import make_engine
from fairlabel.adapters.db.migrate import current_revision, upgrade
from fairlabel.config import Settings


@click.group()
def db() -> None:
    """Database schema management."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Target revision.")
def upgrade_command(revision: str) -> None:
    """Upgrade the schema of FAIRLABEL_DATABASE_URL to the latest revision."""
    settings = Settings()
    engine = make_engine(settings.database_url)
    try:
        upgrade(engine, revision)
        click.echo(f"schema at revision {current_revision(engine)}")
    finally:
        engine.dispose()
