"""What a test's worker process runs instead of a refit: a worker that dies once."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from fairlabel.adapters.compute import DatabaseAddress, refit_in_worker
from fairlabel.services.quality import Refit

DIE_MARKER = "FAIRLABEL_TEST_DIE_MARKER"


def die_once(database: DatabaseAddress, project_id: int, now: datetime, seed: int) -> Refit:
    """The worker process exits at once (as if killed) while the file named by the
    environment's ``FAIRLABEL_TEST_DIE_MARKER`` exists, removing it; then refits."""
    marker = Path(os.environ[DIE_MARKER])
    if marker.exists():
        marker.unlink()
        os._exit(3)
    return refit_in_worker(database, project_id, now, seed)
