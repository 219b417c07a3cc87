"""The composition root: the one place that builds the engine and wires the adapters.

Nothing is created at import time; callers (the CLI, the web app factory, tests) call
``bootstrap()`` with the settings they want.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Engine

from fairlabel.adapters.compute import ProcessFit
from fairlabel.adapters.db.checkpoints import WalCheckpointer
from fairlabel.adapters.db.engine import is_sqlite, make_engine
from fairlabel.adapters.db.unit_of_work import SqlDatabase
from fairlabel.config import Settings
from fairlabel.domain.pay import FloorTable, PayPolicy
from fairlabel.services.clock import utc_now
from fairlabel.services.quality import FitConsensus, fit_consensus


@dataclass
class Container:
    """Everything a request, a command or a job needs, built once per process."""

    settings: Settings
    engine: Engine
    db: SqlDatabase
    pay: PayPolicy
    clock: Callable[[], datetime] = field(default=utc_now)
    # Draws gold tasks into the stream; seeded from the system's entropy, one per process.
    rng: random.Random = field(default_factory=random.Random)
    # How consensus refits compute: in this process, or in a worker process (ProcessFit).
    consensus_fit: FitConsensus = field(default=fit_consensus)
    # SQLite in a server: copies the write-ahead log into the database file (see bootstrap).
    checkpointer: WalCheckpointer | None = None

    @property
    def measure_interval(self) -> timedelta:
        """How often the periodic jobs that read every answer run (and may refit one
        project's consensus)."""
        return timedelta(seconds=self.settings.measure_seconds)

    def close(self) -> None:
        if isinstance(self.consensus_fit, ProcessFit):
            self.consensus_fit.close()
        if self.checkpointer is not None:
            self.checkpointer.close()
        self.db.close()
        self.engine.dispose()


def bootstrap(settings: Settings | None = None, *, clock: Callable[[], datetime] = utc_now,
              upgrade_schema: bool = False, serving: bool = False) -> Container:
    """Build what a process needs. ``serving``: for a web server, which on SQLite copies the
    write-ahead log into the database file in a thread of its own rather than in the request
    whose commit fills it (``FAIRLABEL_SQLITE_CHECKPOINT_SECONDS``)."""
    settings = settings or Settings()
    background = serving and settings.sqlite_checkpoint_seconds > 0
    engine = make_engine(settings.database_url, pool_size=settings.db_pool_size,
                         sqlite_autocheckpoint=not background)
    if upgrade_schema:
        from fairlabel.adapters.db.migrate import upgrade  # Alembic only when needed

        upgrade(engine)
    checkpointer = (WalCheckpointer(engine, settings.sqlite_checkpoint_seconds)
                    if background and is_sqlite(engine) else None)
    return Container(settings=settings, engine=engine, db=SqlDatabase(engine),
                     pay=pay_policy(settings), clock=clock,
                     consensus_fit=ProcessFit() if settings.consensus_process else fit_consensus,
                     checkpointer=checkpointer)


def pay_policy(settings: Settings) -> PayPolicy:
    return PayPolicy(
        floors=FloorTable(settings.floors, settings.country_floors),
        min_answers_for_rate=settings.min_answers_for_rate,
        review_window=timedelta(hours=settings.review_window_hours),
        price_cut_notice=timedelta(days=settings.price_cut_notice_days),
        payout_thresholds=settings.payout_thresholds,
    )
