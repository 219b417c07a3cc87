"""Two real `fairlabel serve` commands (one with two worker processes, as on two hosts) on one
PostgreSQL database: every process sweeps, yet each period of each periodic job runs once."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from fairlabel.adapters.db.engine import make_engine
from fairlabel.adapters.db.migrate import upgrade
from fairlabel.adapters.db.tables import job_runs
from fairlabel.domain.schedule import MEASURE, SWEEP, period_start
from tests.support.databases import fresh_postgres_database, postgres_admin_url
from tests.support.server import running_server

pytestmark = pytest.mark.slow
SWEEP_EVERY, MEASURE_EVERY, WATCH_SECONDS = 1, 2, 5
ENV = {"FAIRLABEL_SWEEP_SECONDS": str(SWEEP_EVERY),
       "FAIRLABEL_MEASURE_SECONDS": str(MEASURE_EVERY),
       "FAIRLABEL_CONSENSUS_PROCESS": "false"}


@pytest.fixture
def engine() -> Iterator[Engine]:
    if not postgres_admin_url():
        pytest.skip("PostgreSQL tests need FAIRLABEL_TEST_POSTGRES_URL")
    with fresh_postgres_database() as url:
        built = make_engine(url)
        upgrade(built)
        yield built
        built.dispose()


def _runs(engine: Engine) -> dict[str, tuple[int, str | None]]:
    with engine.connect() as conn:
        rows = conn.execute(select(job_runs.c.name, job_runs.c.runs, job_runs.c.claimed_by))
        return {name: (runs, by) for name, runs, by in rows}


def _periods(start: datetime, end: datetime, seconds: int) -> int:
    every = timedelta(seconds=seconds)
    return (period_start(end, every) - period_start(start, every)) // every


def test_three_sweeping_processes_on_two_commands_run_each_period_once(
        engine: Engine, tmp_path: Path) -> None:
    url = engine.url.render_as_string(hide_password=False)
    with running_server(url, tmp_path, workers=2, env=ENV), \
            running_server(url, tmp_path, env=ENV):
        time.sleep(1)  # every process has started sweeping
        start, before = datetime.now(UTC), _runs(engine)
        claimers: set[str] = set()
        while datetime.now(UTC) < start + timedelta(seconds=WATCH_SECONDS):
            claimers.update(by for _, by in _runs(engine).values() if by)
            time.sleep(0.1)
        end, after = datetime.now(UTC), _runs(engine)
    light = after[SWEEP][0] - before[SWEEP][0]
    heavy = after[MEASURE][0] - before[MEASURE][0]
    # One run per period begun while watching (give or take the one in flight at either
    # end); three sweepers each running every period would have made three times as many.
    assert abs(light - _periods(start, end, SWEEP_EVERY)) <= 1, (light, start, end)
    assert abs(heavy - _periods(start, end, MEASURE_EVERY)) <= 1, (heavy, start, end)
    assert claimers  # the periods were claimed by the servers, by host and process id
