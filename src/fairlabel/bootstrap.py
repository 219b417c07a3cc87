"""The composition root: the one place that knows every adapter and wires them together.

Nothing is created at import time; the entry points below (the ``fairlabel`` command and the
web servers' app factory) and tests call ``bootstrap()`` with the settings they want.
"""

from __future__ import annotations

import gc
import logging
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from fairlabel.adapters.compute import DatabaseAddress, ProcessRefit
from fairlabel.adapters.container import Container
from fairlabel.adapters.db import schema_version
from fairlabel.adapters.db.checkpoints import WalCheckpointer
from fairlabel.adapters.db.engine import is_sqlite, make_engine
from fairlabel.adapters.db.unit_of_work import SqlDatabase
from fairlabel.adapters.media.store import FileMediaStore
from fairlabel.config import Settings
from fairlabel.domain.charter import CharterPolicy, FloorTable
from fairlabel.services.clock import utc_now
from fairlabel.services.quality import RefitConsensus, refit_consensus

if TYPE_CHECKING:  # the web stack loads only in servers
    from fastapi import FastAPI
    from sqlalchemy import Engine

    from fairlabel.adapters.db.awaited import AwaitedDatabase

log = logging.getLogger("fairlabel")


def bootstrap(settings: Settings | None = None, *, clock: Callable[[], datetime] = utc_now,
              upgrade_schema: bool = False, serving: bool = False) -> Container:
    """Build what a process needs. ``serving``: for a web server, which on SQLite copies the
    write-ahead log into the database file in a thread of its own rather than in the request
    whose commit fills it (``FAIRLABEL_SQLITE_CHECKPOINT_SECONDS``)."""
    settings = settings or Settings()
    background = serving and settings.sqlite_checkpoint_seconds > 0
    engine = make_engine(settings.database_url, pool_size=settings.db_pool_size,
                         sqlite_autocheckpoint=not background)
    if upgrade_schema and not schema_version.is_current(engine):
        from fairlabel.adapters.db.migrate import upgrade  # Alembic only when needed

        upgrade(engine)
    checkpointer = (WalCheckpointer(engine, settings.sqlite_checkpoint_seconds)
                    if background and is_sqlite(engine) else None)
    db = SqlDatabase(engine, lease_slots=settings.lease_slots)
    return Container(settings=settings, engine=engine, db=db,
                     awaited_database=None if is_sqlite(engine) else partial(
                         _awaited_database, settings),
                     charter=charter_policy(settings), clock=clock,
                     consensus_refit=consensus_refit(settings, engine,
                                                     sqlite_autocheckpoint=not background),
                     checkpointer=checkpointer,
                     media_store=media_store(settings, engine, serving=serving))


def _awaited_database(settings: Settings) -> AwaitedDatabase:
    from fairlabel.adapters.db.awaited import awaited_database  # servers on PostgreSQL only

    return awaited_database(settings.database_url, concurrency=settings.loop_concurrency,
                            lease_slots=settings.lease_slots)


def consensus_refit(settings: Settings, engine: Engine, *,
                    sqlite_autocheckpoint: bool) -> RefitConsensus:
    """How consensus refits run (FAIRLABEL_CONSENSUS_PROCESS): the large ones whole in a
    worker process, on a connection of its own made as this process makes its own — unless
    the database is a SQLite database in memory, which no other process can open."""
    in_memory = is_sqlite(engine) and engine.url.database in (None, "", ":memory:")
    if not settings.consensus_process or in_memory:
        return refit_consensus
    return ProcessRefit(DatabaseAddress(settings.database_url,
                                        sqlite_autocheckpoint=sqlite_autocheckpoint,
                                        writers=settings.refit_writers))


def charter_policy(settings: Settings) -> CharterPolicy:
    """Every charter rule's parameters, from the settings (built once per process)."""
    return CharterPolicy(
        floors=FloorTable(settings.floors, settings.country_floors),
        min_answers_for_rate=settings.min_answers_for_rate,
        price_cut_notice=timedelta(days=settings.price_cut_notice_days),
        min_notice_days=settings.min_notice_days,
        continuation_threshold=settings.continuation_threshold,
        review_window=timedelta(hours=settings.review_window_hours),
        appeal_deadline=timedelta(days=settings.appeal_deadline_days),
        payout_thresholds=settings.payout_thresholds,
    )


def media_directory(settings: Settings, engine: Engine) -> Path | None:
    """FAIRLABEL_MEDIA_DIR, else a ``media`` folder beside a SQLite database file; None for
    PostgreSQL (whose app servers must share one: the operator names it)."""
    if settings.media_dir:
        return Path(settings.media_dir)
    database = engine.url.database
    if not is_sqlite(engine) or database in (None, "", ":memory:"):
        return None
    return Path(str(database)).absolute().parent / "media"


def media_store(settings: Settings, engine: Engine, *, serving: bool = False
                ) -> FileMediaStore:
    """Where uploaded images are kept (``FileMediaStore``; without a directory it refuses
    every upload, saying what to set)."""
    root = media_directory(settings, engine)
    if root is None and serving:
        log.warning("FAIRLABEL_MEDIA_DIR is not set: image uploads are refused until it names "
                    "a directory that every app server shares")
    return FileMediaStore(root)


def web_app() -> FastAPI:
    """The web servers' app factory (``uvicorn --factory``): each server process builds its
    own container from the environment's settings."""
    from fairlabel.adapters.web.app import create_app

    container = bootstrap(serving=True)
    app = create_app(container)
    # A large import parses and stores in a thread; at Python's default 5 ms switch interval
    # the event loop waits that long for each turn and health checks slow to 50–66 ms p99
    # during a 50 MB upload (25–41 ms at 0.5 ms; benchmarks/hardening.py).
    sys.setswitchinterval(container.settings.switch_interval_ms / 1000)
    # What start-up built lives as long as the server: keep it out of the collector's full
    # passes, which would otherwise walk all of it again every few seconds under load (a
    # pause felt by every request in flight). No collection first: start-up leaves no
    # garbage to speak of (none, when measured), and a full pass would add 40 ms to it.
    gc.freeze()
    return app


def main() -> None:
    """The ``fairlabel`` command: its commands build containers with ``bootstrap``."""
    from fairlabel.adapters.cli import main as cli
    from fairlabel.adapters.cli.context import Wiring

    cli(obj=Wiring(bootstrap))
