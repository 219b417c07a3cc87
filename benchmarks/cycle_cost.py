#!/usr/bin/env python3
"""What one next + submit cycle costs the app, without HTTP: statements, app CPU, database CPU.

Runs the two use cases (`services.assignment.request_next`, `submit_answer`) in process, one
worker after another, on a fresh SQLite file and a fresh PostgreSQL database, and prints per
cycle: the statements sent (counted by SQLAlchemy's `before_cursor_execute`) and the round
trips they take (statements sent together in a pipeline count once; BEGIN and COMMIT, which
psycopg sends as round trips of their own, are not counted), this process's CPU (the use
cases, SQLAlchemy and the driver; of it, the kernel's), PostgreSQL's CPU (its backends
serving the benchmark database, from /proc) and wall time. It isolates the database layer
from the web layer that `loop.py` measures around it; `--profile` prints the functions that
cost most, `--statements` the SQL of one cycle (pipelined ones marked `|`). The backend
`postgres-awaited` runs the cycles as a server on PostgreSQL does: on an event loop, each
use case in a greenlet, its statements awaited through psycopg's async connection
(`adapters/db/awaited.py`), one after the other.

    FAIRLABEL_TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/test \\
        .venv/bin/python benchmarks/cycle_cost.py [--cycles 2000] [--backends sqlite,postgres]

PostgreSQL runs when FAIRLABEL_TEST_POSTGRES_URL is set (an admin URL: a fresh database is
created and dropped). Only loopback databases are contacted.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import anyio
from sqlalchemy import Engine, event, text
from tests.support.databases import (
    fresh_postgres_database,
    migrated_sqlite_template,
    postgres_admin_url,
    sqlite_copy,
)
from tests.support.work import launched_project

from fairlabel.adapters.container import Container
from fairlabel.adapters.db.awaited import awaited_database
from fairlabel.bootstrap import bootstrap
from fairlabel.config import Settings
from fairlabel.domain.accounts import Role, User
from fairlabel.services import accounts, assignment


@contextmanager
def database(backend: str) -> Iterator[str]:
    if backend == "postgres":
        with fresh_postgres_database() as url:
            yield url
    else:
        with tempfile.TemporaryDirectory() as folder:
            yield sqlite_copy(migrated_sqlite_template(Path(folder)), Path(folder))


def database_cpu_seconds(container: Container) -> float:
    """CPU of the PostgreSQL backends connected to this database (0 on SQLite)."""
    if container.engine.dialect.name != "postgresql":
        return 0.0
    with container.engine.connect() as conn:
        pids = list(conn.execute(text(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()")).scalars())
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def measure(backend: str, cycles: int, *, profile: bool,
            show: bool = False) -> dict[str, Any]:
    awaited = backend == "postgres-awaited"
    with database("postgres" if awaited else backend) as url:
        container = bootstrap(Settings(database_url=url, sweep_seconds=0,
                                       consensus_process=False))
        listening: list[Any] = []
        try:
            now = container.clock()
            requester = accounts.add_user(container.db, email="requester@bench.example",
                                          password="password-1", role=Role.REQUESTER, now=now)
            workers = [accounts.add_user(container.db, email=f"w{i}@bench.example",
                                         password="password-1", role=Role.WORKER, now=now)
                       for i in range(cycles // 100 + 2)]
            warm = 100
            project = launched_project(container, requester, tasks=cycles + warm, redundancy=1,
                                       funding=100_000_000)
            statements = [0, 0]  # statements, round trips (BEGIN and COMMIT aside)
            shown: list[str] = []
            piped = [False]

            @event.listens_for(Engine, "before_cursor_execute")  # the awaited one's too
            def _count(_conn: Any, cursor: Any, statement: str, *_args: Any) -> None:
                # A statement sent in a pipeline has no cursor of SQLAlchemy's
                # (fairlabel/adapters/db/pipeline.py): one round trip for the group.
                statements[0] += 1
                statements[1] += 0 if cursor is None and piped[0] else 1
                piped[0] = cursor is None
                if show:
                    shown.append(("  | " if cursor is None else "") +
                                 " ".join(statement.split())[:160])

            listening.append(_count)

            def run(count: int, first: int) -> None:
                if awaited:
                    anyio.run(run_awaited, count, first,
                              backend_options={"use_uvloop": True})  # as uvicorn runs
                    return
                for i in range(first, first + count):
                    worker: User = workers[i % len(workers)]
                    lease = assignment.request_next(container.db, worker, project,
                                                    now=container.clock(),
                                                    policy=container.charter)
                    assert lease is not None
                    assignment.submit_answer(container.db, worker, lease.assignment_id, "a",
                                             idempotency_key=None, now=container.clock(),
                                             policy=container.charter)

            closing_db_cpu: list[float] = []

            async def run_awaited(count: int, first: int) -> None:
                on_loop = awaited_database(url, concurrency=1,
                                           lease_slots=container.settings.lease_slots)
                try:
                    for i in range(first, first + count):
                        worker: User = workers[i % len(workers)]
                        lease = await on_loop.run(assignment.request_next, worker, project,
                                                  now=container.clock(),
                                                  policy=container.charter)
                        assert lease is not None
                        await on_loop.run(assignment.submit_answer, worker,
                                          lease.assignment_id, "a", idempotency_key=None,
                                          now=container.clock(), policy=container.charter)
                    # Its connections' backends go with them: read their CPU first.
                    closing_db_cpu.append(database_cpu_seconds(container))
                finally:
                    await on_loop.aclose()

            run(warm - 1, 0)
            shown.clear()
            run(1, warm - 1)
            if show:
                print(f"{backend}: the statements of one cycle")
                for number, sql in enumerate(shown, 1):
                    print(f"  {number:2}. {sql}")
            show = False
            statements[:] = [0, 0]
            db_before = database_cpu_seconds(container)
            cpu, wall, kernel = time.process_time(), time.perf_counter(), os.times().system
            # CPU time, not wall time: a greenlet suspended on the event loop would otherwise
            # charge its waits to whatever function it was suspended in.
            profiler = cProfile.Profile(time.process_time) if profile else None
            if profiler:
                profiler.enable()
            run(cycles, warm)
            if profiler:
                profiler.disable()
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            kernel = os.times().system - kernel
            db_cpu = (closing_db_cpu[-1] if awaited else database_cpu_seconds(container)
                      ) - db_before
            if profiler:
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(25)
                print(out.getvalue())
            return {"backend": backend, "cycles": cycles,
                    "statements_per_cycle": round(statements[0] / cycles, 2),
                    "round_trips_per_cycle": round(statements[1] / cycles, 2),
                    "app_cpu_ms": round(cpu / cycles * 1000, 3),
                    "app_kernel_ms": round(kernel / cycles * 1000, 3),
                    "db_cpu_ms": round(db_cpu / cycles * 1000, 3),
                    "wall_ms": round(wall / cycles * 1000, 3)}
        finally:
            for listener in listening:
                event.remove(Engine, "before_cursor_execute", listener)
            container.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cycles", type=int, default=2000)
    ap.add_argument("--backends", default="sqlite,postgres")
    ap.add_argument("--profile", action="store_true", help="print cProfile's top functions")
    ap.add_argument("--statements", action="store_true",
                    help="print the SQL of one cycle (shortened)")
    a = ap.parse_args(argv)
    rows = []
    for backend in [b.strip() for b in a.backends.split(",") if b.strip()]:
        if backend.startswith("postgres") and not postgres_admin_url():
            print("postgres: skipped (set FAIRLABEL_TEST_POSTGRES_URL)")
            continue
        rows.append(measure(backend, a.cycles, profile=a.profile, show=a.statements))
    print(f"{'backend':10} {'cycles':>7} {'statements':>11} {'trips':>6} {'app CPU ms':>11} "
          f"{'of it kernel':>13} {'db CPU ms':>10} {'wall ms':>8}   (per next + submit cycle)")
    for r in rows:
        print(f"{r['backend']:10} {r['cycles']:>7} {r['statements_per_cycle']:>11} "
              f"{r['round_trips_per_cycle']:>6} "
              f"{r['app_cpu_ms']:>11} {r['app_kernel_ms']:>13} {r['db_cpu_ms']:>10} "
              f"{r['wall_ms']:>8}")
    sqlite = next((r for r in rows if r["backend"] == "sqlite"), None)
    for postgres in (r for r in rows if r["backend"].startswith("postgres")):
        if sqlite is None:
            break
        ratio = (postgres["app_cpu_ms"] + postgres["db_cpu_ms"]) / sqlite["app_cpu_ms"]
        print(f"{postgres['backend']} app + database CPU per cycle / SQLite's: {ratio:.2f}x "
              f"(target within 1.5x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
