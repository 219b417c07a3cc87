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
    late = [name for name in ("confusable_homoglyphs", "sepaxml", "PIL", "psycopg", "greenlet")
            if name in sys.modules]  # the last two: PostgreSQL's driver and its awaiting
    assert not late, late
    accounts.add_user(container.db, email="wörker@example.org", password="correct horse",
                      role=Role.WORKER, now=datetime.now(UTC))
    assert "confusable_homoglyphs" in sys.modules  # a non-ASCII address needs its tables
container.close()
"""


def test_a_server_loads_alembic_homoglyphs_sepa_and_pillow_only_when_needed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    for run in ("first", "again"):
        subprocess.run([sys.executable, "-c", _SERVER, url, run], check=True, timeout=120)
