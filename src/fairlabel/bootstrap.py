"""The composition root: the one place that builds the engine and wires the adapters.

Nothing is created at import time; callers (the CLI, the web app factory, tests) call
``bootstrap()`` with the settings they want.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine

from fairlabel.adapters.db.engine import make_engine
from fairlabel.adapters.db.unit_of_work import SqlDatabase
from fairlabel.config import Settings
from fairlabel.services.clock import utc_now


@dataclass
class Container:
    """Everything a request, a command or a job needs, built once per process."""

    settings: Settings
    engine: Engine
    db: SqlDatabase
    clock: Callable[[], datetime] = field(default=utc_now)

    def close(self) -> None:
        self.engine.dispose()


def bootstrap(settings: Settings | None = None, *, clock: Callable[[], datetime] = utc_now,
              upgrade_schema: bool = False) -> Container:
    settings = settings or Settings()
    engine = make_engine(settings.database_url, pool_size=settings.db_pool_size)
    if upgrade_schema:
        from fairlabel.adapters.db.migrate import upgrade  # Alembic only when needed

        upgrade(engine)
    return Container(settings=settings, engine=engine, db=SqlDatabase(engine), clock=clock)
