#!/usr/bin/env python3
"""What the pages and API reads cost on a big project: each read timed on a project of
--tasks tasks and --answers answers per task (1,000,000 and 3,000,000 by default), as its
requester and as its busiest worker sees it.

The project is built as `export_speed.py` builds it (bulk writes through the package's
tables, the counts every import and submission keep set alike; PostgreSQL then vacuumed and
analysed, as autovacuum leaves a table after such a load), its consensus fitted once,
then every read runs in process through the app (`TestClient`: no sockets), --repeat times;
the best and the worst are printed. A read whose cost follows the project's size rather than
what it shows is the regression this looks for (target: under 100 ms each). The time the
consensus fit takes, every task's consensus written, is printed too.

    FAIRLABEL_TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/test \\
        .venv/bin/python benchmarks/page_reads.py [--tasks 1000000] [--backends sqlite,postgres]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from export_speed import PASSWORD, REQUESTER, _database, build
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from tests.e2e.test_pages import csrf
from tests.support.databases import postgres_admin_url

from fairlabel.adapters.db.tables import projects, users
from fairlabel.adapters.web.app import create_app
from fairlabel.bootstrap import bootstrap
from fairlabel.config import Settings
from fairlabel.services import accounts, quality

WORKER = "w0@bench.example.org"  # answers one task in --workers: the busiest
TARGET_MS = 100.0


def reads(pid: int, requester_id: int) -> list[tuple[str, str]]:
    """(who, address): the requester's pages and API reads, then the worker's."""
    mine = [f"/requester/projects/{pid}", "/requester", f"/api/v1/projects/{pid}",
            "/api/v1/projects", f"/api/v1/projects/{pid}/quality",
            f"/api/v1/projects/{pid}/funding", "/public/requesters",
            f"/public/requesters/{requester_id}", f"/api/v1/public/requesters/{requester_id}"]
    theirs = ["/worker", "/worker/earnings", "/worker/decisions", "/api/v1/me/earnings",
              "/api/v1/me/statement"]
    return [("requester", p) for p in mine] + [("worker", p) for p in theirs]


def signed_in(client: TestClient, email: str) -> dict[str, str]:
    """Sign ``client`` in (for pages) and return a bearer token's header (for the API)."""
    sent = client.post("/login", data={"email": email, "password": PASSWORD,
                                       "csrf_token": csrf(client, "/login")},
                       follow_redirects=False)
    if sent.status_code != 303:
        raise RuntimeError(f"signing in as {email} failed: {sent.status_code}")
    container = client.app.state.container  # type: ignore[attr-defined]
    token = accounts.create_token(container.db, email=email, name="bench", now=container.clock())
    return {"Authorization": f"Bearer {token}"}


def measure(url: str, pid: int, repeat: int) -> list[dict[str, Any]]:
    container = bootstrap(Settings(database_url=url, sweep_seconds=0))
    try:
        if container.engine.dialect.name == "postgresql":
            # What autovacuum does after millions of new rows: without statistics the planner
            # takes a project's 3,000,000 answers for a few dozen (1.1 s for its 100 newest),
            # and without the visibility map an index-only count visits every row it counts.
            with container.engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                    "VACUUM ANALYZE")
        with container.engine.begin() as conn:  # launched, as its public record shows it
            conn.execute(update(projects).where(projects.c.id == pid)
                         .values(status="open", launched_at=projects.c.created_at))
            requester_id = conn.execute(select(users.c.id)
                                        .where(users.c.email == REQUESTER)).scalar_one()
        start = time.perf_counter()
        quality.refresh_consensus(container.db, now=container.clock(), project_id=pid,
                                  refit=container.consensus_refit)
        print(f"  consensus fitted in {time.perf_counter() - start:.1f} s", flush=True)
        app = create_app(container)
        with TestClient(app) as requester, TestClient(app) as worker:
            clients = {"requester": (requester, signed_in(requester, REQUESTER)),
                       "worker": (worker, signed_in(worker, WORKER))}
            rows = []
            for who, path in reads(pid, requester_id):
                client, headers = clients[who]
                times, status, size = [], 0, 0
                for _ in range(repeat):
                    began = time.perf_counter()
                    answer = client.get(path, headers=headers)
                    times.append((time.perf_counter() - began) * 1000)
                    status, size = answer.status_code, len(answer.content)
                rows.append({"who": who, "path": path, "status": status, "bytes": size,
                             "best_ms": round(min(times), 1), "worst_ms": round(max(times), 1)})
                verdict = "PASS" if min(times) < TARGET_MS else "FAIL"
                print(f"  {who:<9} {path:<34} {status} {size:>8} B  best {min(times):7.1f} ms"
                      f"  worst {max(times):7.1f} ms  {verdict}", flush=True)
            return rows
    finally:
        container.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tasks", type=int, default=1_000_000)
    ap.add_argument("--answers", type=int, default=3, help="answers per task")
    ap.add_argument("--workers", type=int, default=50, help="distinct workers answering")
    ap.add_argument("--backends", default="sqlite,postgres")
    ap.add_argument("--repeat", type=int, default=3, help="times each read runs")
    ap.add_argument("--out", help="write the figures as JSON here")
    a = ap.parse_args(argv)
    results: dict[str, Any] = {"tasks": a.tasks, "answers_per_task": a.answers}
    for backend in [b.strip() for b in a.backends.split(",") if b.strip()]:
        if backend == "postgres" and not postgres_admin_url():
            print("postgres: skipped (FAIRLABEL_TEST_POSTGRES_URL is not set)", flush=True)
            continue
        with _database(backend) as url:
            start = time.perf_counter()
            pid = build(url, a.tasks, a.answers, a.workers)
            print(f"{backend}: built {a.tasks} tasks x {a.answers} answers in "
                  f"{time.perf_counter() - start:.1f} s", flush=True)
            results[backend] = measure(url, pid, a.repeat)
    if a.out:
        Path(a.out).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
