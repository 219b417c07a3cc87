"""What an app server holds from the start: libraries that only some requests or starts need
load when one comes, not at every start-up (each is memory every server process keeps); a
server on SQLite never loads PostgreSQL's driver."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

_SERVER = """
import sys
from datetime import UTC, datetime
from fairlabel.bootstrap import bootstrap
from fairlabel.config import Settings
from fairlabel.adapters.web.app import create_app
import fairlabel.adapters.cli.serve  # the command that runs the server, in its process
from fairlabel.domain.accounts import Role
from fairlabel.services import accounts

url, first = sys.argv[1], sys.argv[2] == "first"
container = bootstrap(Settings(database_url=url, sweep_seconds=0), upgrade_schema=True,
                      serving=True)
create_app(container)
if first:  # the schema was made: Alembic did it
    assert "alembic" in sys.modules
else:  # the schema was current: Alembic stays out of the server
    assert "alembic" not in sys.modules
    accounts.add_user(container.db, email="worker@example.org", password="correct horse",
                      role=Role.WORKER, now=datetime.now(UTC))
    late = [name for name in ("confusable_homoglyphs", "sepaxml", "PIL", "markdown_it",
                              "psycopg", "greenlet")
            if name in sys.modules]  # the last two: PostgreSQL's driver and its awaiting
    assert not late, late
    from fairlabel.adapters.web.rendering import markdown
    assert str(markdown("**Choose** one")) == "<p><strong>Choose</strong> one</p>\\n"
    assert "markdown_it" in sys.modules  # a page's instructions load it
    accounts.add_user(container.db, email="wörker@example.org", password="correct horse",
                      role=Role.WORKER, now=datetime.now(UTC))
    assert "confusable_homoglyphs" in sys.modules  # a non-ASCII address needs its tables
container.close()
"""


def test_a_server_loads_alembic_homoglyphs_sepa_pillow_and_markdown_only_when_needed(
        tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    for run in ("first", "again"):
        subprocess.run([sys.executable, "-c", _SERVER, url, run], check=True, timeout=120)


_LOOP_ON_POSTGRES = """
import sys
from datetime import UTC, datetime
import anyio
from fairlabel.bootstrap import bootstrap
from fairlabel.config import Settings
from fairlabel.adapters.web.app import create_app
from fairlabel.domain.accounts import Role
from fairlabel.services import accounts

container = bootstrap(Settings(database_url=sys.argv[1], sweep_seconds=0), serving=True)
create_app(container)
assert container.awaited_database is not None


def add_and_find(db):
    accounts.add_user(db, email="worker@example.org", password="correct horse",
                      role=Role.WORKER, now=datetime.now(UTC))
    with db.read() as tx:
        return tx.users.with_password_hash("worker@example.org")


async def serve():
    on_loop = container.awaited_database()
    try:
        return await on_loop.run(add_and_find)
    finally:
        await on_loop.aclose()

assert anyio.run(serve, backend_options={"use_uvloop": True}) is not None
assert "greenlet" in sys.modules  # the statements were awaited
assert "sqlalchemy.orm" not in sys.modules and "sqlalchemy.ext.asyncio" not in sys.modules
container.close()
"""


def test_a_server_on_postgres_awaits_its_statements_without_sqlalchemys_orm(
        postgres_url: str) -> None:
    """The awaited engine is made on the async driver directly: ``sqlalchemy.ext.asyncio``
    would import the ORM, about 7 MiB in every server process, which the app never uses."""
    subprocess.run([sys.executable, "-c", _LOOP_ON_POSTGRES, postgres_url], check=True,
                   timeout=120)
