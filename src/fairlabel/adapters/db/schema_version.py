"""Whether a database's schema is already the newest this code knows, read without Alembic.

Every app server upgrades the schema when it starts (``bootstrap(upgrade_schema=True)``), and
almost always finds it current. Alembic, loaded to find that out, would stay in the server's
memory for nothing (about 10 MiB, and a tenth of a second of start-up): the revision the
database records is compared with ``HEAD`` first, and Alembic is loaded only when they differ
(``migrate.upgrade`` then upgrades, or says what is wrong).
"""

from __future__ import annotations

from sqlalchemy import Engine, inspect, text

HEAD = "0022"
"""The newest migration's revision (``migrations/versions``); a test checks it is Alembic's
head, so a new migration that forgets to change it fails the tests."""


def is_current(engine: Engine) -> bool:
    """True when the database records ``HEAD`` as its revision (False when it records
    another, none, or has no schema yet)."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return False
        found = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return found == [HEAD]
