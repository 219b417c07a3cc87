"""What a process's adapters share: the container the composition root builds.

The type lives here, beside the adapters that read it, so that none of them imports the
composition root (``fairlabel.bootstrap``), which imports them all.
"""

from __future__ import annotations

import os
import random
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from fairlabel.adapters.compute import ProcessRefit
from fairlabel.adapters.db.checkpoints import WalCheckpointer
from fairlabel.adapters.db.unit_of_work import SqlDatabase
from fairlabel.adapters.media.store import FileMediaStore
from fairlabel.config import Settings
from fairlabel.domain.charter import CharterPolicy
from fairlabel.domain.media import MediaLimits
from fairlabel.domain.schedule import PeriodicJob, periodic_jobs
from fairlabel.services.clock import utc_now
from fairlabel.services.ports.media import MediaStore
from fairlabel.services.quality import RefitConsensus, refit_consensus

if TYPE_CHECKING:  # loaded only where a server runs the labeling loop on PostgreSQL
    from fairlabel.adapters.db.awaited import AwaitedDatabase


@dataclass
class Container:
    """Everything a request, a command or a job needs, built once per process."""

    settings: Settings
    engine: Engine
    db: SqlDatabase
    # Every charter rule's parameters, from the settings (fairlabel.bootstrap.charter_policy).
    charter: CharterPolicy
    clock: Callable[[], datetime] = field(default=utc_now)
    # Draws gold tasks into the stream; seeded from the system's entropy, one per process.
    rng: random.Random = field(default_factory=random.Random)
    # How consensus refits run: in this process, or the large ones whole in a worker process
    # (ProcessRefit).
    consensus_refit: RefitConsensus = field(default=refit_consensus)
    # PostgreSQL: makes the database a server's event loop runs the labeling loop's use cases
    # on, their statements awaited (db/awaited.py, web/calls.py); None on SQLite.
    awaited_database: Callable[[], AwaitedDatabase] | None = None
    # SQLite in a server: copies the write-ahead log into the database file (see bootstrap).
    checkpointer: WalCheckpointer | None = None
    # Where uploaded images are kept (FAIRLABEL_MEDIA_DIR, see bootstrap.media_store).
    media_store: MediaStore = field(default_factory=lambda: FileMediaStore(None))

    @property
    def measure_interval(self) -> timedelta:
        """How often the periodic jobs that read every answer run (and may refit one
        project's consensus)."""
        return timedelta(seconds=self.settings.measure_seconds)

    @property
    def periodic_jobs(self) -> tuple[PeriodicJob, ...]:
        """The periodic jobs and their periods (FAIRLABEL_SWEEP_SECONDS for the light ones,
        FAIRLABEL_MEASURE_SECONDS for those that read every answer). A period set to 0 takes
        the other one's; both 0 (no server sweeps; ``fairlabel sweep`` from cron), 60 s: the
        period then only says when servers that do sweep may run the jobs again."""
        sweep, measure = self.settings.sweep_seconds, self.settings.measure_seconds
        sweep = sweep if sweep > 0 else measure if measure > 0 else 60.0
        measure = measure if measure > 0 else sweep
        return periodic_jobs(sweep_every=timedelta(seconds=sweep),
                             measure_every=timedelta(seconds=measure))

    @property
    def process_name(self) -> str:
        """Who claims the periodic jobs in this process, as ``job_runs.claimed_by`` shows it:
        host name and process id."""
        return f"{socket.gethostname()}:{os.getpid()}"[:200]

    @property
    def keeps_media(self) -> bool:
        """Whether uploaded images can be kept (a file store needs FAIRLABEL_MEDIA_DIR)."""
        return not isinstance(self.media_store, FileMediaStore) or self.media_store.root is not None

    @property
    def media_limits(self) -> MediaLimits:
        """The bounds of a media upload, from the settings."""
        s = self.settings
        return MediaLimits(max_bytes=s.media_max_bytes, max_pixels=s.media_max_pixels,
                           max_files=s.media_max_files,
                           max_upload_bytes=s.media_upload_max_bytes)

    def close_workers(self, *, wait: bool = True) -> None:
        """End the worker process of large refits, if one runs (a later refit starts it
        again): an app's shutdown leaves nothing running behind it, without waiting."""
        if isinstance(self.consensus_refit, ProcessRefit):
            self.consensus_refit.close(wait=wait)

    def close(self) -> None:
        self.close_workers()
        if self.checkpointer is not None:
            self.checkpointer.close()
        self.db.close()
        self.engine.dispose()
